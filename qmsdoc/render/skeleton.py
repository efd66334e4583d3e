"""The text skeleton of a form template: each part's paragraphs in order, one line each,
tags and labels as Word shows them. Committed beside each built-in template
(``complaint.skeleton.txt``), it makes a change to a .docx readable in a diff review."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from .docx import TEMPLATED

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_PART_ORDER = re.compile(r"^word/(header|document|footer)")


def skeleton(data: bytes) -> str:
    """The skeleton of the .docx ``data``: ``== part ==`` then one line per paragraph with
    text (``|`` separates the cells of a table row)."""
    from lxml import etree  # type: ignore[import-untyped]

    lines: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        names = sorted((n for n in package.namelist() if TEMPLATED.match(n)), key=_part_key)
        for name in names:
            lines.append(f"== {name} ==")
            root = etree.fromstring(package.read(name))
            for element in root.iter(f"{W}p", f"{W}tr"):
                if element.tag == f"{W}tr":
                    cells = [_text(cell) for cell in element.iter(f"{W}tc")]
                    lines.append("| " + " | ".join(cells) + " |")
                elif not any(a.tag == f"{W}tc" for a in element.iterancestors()):
                    text = _text(element)
                    if text.strip():
                        lines.append(text)
    return "\n".join(lines) + "\n"


def _text(element: Any) -> str:
    parts: list[str] = []
    paragraphs: list[str] = []
    for node in element.iter(f"{W}p", f"{W}t", f"{W}tab", f"{W}br"):
        if node.tag == f"{W}p":
            if parts:
                paragraphs.append("".join(parts))
                parts = []
        elif node.tag == f"{W}t":
            parts.append(node.text or "")
        else:
            parts.append(" ")
    paragraphs.append("".join(parts))
    return " ⏎ ".join(p for p in paragraphs if p.strip())


def _part_key(name: str) -> tuple[int, str]:
    match = _PART_ORDER.match(name)
    order = {"header": 0, "document": 1, "footer": 2}
    return (order[match.group(1)] if match else 3, name)
