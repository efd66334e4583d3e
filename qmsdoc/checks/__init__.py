"""``qmsdoc validate``: the pipeline (``pipeline``), per-record rules (``record``), workflow
states (``workflow``), cross-record rules (``crossref``), change selection for
``--changed-since`` (``changes``) and the state history check (``statehistory``).
May import the top-level modules, ``records``, ``git`` and ``deadlines``.
"""
