"""``qmsdoc template check``: a company's form templates linted before any record meets them.

For each template: it must be a Word document whose tags compile (Jinja syntax), every
variable and field it uses must exist for its record kind, and every field of the kind
that it never prints is named with its Chinese title (a warning: a form may leave a field
out on purpose).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import ConfigError
from ..findings import Severity
from ..i18n import _
from ..schema import SchemaStore
from . import lint, templates
from .docx import compile_template
from .forms import Forms
from .printable import Plan, plan


@dataclass(frozen=True)
class TemplateNote:
    severity: Severity
    template: str  # as the user named it, or templates/<name>
    message: str


@dataclass
class TemplateCheck:
    checked: list[str] = field(default_factory=list)
    notes: list[TemplateNote] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for n in self.notes if n.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.notes) - self.errors


def check_templates(repo: Path, config: Config, store: SchemaStore,
                    files: Sequence[Path] = ()) -> TemplateCheck:
    """Lint ``files`` (every ``templates/*.docx`` of the repository when none are named)."""
    folder = repo / templates.TEMPLATES_DIR
    chosen = list(files) or sorted(folder.glob("*.docx"))
    forms = Forms(repo, config, store)
    result = TemplateCheck()
    for path in chosen:
        shown = _shown(repo, path)
        result.checked.append(shown)
        result.notes.extend(_check_one(forms, config, path, shown))
    return result


def _check_one(forms: Forms, config: Config, path: Path, shown: str) -> list[TemplateNote]:
    def error(message: str) -> list[TemplateNote]:
        return [TemplateNote(Severity.ERROR, shown, message)]

    kind = templates.kind_of(config, path)
    if kind is None:
        return error(_("cannot tell which record kind it renders: name it <kind>.docx "
                       "(complaint, contract-review, special-requirements, 8d) or name it in "
                       "qmsdoc.yaml forms.<kind>.template"))
    if kind == templates.STATISTICS:
        return [TemplateNote(Severity.ERROR, shown, m) for m in _statistics_problems(path)]
    try:
        compiled = compile_template(path.read_bytes(), shown, forms.env)
    except OSError as exc:
        return error(f"cannot read: {exc.strerror or exc}")
    except ConfigError as exc:
        return error(str(exc).removeprefix(f"{shown}: "))
    shapes = forms.shapes(kind)
    problems = lint.lint(compiled.sources, shapes, forms.env, shown)
    notes = [TemplateNote(Severity.ERROR, shown, p.removeprefix(f"{shown}: ")) for p in problems]
    used = lint.fields_used(compiled.sources, shapes, forms.env)
    titles = field_titles(plan(forms.store.for_kind(kind)))
    for name in lint.leaf_fields(shapes["r"]):
        if name not in used and name != "kind":
            notes.append(TemplateNote(Severity.WARNING, shown,
                                      _("never prints {kind} field '{name}' ({titles})").format(
                                          kind=kind, name=name, titles=titles[name])))
    return notes


def _statistics_problems(path: Path) -> list[str]:
    """A statistics template prints only its variables and says where the tables go."""
    from .skeleton import skeleton

    try:
        text = skeleton(path.read_bytes())
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        return [_("not a readable Word document ({problem})").format(problem=exc)]
    used = re.findall(r"\{\{\s*([^{}]*?)\s*\}\}", text)
    problems = [_("unknown variable '{name}' (known: {values})").format(
                    name=name, values=', '.join(templates.STATISTICS_VARIABLES))
                for name in dict.fromkeys(used) if name not in templates.STATISTICS_VARIABLES]
    if "report.body" not in used:
        problems.append(_("no {{ report.body }} paragraph: where do the tables and charts go?"))
    return problems


def field_titles(root: Plan) -> Mapping[str, str]:
    """``{field path: its titles, outermost first}``, e.g. ``product.part_no`` →
    ``产品信息 / 料号``, in the paths ``lint.leaf_fields`` uses."""
    found: dict[str, str] = {}

    def walk(p: Plan, where: str, titles: tuple[str, ...]) -> None:
        if p.kind == "object":
            for key, child in p.fields:
                title = _title(child.node) or key
                walk(child, f"{where}.{key}" if where else key, (*titles, title))
        elif p.kind == "list" and p.item is not None and p.item.kind == "object":
            walk(p.item, where + "[]", titles)
        else:
            found[where] = " / ".join(titles)

    walk(root, "", ())
    return found


def _title(node: Mapping[str, Any]) -> str:
    title = node.get("title")
    return title if isinstance(title, str) else ""


def _shown(repo: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return str(path)
