"""Issue 11, the document status model on real git repositories: 受控·现行 / 草稿 / 作废 /
非受控 in the 版次 cell, the stamp and the footer; render --released; --at with the
configuration and templates of its time; the evidence of each signature on the page."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, CONFIG, GitRepo, complaint, date, make

DocxText = Callable[[Path], str]
BUILTIN = Path(__file__).resolve().parent.parent / "qmsdoc/builtin/templates"
TITLED = CONFIG.replace("department: quality, roles: [quality_manager]",
                        "department: quality, position: 品质部经理, roles: [quality_manager]"
                        ).replace("department: gm_office, roles",
                                  "department: gm_office, position: 总经理, roles")


def render(repo: GitRepo, *args: str, record: str = "CC-2026-0001") -> str:
    """The text of the form rendered by ``qmsdoc render RECORD ARGS``."""
    from conftest import _docx_text

    out = repo.root / "forms"
    shutil.rmtree(out, ignore_errors=True)
    result = repo.cli("render", record, "--out", str(out), *args)
    assert result.exit_code == 0, result.stderr
    return _docx_text(out / f"{record}.docx")


def revision_cell(text: str) -> str:
    lines = text.splitlines()
    return lines[lines.index("版次") + 1]


def footer(text: str) -> str:
    """The footer's first two lines: status, retention; print date, commit and blob."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if "保存期限 Retention" in line)
    return "\n".join(lines[first:first + 2])


def release(repo: GitRepo, review_day: int, approve_day: int) -> None:
    assert repo.approve("wang.fang", "review", at=date(review_day, 9)).exit_code == 0
    assert repo.approve("sun.li", "approve", at=date(approve_day, 9)).exit_code == 0


@pytest.fixture
def titled(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """A repository whose roster gives positions; CC-2026-0001 released as A, then changed
    (a draft of B)."""
    repo = make(tmp_path, monkeypatch, TITLED)
    repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: complaint()}, at=date(2, 9))
    release(repo, 3, 4)
    repo.commit("zhao.lei", "Add the claim", {COMPLAINT_PATH: complaint("支架开裂，客户索赔。")},
                at=date(10, 14, 30))
    return repo


def test_a_draft_is_marked_and_the_release_in_force_stays_controlled(titled: GitRepo) -> None:
    draft = render(titled)
    assert revision_cell(draft) == "B 草稿"
    assert "草稿 未经批准 不得使用" in draft
    assert footer(draft).startswith("草稿（版次 B 待批准）    保存期限")
    released = render(titled, "--released")
    assert revision_cell(released) == "A 受控·现行"
    assert footer(released).startswith("受控·现行    保存期限")
    assert "不得使用" not in released and "支架开裂，客户索赔。" not in released
    assert render(titled, "--at", "A") == released  # the same copy, by its letter


def test_after_the_next_release_the_earlier_one_is_obsolete(titled: GitRepo) -> None:
    release(titled, 11, 12)
    assert revision_cell(render(titled)) == "B 受控·现行"
    assert revision_cell(render(titled, "--released")) == "B 受控·现行"
    old = render(titled, "--at", "A")
    assert revision_cell(old) == "A 作废"
    assert "作废 已被新版次替代 不得使用" in old
    assert footer(old).startswith("作废（已被版次 B 替代）    保存期限")


def test_released_without_any_release_is_refused(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: complaint()})
    result = git_repo.cli("render", "CC-2026-0001", "--released", "--out",
                          str(git_repo.root / "forms"))
    assert result.exit_code == 2
    assert result.stderr == ("qmsdoc: --released: CC-2026-0001 has no released revision yet "
                             "(草稿, not for use)\n")
    assert not (git_repo.root / "forms").exists()


def test_released_and_at_together_are_refused(titled: GitRepo) -> None:
    result = titled.cli("render", "CC-2026-0001", "--released", "--at", "A")
    assert result.exit_code == 2
    assert "--at and --released both choose the revision" in result.stderr


@pytest.mark.parametrize("how, reason", [
    ("untracked", "templates/complaint.docx 未纳入 git"),
    ("modified", "templates/complaint.docx 有未提交的修改"),
])
def test_a_template_git_does_not_back_makes_the_copy_uncontrolled(
        titled: GitRepo, how: str, reason: str) -> None:
    release(titled, 11, 12)
    target = titled.root / "templates" / "complaint.docx"
    target.parent.mkdir()
    shutil.copy(BUILTIN / "complaint.docx", target)
    if how == "modified":
        titled.commit("li.ming", "Own complaint template", at=date(13))
        target.write_bytes(target.read_bytes() + b"\0")  # a zip with a trailing byte still opens
    text = render(titled)
    assert revision_cell(text) == "B 非受控"
    assert "非受控 仅供参考" in text
    assert footer(text).startswith(f"非受控（{reason}）    保存期限")


def test_an_uncommitted_configuration_makes_the_copy_uncontrolled(titled: GitRepo) -> None:
    release(titled, 11, 12)
    (titled.root / "qmsdoc.yaml").write_text(TITLED.replace("测试制造有限公司", "伪造有限公司"),
                                             encoding="utf-8")
    text = render(titled)
    assert "伪造有限公司" in text
    assert revision_cell(text) == "B 非受控"
    assert footer(text).startswith("非受控（qmsdoc.yaml 有未提交的修改）")


def test_assume_unchanged_and_skip_worktree_do_not_hide_an_edit(titled: GitRepo) -> None:
    release(titled, 11, 12)
    titled.git("update-index", "--assume-unchanged", "qmsdoc.yaml")
    titled.git("update-index", "--skip-worktree", COMPLAINT_PATH)
    (titled.root / "qmsdoc.yaml").write_text(TITLED.replace("测试制造", "伪造"), encoding="utf-8")
    (titled.root / COMPLAINT_PATH).write_text(complaint("改过的内容。"), encoding="utf-8")
    assert titled.git("status", "--porcelain") == ""  # git status sees nothing
    text = render(titled)
    assert revision_cell(text) == "B 非受控"
    assert ("非受控（qmsdoc.yaml 有未提交的修改、标记为 assume-unchanged；"
            f"{COMPLAINT_PATH} 有未提交的修改、标记为 skip-worktree）") in footer(text)


def test_at_prints_with_the_configuration_and_template_of_its_time(titled: GitRepo) -> None:
    release(titled, 11, 12)
    template = titled.root / "templates" / "complaint.docx"
    template.parent.mkdir()
    shutil.copy(BUILTIN / "complaint.docx", template)
    titled.commit("li.ming", "Rename the company, own template",
                  {"qmsdoc.yaml": TITLED.replace("测试制造有限公司", "新名称有限公司")},
                  at=date(13))
    now = render(titled)
    assert "新名称有限公司" in now and "模板 Template: templates/complaint.docx" in now
    past = render(titled, "--at", "A")
    assert "测试制造有限公司" in past and "新名称有限公司" not in past
    assert "模板 Template: built-in complaint.docx" in past


def test_signatures_carry_their_evidence(titled: GitRepo) -> None:
    released = render(titled, "--released")
    block = released[released.index("审批签署"):released.index("修订履历")]
    approve_a = titled.git("log", "-1", "--format=%H", "--grep=^Approval: approve")
    review_a = titled.git("log", "-1", "--format=%H", "--grep=^Approval: review")
    assert "姓名 Name\n李明\n王芳\n孙立\n职务 Position\n\n品质部经理\n总经理\n" in block
    assert "部门 Department\n品质部\n品质部\n总经办\n" in block
    assert "2026-11-03 09:00 +08:00\n2026-11-04 09:00 +08:00\n" in block
    assert "审核：确认内容正确、完整\n批准：批准发布生效\n" in block
    assert f"\n{review_a[:12]}\n{approve_a[:12]}\n" in block
    assert "未签名" in block


def test_a_draft_shows_its_preparers_and_the_reviews_pending(titled: GitRepo) -> None:
    assert titled.approve("wang.fang", "review", at=date(11, 9)).exit_code == 0
    text = render(titled)
    block = text[text.index("审批签署"):text.index("修订履历")]
    assert block.startswith("审批签署  Signatures\n\n编制 Prepared\n审核 Reviewed\n批准 Approved\n"
                            "姓名 Name\n赵磊\n王芳\n\n")
    assert "2026-11-10 14:30 +08:00\n2026-11-11 09:00 +08:00\n" in block
    assert "待批准" in block
    history = text[text.index("修订履历"):]
    assert "B 草稿\n2026-11-10\nAdd the claim\n赵磊\n王芳 待批准\n待批准" in history


def test_notes_on_a_form_are_in_chinese(titled: GitRepo) -> None:
    titled.commit("li.ming", "Another change", {COMPLAINT_PATH: complaint("再次修改。")},
                  at=date(10, 16))
    text = render(titled)
    assert "自版次 A 发布后修改 2 次，其审批不适用于当前内容" in text
    for english in ("changed since", "stale", "approvals do not cover", "uncontrolled copy",
                    "Controlled copy", "DRAFT", "not for use", "reference copy"):
        assert english not in text, english


def test_print_date_comes_from_source_date_epoch(titled: GitRepo,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    assert "打印日期 Printed: 2026-12-02 08:00 +08:00" in footer(render(titled))
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    from datetime import datetime, timedelta, timezone

    today = datetime.now(timezone(timedelta(hours=8))).strftime("%Y-%m-%d")
    assert f"打印日期 Printed: {today}" in footer(render(titled))


def test_a_signed_approval_prints_its_key_fingerprint(created: GitRepo, tmp_path: Path) -> None:
    import subprocess

    from gitrepo import public_key, ssh_keygen

    keys = {name: ssh_keygen(tmp_path, name) for name in ("wang.fang", "sun.li")}
    created.git("config", "gpg.format", "ssh")
    allowed = "".join(f"{name}@example.com {public_key(key)}\n" for name, key in keys.items())
    created.commit("li.ming", "Trusted keys", {".qmsdoc/allowed_signers": allowed})
    assert created.approve("sun.li", "approve", record_id="qmsdoc.yaml").exit_code == 0
    for who, action in (("wang.fang", "review"), ("sun.li", "approve")):
        created.git("config", "user.signingkey", str(keys[who]))
        assert created.approve(who, action, "--sign").exit_code == 0
    fingerprints = [subprocess.run(["ssh-keygen", "-lf", f"{keys[who]}.pub"], check=True,
                                   capture_output=True, text=True).stdout.split()[1]
                    for who in ("wang.fang", "sun.li")]
    text = render(created)
    block = text[text.index("审批签署"):text.index("修订履历")]
    assert (f"电子签名\nSignature\n未签名 \n已签名 {fingerprints[0]} \n"
            f"已签名 {fingerprints[1]} \n") in block


def test_the_complaint_form_flags_a_repeat_complaint(created: GitRepo) -> None:
    created.commit("li.ming", "Second complaint, same customer, part and category",
                   {"records/complaints/2026/CC-2026-0002.yaml":
                    complaint(record_id="CC-2026-0002")}, at=date(5))
    again = render(created, record="CC-2026-0002")
    assert "重复发生\n☑ 是  ☐ 否：重复 CC-2026-0001（同一客户、料号及投诉类别，0 天前；" \
           "IATF 16949 10.2.3 须检讨以往措施）" in again
    assert "重复发生\n☐ 是  ☑ 否" in render(created)


def test_contract_records_are_kept_for_the_parts_active_life_plus_one_year() -> None:
    from qmsdoc import config
    from qmsdoc.resources import builtin

    retention = "零件量产及服务期+1年 (IATF 16949 7.5.3.2.1)"
    assert config.defaults()["forms"]["contract-review"]["retention"] == retention
    scaffold = builtin("scaffold", "qmsdoc.yaml").read_text(encoding="utf-8")
    assert f"title_en: Contract Review Form, retention: {retention}}}" in scaffold
