"""`qmsdoc init`: the files of a new records repository, never overwriting, and `--example`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Result

from qmsdoc import config
from qmsdoc.kinds import KINDS
from qmsdoc.scaffold import example
from qmsdoc.schema import SchemaStore

Run = Callable[..., Result]

FILES = [
    ".github/workflows/qmsdoc.yml",
    ".gitignore",
    ".gitlab-ci.yml",
    ".pre-commit-config.yaml",
    ".qmsdoc/allowed_signers",
    ".qmsdoc/schemas/8d.schema.json",
    ".qmsdoc/schemas/complaint.schema.json",
    ".qmsdoc/schemas/config.schema.json",
    ".qmsdoc/schemas/contract-review.schema.json",
    ".qmsdoc/schemas/special-requirements.schema.json",
    ".vscode/extensions.json",
    ".vscode/settings.json",
    "README.md",
    "qmsdoc.yaml",
    "records/8d/.gitkeep",
    "records/complaints/.gitkeep",
    "records/contract-reviews/.gitkeep",
    "records/special-requirements/.gitkeep",
]
SAMPLE_RECORDS = [
    "records/8d/2026/8D-2026-0001.yaml",
    "records/complaints/2026/CC-2026-0001.yaml",
    "records/complaints/2026/CC-2026-0002.yaml",
    "records/complaints/2026/CC-2026-0003.yaml",
    "records/contract-reviews/2026/CR-2026-0001.yaml",
    "records/contract-reviews/2026/CR-2026-0002.yaml",
    "records/special-requirements/CSR-HXAUTO.yaml",
    "records/special-requirements/CSR-LDEV.yaml",
]
LI_MING = {"GIT_AUTHOR_NAME": "李明", "GIT_AUTHOR_EMAIL": "li.ming@mingyuan.example",
           "GIT_COMMITTER_NAME": "李明", "GIT_COMMITTER_EMAIL": "li.ming@mingyuan.example"}


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Git without the user's configuration; the current directory is ``tmp_path``."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "QMSDOC_REPO"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def tree(root: Path) -> list[str]:
    """Every file under ``root`` outside ``.git``, repository-relative, sorted."""
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                  if p.is_file() and ".git" not in p.relative_to(root).parts[:1])


def git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, check=True)
    return proc.stdout.strip()


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text("utf-8"))


# --- the files -------------------------------------------------------------------------------


SPEC = "qmsdoc @ git+https://git.example.com/tools/qmsdoc@v0.2.0"


def test_init_creates_exactly_these_files(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("init", "repo", "--qmsdoc-spec", SPEC)
    assert result.exit_code == 0, result.stderr
    assert result.lines == [
        "initialized a git repository in repo (branch main)",
        *(f"created repo/{rel}" for rel in FILES),
        f"CI installs qmsdoc with: pip install {SPEC}  (from --qmsdoc-spec)",
        "next: cd repo; fill in qmsdoc.yaml; git add -A; git commit; pre-commit install "
        "(see README.md)",
    ]
    root = tmp_path / "repo"
    assert tree(root) == FILES
    assert git(root, "symbolic-ref", "HEAD") == "refs/heads/main"
    assert (root / ".gitignore").read_text("utf-8").splitlines()[-1] == "out/"


def test_an_empty_repository_validates_and_its_config_is_the_defaults(run_cli: Run,
                                                                      tmp_path: Path) -> None:
    run_cli("init", "repo")
    root = tmp_path / "repo"
    result = run_cli("validate", repo=root)
    assert (result.exit_code, result.lines) == (0, ["0 records checked, 0 errors, 0 warnings"])
    # the commented file states the defaults, so that what a controller reads is what applies
    loaded = config.load(root, SchemaStore())
    assert loaded.source == "qmsdoc.yaml"
    assert loaded.data == config.defaults()
    # and it is checked against schemas/config.schema.json, which it satisfies as written
    import jsonschema

    schema = json.loads((root / ".qmsdoc/schemas/config.schema.json").read_text("utf-8"))
    jsonschema.validate(load_yaml(root / "qmsdoc.yaml"), schema)


def test_every_yaml_and_json_file_parses(run_cli: Run, tmp_path: Path) -> None:
    run_cli("init", "repo")
    root = tmp_path / "repo"
    for rel in FILES:
        if rel.endswith((".yaml", ".yml")):
            assert isinstance(load_yaml(root / rel), dict), rel
        elif rel.endswith(".json"):
            assert isinstance(json.loads((root / rel).read_text("utf-8")), dict), rel


def test_the_readme_tells_approvers_to_push_the_release_anchors(run_cli: Run,
                                                               tmp_path: Path) -> None:
    """A plain `git push` leaves the release tags on the approver's machine: the README's
    approval step pushes them and says how to make it the default."""
    run_cli("init", "repo")
    readme = (tmp_path / "repo" / "README.md").read_text("utf-8")
    step = readme[readme.index("5. **审核 / 批准**"):readme.index("6. **生成表单**")]
    assert step.count("git push --follow-tags") == 4
    assert "git config --global push.followTags true" in step
    assert "git push\n" not in step


def test_pre_commit_config_runs_validate_on_changed_records(run_cli: Run, tmp_path: Path) -> None:
    run_cli("init", "repo")
    data = load_yaml(tmp_path / "repo/.pre-commit-config.yaml")
    [repo] = data["repos"]
    assert repo["repo"] == "local"
    # issue 12: the files pre-commit passes (--all-files works), and a pre-push collision check
    assert repo["hooks"] == [{
        "id": "qmsdoc-validate", "name": "qmsdoc validate (changed records)",
        "entry": "qmsdoc validate --hook", "language": "system",
        "files": r"^(records/|qmsdoc\.yaml$|schemas/)", "require_serial": True}, {
        "id": "qmsdoc-collisions", "name": "qmsdoc collision check (ids against origin's "
        "default branch)", "entry": "qmsdoc validate --changed-since origin/HEAD",
        "language": "system", "pass_filenames": False, "always_run": True,
        "stages": ["pre-push"]}]


def test_github_workflow(run_cli: Run, tmp_path: Path) -> None:
    run_cli("init", "repo")
    data = load_yaml(tmp_path / "repo/.github/workflows/qmsdoc.yml")
    triggers = data[True]  # YAML 1.1 reads the key `on` as true; GitHub reads it as "on"
    assert set(triggers) == {"pull_request", "push", "schedule", "workflow_dispatch"}
    assert triggers["schedule"][0]["cron"]
    check = data["jobs"]["check"]["steps"]
    assert check[0] == {"uses": "actions/checkout@v4", "with": {"fetch-depth": 0}}
    runs = [step.get("run", "") for step in check]
    assert 'qmsdoc validate --format github --changed-since "origin/$BASE"' in runs
    assert "qmsdoc validate --format github" in runs
    assert "qmsdoc verify" in runs  # issue 12: no keys file from the base branch
    assert 'qmsdoc verify --branch-of "origin/$BASE"' in runs  # a pull request's branch
    assert 'qmsdoc render --changed-since "origin/$BASE" --out out' in runs
    assert "qmsdoc render --all --out out" in runs
    assert check[-1]["with"]["path"] == "out/"
    assert data["jobs"]["check"]["env"]["BASE"] == "${{ github.base_ref || github.ref_name }}"
    due = data["jobs"]["due"]
    assert "schedule" in due["if"]
    assert due["steps"][-1]["run"] == "qmsdoc due"


def test_gitlab_ci(run_cli: Run, tmp_path: Path) -> None:
    run_cli("init", "repo")
    data = load_yaml(tmp_path / "repo/.gitlab-ci.yml")
    assert data["variables"]["GIT_DEPTH"] == "0"
    script = "\n".join(data["validate"]["script"])
    assert 'qmsdoc validate --changed-since "origin/$BASE"' in script
    verify = "\n".join(data["verify"]["script"])  # a merge request's branch: --branch-of
    assert 'qmsdoc verify --branch-of "origin/$BASE"\nelse\n  qmsdoc verify\nfi' in verify
    assert data["render"]["artifacts"]["paths"] == ["out/"]
    assert data["due"] == {"rules": [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}],
                           "script": ["qmsdoc due"]}
    for job in ("validate", "verify", "render"):
        assert data[job]["rules"][0] == {"if": '$CI_PIPELINE_SOURCE == "schedule"',
                                         "when": "never"}


def _github_if(expression: str, context: dict[str, Any]) -> bool:
    """A job's ``if:`` as GitHub Actions reads it, for the operators the workflow uses
    (``==``, ``!=``, ``&&``, ``||``, parentheses, quoted strings, ``format``)."""
    python = expression.replace("&&", " and ").replace("||", " or ")
    python = python.replace("format(", "_format(")
    names = {"github": _namespace(context),
             "_format": lambda text, *args: text.format(*args)}
    return bool(eval(python, {"__builtins__": {}}, names))  # noqa: S307 - the test's own file


def _namespace(value: Any) -> Any:
    from types import SimpleNamespace
    if isinstance(value, dict):
        return SimpleNamespace(**{key: _namespace(item) for key, item in value.items()})
    return value


def _github_runs_check(workflow: dict[Any, Any], event: str, ref: str, default: str) -> bool:
    """Whether ``event`` on ``ref`` starts the workflow and its ``check`` job runs."""
    triggers = workflow[True]
    if event not in triggers:
        return False
    spec = triggers[event] or {}
    if event == "push" and spec:
        from fnmatch import fnmatchcase
        branch = ref.removeprefix("refs/heads/") if ref.startswith("refs/heads/") else None
        if "branches" in spec and (branch is None or not any(
                fnmatchcase(branch, pattern) for pattern in spec["branches"])):
            return False
    context = {"event_name": event, "ref": ref,
               "event": {"repository": {"default_branch": default}}}
    return _github_if(workflow["jobs"]["check"].get("if", "true"), context)


@pytest.mark.parametrize("branch", ["master", "main", "trunk"])
def test_the_ci_files_verify_pushes_to_the_repositorys_own_default_branch(
        run_cli: Run, tmp_path: Path, branch: str) -> None:
    """The strict checks (validate everything, plain ``verify``) run on a push to the default
    branch whatever it is called; not on a push to another branch or a tag."""
    root = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", "-b", branch, str(root)], check=True)
    assert run_cli("init", str(root)).exit_code == 0
    git(root, "add", "-A")
    git(root, "-c", "user.name=A", "-c", "user.email=a@example.com", "commit", "-qm", "init")
    assert git(root, "symbolic-ref", "--short", "HEAD") == branch
    workflow = load_yaml(root / ".github/workflows/qmsdoc.yml")
    head = f"refs/heads/{branch}"
    assert _github_runs_check(workflow, "push", head, default=branch)
    assert not _github_runs_check(workflow, "push", "refs/heads/feature", default=branch)
    assert not _github_runs_check(workflow, "push", f"refs/tags/{branch}", default=branch)
    assert _github_runs_check(workflow, "pull_request", "refs/pull/1/merge", default=branch)
    assert _github_runs_check(workflow, "workflow_dispatch", head, default=branch)
    assert not _github_runs_check(workflow, "schedule", head, default=branch)
    steps = [step for step in workflow["jobs"]["check"]["steps"] if "run" in step]
    pushed = [step["run"] for step in steps if step.get("if") != "github.event_name == "
              "'pull_request'"]
    assert "qmsdoc verify" in pushed and "qmsdoc validate --format github" in pushed
    # GitLab runs every branch's pipeline and tells the default branch by CI_DEFAULT_BRANCH
    pipeline = load_yaml(root / ".gitlab-ci.yml")
    script = "qmsdoc() { echo \"qmsdoc $*\"; }\n" + "\n".join(pipeline["verify"]["script"])
    for pushed_to, expected in ((branch, "qmsdoc verify"),
                                ("feature", f"qmsdoc verify --branch-of origin/{branch}")):
        env = {**os.environ, "CI_PIPELINE_SOURCE": "push", "CI_DEFAULT_BRANCH": branch,
               "CI_COMMIT_BRANCH": pushed_to, "BASE": branch}
        done = subprocess.run(["bash", "-c", script], capture_output=True, text=True,
                              env=env, check=True)
        assert done.stdout.strip() == expected


def test_vscode_settings_map_every_record_folder_to_its_schema(run_cli: Run,
                                                               tmp_path: Path) -> None:
    run_cli("init", "repo")
    root = tmp_path / "repo"
    settings = json.loads((root / ".vscode/settings.json").read_text("utf-8"))
    assert settings["files.encoding"] == "utf8"
    assert settings["files.eol"] == "\n"
    mapping = settings["yaml.schemas"]
    for kind in KINDS:
        schema = f".qmsdoc/schemas/{kind.name}.schema.json"
        assert mapping[schema] == [f"records/{kind.folder}/**/*.yaml",
                                   f"records/{kind.folder}/**/*.yml"]
        assert json.loads((root / schema).read_text("utf-8"))["properties"]["kind"]
    assert mapping[".qmsdoc/schemas/config.schema.json"] == "qmsdoc.yaml"
    assert len(mapping) == len(KINDS) + 1


def test_new_records_name_the_editor_schemas(run_cli: Run, tmp_path: Path) -> None:
    run_cli("init", "repo")
    root = tmp_path / "repo"
    path = Path(run_cli("new", "8d", repo=root).output.strip())
    first = (tmp_path / path).read_text("utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../../.qmsdoc/schemas/8d.schema.json"


def test_chinese_readme_walks_through_the_workflow(run_cli: Run, tmp_path: Path) -> None:
    run_cli("init", "repo", "--qmsdoc-spec", SPEC)
    text = (tmp_path / "repo/README.md").read_text("utf-8")
    steps = ["新建", "编辑", "校验", "提交", "审核 / 批准", "生成表单", "期限"]
    commands = [f"pip install '{SPEC}' pre-commit", "pre-commit install", "git config user.email",
                "qmsdoc new complaint", "qmsdoc validate", "git commit",
                "qmsdoc approve CC-2026-0004 --as review",
                "qmsdoc approve CC-2026-0004 --as approve", "qmsdoc render", "qmsdoc due"]
    for needed in steps + commands:
        assert needed in text, needed
    # in the order of the workflow
    positions = [text.index(f"**{step}**") for step in steps]
    assert positions == sorted(positions)
    # the default branch by what origin says, whatever its name
    assert "--changed-since origin/HEAD" in text and "origin/main" not in text


# --- never overwriting -----------------------------------------------------------------------


def test_an_existing_file_is_never_overwritten(run_cli: Run, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    own = "company: {name: 明远精密制造有限公司}\n".encode()
    (root / "qmsdoc.yaml").write_bytes(own)
    result = run_cli("init", repo=root)
    assert result.exit_code == 2
    assert result.output == ""
    assert result.stderr == (f"qmsdoc: {root}: 1 file(s) already exist; nothing was written "
                             "(move them away, or --skip-existing writes only the missing "
                             "files):\n  qmsdoc.yaml\n")
    assert (root / "qmsdoc.yaml").read_bytes() == own
    assert tree(root) == ["qmsdoc.yaml"]
    assert not (root / ".git").exists()


def test_skip_existing_writes_only_the_missing_files(run_cli: Run, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / ".gitignore").write_text("*.tmp\n", encoding="utf-8")
    result = run_cli("init", "repo", "--skip-existing")
    assert result.exit_code == 0
    assert "kept    repo/.gitignore (exists)" in result.lines
    assert "created repo/.gitignore" not in result.lines
    assert (root / ".gitignore").read_text("utf-8") == "*.tmp\n"
    assert tree(root) == FILES


def test_example_refuses_a_repository_with_history(run_cli: Run, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "commit", "-q", "--allow-empty", "-m", "start", env=LI_MING)
    result = run_cli("init", "repo", "--example")
    assert result.exit_code == 2
    assert result.stderr == (f"qmsdoc: {root}: --example writes a scripted history and needs "
                             "a repository without commits\n")
    assert tree(root) == []


# --- the example -----------------------------------------------------------------------------


@pytest.fixture
def example_repo(run_cli: Run, tmp_path: Path) -> Path:
    result = run_cli("init", "--example", "demo")
    assert result.exit_code == 0, result.stderr
    assert result.lines[-2:] == [
        "example history: 24 reviews and approvals committed (try: qmsdoc history CC-2026-0001)",
        "next: cd demo; pre-commit install (see README.md)",
    ]
    return tmp_path / "demo"


def test_example_is_valid_released_verified_and_renders(run_cli: Run, example_repo: Path,
                                                        docx_text: Callable[[Path], str]) -> None:
    root = example_repo
    assert set(SAMPLE_RECORDS) <= set(tree(root))
    assert set(FILES) <= set(tree(root))
    assert git(root, "status", "--porcelain") == ""
    validate = run_cli("validate", repo=root)
    assert (validate.exit_code, validate.lines) == (0, ["8 records checked, 0 errors, 0 warnings"])
    history = run_cli("history", "CC-2026-0001", repo=root)
    # issue 11: each revision holds only what was known at its release (A, B, C)
    assert history.lines[0] == "CC-2026-0001  版次 C  released (已发布)"
    assert [line.split("  ")[0] for line in history.lines if line.startswith("revision ")] == [
        "revision A", "revision B", "revision C"]
    verify = run_cli("verify", repo=root)
    assert (verify.exit_code, verify.lines) == (
        0, ["24 approval(s) of 8 record(s) checked, 0 violation(s)",
            "24 of 24 approval(s) unsigned: names are self-declared (no identity proven; "
            "qmsdoc keys sets up signing)"])
    render = run_cli("render", "--all", repo=root)
    assert render.exit_code == 0, render.output + render.stderr
    forms = sorted(p.name for p in (root / "out").glob("*.docx"))
    assert forms == sorted(Path(rel).stem + ".docx" for rel in SAMPLE_RECORDS)
    assert "孙立" in docx_text(root / "out/CC-2026-0001.docx")


def test_example_uses_the_sample_configuration_and_editor_modelines(example_repo: Path) -> None:
    text = (example_repo / "qmsdoc.yaml").read_text("utf-8")
    assert text.splitlines()[0] == "# yaml-language-server: $schema=.qmsdoc/schemas/config.schema.json"
    assert "明远精密制造有限公司" in text
    for rel in SAMPLE_RECORDS:
        first = (example_repo / rel).read_text("utf-8").splitlines()[0]
        target = (example_repo / rel).parent / first.split("$schema=")[1]
        assert target.resolve().is_file(), first
        assert ".qmsdoc/schemas/" in first


def test_example_history_is_the_same_on_every_run(run_cli: Run, example_repo: Path,
                                                  tmp_path: Path) -> None:
    assert run_cli("init", "--example", "again").exit_code == 0
    assert git(example_repo, "rev-parse", "HEAD") == git(tmp_path / "again", "rev-parse", "HEAD")
    root_commit = git(example_repo, "rev-list", "--max-parents=0", "HEAD")
    assert git(example_repo, "log", "-1", "--format=%an %s", root_commit) == \
        "李明 质量记录库: 配置与人员名册"
    # the first commit holds the whole set-up, so that the next commit is checked by pre-commit
    assert git(example_repo, "show", "--format=", "--name-only", root_commit).splitlines() == FILES


def test_demo_repository_keeps_the_commit_ids_the_readme_shows(tmp_path: Path) -> None:
    """README.md ("The forms") shows `qmsdoc history` of `make demo`: commit 65a07cceae34.
    A change to a sample record changes it: update the README with it."""
    out = tmp_path / "demo-repo"
    out.mkdir()
    approvals = example.demo_repository(out)
    assert [a.refused != "" for a in approvals].count(True) == 1
    assert git(out, "rev-parse", "HEAD").startswith("65a07cceae34")
    assert tree(out) == sorted([".gitignore", "qmsdoc.yaml", *example.files()])


# --- the whole round, as the README tells it: pre-commit blocks a mistake -----------------------


Shell = Callable[..., "subprocess.CompletedProcess[str]"]


def pre_commit_shell(root: Path, tmp_path: Path) -> Shell:
    """Run commands in ``root`` as li.ming, with pre-commit installed there and the qmsdoc
    under test on PATH (skips the test without pre-commit)."""
    bindir = Path(sys.executable).parent
    pre_commit = shutil.which("pre-commit", path=str(bindir)) or shutil.which("pre-commit")
    if pre_commit is None:
        pytest.skip("pre-commit is not installed (pip install pre-commit)")
    env = {**os.environ, **LI_MING, "PATH": f"{bindir}{os.pathsep}{os.environ['PATH']}",
           "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-cache")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(args), cwd=root, env=env, capture_output=True, text=True)

    installed = run(pre_commit, "install")
    assert installed.returncode == 0, installed.stderr
    return run


def test_a_new_repository_makes_its_first_commit_through_pre_commit(run_cli: Run,
                                                                     tmp_path: Path) -> None:
    run_cli("init", "repo")
    run = pre_commit_shell(tmp_path / "repo", tmp_path)
    run("git", "add", "-A")
    first = run("git", "commit", "-m", "质量记录库")
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Passed" in first.stderr  # the hook ran
    assert git(tmp_path / "repo", "status", "--porcelain") == ""


def test_pre_commit_blocks_a_bad_record_with_its_line(example_repo: Path, tmp_path: Path) -> None:
    run = pre_commit_shell(example_repo, tmp_path)
    record = example_repo / "records/complaints/2026/CC-2026-0004.yaml"
    good = (example_repo / "records/complaints/2026/CC-2026-0003.yaml").read_text("utf-8")
    good = good.replace("CC-2026-0003", "CC-2026-0004")
    record.write_text(good.replace("category: delivery", "category: delivry"), encoding="utf-8")
    line = next(i for i, text in enumerate(good.splitlines(), 1) if text.startswith("category:"))
    run("git", "add", "records")
    blocked = run("git", "commit", "-q", "-m", "登记客户抱怨 CC-2026-0004")
    assert blocked.returncode == 1
    assert (f"records/complaints/2026/CC-2026-0004.yaml:{line}:11: error[schema]: /category: "
            '"delivry" is not one of:') in blocked.stdout + blocked.stderr
    record.write_text(good, encoding="utf-8")
    run("git", "add", "records")
    passed = run("git", "commit", "-q", "-m", "登记客户抱怨 CC-2026-0004")
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert git(example_repo, "log", "-1", "--format=%s") == "登记客户抱怨 CC-2026-0004"
