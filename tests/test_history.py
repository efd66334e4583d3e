"""`qmsdoc history` and the history module on real git repositories: the full story from
creation to revision B, stale approvals, uncommitted changes, shallow clones, no git."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, CONFIG, GitRepo, complaint, date, make, released_a

from qmsdoc import config as qconfig
from qmsdoc.history.states import load_states, record_at, record_state


def story(repo: GitRepo) -> dict[str, str]:
    """Create, review, approve (A); change (draft B, A's approvals stale); review, approve (B).
    Returns the commit ids by step name."""
    ids = {}
    ids["create"] = repo.commit("li.ming", "New complaint CC-2026-0001",
                                {COMPLAINT_PATH: complaint()}, at=date(2, 9))
    ids["fix"] = repo.commit("li.ming", "Correct the part name",
                             {COMPLAINT_PATH: complaint("客户来料检验发现支架R角开裂。")},
                             at=date(2, 10))
    assert repo.approve("wang.fang", "review", at=date(3, 9)).exit_code == 0
    ids["review_a"] = repo.head()
    assert repo.approve("sun.li", "approve", at=date(4, 9)).exit_code == 0
    ids["approve_a"] = repo.head()
    ids["change_b"] = repo.commit("zhao.lei", "Add the customer's claim",
                                  {COMPLAINT_PATH: complaint("支架开裂，客户索赔。")},
                                  at=date(10, 14, 30))
    return ids


def test_full_story_text(git_repo: GitRepo) -> None:
    ids = story(git_repo)
    blob_a = git_repo.blob(rev=ids["approve_a"])
    result = git_repo.cli("history", "CC-2026-0001")
    assert result.exit_code == 0
    assert result.lines == [
        "CC-2026-0001  版次 B  draft (草稿)",
        f"  file   {COMPLAINT_PATH}",
        f"  commit {ids['change_b'][:12]}  blob {git_repo.blob()[:12]}",
        "revision A  2026-11-04T09:00:00+08:00  New complaint CC-2026-0001; Correct the part name",
        f"  编制 Prepared   李明 (li.ming) 品质部  2026-11-02T10:00:00+08:00  {ids['fix'][:12]}",
        f"  审核 Reviewed   王芳 (wang.fang) 品质部  2026-11-03T09:00:00+08:00  "
        f"{ids['review_a'][:12]}  unsigned",
        f"  批准 Approved   孙立 (sun.li) 总经办  2026-11-04T09:00:00+08:00  "
        f"{ids['approve_a'][:12]}  unsigned",
        "draft B: 1 change(s) since A",
        f"  2026-11-10T14:30:00+08:00  赵磊  Add the customer's claim  {ids['change_b'][:12]}",
        "note: changed since revision A was released (1 change(s)): its approvals do not cover "
        "the current content",
    ]
    assert blob_a != git_repo.blob()

    # Re-approval of the new content: revision B.
    assert git_repo.approve("wang.fang", "review", at=date(11, 9)).exit_code == 0
    result = git_repo.approve("sun.li", "approve", at=date(12, 9))
    assert result.exit_code == 0
    assert result.lines[-1] == "CC-2026-0001 is released as revision B"
    lines = git_repo.cli("history", "CC-2026-0001").lines
    assert lines[0] == "CC-2026-0001  版次 B  released (已发布)"
    assert [line.split("  ")[0] for line in lines if line.startswith("revision")] == [
        "revision A", "revision B"]
    assert lines[-4] == "revision B  2026-11-12T09:00:00+08:00  Add the customer's claim"
    assert lines[-3].startswith("  编制 Prepared   赵磊 (zhao.lei) 销售部  2026-11-10T14:30:00+08:00")
    assert not any(line.startswith(("draft", "note")) for line in lines)


def test_full_story_json(git_repo: GitRepo) -> None:
    ids = story(git_repo)
    data = json.loads(git_repo.cli("history", "CC-2026-0001", "--format", "json").output)
    assert set(data) >= {"id", "revision", "state", "revisions", "changes"}
    assert (data["id"], data["revision"], data["state"], data["controlled"]) == (
        "CC-2026-0001", "B", "draft", True)
    assert data["commit"] == ids["change_b"] and data["blob"] == git_repo.blob()
    [rev_a] = data["revisions"]
    assert rev_a["letter"] == "A" and rev_a["commit"] == ids["approve_a"]
    assert rev_a["blob"] == git_repo.blob(rev=ids["approve_a"])
    assert rev_a["reviewed"] == {
        "role": "reviewed", "person": "wang.fang", "name": "王芳", "department": "品质部",
        "at": "2026-11-03T09:00:00+08:00", "commit": ids["review_a"], "signed": False,
        "meaning": "审核 Reviewed", "position": "", "key": "", "evidence": "unsigned"}
    assert rev_a["approved"]["name"] == "孙立"
    assert rev_a["prepared"]["commit"] == ids["fix"]
    assert [c["summary"] for c in rev_a["changes"]] == [
        "New complaint CC-2026-0001", "Correct the part name"]
    assert data["changes"] == [{"commit": ids["change_b"], "author": "赵磊",
                                "at": "2026-11-10T14:30:00+08:00",
                                "summary": "Add the customer's claim"}]


def test_stale_review_of_an_earlier_draft(git_repo: GitRepo) -> None:
    released_a(git_repo)
    git_repo.commit("li.ming", "Update", {COMPLAINT_PATH: complaint("更新一")})
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    review = git_repo.head()
    git_repo.commit("li.ming", "Update again", {COMPLAINT_PATH: complaint("更新二")})
    state = record_state(git_repo.root, qconfig.load(git_repo.root), "CC-2026-0001")
    assert (state.state, state.revision) == ("draft", "B")
    assert [c.summary for c in state.changes] == ["Update", "Update again"]
    assert state.pending == ()
    assert any(n.startswith(f"stale review: 王芳 (2026-11-06T09:00:00+08:00, {review[:12]})")
               for n in state.notes), state.notes
    # The stale review does not count: the approval must wait for a new review.
    result = git_repo.approve("sun.li", "approve")
    assert result.exit_code == 1
    assert "approved before the review" in result.stderr


def test_whole_repository_pass_agrees_with_one_record(git_repo: GitRepo) -> None:
    story(git_repo)
    git_repo.commit("zhao.lei", "Second complaint", {
        "records/complaints/2026/CC-2026-0002.yaml": complaint("另一个", "CC-2026-0002")})
    cfg = qconfig.load(git_repo.root)
    states = load_states(git_repo.root, cfg)
    assert set(states) == {"CC-2026-0001", "CC-2026-0002"}
    one = record_state(git_repo.root, cfg, "CC-2026-0001", signatures=False)
    assert states["CC-2026-0001"] == one
    second = states["CC-2026-0002"]
    assert (second.state, second.revision, second.revisions) == ("draft", "A", ())


def test_record_at_revision_letter_and_commit(git_repo: GitRepo) -> None:
    ids = story(git_repo)
    cfg = qconfig.load(git_repo.root)
    content, state = record_at(git_repo.root, cfg, "CC-2026-0001", "A")
    assert content.decode() == complaint("客户来料检验发现支架R角开裂。")
    assert (state.state, state.revision, state.commit) == ("released", "A", ids["approve_a"])
    assert state.current is not None and state.current.approved is not None
    content, state = record_at(git_repo.root, cfg, COMPLAINT_PATH, ids["review_a"])
    assert (state.state, state.revision) == ("draft", "A")
    assert [s.name for s in state.pending] == ["王芳"]
    content, state = record_at(git_repo.root, cfg, "CC-2026-0001", ids["create"])
    assert content.decode() == complaint()
    with pytest.raises(Exception, match="neither a released revision of CC-2026-0001"):
        record_at(git_repo.root, cfg, "CC-2026-0001", "C")


def test_uncommitted_changes_make_an_uncontrolled_copy(git_repo: GitRepo) -> None:
    released_a(git_repo)
    git_repo.write(COMPLAINT_PATH, complaint("本地修改"))
    git_repo.write("records/complaints/2026/CC-2026-0002.yaml", complaint("新", "CC-2026-0002"))
    cfg = qconfig.load(git_repo.root)
    states = load_states(git_repo.root, cfg)
    first, new = states["CC-2026-0001"], states["CC-2026-0002"]
    assert (first.state, first.revision, first.controlled) == ("uncontrolled", "B", False)
    assert first.notes[0] == "uncommitted changes: an uncontrolled copy"
    assert [r.letter for r in first.revisions] == ["A"]  # the history is still shown
    assert (new.state, new.controlled, new.notes) == (
        "uncontrolled", False, ("not committed: an uncontrolled copy",))
    lines = git_repo.cli("history", "CC-2026-0001").lines
    assert lines[0] == "CC-2026-0001  版次 B  uncontrolled copy (非受控)"
    assert "note: uncommitted changes: an uncontrolled copy" in lines


def test_shallow_clone_is_reported_not_taken_for_no_approvals(git_repo: GitRepo,
                                                              tmp_path: Path) -> None:
    released_a(git_repo)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{git_repo.root}",
                    str(clone)], check=True)
    cfg = qconfig.load(clone)
    state = load_states(clone, cfg)["CC-2026-0001"]
    assert (state.state, state.controlled) == ("uncontrolled", False)
    assert state.notes[0].startswith("shallow clone: the history is incomplete")
    one = record_state(clone, cfg, "CC-2026-0001")
    assert one.state == "uncontrolled" and one.notes[0].startswith("shallow clone")


def test_outside_git_every_record_is_uncontrolled(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = tmp_path / "plain"
    (root / "records/complaints/2026").mkdir(parents=True)
    (root / COMPLAINT_PATH).write_text(complaint(), encoding="utf-8")
    states = load_states(root, qconfig.load(root))
    assert states["CC-2026-0001"].state == "uncontrolled"
    assert states["CC-2026-0001"].notes == ("not in a git repository",)


def test_no_commits_yet(git_repo: GitRepo, tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    git_repo.git("init", "-q", cwd=root)
    (root / "records/complaints/2026").mkdir(parents=True)
    (root / COMPLAINT_PATH).write_text(complaint(), encoding="utf-8")
    state = load_states(root, qconfig.load(root))["CC-2026-0001"]
    assert (state.state, state.notes) == ("uncontrolled", ("no commits yet",))


def test_unknown_id_is_a_usage_error(git_repo: GitRepo) -> None:
    (git_repo.root / "records").mkdir(exist_ok=True)
    result = git_repo.cli("history", "CC-2026-0999")
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "qmsdoc: unknown record id 'CC-2026-0999' (no records/**/CC-2026-0999.yaml)")


def test_branches_and_merges(git_repo: GitRepo) -> None:
    """Work on branches merged with merge commits: every branch commit counts as a change,
    and a merge that resolves a conflict in the record is a change by whoever merged."""
    released_a(git_repo)
    git_repo.git("checkout", "-q", "-b", "fix")
    git_repo.commit("li.ming", "Fix on a branch", {COMPLAINT_PATH: complaint("分支修改")})
    git_repo.git("checkout", "-q", "main")
    git_repo.commit("zhao.lei", "Change on main", {COMPLAINT_PATH: complaint("主线修改")})
    proc = subprocess.run(["git", "merge", "-q", "fix"], cwd=git_repo.root,
                          capture_output=True, check=False)
    assert proc.returncode != 0  # a conflict, resolved by wang.fang
    git_repo.commit("wang.fang", "Merge branch 'fix'", {COMPLAINT_PATH: complaint("合并后")})
    cfg = qconfig.load(git_repo.root)
    state = record_state(git_repo.root, cfg, "CC-2026-0001", signatures=False)
    summaries = [c.summary for c in state.changes]
    assert sorted(summaries[:2]) == ["Change on main", "Fix on a branch"]  # parallel: any order
    assert summaries[2] == "Merge branch 'fix'"
    assert load_states(git_repo.root, cfg)["CC-2026-0001"] == state
    result = git_repo.approve("wang.fang", "review")
    assert result.exit_code == 1
    assert "self-approval: 王芳 authored a change since the previous release" in result.stderr

    # A clean merge of a branch carrying its own approvals.
    git_repo.git("checkout", "-q", "-b", "approvals")
    assert git_repo.approve("chen.jun", "review").exit_code == 1  # no right: not counted
    git_repo.git("checkout", "-q", "main")
    git_repo.git("merge", "-q", "--no-ff", "-m", "Merge approvals", "approvals", who="sun.li")
    assert record_state(git_repo.root, cfg, "CC-2026-0001").changes == state.changes


def test_records_repository_in_a_subfolder(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make(tmp_path, monkeypatch)
    sub = repo.root / "qms"
    config = (repo.root / "qmsdoc.yaml").read_text(encoding="utf-8")
    repo.commit("li.ming", "Move the records repository into qms/", {
        "qms/qmsdoc.yaml": config, f"qms/{COMPLAINT_PATH}": complaint()})
    top = repo.root
    repo.root = sub
    assert repo.approve("wang.fang", "review").exit_code == 0
    assert repo.approve("sun.li", "approve").exit_code == 0
    assert repo.cli("history", "CC-2026-0001").lines[0] == "CC-2026-0001  版次 A  released (已发布)"
    assert repo.cli("verify").exit_code == 0
    state = load_states(sub, qconfig.load(sub))["CC-2026-0001"]
    assert (state.state, state.path) == ("released", COMPLAINT_PATH)
    assert state.blob == repo.git("rev-parse", f"HEAD:qms/{COMPLAINT_PATH}", cwd=top)


def test_revision_scheme_from_the_configuration(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make(tmp_path, monkeypatch, CONFIG + "approvals: {revision_scheme: A/0}\n")
    released_a(repo)
    repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("改")})
    lines = repo.cli("history", "CC-2026-0001").lines
    assert lines[0] == "CC-2026-0001  版次 A/1  draft (草稿)"
    assert lines[3].startswith("revision A/0  ")


def test_every_author_of_a_revision_prepared_it(git_repo: GitRepo) -> None:
    git_repo.commit("zhao.lei", "New complaint", {COMPLAINT_PATH: complaint()}, at=date(2, 9))
    git_repo.commit("li.ming", "Investigation",
                    {COMPLAINT_PATH: complaint("客户来料检验发现支架R角开裂。")}, at=date(2, 10))
    git_repo.approve("wang.fang", "review", at=date(3, 9))
    git_repo.approve("sun.li", "approve", at=date(4, 9))
    lines = git_repo.cli("history", "CC-2026-0001").lines
    prepared = [line for line in lines if line.startswith("  编制 Prepared")]
    assert [line.split()[2] for line in prepared] == ["赵磊", "李明"]
    data = json.loads(git_repo.cli("history", "CC-2026-0001", "--format", "json").output)
    [rev_a] = data["revisions"]
    assert [p["name"] for p in rev_a["preparers"]] == ["赵磊", "李明"]
    assert rev_a["prepared"]["name"] == "李明"  # the last author


def test_one_records_history_writes_the_commit_graph_with_bloom_filters_once(
        git_repo: GitRepo) -> None:
    story(git_repo)
    graph = git_repo.root / ".git" / "objects" / "info" / "commit-graph"
    graph.unlink(missing_ok=True)  # approving read a history already: start without one
    cfg = qconfig.load(git_repo.root)
    before = record_state(git_repo.root, cfg, "CC-2026-0001", signatures=False)
    assert graph.exists()
    head = graph.read_bytes()[:128]
    assert b"BIDX" in head and b"BDAT" in head  # git's changed-path Bloom filter chunks
    written = graph.stat().st_mtime_ns
    assert record_state(git_repo.root, cfg, "CC-2026-0001", signatures=False) == before
    assert graph.stat().st_mtime_ns == written
    assert load_states(git_repo.root, cfg)["CC-2026-0001"] == before


def test_a_record_replaced_by_a_fifo_ends_in_an_answer_not_a_hang(git_repo: GitRepo) -> None:
    """history reads the work tree's copy of a released record (its attachments); a FIFO
    there is no copy to read, never a read that waits for a writer for ever."""
    import os
    import sys

    released_a(git_repo)
    record = git_repo.root / COMPLAINT_PATH
    record.unlink()
    os.mkfifo(record)
    done = subprocess.run([sys.executable, "-m", "qmsdoc", "--lang", "en", "--repo",
                           str(git_repo.root), "history", "CC-2026-0001"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("CC-2026-0001")
    assert "\nrevision A  2026-11-" in done.stdout
    assert done.stdout.endswith("note: uncommitted changes: an uncontrolled copy\n")
