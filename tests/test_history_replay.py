"""Where a file's blob at a commit comes from without asking git for each one: the log
already read (``Replay``, histories without merges) and folder trees (``files_at``). Both
must answer exactly as ``git cat-file`` does for every commit and path, in a real repository."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path

from qmsdoc.git import log as gitlog
from qmsdoc.history.coverage import files_at
from qmsdoc.records.files import display_path, locate

PATHS = ["records/complaints/2026/CC-2026-0001.yaml", "records/attachments/CC-2026-0001/a.png",
         "records/attachments/CC-2026-0001/b.pdf", "records/attachments/CC-2026-0001",
         "qmsdoc.yaml", "docs/note.txt", "records/missing.yaml"]


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_AUTHOR_NAME": "李明", "GIT_AUTHOR_EMAIL": "li.ming@example.com",
           "GIT_COMMITTER_NAME": "李明", "GIT_COMMITTER_EMAIL": "li.ming@example.com",
           "GIT_AUTHOR_DATE": "2026-11-03T09:40:00+08:00",
           "GIT_COMMITTER_DATE": "2026-11-03T09:40:00+08:00"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True, env=env).stdout


def _write(repo: Path, path: str, text: str) -> None:
    (repo / path).parent.mkdir(parents=True, exist_ok=True)
    (repo / path).write_text(text, encoding="utf-8")


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "--allow-empty", "-m", message)


def _history(repo: Path) -> None:
    _git(repo, "init", "-q", "-b", "main")
    _write(repo, "qmsdoc.yaml", "company: {name: x}\n")
    _write(repo, PATHS[0], "kind: complaint\n")
    _commit(repo, "first")
    _write(repo, PATHS[1], "png 1")
    _write(repo, PATHS[2], "pdf 1")
    _write(repo, "docs/note.txt", "note")
    _commit(repo, "attachments")
    _commit(repo, "Approve (an approval changes nothing)")
    _write(repo, PATHS[1], "png 2")
    _commit(repo, "picture replaced")
    (repo / PATHS[2]).unlink()
    (repo / PATHS[0]).unlink()
    _commit(repo, "record and document removed")
    _write(repo, PATHS[0], "kind: complaint\nid: CC-2026-0001\n")
    (repo / PATHS[1]).unlink()
    (repo / PATHS[1]).symlink_to("b.pdf")
    _commit(repo, "record back; the picture a link")


def _every_pair(info: gitlog.RepoInfo) -> list[tuple[str, str]]:
    return [(c.id, p) for c in gitlog.read_log(info, under="") for p in PATHS]


def test_replay_answers_as_git_in_a_history_without_merges(tmp_path: Path) -> None:
    _history(tmp_path)
    info = gitlog.probe(tmp_path)
    replay = gitlog.Replay(info, gitlog.read_log(info))
    pairs = _every_pair(info)
    assert replay.linear
    expected = gitlog.blobs_at(info, pairs)
    assert replay.blobs_at(pairs) == expected
    assert len(expected) > 12  # records, attachments, a link, files outside records/
    files = [(c, p) for c, p in pairs if p != PATHS[3]]
    assert files_at(info, files) == {k: v for k, v in expected.items() if k[1] != PATHS[3]}


def test_replay_asks_git_once_history_has_a_merge(tmp_path: Path) -> None:
    _history(tmp_path)
    _git(tmp_path, "checkout", "-q", "-b", "side", "HEAD~2")
    _write(tmp_path, PATHS[2], "pdf on the side")
    _commit(tmp_path, "side")
    _git(tmp_path, "checkout", "-q", "main")
    _git(tmp_path, "merge", "-q", "--no-edit", "-s", "ours", "side")
    info = gitlog.probe(tmp_path)
    replay = gitlog.Replay(info, gitlog.read_log(info))
    assert not replay.linear
    pairs = _every_pair(info)
    assert replay.blobs_at(pairs) == gitlog.blobs_at(info, pairs)


MOVED = "records/complaints/2027/CC-2026-0001.yaml"  # the same record id in another folder


def _approve(repo: Path, blob: str = "0" * 40, change: str | None = None) -> None:
    if change is not None:
        _write(repo, change, f"changed by an approval {change}")
    _commit(repo, f"Review\n\nApproval: review\nRecord: CC-2026-0001\nRecord-Blob: {blob}\n")


def _approvals(repo: Path) -> None:
    """Approvals between every kind of change of the record's file: added, changed, removed,
    back, moved to another folder (same id), changed by the approval commit itself."""
    _git(repo, "init", "-q", "-b", "main")
    _approve(repo)  # before the record exists
    _write(repo, PATHS[0], "kind: complaint\n")
    _commit(repo, "first")
    _approve(repo)
    _write(repo, PATHS[0], "kind: complaint\nv: 2\n")
    _commit(repo, "second")
    _approve(repo, change=PATHS[0])
    _approve(repo, change="docs/note.txt")
    (repo / PATHS[0]).unlink()
    _commit(repo, "removed")
    _approve(repo)
    _write(repo, PATHS[0], "kind: complaint\nv: 3\n")
    _commit(repo, "back")
    _git(repo, "mv", PATHS[0].rsplit("/", 1)[0], MOVED.rsplit("/", 1)[0])
    _commit(repo, "moved")
    _approve(repo)
    _write(repo, MOVED, "kind: complaint\nv: 4\n")
    _commit(repo, "changed where it is now")
    _approve(repo)


def _approval_pairs(timelines: dict[str, gitlog.Timeline]) -> list[tuple[str, str]]:
    return [(e.commit.id, e.path) for t in timelines.values() for e in t.events
            if isinstance(e, gitlog.ApprovalEvent) and e.path is not None]


def test_the_blobs_at_approvals_from_the_timelines_are_gits(tmp_path: Path) -> None:
    _approvals(tmp_path)
    info = gitlog.probe(tmp_path)
    commits = gitlog.read_log(info)
    timelines = gitlog.timelines(commits)
    pairs = _approval_pairs(timelines)
    assert {p for _, p in pairs} == {PATHS[0], MOVED}
    replay = gitlog.Replay(info, commits)
    found = replay.approved(timelines.values())
    assert "changes" not in vars(replay)  # the log's changes by path were not needed
    assert found == gitlog.blobs_at(info, pairs) == replay.blobs_at(pairs)
    assert len(found) == 5


def test_the_timelines_say_nothing_of_a_history_with_a_merge(tmp_path: Path) -> None:
    _approvals(tmp_path)
    _git(tmp_path, "checkout", "-q", "-b", "side", "HEAD~2")
    _write(tmp_path, "docs/side.txt", "side")
    _commit(tmp_path, "side")
    _git(tmp_path, "checkout", "-q", "main")
    _git(tmp_path, "merge", "-q", "--no-edit", "side")
    info = gitlog.probe(tmp_path)
    commits = gitlog.read_log(info)
    assert gitlog.Replay(info, commits).approved(gitlog.timelines(commits).values()) is None


FLAT = "records/complaints/CC-2026-0001.yaml"  # sorts after PATHS[0]: "2026/" comes first


def test_a_move_to_a_path_that_sorts_first_leaves_the_record_there(tmp_path: Path) -> None:
    """The move's deletion of the old path is the commit's last change of the record: the
    record is where the file was added, and its blob at each approval is git's."""
    _git(tmp_path, "init", "-q", "-b", "main")
    _write(tmp_path, FLAT, "kind: complaint\n")
    _commit(tmp_path, "flat")
    _approve(tmp_path)
    (tmp_path / PATHS[0]).parent.mkdir()
    _git(tmp_path, "mv", FLAT, PATHS[0])
    _commit(tmp_path, "into its year's folder")
    _approve(tmp_path)
    info = gitlog.probe(tmp_path)
    commits = gitlog.read_log(info)
    assert [f.status for f in commits[-2].files] == ["A", "D"]  # the deletion last
    timelines = gitlog.timelines(commits)
    assert timelines["CC-2026-0001"].path == PATHS[0]
    pairs = _approval_pairs(timelines)
    assert [p for _, p in pairs] == [FLAT, PATHS[0]]
    found = gitlog.Replay(info, commits).approved(timelines.values())
    assert found == gitlog.blobs_at(info, pairs)
    assert len(found) == 2


def test_one_id_at_two_paths_is_the_file_approve_finds(tmp_path: Path) -> None:
    """Two files of one id added in one commit (validate's duplicate-id): the record is the
    one ``locate`` finds first (a folder's files before its subfolders'), which ``approve``
    approves, whatever the order of git's changes."""
    _git(tmp_path, "init", "-q", "-b", "main")
    _write(tmp_path, PATHS[0], "kind: complaint\nv: 1\n")
    _write(tmp_path, FLAT, "kind: complaint\nv: 2\n")
    _commit(tmp_path, "twice")
    _approve(tmp_path)
    info = gitlog.probe(tmp_path)
    assert display_path(tmp_path, locate(tmp_path, "CC-2026-0001") or tmp_path) == FLAT
    commits = gitlog.read_log(info)
    assert [f.path for f in commits[-2].files] == [PATHS[0], FLAT]
    reordered = [replace(c, files=c.files[::-1]) for c in commits]
    for history in (commits, reordered):
        timelines = gitlog.timelines(history)
        pairs = _approval_pairs(timelines)
        assert [p for _, p in pairs] == [FLAT]
        found = gitlog.Replay(info, history).approved(timelines.values())
        assert found == gitlog.blobs_at(info, pairs) != {}
