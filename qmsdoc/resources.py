"""Where the shipped data are: ``qmsdoc/builtin/``.

The built-in schemas, form templates, default configuration, working-day calendars, the
files ``qmsdoc init`` writes and the sample records repository (``example/``: records and
their ``qmsdoc.yaml``) all live inside the package, so a wheel, an editable install and a
source checkout read the same files. The top-level ``records/ schemas/ templates/`` and
``qmsdoc.yaml`` of the source repository are links to them (the sample records repository
``make demo`` works on).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from importlib.resources.abc import Traversable

# the package's own folder, as importlib.resources gives it for an installed or checked-out
# package; importlib.resources itself (and the zipfile and tempfile it imports, ~5 ms) is
# imported only when the package is not a folder (e.g. run from a zip file)
_FOLDER = Path(__file__).parent / "builtin"


def builtin(*parts: str) -> Traversable:
    """A file or folder of ``qmsdoc/builtin/``, e.g. ``builtin("schemas", "defs.schema.json")``."""
    node: Traversable
    if _FOLDER.is_dir():
        node = _FOLDER
    else:
        from importlib import resources

        node = resources.files("qmsdoc").joinpath("builtin")
    for part in parts:
        node = node.joinpath(part)
    return node


def example(folder: str) -> Traversable:
    """A folder of the sample records repository (``records``)."""
    return builtin("example", folder)


def sample_config() -> str:
    """The ``qmsdoc.yaml`` of the sample records (their company, customers and roster)."""
    return builtin("example", "qmsdoc.yaml").read_text("utf-8")
