"""Document properties (docProps/core.xml) from the record and its commit, never the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from markupsafe import escape

HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<cp:coreProperties '
        'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">')


@dataclass(frozen=True)
class DocInfo:
    title: str  # form title and record id
    subject: str  # the record's subject
    creator: str  # the company
    keywords: str  # form number
    description: str  # where the form was rendered from
    version: str  # revision letter or draft
    time: str | None = None  # ISO 8601 time of the rendered content's commit


def w3c_time(value: str) -> str | None:
    """``2026-11-03T09:40:00+08:00`` → ``2026-11-03T01:40:00Z``; None when unreadable."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def core_xml(info: DocInfo) -> str:
    parts = [
        HEAD,
        f"<dc:title>{escape(info.title)}</dc:title>",
        f"<dc:subject>{escape(info.subject)}</dc:subject>",
        f"<dc:creator>{escape(info.creator)}</dc:creator>",
        f"<cp:keywords>{escape(info.keywords)}</cp:keywords>",
        f"<dc:description>{escape(info.description)}</dc:description>",
        "<cp:lastModifiedBy>qmsdoc</cp:lastModifiedBy>",
        f"<cp:version>{escape(info.version)}</cp:version>",
    ]
    when = w3c_time(info.time) if info.time else None
    if when:
        parts += [f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>',
                  f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified>']
    parts.append("</cp:coreProperties>")
    return "".join(parts)
