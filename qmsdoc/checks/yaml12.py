"""Values that another YAML 1.2 reader would read differently from qmsdoc.

qmsdoc reads ``0012346`` as text (a part number keeps its zeros); the YAML 1.2 core schema,
as VS Code's YAML server and check-jsonschema apply it, reads it as the integer 12346, and
``1.`` or ``.5`` or ``0x1F`` as numbers. ``new`` quotes such values when it writes them;
``validate`` warns where a record holds one unquoted, naming the fix.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..findings import Finding, Location, warning
from ..i18n import _
from ..records.yamlhints import core_type
from ..records.yamlload import Document
from ..schema import pointer, type_name


def findings(path: str, doc: Document) -> Iterator[Finding]:
    """A warning for each plain value qmsdoc reads as text and YAML 1.2 tools would not."""
    for where, text, line, column in doc.plain_texts(lambda t: core_type(t) is not None):
        seen = core_type(text) or ""
        yield warning("yaml12", pointer(where), Location(path, line, column),
                      _("{text} is text to qmsdoc but a YAML 1.2 tool (VS Code, "
                        "check-jsonschema) reads it as a {type}; quote it: \"{text}\"")
                      .format(text=text, type=type_name(seen)))
