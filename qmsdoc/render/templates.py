"""Which template file renders a kind: the records repository's ``templates/`` first.

``qmsdoc.yaml`` ``forms.<kind>.template`` may name another file of that folder; otherwise
``templates/<kind>.docx`` in the repository overrides the built-in template of that name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import ConfigError
from ..i18n import _
from ..kinds import FORMS
from ..kinds import STATISTICS as STATISTICS  # defined with the kinds (the CLI reads it)
from ..resources import builtin

TEMPLATES_DIR = "templates"
# What a statistics template may print ({{ … }}); report.body is where the tables and charts go
STATISTICS_VARIABLES = ("form.company.name", "form.company.name_en", "form.title",
                        "form.title_en", "form.number", "form.retention",
                        "form.retention_text", "form.copy", "report.period", "report.as_of",
                        "report.body")


@dataclass(frozen=True)
class TemplateFile:
    data: bytes
    source: str  # how messages name it: "templates/complaint.docx" or "built-in complaint.docx"
    path: str | None = None  # the repository's file (relative), None for a built-in one


Fetch = Callable[[str], bytes | None]  # a repository file's bytes (None: no such file)


def find(repo: Path, config: Config, kind: str, fetch: Fetch | None = None) -> TemplateFile:
    """The template of ``kind``; ``fetch`` reads the repository's files from elsewhere than
    the working tree (``render --at``: from the commit of the revision)."""
    configured = config.form(kind).get("template")
    name = str(configured or f"{kind}.docx")
    rel = f"{TEMPLATES_DIR}/{name}"
    if fetch is not None:
        fetched = fetch(rel)
        if fetched is not None:
            return TemplateFile(fetched, rel, rel)
    else:
        local = repo / TEMPLATES_DIR / name
        if local.is_file():
            return TemplateFile(_read(local, rel), rel, rel)
    if configured:
        raise ConfigError(_("qmsdoc.yaml: forms.{kind}.template: {templates_dir}/{name} does "
                            "not exist").format(
                              kind=kind, templates_dir=TEMPLATES_DIR, name=name))
    resource = builtin(TEMPLATES_DIR, name)
    if not resource.is_file():
        raise ConfigError(_("no template for {kind}: neither {templates_dir}/{name} in the "
                            "repository nor a built-in one").format(
                              kind=kind, templates_dir=TEMPLATES_DIR, name=name))
    return TemplateFile(resource.read_bytes(), f"built-in {name}")


def _read(path: Path, source: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(_("{source}: cannot read: {strerror}").format(
                              source=source, strerror=exc.strerror)) from None


def export(repo: Path, kind: str, out_dir: Path | None = None) -> Path:
    """Copy the built-in template of ``kind`` into ``out_dir`` (the repository's
    ``templates/``), where it overrides the built-in one; never over an existing file."""
    from .. import atomic
    from ..errors import UsageError

    if kind not in FORMS:
        raise UsageError(_("unknown form '{kind}' (known: {values})").format(
                             kind=kind, values=', '.join(FORMS)))
    name = f"{kind}.docx"
    target = (out_dir if out_dir is not None else repo / TEMPLATES_DIR) / name
    if target.exists() or target.is_symlink():
        raise ConfigError(_("{target}: already exists; nothing was written").format(
                              target=target))
    if not atomic.create(target, builtin(TEMPLATES_DIR, name).read_bytes()):
        raise ConfigError(_("{target}: appeared while it was being written; left as it is").format(
                              target=target))
    return target


def kind_of(config: Config, path: Path) -> str | None:
    """The form a template file in ``templates/`` renders (a record kind, or the statistics):
    the one whose ``forms.<form>.template`` names it, else the one of its name
    (``complaint.docx``)."""
    for kind in FORMS:
        if config.form(kind).get("template") == path.name:
            return kind
    return path.stem if path.suffix == ".docx" and path.stem in FORMS else None
