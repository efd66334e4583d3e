"""The three things the exchange commands do, one call each: write a mapping from a log's
headings, import a log (dry run or write), export a kind's register."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .. import atomic
from ..config import Config
from ..errors import UsageError
from ..i18n import _
from ..schema import SchemaStore
from . import importer, mapping, sheet
from .rows import known_names


def init_map(config: Config, store: SchemaStore, kind_name: str, log: Path,
             sheet_name: str | None, target: Path | None, command: str) -> Path:
    """Write a commented mapping guessed from the log's headings; never overwrites."""
    from .guess import init_map as text_of

    kind = mapping.kind_named(kind_name)
    found = sheet.read(log, sheet_name)
    target = target or log.with_name(f"{log.stem}.map.yaml")
    text = text_of(kind, store.for_kind(kind.name), found, command, known_names(config))
    if not atomic.create(target, text.encode("utf-8")):
        raise UsageError(_("{target} already exists; edit it, or name another file with --map")
                         .format(target=target))
    return target


def import_log(repo: Path, config: Config, store: SchemaStore, kind_name: str, log: Path,
               sheet_name: str | None, map_path: Path | None, write: bool,
               now: datetime | None = None) -> importer.Plan:
    """Every row of the log as a checked record; with ``write``, the valid new ones written."""
    from .guess import guessed_mapping

    kind = mapping.kind_named(kind_name)
    schema = store.for_kind(kind.name)
    if map_path is not None:
        chosen = mapping.load(map_path, kind, schema)
    elif write:
        raise UsageError(_("--write needs --map MAP.yaml: write one with --init-map, check "
                           "it, then import with it"))
    else:
        chosen = guessed_mapping(kind, schema, sheet.read(log, sheet_name),
                                 known_names(config))
    plan = importer.plan(repo, config, store, kind, log, sheet_name, chosen, now)
    if write:
        importer.write(repo, plan)
    return plan


@dataclass(frozen=True)
class Exported:
    path: Path | None  # None: written to the caller as text (CSV on standard output)
    records: int
    text: str = ""
    left_out: tuple[str, ...] = ()  # record files that could not be read


def export(repo: Path, config: Config, store: SchemaStore, kind_name: str, fmt: str,
           out: Path | None, wheres: tuple[str, ...], now: str | None = None) -> Exported:
    from . import registerbook
    from .register import build

    kind = mapping.kind_named(kind_name, importable=False)
    register = build(repo, config, store, kind, wheres, now)
    if out == Path("-"):
        if fmt != "csv":
            raise UsageError(_("--out -: only CSV can be printed; name a file for the workbook"))
        return Exported(None, len(register.rows), registerbook.csv_text(register),
                        tuple(register.left_out))
    target = out or repo / "out" / f"{kind.folder}-register.{fmt}"
    data = registerbook.xlsx(register) if fmt == "xlsx" else \
        registerbook.csv_text(register).encode("utf-8-sig")
    atomic.replace(target, data, through=out is not None)
    return Exported(target, len(register.rows), left_out=tuple(register.left_out))
