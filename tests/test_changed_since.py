"""`validate --changed-since REF` in a real git repository."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

Run = Callable[..., object]
ENV = {"GIT_AUTHOR_NAME": "李明", "GIT_AUTHOR_EMAIL": "li.ming@mingyuan.example",
       "GIT_COMMITTER_NAME": "李明", "GIT_COMMITTER_EMAIL": "li.ming@mingyuan.example",
       "GIT_AUTHOR_DATE": "2026-11-03T09:00:00+08:00",
       "GIT_COMMITTER_DATE": "2026-11-03T09:00:00+08:00", "PATH": "/usr/bin:/bin"}


def git(repo: Path, *args: str) -> str:
    """``git -C repo ARGS`` as 李明 at a fixed date; its output."""
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          env=ENV, text=True).stdout


@pytest.fixture
def committed(sample_repo: Path) -> Path:
    git(sample_repo, "init", "-q", "-b", "main")
    git(sample_repo, "add", "-A")
    git(sample_repo, "commit", "-q", "-m", "Sample records")
    return sample_repo


def lines(result: object) -> list[str]:
    return result.output.splitlines()  # type: ignore[attr-defined]


def test_nothing_changed_checks_nothing(run_cli: Run, committed: Path) -> None:
    assert lines(run_cli("validate", "--changed-since", "HEAD", repo=committed)) == [
        "0 records checked, 0 errors, 0 warnings"]


def test_a_changed_complaint_brings_the_8d_that_names_it(run_cli: Run, committed: Path) -> None:
    path = committed / "records/complaints/2026/CC-2026-0001.yaml"
    path.write_text(path.read_text("utf-8").replace("status: actions", "status: verifying"),
                    encoding="utf-8")
    result = run_cli("validate", "--changed-since", "HEAD", "--format", "json", repo=committed)
    import json

    report = json.loads(result.output)  # type: ignore[attr-defined]
    assert report["checked"] == 2  # CC-2026-0001 and 8D-2026-0001, which lists it
    assert {p["path"] for p in report["problems"]} <= {
        "records/complaints/2026/CC-2026-0001.yaml"}


def test_a_deleted_8d_is_reported_on_the_complaint_that_points_to_it(
        run_cli: Run, committed: Path) -> None:
    git(committed, "rm", "-q", "records/8d/2026/8D-2026-0001.yaml")
    git(committed, "commit", "-q", "-m", "Remove 8D")
    result = run_cli("validate", "--changed-since", "HEAD~1", repo=committed)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert lines(result)[-1] == "1 record checked, 1 error, 0 warnings"
    assert lines(result)[0].startswith("records/complaints/2026/CC-2026-0001.yaml:")
    assert lines(result)[0].endswith(
        "error[reference]: /eightd: 8D-2026-0001 does not exist (no 8d record with this id)")


def test_untracked_new_record_is_checked(run_cli: Run, committed: Path,
                                         write_record: Callable[..., Path]) -> None:
    write_record(committed, "records/complaints/2026/CC-2026-0009.yaml",
                 "kind: complaint\nid: CC-2026-0009\n")
    result = run_cli("validate", "--changed-since", "HEAD", repo=committed)
    assert lines(result)[-1].startswith("1 record checked, ")
    assert result.exit_code == 1  # type: ignore[attr-defined]


def test_bad_revision_is_a_usage_error(run_cli: Run, committed: Path) -> None:
    result = run_cli("validate", "--changed-since", "no-such-ref", repo=committed)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stderr == "qmsdoc: --changed-since no-such-ref: no such git revision\n"  # type: ignore[attr-defined]


def test_outside_git_is_a_usage_error(run_cli: Run, repo: Path) -> None:
    result = run_cli("validate", "--changed-since", "HEAD", repo=repo)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stderr == (f"qmsdoc: --changed-since needs a git repository; {repo} is not "  # type: ignore[attr-defined]
                             "in one\n")


def test_before_the_first_commit_everything_is_new(run_cli: Run, sample_repo: Path) -> None:
    git(sample_repo, "init", "-q", "-b", "main")
    result = run_cli("validate", "--changed-since", "HEAD", repo=sample_repo)
    assert lines(result) == ["8 records checked, 0 errors, 0 warnings"]


def test_render_changed_since(run_cli: Run, committed: Path) -> None:
    path = committed / "records/contract-reviews/2026/CR-2026-0001.yaml"
    path.write_text(path.read_text("utf-8") + "\n", encoding="utf-8")
    out = committed / "forms"
    result = run_cli("render", "--changed-since", "HEAD", "--out", str(out), repo=committed)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert sorted(p.name for p in out.iterdir()) == ["CR-2026-0001.docx"]


def test_render_changed_since_nothing(run_cli: Run, committed: Path) -> None:
    result = run_cli("render", "--changed-since", "HEAD", repo=committed)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert result.stderr == "no records changed since HEAD\n"  # type: ignore[attr-defined]
    assert not (committed / "out").exists()


def test_many_changed_records_select_what_each_would(sample_repo: Path) -> None:
    """With many changed records (render of a thousand) each file is tokenized once instead
    of searched for every id: the selection is still the union of each one's."""
    from qmsdoc.checks.changes import select
    from qmsdoc.records.files import discover

    sample = (sample_repo / "records/complaints/2026/CC-2026-0001.yaml").read_text("utf-8")
    folder = sample_repo / "records/complaints/2025"
    folder.mkdir()
    for n in range(1, 25):  # each refers to the next; every third shares the sample's part
        text = sample.replace("CC-2026-0001", f"CC-2025-{n:04d}").replace(
            "eightd: 8D-2026-0001", f"eightd: 8D-2025-{n + 1:04d}")
        if n % 3:
            text = text.replace('part_no: "0012345"', f'part_no: "9{n:06d}"')
        (folder / f"CC-2025-{n:04d}.yaml").write_text(text, "utf-8")
    files = discover(sample_repo)
    changed = sorted(folder.glob("*.yaml"))[:20]
    each: set[Path] = set()
    for path in changed:
        each.update(select(sample_repo, files, [path], set()).targets)
    together = select(sample_repo, files, changed, set()).targets
    assert together == sorted(each)
    assert len(together) > len(changed)  # the sample and the part's other complaints


def test_history_outside_git_is_a_usage_error(run_cli: Run, repo: Path) -> None:
    result = run_cli("validate", "--history", repo=repo)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stderr == (f"qmsdoc: validate --history needs a git repository; {repo} is "  # type: ignore[attr-defined]
                             "not in one\n")


def test_a_changed_configuration_checks_every_record(run_cli: Run, committed: Path) -> None:
    """A customer dropped from qmsdoc.yaml makes the records that name it invalid although
    no record changed: a pull request's `--changed-since origin/main` must see it, as the
    pre-commit hook does (committed, or still in the work tree)."""
    config = committed / "qmsdoc.yaml"
    config.write_text("".join(line for line in config.read_text("utf-8").splitlines(True)
                              if "code: NONGFENG" not in line), encoding="utf-8")
    result = run_cli("validate", "--changed-since", "HEAD", repo=committed)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert lines(result)[-1] == "8 records checked, 1 error, 0 warnings"
    assert "error[customer]: /customer: unknown customer 'NONGFENG'" in lines(result)[0]
    git(committed, "commit", "-q", "-am", "Drop a customer")
    result = run_cli("validate", "--changed-since", "HEAD~1", repo=committed)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert lines(result)[-1] == "8 records checked, 1 error, 0 warnings"


def test_a_changed_schema_checks_every_record(run_cli: Run, committed: Path) -> None:
    schema = run_cli("schema", "complaint", repo=committed).output  # type: ignore[attr-defined]
    (committed / "schemas").mkdir()
    (committed / "schemas/complaint.schema.json").write_text(schema, encoding="utf-8")
    result = run_cli("validate", "--changed-since", "HEAD", repo=committed)
    assert lines(result)[-1] == "8 records checked, 0 errors, 0 warnings"
