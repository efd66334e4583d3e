"""Forms from git evidence: 版次, signatures and revision table of a real history; --at."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gitrepo import GitRepo
from test_history import story

DocxText = Callable[[Path], str]


def render(repo: GitRepo, *args: str) -> Path:
    out = repo.root / "forms"
    result = repo.cli("render", "CC-2026-0001", "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    return out / "CC-2026-0001.docx"


def test_released_form_shows_signatures_and_revision_table(git_repo: GitRepo,
                                                           docx_text: DocxText) -> None:
    story(git_repo)
    git_repo.approve("wang.fang", "review", at="2026-11-11T09:00:00+08:00")
    git_repo.approve("sun.li", "approve", at="2026-11-12T09:00:00+08:00")
    text = docx_text(render(git_repo))
    assert "草稿" not in text and "DRAFT" not in text
    assert "受控" in text and "非受控" not in text
    for expected in ("王芳", "孙立", "赵磊", "2026-11-12", "审核", "批准", "编制", "修订履历"):
        assert expected in text, expected
    # issue 11: the footer names the commit that released the revision, not HEAD
    assert f"版次 B · commit {git_repo.head()} · blob {git_repo.blob()}" in text


def test_draft_form_has_no_signatures_and_says_draft(git_repo: GitRepo,
                                                     docx_text: DocxText) -> None:
    story(git_repo)  # released A, then changed: a draft of B with stale approvals
    text = docx_text(render(git_repo))
    assert "版次\nB 草稿\n页次" in text and "草稿 未经批准 不得使用" in text
    assert "孙立" in text  # revision A's approver, in the revision table only


def test_at_letter_renders_the_released_content_of_then(git_repo: GitRepo,
                                                        docx_text: DocxText) -> None:
    ids = story(git_repo)
    current = docx_text(render(git_repo))
    assert "支架开裂，客户索赔。" in current
    past = docx_text(render(git_repo, "--at", "A"))
    assert "客户来料检验发现支架R角开裂。" in past
    assert "支架开裂，客户索赔。" not in past
    assert "草稿" not in past
    assert f"commit {ids['approve_a']} · blob {git_repo.blob(rev=ids['approve_a'])}" in past
    by_commit = docx_text(render(git_repo, "--at", ids["create"]))
    assert "客户来料检验发现支架开裂。" in by_commit


def test_at_unknown_revision_is_exit_2(git_repo: GitRepo) -> None:
    story(git_repo)
    result = git_repo.cli("render", "CC-2026-0001", "--at", "Z")
    assert result.exit_code == 2
    assert "--at Z: neither a released revision of CC-2026-0001 (A) nor a git revision" in \
        result.stderr


def test_at_needs_named_records(git_repo: GitRepo) -> None:
    story(git_repo)
    result = git_repo.cli("render", "--all", "--at", "A")
    assert result.exit_code == 2
    assert result.stderr == "qmsdoc: --at renders named records (ids or paths), not --all\n"


def test_a_superseded_revision_is_marked_as_a_reference_copy(git_repo: GitRepo,
                                                             docx_text: DocxText) -> None:
    story(git_repo)
    git_repo.approve("wang.fang", "review", at="2026-11-11T09:00:00+08:00")
    git_repo.approve("sun.li", "approve", at="2026-11-12T09:00:00+08:00")  # B released
    past = docx_text(render(git_repo, "--at", "A"))
    # issue 11: a superseded revision is 作废, in the 版次 cell, the stamp and the footer
    assert "版次\nA 作废\n页次" in past and "作废 已被新版次替代 不得使用" in past
    assert "作废（已被版次 B 替代）    保存期限" in past and "受控·现行" not in past
    current = docx_text(render(git_repo, "--at", "B"))
    assert "版次\nB 受控·现行\n页次" in current and "作废" not in current


def test_every_author_is_printed_as_preparer(git_repo: GitRepo, docx_text: DocxText) -> None:
    from gitrepo import COMPLAINT_PATH, complaint

    git_repo.commit("zhao.lei", "New complaint", {COMPLAINT_PATH: complaint()},
                    at="2026-11-02T09:00:00+08:00")
    git_repo.commit("li.ming", "Investigation", {COMPLAINT_PATH: complaint("R角开裂。")},
                    at="2026-11-02T10:00:00+08:00")
    git_repo.approve("wang.fang", "review", at="2026-11-03T09:00:00+08:00")
    git_repo.approve("sun.li", "approve", at="2026-11-04T09:00:00+08:00")
    text = docx_text(render(git_repo))
    assert "赵磊、李明" in text  # signature block and revision table
    assert "销售部、品质部" in text


def test_at_checks_the_past_record_as_validate_does(git_repo: GitRepo) -> None:
    """--at goes through the validation pipeline on the records of then: an attachment
    missing in that commit is reported even though the working tree has it now."""
    from gitrepo import COMPLAINT_PATH, complaint

    photo = "records/attachments/crack.png"
    text = complaint() + f"attachments:\n  - path: '{photo}'\n    caption: 裂纹\n"
    missing = git_repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: text})
    git_repo.write(photo, "")
    (git_repo.root / photo).write_bytes(b"\x89PNG\r\n\x1a\n")
    present = git_repo.commit("li.ming", "Add the photo")
    assert git_repo.cli("validate").exit_code == 0
    result = git_repo.cli("render", "CC-2026-0001", "--at", missing, "--out",
                          str(git_repo.root / "forms"))
    assert result.exit_code == 1
    assert f"'{photo}' does not exist" in result.stderr
    assert result.stderr.endswith("qmsdoc: 1 record not rendered\n")
    assert git_repo.cli("render", "CC-2026-0001", "--at", present, "--out",
                        str(git_repo.root / "forms")).exit_code == 0


def test_at_in_a_records_repository_inside_a_larger_work_tree(
        sample_repo: Path, run_cli: Callable[..., object], docx_text: DocxText) -> None:
    import subprocess

    top = sample_repo.parent  # the records repository is the folder samples/ of this work tree
    for args in (["init", "-q"], ["add", "-A"],
                 ["-c", "user.name=李明", "-c", "user.email=li.ming@example.invalid",
                  "commit", "-q", "-m", "records"]):
        subprocess.run(["git", "-C", str(top), *args], check=True, capture_output=True)
    out = top / "forms"
    result = run_cli("render", "CC-2026-0001", "--at", "HEAD", "--out", str(out),
                     repo=sample_repo)
    assert result.exit_code == 0, result.stderr  # type: ignore[attr-defined]
    assert "CC-2026-0001" in docx_text(out / "CC-2026-0001.docx")
