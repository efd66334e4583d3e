"""``qmsdoc init``: the files of a new records repository, written without overwriting any.

The file set: ``qmsdoc.yaml`` with the defaults commented for a document controller, the
record folders, the pre-commit hook, CI definitions for GitHub Actions and GitLab CI, the
editor schemas with the VS Code settings that associate them with the record folders, the
trusted-keys file and a README in Chinese. The fixed texts live in ``builtin/scaffold/``.
"""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import atomic
from ..config import CONFIG_FILE
from ..errors import InitRefused, UsageError
from ..git import cmd as gitcmd
from ..i18n import _
from ..kinds import KINDS
from ..records.files import RECORDS_DIR, SUFFIXES
from ..resources import builtin
from ..schema import SchemaStore
from . import example as sample
from . import installsource
from .example import Approval
from .installsource import InstallSource
from .repo import SCHEMAS_DIR, git_init

CONFIG_SCHEMA = "config.schema.json"

# path in the new repository ← data file in qmsdoc/builtin/scaffold/ (no dot files in a wheel)
TEMPLATES: tuple[tuple[str, str], ...] = (
    (CONFIG_FILE, "qmsdoc.yaml"),
    ("README.md", "README.md"),
    (".gitignore", "gitignore"),
    (".pre-commit-config.yaml", "pre-commit-config.yaml"),
    (".github/workflows/qmsdoc.yml", "github-workflow.yml"),
    (".gitlab-ci.yml", "gitlab-ci.yml"),
    (".qmsdoc/allowed_signers", "allowed_signers"),
)


@dataclass(frozen=True)
class Initialized:
    root: Path
    git_init: bool  # True when ``init`` made ``root`` a git repository
    created: list[str]  # repository-relative paths, in the order written
    skipped: list[str] = field(default_factory=list)  # existing files left as they were
    approvals: list[Approval] = field(default_factory=list)  # of the example history


def editor_schemas(store: SchemaStore) -> dict[str, str]:
    """``{file name: JSON text}`` for ``.qmsdoc/schemas/``: the editor rendition of each record
    kind's schema (as ``qmsdoc schema KIND --editor``) and the schema of ``qmsdoc.yaml``."""
    from ..schema import editor_schemas as kind_schemas

    found = kind_schemas(store)
    found.setdefault(CONFIG_SCHEMA, _json(store.raw(CONFIG_SCHEMA)))
    return found


def vscode_settings(schema_names: list[str] | None = None) -> dict[str, Any]:
    """``.vscode/settings.json``: the YAML extension validates each record folder against its
    kind's schema (and ``qmsdoc.yaml`` against the configuration's); files are UTF-8, LF."""
    mapping: dict[str, list[str] | str] = {}
    for kind in KINDS:
        mapping[f"{SCHEMAS_DIR}/{kind.schema_file}"] = [
            f"{RECORDS_DIR}/{kind.folder}/**/*{suffix}" for suffix in SUFFIXES]
    if schema_names is None or CONFIG_SCHEMA in schema_names:
        mapping[f"{SCHEMAS_DIR}/{CONFIG_SCHEMA}"] = CONFIG_FILE
    return {"yaml.schemas": mapping, "files.encoding": "utf8", "files.eol": "\n",
            "files.insertFinalNewline": True}


def plan(store: SchemaStore, source: InstallSource | None = None) -> dict[str, bytes]:
    """Every file ``init`` writes: repository-relative path → content. ``source`` is where
    the CI files, the pre-commit configuration and the README install qmsdoc from."""
    install = install_lines(source or installsource.detect())
    files = {target: _fill(_data(name), install) for target, name in TEMPLATES}
    files.update({f"{RECORDS_DIR}/{kind.folder}/.gitkeep": b"" for kind in KINDS})
    schemas = editor_schemas(store)
    files.update({f"{SCHEMAS_DIR}/{name}": text.encode("utf-8") for name, text in schemas.items()})
    files[".vscode/settings.json"] = _json(vscode_settings(list(schemas))).encode("utf-8")
    files[".vscode/extensions.json"] = _json({"recommendations": ["redhat.vscode-yaml"]}).encode()
    return dict(sorted(files.items()))


def install_lines(source: InstallSource) -> dict[str, str]:
    """The placeholders of the scaffold files, for ``source``."""
    lines = {"@PIP_INSTALL_QMSDOC@": f"pip install {shlex.quote(source.spec)}"}
    vcs = source.vcs
    if vcs is None:
        lines["@PRE_COMMIT_REPO@"] = ""
    else:
        lines["@PRE_COMMIT_REPO@"] = (
            "# Alternatively, pre-commit installs qmsdoc in an environment of its own with the\n"
            "# hook that qmsdoc ships (replace the local hook below with):\n#\n"
            f"#   - repo: {vcs[0]}\n#     rev: {vcs[1]}\n#     hooks:\n"
            "#       - id: qmsdoc-validate\n")
    return lines


def _fill(data: bytes, lines: dict[str, str]) -> bytes:
    text = data.decode("utf-8")
    for marker, line in lines.items():
        text = text.replace(marker, line)
    return text.encode("utf-8")


def init(root: Path, example: bool = False, skip_existing: bool = False,
         source: InstallSource | None = None) -> Initialized:
    """Make ``root`` a records repository: git, then the files of :func:`plan` (with
    ``example``: the sample configuration and records, and their scripted history)."""
    if example and skip_existing:
        raise UsageError(_("--example writes a complete repository of its own; it cannot be "
                           "combined with --skip-existing"))
    if root.exists() and not root.is_dir():
        raise UsageError(_("{root}: not a directory").format(root=root))
    override = root / "schemas"
    files = plan(SchemaStore(override if override.is_dir() else None), source)
    if example:
        files[CONFIG_FILE] = sample.sample(CONFIG_FILE, editor_modelines=True).encode("utf-8")
    claimed = [*files, *(sample.files() if example else [])]
    existing = [rel for rel in claimed if (root / rel).exists() or (root / rel).is_symlink()]
    if existing and not skip_existing:
        listed = "".join(f"\n  {rel}" for rel in existing)
        raise InitRefused(_("{root}: {count} file(s) already exist; nothing was written (move "
                            "them away, or --skip-existing writes only the missing "
                            "files):{listed}").format(
                              root=root, count=len(existing), listed=listed))
    if example and _has_commits(root):
        raise InitRefused(_("{root}: --example writes a scripted history and needs a "
                            "repository without commits").format(root=root))
    root.mkdir(parents=True, exist_ok=True)
    made = git_init(root)
    created = []
    for rel, data in files.items():
        if rel not in existing:
            _create(root, rel, data)
            created.append(rel)
    approvals: list[Approval] = []
    if example:
        approvals = sample.build(root, created, editor_modelines=True)
        created += sample.files()
    return Initialized(root, made, created, existing, approvals)



def _has_commits(root: Path) -> bool:
    top = gitcmd.toplevel(root) if root.is_dir() else None
    if top is None or top.resolve() != root.resolve():
        return False
    return bool(gitcmd.run(root, "rev-parse", "-q", "--verify", "HEAD", check=False).strip())


def _create(root: Path, rel: str, data: bytes) -> None:
    try:
        made = atomic.create(root / rel, data)
    except OSError as exc:
        raise UsageError(_("{value}: cannot write: {value2}").format(
                             value=root / rel, value2=exc.strerror or exc)) from None
    if not made:
        raise InitRefused(_("{value}: appeared while init was writing; left as it is").format(
                              value=root / rel))


def _data(name: str) -> bytes:
    return builtin("scaffold", name).read_bytes()


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2) + "\n"
