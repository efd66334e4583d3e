"""Where the built-in schemas, templates, sample records and their qmsdoc.yaml are.

In a source checkout (also an editable install) they are the top-level folders of the
repository; in an installed wheel they are the resource packages ``qmsdoc.builtin_*``.
"""

from __future__ import annotations

from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

_SOURCE_ROOT = Path(__file__).resolve().parent.parent


def builtin(folder: str) -> Traversable:
    """``folder`` is one of ``schemas``, ``templates``, ``records``."""
    source = _SOURCE_ROOT / folder
    if (_SOURCE_ROOT / "pyproject.toml").is_file() and source.is_dir():
        return source
    return resources.files(f"qmsdoc.builtin_{folder}")


def sample_config() -> str:
    """The ``qmsdoc.yaml`` of the sample records (their company, customers and roster)."""
    source = _SOURCE_ROOT / "qmsdoc.yaml"
    if (_SOURCE_ROOT / "pyproject.toml").is_file() and source.is_file():
        return source.read_text("utf-8")
    return resources.files("qmsdoc.builtin_example").joinpath("qmsdoc.yaml").read_text("utf-8")
