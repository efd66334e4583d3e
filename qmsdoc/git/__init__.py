"""The only place that runs git: the command helper (``cmd``) and the history reader with
its pure parsers of ``git log`` / ``cat-file`` output (``log``), tested on canned text.
May import the top-level modules and ``records``.
"""
