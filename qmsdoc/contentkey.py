"""The key of values derived from a record's content and kept by its blob id (validate's
facts, verify's derived values): it changes whenever the values of the same content could
differ — qmsdoc's version, the configuration (its limits decide what can be read), the
schemas — and with the caller's ``salt`` (the form of what it keeps)."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from . import __version__
from .kinds import BY_NAME
from .schema import DEFS_FILE

if TYPE_CHECKING:
    from .config import Config
    from .schema import SchemaStore


def fingerprint(config: Config, store: SchemaStore, salt: str) -> str:
    digest = hashlib.sha256(f"{salt}|{__version__}|{config.limits}".encode())
    digest.update(json.dumps(config.data, sort_keys=True, default=str).encode())
    for name in sorted({DEFS_FILE, *(kind.schema_file for kind in BY_NAME.values())}):
        digest.update(json.dumps(store.raw(name), sort_keys=True, default=str).encode())
    return digest.hexdigest()
