"""Compiled form templates kept between runs: a template that compiled and passed the lint
is kept as its patched Jinja2 source and compiled code, so that the next run neither
imports docxtpl to patch it, nor compiles nor lints it again.

The key holds everything the result depends on: the template's bytes and name, the kind,
the configuration and schemas (``checks.factcache.fingerprint``: the lint's shapes and the
limits), and the versions of qmsdoc, Python (the code's format), Jinja2 and docxtpl. As the
facts cache, it is only ever an optimisation: a payload that does not match its own SHA-256
or has another shape is ignored (the template is compiled as without a cache), a template
with problems is never kept, and the file is written whole under ``.git/qmsdoc/`` or
``$QMSDOC_CACHE_DIR`` (``off``: no cache), through ``cachefile``. As the code in it is run,
it is read only from a file and folder of this user's that nobody else may write.

A file's name holds the installation it was made by (``generation``: the versions in the
key) before its key. Files of another installation (an upgrade of qmsdoc, Python, Jinja2 or
docxtpl) are never read again by this one: when a template is kept, those last written more
than ``STALE_AFTER`` ago are removed (younger ones may belong to a second installation
still in use on the same repository).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING, Any

from .. import __version__, cachefile

if TYPE_CHECKING:
    from importlib.machinery import ModuleSpec

FORMAT = 3  # 2: kept templates passed the lint of lone surrogates (render.lint); 3: code of
# engine.FormCodeGenerator (calls qmsdoc_getattr, qmsdoc_finalized)
NAME = "templates"
KIND = f"qmsdoc-{NAME}-{FORMAT}"
# templated part → (patched source, compiled code; None for a part without tags)
Parts = dict[str, tuple[str, CodeType | None]]


STALE_AFTER = 7 * 24 * 3600  # seconds since another installation last wrote its file
_FILE = re.compile(r"(?:templates|folded)-(?:([0-9a-f]{8})-)?[0-9a-f]{24}\.marshal")


def key(data: bytes, source: str, kind: str, fingerprint: str) -> str:
    digest = hashlib.sha256(f"{_installation()}{source}|{kind}|{fingerprint}|".encode())
    digest.update(data)
    return digest.hexdigest()


def _installation() -> str:
    import jinja2

    return f"{FORMAT}|{__version__}|{sys.version}|{jinja2.__version__}|{docxtpl_code()}|"


def generation() -> str:
    """The installation's part of every key, short: the first part of a file's name."""
    return hashlib.sha256(_installation().encode()).hexdigest()[:8]


def _of_another_installation(name: str) -> bool:
    """A file of this cache (``templates-…``, ``folded-…``) made by another installation (or
    named as before the names held it)."""
    match = _FILE.fullmatch(name)
    return match is not None and match.group(1) != generation()


# docxtpl's files whose code patches a template (its version is in __init__.py)
DOCXTPL_FILES = ("__init__.py", "template.py")


@cache
def docxtpl_code() -> str:
    """What the patched sources depend on of docxtpl: a digest of the files of the docxtpl
    that ``import docxtpl`` takes (the one imported already, else the one the import system
    finds: on the path, or through an editable install's finder), found without importing
    it (importing it, or asking importlib.metadata for its version, costs the run 30-80
    ms); its version from its metadata where its files cannot be read, "-" where it is not
    installed."""
    from importlib.util import find_spec

    try:
        spec = find_spec("docxtpl")
    except (ImportError, ValueError):  # a module without a spec stands in for it
        spec = None
    if spec is None and "docxtpl" not in sys.modules:
        return "-"
    parts = _package_files(spec, DOCXTPL_FILES) if spec is not None else None
    if parts is not None:
        return hashlib.sha256(b"\0".join(parts)).hexdigest()
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("docxtpl")
    except PackageNotFoundError:
        return "-"


def _package_files(spec: ModuleSpec, names: tuple[str, ...]) -> list[bytes] | None:
    """The bytes of the files ``names`` of the package ``spec`` (read through its loader,
    also from a zip file); None where there are none to read."""
    if not spec.has_location or not spec.origin or spec.submodule_search_locations is None:
        return None
    folder = os.path.dirname(spec.origin)
    get_data = getattr(spec.loader, "get_data", None)
    try:
        if get_data is not None:
            return [bytes(get_data(os.path.join(folder, name))) for name in names]
        return [Path(folder, name).read_bytes() for name in names]
    except (OSError, ValueError):
        return None


def folded_key(key: str, labels: Mapping[str, Any], code: str) -> str | None:
    """The key of a template's parts with one language's ``labels`` written in (render/fold):
    its own key, the digest of the code that printed the labels (``fold.code_digest``) and
    every label; None for labels that cannot be written out."""
    try:
        shown = json.dumps(labels, ensure_ascii=False, sort_keys=True)
    except (TypeError, ValueError):
        return None
    digest = hashlib.sha256(f"{FOLDED_KIND}|{key}|{code}|".encode())
    digest.update(shown.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


FOLDED = "folded"
FOLDED_KIND = f"qmsdoc-{FOLDED}-{FORMAT}"


class TemplateCache:
    """One compiled template, under its key (``folded``: its parts with labels written in)."""

    def __init__(self, folder: Path | None, key: str, *, folded: bool = False) -> None:
        self.key = key
        self.kind = FOLDED_KIND if folded else KIND
        name = FOLDED if folded else NAME
        self.path = folder / f"{name}-{generation()}-{key[:24]}.marshal" \
            if folder is not None else None

    def load(self) -> Parts | None:
        """The parts kept for this key; None when there are none to trust: the code in them
        is run, so only from a file and folder of this user's that nobody else may write."""
        parts: Any = cachefile.load(self.path, self.kind, self.key, private=True)
        if not isinstance(parts, dict) or not parts or not all(
                isinstance(name, str) and isinstance(value, tuple) and len(value) == 2
                and isinstance(value[0], str) and isinstance(value[1], CodeType | None)
                for name, value in parts.items()):
            return None
        return parts

    def save(self, parts: Parts) -> None:
        """Keep ``parts``; a cache that cannot be written only costs time."""
        if self.path is None or not any(code for _, code in parts.values()):
            return
        if cachefile.save(self.path, self.kind, self.key, parts):
            cachefile.prune(self.path.parent, _of_another_installation, STALE_AFTER)
