"""Git as the revision and approval record: revisions and record states (``revision``), the
approval policy (``policy``), releases judged from the history (``releases``), record states
read from git (``states``), ``qmsdoc approve`` (``approve``) and ``qmsdoc verify``
(``verify``). May import the top-level modules, ``records``, ``git`` and ``checks``.
"""
