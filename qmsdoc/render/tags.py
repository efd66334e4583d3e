"""Template statements a form template may not use: ``include``, ``import``, ``from`` and
``extends`` would read other templates (there are none to read, and a company template
must be one self-contained file)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from jinja2 import nodes

from ..i18n import _
from .engine import FormEnvironment

REFUSED = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
_TAG = re.compile(r"\{%-?\s*(include|import|from|extends)\b[^%]*%\}")
_PARAGRAPH = re.compile(r"<w:p[ >]")
_XML = re.compile(r"<[^>]+>")


def refused(sources: Mapping[str, str], env: FormEnvironment, template: str) -> list[str]:
    """One message per refused statement, naming the template, its part and the paragraph
    (Word's line) where it stands."""
    problems = []
    for part, source in sources.items():
        if not any(True for _ in env.parse(source).find_all(REFUSED)):
            continue
        for match in _TAG.finditer(source):
            paragraph = len(_PARAGRAPH.findall(source, 0, match.start())) or 1
            statement = _XML.sub("", match.group())
            problems.append(_("{template}: {part}: paragraph {paragraph}: '{statement}' is "
                              "not allowed in a form template: '{match}' would read another "
                              "template; write its content into this one").format(
                                template=template,
                                part=part,
                                paragraph=paragraph,
                                statement=statement,
                                match=match[1]))
    return problems
