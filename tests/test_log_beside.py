"""The whole log read as two git processes side by side (``read_log(..., meanwhile=...)``:
the messages, then each commit's changes, for ``verify``): the same commits as the one pass,
on real repositories with a merge, deletions, files outside the records, odd names and a
records repository in a subfolder; the contents the messages name read while git works."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, GitRepo, complaint, released_a

from qmsdoc.errors import GitError
from qmsdoc.git import cmd as gitcmd
from qmsdoc.git import log as gitlog
from qmsdoc.history import blobs


def both_ways(root: Path) -> tuple[list[gitlog.Commit], list[bytes]]:
    info = gitlog.probe(root)
    seen: list[bytes] = []
    one = gitlog.read_log(info)
    beside = gitlog.read_log(info, meanwhile=seen.append)
    assert beside == one
    assert [c.other_files for c in beside] == [c.other_files for c in one]
    assert [[f.mode for f in c.files] for c in beside] == [[f.mode for f in c.files] for c in one]
    assert len(seen) == 1
    return one, seen


def test_the_two_passes_give_the_one_pass_log(git_repo: GitRepo) -> None:
    released_a(git_repo)
    approved = git_repo.blob()
    git_repo.git("checkout", "-q", "-b", "side", "HEAD~2")
    git_repo.commit("zhao.lei", "Attachment", {"records/attachments/CC-2026-0001/照片 1.txt": "x",
                                               "notes/readme.txt": "outside the records"})
    git_repo.commit("zhao.lei", "Title", {COMPLAINT_PATH: complaint().replace("支架开裂\n",
                                                                                 "支架断裂\n")})
    git_repo.git("checkout", "-q", "main")
    git_repo.commit("li.ming", "Description", {COMPLAINT_PATH: complaint("变更")})
    git_repo.git("merge", "-q", "--no-edit", "side")
    git_repo.commit("li.ming", "Second\n\nodd \x1e message\tline", {
        "records/complaints/2026/CC-2026-0002.yaml": complaint(record_id="CC-2026-0002")})
    git_repo.git("rm", "-q", "records/complaints/2026/CC-2026-0002.yaml")
    git_repo.commit("li.ming", "Remove CC-2026-0002")
    commits, seen = both_ways(git_repo.root)
    assert any(len(c.parents) == 2 and c.files for c in commits)  # the merge's changes
    assert any(c.other_files == ("notes/readme.txt",) for c in commits)
    assert any(f.status == "D" for c in commits for f in c.files)
    # the messages handed over name the approved content
    assert blobs.named_in(seen[0]) == [approved]


def test_a_records_repository_in_a_subfolder(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "Outer file", {"other/x.txt": "x"})
    sub = git_repo.root / "sub"
    sub.mkdir()
    git_repo.write("sub/qmsdoc.yaml", (git_repo.root / "qmsdoc.yaml").read_text("utf-8"))
    git_repo.commit("li.ming", "Records in sub/", {f"sub/{COMPLAINT_PATH}": complaint(),
                                                   "sub/records/x.txt": "y"})
    commits, _seen = both_ways(sub)
    assert [f.path for c in commits for f in c.files] == [COMPLAINT_PATH, "records/x.txt"]


def test_verify_reads_the_log_beside_and_prints_the_same(git_repo: GitRepo,
                                                         monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    released_a(git_repo)
    git_repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    git_repo.forge("mallory", "review")
    git_repo.forge("wang.fang", "approve", blob=git_repo.blob(rev="HEAD~2"))
    beside = git_repo.cli("verify", "--no-cache")
    calls: list[str] = []
    real = gitlog.read_log

    def one_pass(info: gitlog.RepoInfo, rev: str = "HEAD", path: str | None = None,
                 under: str = gitlog.RECORDS_PREFIX, meanwhile: object = None
                 ) -> list[gitlog.Commit]:
        calls.append(rev)
        return real(info, rev, path, under)

    monkeypatch.setattr(gitlog, "read_log", one_pass)
    single = git_repo.cli("verify", "--no-cache")
    assert calls
    assert (beside.exit_code, beside.lines) == (single.exit_code, single.lines)
    assert any("is not in the roster" in line for line in beside.lines)


def test_named_in_reads_full_blob_ids_only() -> None:
    messages = (b"\x1eabc\x00Approve\n\nApproval: approve\nRecord: CC-1\n"
                b"Record-Blob: " + b"a" * 40 + b"\n\x00"
                b"x\n\nrecord-blob:\t" + b"b" * 64 + b"\nRecord-Blob: " + b"c" * 39 + b"\n"
                b"Record-Blob: " + b"a" * 40 + b"\n")
    assert blobs.named_in(messages) == ["a" * 40, "b" * 64]


def test_prefetch_is_a_hint(git_repo: GitRepo) -> None:
    released_a(git_repo)
    info = gitlog.probe(git_repo.root)
    blob = git_repo.blob()
    blobs.prefetch(info, ["0" * 40, blob], "nothing-derived")  # a missing blob is skipped
    assert blobs.records(info, [blob])[blob]["id"] == "CC-2026-0001"


def test_a_started_query_reports_git_errors_as_run_does(git_repo: GitRepo) -> None:
    started = gitcmd.start(git_repo.root, "log", "--format=%H", "no-such-revision")
    with pytest.raises(GitError) as caught:
        started.result()
    with pytest.raises(GitError) as ran:
        gitcmd.run(git_repo.root, "log", "--format=%H", "no-such-revision")
    assert str(caught.value) == str(ran.value)
    running = gitcmd.start(git_repo.root, "log", "--format=%H")
    running.stop()
    assert gitcmd.start(git_repo.root, "rev-parse", "HEAD").result().decode().strip() \
        == git_repo.head()
    with pytest.raises(ValueError):
        gitcmd.start(git_repo.root, "commit", "-m", "x")
    assert subprocess.run(["git", "-C", str(git_repo.root), "status", "--porcelain"],
                          capture_output=True, text=True).stdout == ""


def test_objects_read_as_git_writes_them_equal_one_batch(git_repo: GitRepo) -> None:
    released_a(git_repo)
    git_repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更"),
                                          "records/attachments/CC-2026-0001/空.txt": ""})
    info = gitlog.probe(git_repo.root)
    tree = git_repo.git("rev-parse", "HEAD^{tree}")
    empty = git_repo.blob("records/attachments/CC-2026-0001/空.txt")
    ids = [git_repo.blob(), "0" * 40, git_repo.blob(rev="HEAD~1"), tree, empty, "nonsense"]
    assert dict(gitlog.iter_objects(info, ids)) == gitlog.read_objects(info, ids)
    assert dict(gitlog.iter_objects(info, ids, "tree")) == gitlog.read_objects(info, ids, "tree")
    assert dict(gitlog.iter_objects(info, ids))[empty] == b""
    assert list(gitlog.iter_objects(info, [])) == []
    first = next(gitlog.iter_objects(info, ids))  # a reader that stops early ends git
    assert first == (git_repo.blob(), gitlog.read_blobs(info, [git_repo.blob()])[first[0]])


def test_a_streamed_query_reports_git_errors_after_the_block(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="^git cat-file: "), \
            gitcmd.streamed(tmp_path, "cat-file", "--batch", input_=b"HEAD\n") as out:
        out.read()
    with pytest.raises(ValueError), gitcmd.streamed(tmp_path, "commit", input_=b""):
        pass


class _Interrupted(Exception):
    pass


def test_a_started_query_ends_when_waiting_for_it_is_interrupted(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # SIGTERM raises in the main thread (cli/app.py) while verify waits for the changes pass:
    # the git of that pass must not run on, orphaned, into its unnamed temporary file
    # (``run`` kills its git on any exception: subprocess.run does)
    import os
    import signal

    slow = tmp_path / "bin" / "git"
    slow.parent.mkdir()
    slow.write_text("#!/bin/sh\nexec sleep 30\n", "utf-8")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", f"{slow.parent}{os.pathsep}{os.environ['PATH']}")
    started = gitcmd.start(tmp_path, "log", "--raw")
    pid = started._proc.pid  # noqa: SLF001 - the process is what is looked at

    def interrupt(signum: int, frame: object) -> None:
        raise _Interrupted

    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(_Interrupted):
            started.result()
        try:
            ended = started._proc.wait(timeout=2)  # noqa: SLF001
        except subprocess.TimeoutExpired:
            ended = None
        assert ended is not None, f"git (pid {pid}) still running after the interruption"
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        started._proc.kill()  # noqa: SLF001
        started._proc.wait()  # noqa: SLF001


def test_passes_that_disagree_give_the_one_pass_log(git_repo: GitRepo,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # a commit in one pass and not the other (a ref moved, a shallow file rewritten between
    # the two): the log is read again in one pass, never joined with a commit's changes
    # missing
    released_a(git_repo)
    git_repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    info = gitlog.probe(git_repo.root)
    one = gitlog.read_log(info)
    real = gitcmd.start

    def older(repo: Path, *args: str, **kwargs: object) -> gitcmd.Started:
        return real(repo, *args[:-1], f"{args[-1]}~1", **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(gitcmd, "start", older)
    assert gitlog.read_log(info, meanwhile=lambda _: None) == one


def test_a_content_too_big_for_a_record_is_not_held(git_repo: GitRepo) -> None:
    # any commit message may name any blob (Record-Blob: of a video attachment): the prefetch
    # must not read hundreds of MB into memory to find it is no record
    git_repo.commit("li.ming", "Video", {"records/attachments/CC-2026-0001/v.bin": "x" * (1 << 20 | 1),
                                         COMPLAINT_PATH: complaint()})
    info = gitlog.probe(git_repo.root)
    big, small = git_repo.blob("records/attachments/CC-2026-0001/v.bin"), git_repo.blob()
    assert dict(gitlog.iter_objects(info, [big, small, big], largest=1 << 20)) == {
        big: None, small: gitlog.read_blobs(info, [small])[small]}
    assert blobs.records(info, [big])[big] is None  # as before: parse refuses it (too big)
