"""``qmsdoc audit-pack``: evidence an auditor takes away and checks alone.

One zip per request: for each record the clauses in scope cover, its released revision's
form (and PDF), the record file and its attachments as released (git blobs), its revision
history and approval chain, the ``verify`` result, an index in the controlled frame, a
MANIFEST.json with the SHA-256 and git ids of every file, and ``verify_pack.py``, which
checks all of it with nothing but Python's standard library. The same repository state and
options give a byte-identical zip.

The last layer before ``cli``: it may import every other package (it packs what
``history``, ``render``, ``report`` and ``views`` make).
"""
