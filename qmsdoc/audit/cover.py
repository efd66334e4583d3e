"""The pack's index: a cover form in the controlled frame of the statistics template
(company, title, form number, page x / y; ``forms.audit-pack`` in qmsdoc.yaml gives its
number and title, ``templates/audit-pack.docx`` a frame of its own) with the scope, the
clauses, the records and their files."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..config import Config
from ..render.templates import STATISTICS, TEMPLATES_DIR, TemplateFile, find
from ..report import docx as word
from ..report.tables import Table

FORM = "audit-pack"
TITLE, TITLE_EN = "审核证据包索引", "Audit Pack Index"
COPY = "非受控 — 审核证据包索引由 qmsdoc 根据 git 历史生成，以 verify_pack.py 核对"


@dataclass(frozen=True)
class Cover:
    period: str  # the span's label
    as_of: datetime
    tables: Sequence[Table]


def template(repo: Path, config: Config) -> TemplateFile:
    if config.form(FORM).get("template") or (repo / TEMPLATES_DIR / f"{FORM}.docx").is_file():
        return find(repo, config, FORM)
    return find(repo, config, STATISTICS)


def document(repo: Path, config: Config, cover: Cover) -> bytes:
    from docx import Document

    form = config.form(FORM)
    frame = template(repo, config)
    doc = Document(io.BytesIO(frame.data))
    retention = str(form.get("retention", ""))
    values = {
        "form.company.name": str(config.company.get("name", "")),
        "form.company.name_en": str(config.company.get("name_en", "")),
        "form.title": str(form.get("title", TITLE)),
        "form.title_en": str(form.get("title_en", TITLE_EN)),
        "form.number": str(form.get("number", "")),
        "form.retention": retention,
        "form.retention_text": f"　保存期限：{retention}" if retention else "",
        "form.copy": COPY,
        "report.period": cover.period,
        "report.as_of": cover.as_of.strftime("%Y-%m-%d %H:%M"),
    }
    marker = word._fill(doc, values, frame.source)
    before = set(doc.element.body)
    for table in cover.tables:
        word._table(doc, table)
    word._move_before(doc, before, marker)
    return word.saved(doc, f"{values['form.title']} {cover.period}", cover.as_of)
