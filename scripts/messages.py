"""The message catalogs: extract, update, compile, check (``make messages``).

    python scripts/messages.py            extract the messages of qmsdoc/ (babel.cfg), add
                                          new ones to each .po untranslated, drop gone
                                          ones, compile each .mo; print what needs a
                                          translation
    python scripts/messages.py --check    only say what is wrong (exit 1): untranslated or
                                          fuzzy entries, messages the catalog lacks or
                                          keeps after the code dropped them, a stale .mo

The same as pybabel does it (``PYTHONPATH=scripts pybabel extract -F babel.cfg -o
qmsdoc.pot .``, ``pybabel update``, ``pybabel compile``), with fixed dates and without line
numbers so that the catalogs change only when the messages do.
"""

from __future__ import annotations

import io
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))  # the clickhelp extraction method
LOCALE = ROOT / "qmsdoc" / "builtin" / "locale"
LANGUAGES = {"zh_CN": "zh_Hans_CN"}  # catalog folder → Babel locale
DOMAIN = "qmsdoc"
DATE = datetime(2026, 12, 7, tzinfo=UTC)


def template() -> Catalog:
    """Every message of the code, as ``pybabel extract -F babel.cfg`` finds it."""
    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    catalog = Catalog(project="qmsdoc", domain=DOMAIN, creation_date=DATE,
                      revision_date=DATE, fuzzy=False, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords={"_": None, "N_": None,
                                                          "ngettext": (1, 2)}):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def po_path(folder: str) -> Path:
    return LOCALE / folder / "LC_MESSAGES" / f"{DOMAIN}.po"


def read(folder: str) -> Catalog:
    path = po_path(folder)
    if not path.exists():
        return Catalog(locale=LANGUAGES[folder], project="qmsdoc", domain=DOMAIN,
                       creation_date=DATE, revision_date=DATE, fuzzy=False)
    with open(path, "rb") as stream:
        return read_po(stream, locale=LANGUAGES[folder], domain=DOMAIN)


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, sort_by_file=True,
             ignore_obsolete=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def problems(folder: str, source: Catalog) -> list[str]:
    """What is wrong with the catalog of ``folder`` against the messages of ``source``."""
    catalog = read(folder)
    found = []
    ids = {m.id for m in source if m.id}
    have = {m.id for m in catalog if m.id}
    found += [f"{folder}: not in the catalog: {i!r}" for i in sorted(ids - have, key=str)]
    found += [f"{folder}: no longer in the code: {i!r}" for i in sorted(have - ids, key=str)]
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy:
            found.append(f"{folder}: fuzzy: {message.id!r}")
        elif not all(strings):
            found.append(f"{folder}: untranslated: {message.id!r}")
        else:
            found += [f"{folder}: {message.id!r}: {error}" for error in
                      (str(e) for e in message.check(catalog))]
    mo = po_path(folder).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
        found.append(f"{folder}: {mo.name} is not compiled from {po_path(folder).name}")
    return found


def update(folder: str, source: Catalog) -> None:
    catalog = read(folder)
    catalog.update(source, no_fuzzy_matching=True, update_creation_date=True)
    catalog.revision_date = DATE
    catalog.fuzzy = False
    path = po_path(folder)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(po_bytes(catalog))
    path.with_suffix(".mo").write_bytes(mo_bytes(read(folder)))


def main(argv: list[str]) -> int:
    source = template()
    if "--check" not in argv:
        for folder in LANGUAGES:
            update(folder, source)
    found = [p for folder in LANGUAGES for p in problems(folder, source)]
    print("\n".join(found) or f"{len(source)} messages, every one translated")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
