"""The ``qmsdoc`` command line: parse options, call one core function, hand the result to a
view, exit.

The only package that imports click; it may import every other package of qmsdoc, and
nothing imports it. Exit codes: 0 done, 1 problems found, 2 usage or environment error,
3 a bug in qmsdoc (one line; the traceback with --traceback). ``app`` holds the command
group; each other module registers its commands on it.
"""

from __future__ import annotations

from . import (
    audit,
    exchange,
    forms,
    history,
    notify,
    procedures,
    records,
    reports,
    setup,
    templates,
)
from .app import App, main

__all__ = ["App", "audit", "exchange", "forms", "history", "main", "notify", "procedures",
           "records", "reports", "setup", "templates"]

if __name__ == "__main__":  # pragma: no cover
    main()
