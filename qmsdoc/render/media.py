"""Pictures added to one rendered form: media members, relationships and content types.

A template calls ``image(attachment)``; the picture goes into ``word/media/`` under a
name taken from its content hash, with a relationship from the part that shows it.
Names, ids and order depend only on the record, so output stays byte-identical.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import zlib
from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

from . import zipout
from .images import CONTENT_TYPES, Picture, drawing, fit

Reader = Callable[[str], Picture | None]

IMAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/image"
RELS_HEAD = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
             'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">')
FIRST_SHAPE_ID = 9001
OPEN_RUN = '<w:r><w:t xml:space="preserve">'
CLOSE_RUN = "</w:t></w:r>"


def rels_name(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


class MediaSession:
    """The pictures of one render."""

    def __init__(self, reader: Reader, texts: Mapping[str, str]) -> None:
        self.reader = reader
        self.texts = texts
        self.media: dict[str, Picture] = {}  # member name → picture, in order of first use
        self.rels: dict[str, dict[str, str]] = {}  # part → member name → relationship id
        self.next_shape = FIRST_SHAPE_ID

    def sink(self, part: str) -> Callable[..., Markup]:
        """The ``image(attachment, width_mm=80, height_mm=60)`` function for one part."""

        def image(attachment: Mapping[str, Any], width_mm: float = 80,
                  height_mm: float = 60) -> Markup:
            return self._image(part, attachment, float(width_mm), float(height_mm))

        return image

    def _image(self, part: str, attachment: Mapping[str, Any], width_mm: float,
               height_mm: float) -> Markup:
        path = str(attachment.get("path", ""))
        caption = str(attachment.get("caption", ""))
        picture = self.reader(path) if path else None
        if picture is None:
            return Markup(escape(f"[图片无法显示 picture unavailable: {path}]"))
        digest = hashlib.sha1(picture.data).hexdigest()[:16]
        member = f"word/media/qmsdoc-{digest}.{picture.ext}"
        self.media.setdefault(member, picture)
        part_rels = self.rels.setdefault(part, {})
        rel_id = part_rels.setdefault(member, f"rIdQmsdoc{len(part_rels) + 1}")
        cx, cy = fit(picture, width_mm, height_mm)
        shape = self.next_shape
        self.next_shape += 1
        xml = drawing(rel_id, shape, posixpath.basename(path), caption, cx, cy)
        return Markup(f"{CLOSE_RUN}<w:r>{xml}</w:r>{OPEN_RUN}")

    def _rels_text(self, part: str, original: str | None) -> str:
        folder = posixpath.dirname(part)
        lines = "".join(
            f'<Relationship Id="{rel_id}" Type="{IMAGE_REL}" '
            f'Target="{posixpath.relpath(member, folder)}"/>'
            for member, rel_id in self.rels[part].items())
        if original is None:
            return f"{RELS_HEAD}{lines}</Relationships>"
        return original.replace("</Relationships>", lines + "</Relationships>", 1)

    def changed_texts(self) -> dict[str, str]:
        """Relationship parts and content types of the template that the pictures change."""
        changed = {rels_name(p): self._rels_text(p, self.texts[rels_name(p)])
                   for p in self.rels if rels_name(p) in self.texts}
        types = self.texts.get("[Content_Types].xml")
        if types is not None and self.media:
            updated = _content_types(types, {p.ext for p in self.media.values()})
            if updated != types:
                changed["[Content_Types].xml"] = updated
        return changed

    def new_texts(self) -> dict[str, str]:
        """Relationship parts the template did not have."""
        return {rels_name(p): self._rels_text(p, None)
                for p in self.rels if rels_name(p) not in self.texts}

    def entries(self) -> list[zipout.Entry]:
        return [zipout.Entry(name, zlib.crc32(p.data), len(p.data), p.data, zipout.STORED)
                for name, p in self.media.items()]


def _content_types(text: str, extensions: set[str]) -> str:
    for ext in sorted(extensions):
        if re.search(rf'Extension="{ext}"', text, re.IGNORECASE):
            continue
        default = f'<Default Extension="{ext}" ContentType="{CONTENT_TYPES[ext]}"/>'
        head = re.search(r"<Types[^>]*>", text)
        if head is not None:
            text = text[:head.end()] + default + text[head.end():]
    return text
