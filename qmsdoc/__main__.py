"""``python -m qmsdoc``: the same as the ``qmsdoc`` command."""

from __future__ import annotations

from .cli import main

main(prog_name="qmsdoc")
