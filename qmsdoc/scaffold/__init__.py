"""Writing new things: ``qmsdoc init`` (``init``), the new repository's git (``repo``), the
example repository with its scripted history (``example``) and ``qmsdoc new`` (``new``).
May import every core package (top-level modules, ``records``, ``git``, ``checks``,
``history``); never ``cli``.
"""
