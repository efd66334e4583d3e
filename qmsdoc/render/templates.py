"""Which template file renders a kind: the records repository's ``templates/`` first.

``qmsdoc.yaml`` ``forms.<kind>.template`` may name another file of that folder; otherwise
``templates/<kind>.docx`` in the repository overrides the built-in template of that name.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import ConfigError
from ..resources import builtin

TEMPLATES_DIR = "templates"


@dataclass(frozen=True)
class TemplateFile:
    data: bytes
    source: str  # how messages name it: "templates/complaint.docx" or "built-in complaint.docx"


def find(repo: Path, config: Config, kind: str) -> TemplateFile:
    configured = config.form(kind).get("template")
    name = str(configured or f"{kind}.docx")
    local = repo / TEMPLATES_DIR / name
    if local.is_file():
        return TemplateFile(_read(local, f"{TEMPLATES_DIR}/{name}"), f"{TEMPLATES_DIR}/{name}")
    if configured:
        raise ConfigError(f"qmsdoc.yaml: forms.{kind}.template: {TEMPLATES_DIR}/{name} "
                          "does not exist")
    resource = builtin(TEMPLATES_DIR, name)
    if not resource.is_file():
        raise ConfigError(f"no template for {kind}: neither {TEMPLATES_DIR}/{name} in the "
                          "repository nor a built-in one")
    return TemplateFile(resource.read_bytes(), f"built-in {name}")


def _read(path: Path, source: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{source}: cannot read: {exc.strerror}") from None
