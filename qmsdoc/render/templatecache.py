"""Compiled form templates kept between runs: a template that compiled and passed the lint
is kept as its patched Jinja2 source and compiled code, so that the next run neither
imports docxtpl to patch it, nor compiles nor lints it again.

The key holds everything the result depends on: the template's bytes and name, the kind,
the configuration and schemas (``checks.factcache.fingerprint``: the lint's shapes and the
limits), and the versions of qmsdoc, Python (the code's format), Jinja2 and docxtpl. As the
facts cache, it is only ever an optimisation: a payload that does not match its own SHA-256
or has another shape is ignored (the template is compiled as without a cache), a template
with problems is never kept, and the file is written whole (a temporary file, then a
rename) under ``.git/qmsdoc/`` or ``$QMSDOC_CACHE_DIR`` (``off``: no cache).
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import sys
from pathlib import Path
from types import CodeType
from typing import Any

from .. import __version__

FORMAT = 1
NAME = "templates"
# templated part → (patched source, compiled code; None for a part without tags)
Parts = dict[str, tuple[str, CodeType | None]]


def key(data: bytes, source: str, kind: str, fingerprint: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    import jinja2

    try:
        docxtpl = version("docxtpl")
    except PackageNotFoundError:
        docxtpl = "-"
    digest = hashlib.sha256(f"{FORMAT}|{__version__}|{sys.version}|{jinja2.__version__}|"
                            f"{docxtpl}|{source}|{kind}|{fingerprint}|".encode())
    digest.update(data)
    return digest.hexdigest()


class TemplateCache:
    """One compiled template, under its key."""

    def __init__(self, folder: Path | None, key: str) -> None:
        self.key = key
        self.path = folder / f"{NAME}-{key[:24]}.marshal" if folder is not None else None

    def load(self) -> Parts | None:
        """The parts kept for this key; None when there are none to trust."""
        if self.path is None:
            return None
        try:
            header, _, payload = self.path.read_bytes().partition(b"\n")
            fmt, kept_key, digest = header.decode("ascii").split(" ")
            if fmt != f"qmsdoc-{NAME}-{FORMAT}" or kept_key != self.key \
                    or hashlib.sha256(payload).hexdigest() != digest:
                return None
            parts: Any = marshal.loads(payload)
        except (OSError, ValueError, EOFError, TypeError, UnicodeDecodeError):
            return None
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
        payload = marshal.dumps(parts)
        header = f"qmsdoc-{NAME}-{FORMAT} {self.key} {hashlib.sha256(payload).hexdigest()}\n"
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "wb") as handle:
                handle.write(header.encode("ascii") + payload)
            os.replace(tmp, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                tmp.unlink()
