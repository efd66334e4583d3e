"""Photos in forms: image size probing and the WordprocessingML drawing of an inline picture.

Only the header bytes are parsed (PNG, JPEG, GIF), so no imaging library is needed; the
picture itself is copied into the package unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import escape

from ..records import pictures

EMU_PER_MM = 36000
CONTENT_TYPES = {"png": "image/png", "jpeg": "image/jpeg", "gif": "image/gif"}


@dataclass(frozen=True)
class Picture:
    data: bytes
    ext: str  # png, jpeg or gif
    width: int  # pixels
    height: int


def probe(data: bytes) -> Picture | None:
    """The picture in ``data`` with its pixel size, or None if it is not a whole PNG, JPEG or
    GIF picture (a damaged one is left out of the form, not embedded)."""
    found = pictures.size(data)
    if found is None or pictures.damage(data, data, whole=True) is not None:
        return None
    ext, width, height = found
    return Picture(data, ext, width, height)


def fit(picture: Picture, max_width_mm: float, max_height_mm: float) -> tuple[int, int]:
    """The size in EMU that keeps the aspect ratio within the box."""
    scale = min(max_width_mm / picture.width, max_height_mm / picture.height)
    return (round(picture.width * scale * EMU_PER_MM),
            round(picture.height * scale * EMU_PER_MM))


def drawing(rel_id: str, shape_id: int, name: str, description: str, cx: int, cy: int) -> str:
    """An inline picture run content; namespaces declared locally, so any part can hold it."""
    descr = escape(" ".join(description.split()))  # one line: a break would end the attribute
    return (
        '<w:drawing xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
        ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
        ' xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"'
        ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<wp:inline distT="0" distB="0" distL="0" distR="0"><wp:extent cx="{cx}" cy="{cy}"/>'
        '<wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="{escape(name)}" descr="{descr}"/>'
        '<wp:cNvGraphicFramePr><a:graphicFrameLocks noChangeAspect="1"/></wp:cNvGraphicFramePr>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
        f'<pic:pic><pic:nvPicPr><pic:cNvPr id="{shape_id}" name="{escape(name)}"/><pic:cNvPicPr/>'
        f'</pic:nvPicPr><pic:blipFill><a:blip r:embed="{rel_id}"/><a:stretch><a:fillRect/>'
        '</a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
        f'<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
        '</pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing>'
    )
