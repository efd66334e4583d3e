"""``python -m qmsdoc``: the same as the ``qmsdoc`` command."""

from __future__ import annotations

from .cli import main

if __name__ == "__main__":  # spawned worker processes import this module too
    main(prog_name="qmsdoc")
