"""The wheel carries every subpackage and data file that `pip install .` users need."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_subpackage_and_the_scaffold_files_are_packaged() -> None:
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    subpackages = {".".join(p.parent.relative_to(ROOT).parts)
                   for p in (ROOT / "qmsdoc").rglob("__init__.py")}
    assert subpackages <= set(setuptools["packages"])
    assert "scaffold_files/*" in setuptools["package-data"]["qmsdoc"]
    assert setuptools["package-dir"]["qmsdoc.builtin_example"] == "."
    assert setuptools["package-data"]["qmsdoc.builtin_example"] == ["qmsdoc.yaml"]
