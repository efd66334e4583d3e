"""MANIFEST.json: the SHA-256 and size of every file of the pack, the git blob, path and
commit of each file taken from git, and what the pack holds (scope, records, their
releases and approvals, the ledger's heads). ``verify_pack.py`` reads it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from ..doclang import readable

FORMAT = "qmsdoc-audit-pack/1"  # verify_pack.FORMAT says the same
NAME = "MANIFEST.json"


def manifest_bytes(files: Mapping[str, bytes], sources: Mapping[str, Mapping[str, str]],
                   head: Mapping[str, Any]) -> bytes:
    entries = []
    for path in sorted(files):
        if path == NAME:
            continue
        entry: dict[str, Any] = {"path": path, "sha256": hashlib.sha256(files[path]).hexdigest(),
                                 "size": len(files[path])}
        if path in sources:
            entry["git"] = dict(sources[path])
        entries.append(entry)
    data = {**head, "files": entries}
    # names git gave print as U+FFFD where their bytes are not UTF-8 (doclang.readable)
    return readable(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
                    ).encode("utf-8")
