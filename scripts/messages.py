"""The message catalogs: extract, update, compile, check (``make messages``).

Three domains: ``qmsdoc``, the command line's messages (English in the code, babel.cfg)
with a Chinese catalog; ``report``, the statistics reports' texts (Chinese in the code, the
forms' language, babel-report.cfg) with an English catalog; ``click``, the words Click
prints itself (Usage:, Options, its errors), extracted from the installed Click, with a
Chinese catalog.

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
LANGUAGES = {"zh_CN": "zh_Hans_CN", "en": "en"}  # catalog folder → Babel locale
DOMAIN = "qmsdoc"
DOMAINS = {  # domain → (mapping file, keywords, catalog folders)
    "qmsdoc": ("babel.cfg", {"_": None, "N_": None, "ngettext": (1, 2)}, ("zh_CN",)),
    "report": ("babel-report.cfg", {"tr": None, "TR_": None}, ("en",)),
    "click": ("", {"_": None, "ngettext": (1, 2)}, ("zh_CN",)),  # the installed Click's files
}
DATE = datetime(2026, 12, 7, tzinfo=UTC)


def template(domain: str = DOMAIN) -> Catalog:
    """Every message of the code, as ``pybabel extract -F <mapping file>`` finds it."""
    mapping, keywords, _folders = DOMAINS[domain]
    if mapping:
        with open(ROOT / mapping, encoding="utf-8") as cfg:
            method_map, options_map = parse_mapping_cfg(cfg)
        where = str(ROOT)
    else:
        import click

        method_map, options_map = [("**.py", "python")], {}
        where = str(Path(click.__file__).parent)
    catalog = Catalog(project="qmsdoc", domain=domain, creation_date=DATE,
                      revision_date=DATE, fuzzy=False, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            where, method_map, options_map, keywords=keywords):
        if not mapping:
            filename = f"click/{filename}"
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                    context=context)
    return catalog


def po_path(folder: str, domain: str = DOMAIN) -> Path:
    return LOCALE / folder / "LC_MESSAGES" / f"{domain}.po"


def read(folder: str, domain: str = DOMAIN) -> Catalog:
    path = po_path(folder, domain)
    if not path.exists():
        return Catalog(locale=LANGUAGES[folder], project="qmsdoc", domain=domain,
                       creation_date=DATE, revision_date=DATE, fuzzy=False)
    with open(path, "rb") as stream:
        return read_po(stream, locale=LANGUAGES[folder], domain=domain)


def po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, include_lineno=False, sort_by_file=True,
             ignore_obsolete=True)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def problems(folder: str, source: Catalog, domain: str = DOMAIN) -> list[str]:
    """What is wrong with the catalog of ``folder`` against the messages of ``source``."""
    catalog = read(folder, domain)
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
    mo = po_path(folder, domain).with_suffix(".mo")
    if not mo.exists() or mo.read_bytes() != mo_bytes(catalog):
        found.append(f"{folder}: {mo.name} is not compiled from {mo.with_suffix('.po').name}")
    return found


def update(folder: str, source: Catalog, domain: str = DOMAIN) -> None:
    catalog = read(folder, domain)
    catalog.update(source, no_fuzzy_matching=True, update_creation_date=True)
    catalog.revision_date = DATE
    catalog.fuzzy = False
    path = po_path(folder, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(po_bytes(catalog))
    path.with_suffix(".mo").write_bytes(mo_bytes(read(folder, domain)))


def main(argv: list[str]) -> int:
    found, counts = [], []
    for domain, (_mapping, _keywords, folders) in DOMAINS.items():
        source = template(domain)
        counts.append(f"{len(source)} {domain}")
        for folder in folders:
            if "--check" not in argv:
                update(folder, source, domain)
            found += problems(folder, source, domain)
    print("\n".join(found) or f"messages ({', '.join(counts)}), every one translated")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
