"""Where the built-in schemas, templates and sample records are.

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
