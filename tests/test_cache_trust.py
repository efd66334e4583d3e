"""What the caches between runs (.git/qmsdoc) may never do: keep an answer git would now give
otherwise (a shallow clone deepened), let a local replace ref change what an approval says,
or hang or break a run through a file planted at a cache's name."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, GitRepo, complaint, released_a

from qmsdoc import cachefile
from qmsdoc.git import logcache, trailers

CACHE = Path(".git") / "qmsdoc"


def _qmsdoc(repo: GitRepo, *args: str, cache: bool = True) -> tuple[int, list[str]]:
    """``qmsdoc --repo ROOT ARGS`` in a process of its own, as every run is (the caches between
    runs are what is tested, not what one process remembers)."""
    env = dict(os.environ)
    env.pop("QMSDOC_CACHE_DIR", None)
    if not cache:
        env["QMSDOC_CACHE_DIR"] = "off"
    done = subprocess.run([sys.executable, "-m", "qmsdoc", "--repo", str(repo.root), *args],
                          capture_output=True, text=True, timeout=120, env=env)
    assert "internal error" not in done.stderr, done.stderr
    return done.returncode, done.stdout.splitlines()


def test_a_shallow_clone_keeps_no_ancestry_cache(git_repo: GitRepo, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """In a shallow clone the oldest commits it holds have no parents; once deepened (git
    fetch --unshallow, which qmsdoc's own message asks for) the same commit ids have them.
    An index or log kept from the shallow days would keep the record a draft."""
    released_a(git_repo)
    for n in range(3):
        git_repo.commit("li.ming", f"Notes {n}", {f"notes{n}.txt": "x"})
    clone = GitRepo(tmp_path / "shallow", monkeypatch)
    git_repo.git("clone", "-q", "--depth", "2", git_repo.root.as_uri(), str(clone.root))
    assert (clone.root / ".git" / "shallow").is_file()
    assert cachefile.location(clone.root, ancestry=True) is None
    assert cachefile.location(clone.root) == clone.root / CACHE  # content caches stay
    shallow = _qmsdoc(clone, "history", "CC-2026-0001")
    assert shallow == _qmsdoc(clone, "history", "CC-2026-0001", cache=False)
    _qmsdoc(clone, "verify")
    assert not (clone.root / CACHE / trailers.FILE).exists()
    assert not (clone.root / CACHE / logcache.FILE).exists()
    clone.git("fetch", "-q", "--unshallow")
    deepened = _qmsdoc(clone, "history", "CC-2026-0001")
    assert deepened == _qmsdoc(clone, "history", "CC-2026-0001", cache=False)
    assert deepened[1][0] == "CC-2026-0001  版次 A  released (已发布)"
    assert (clone.root / CACHE / trailers.FILE).is_file()  # deepened: kept again
    verified = _qmsdoc(clone, "verify")
    assert verified == _qmsdoc(clone, "verify", "--no-cache")
    assert verified[1][0] == "2 approval(s) of 1 record(s) checked, 0 violation(s)"


def test_a_replace_ref_does_not_clean_an_approval(git_repo: GitRepo,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """An approval by someone outside the roster, "replaced" locally (git replace) by a copy
    made in the general manager's name: verify, with or without its cache, and history
    still judge the commit the history holds."""
    git_repo.commit("li.ming", "New complaint CC-2026-0001", {COMPLAINT_PATH: complaint()})
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    bad = git_repo.forge("mallory", "approve")
    before = git_repo.cli("verify", "--no-cache")
    assert before.exit_code == 1
    history = git_repo.cli("history", "CC-2026-0001").lines
    message = git_repo.git("log", "-1", "--format=%B", bad)
    tree, parent = git_repo.git("rev-parse", f"{bad}^{{tree}}", f"{bad}^").splitlines()
    env = {**os.environ, **git_repo.identity("sun.li", "2026-11-20T09:00:00+08:00")}
    clean = subprocess.run(["git", "commit-tree", tree, "-p", parent, "-m", message],
                           cwd=git_repo.root, env=env, capture_output=True, text=True,
                           check=True).stdout.strip()
    git_repo.git("replace", bad, clean)
    assert git_repo.git("log", "-1", "--format=%ae", bad) == "sun.li@example.com"  # git's view
    for options in ((), ("--no-cache",)):
        after = git_repo.cli("verify", *options)
        assert (after.exit_code, after.lines) == (1, before.lines)
    assert git_repo.cli("history", "CC-2026-0001").lines == history


def test_a_file_planted_at_a_caches_name_reads_as_no_cache(git_repo: GitRepo,
                                                           tmp_path: Path) -> None:
    """A FIFO would block a plain read for ever, a link to /dev/zero fill the memory: each
    reads as no cache, and the run reads git."""
    released_a(git_repo)
    folder = git_repo.root / CACHE
    folder.mkdir(parents=True, exist_ok=True)
    fifo = folder / trailers.FILE
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    zero = folder / logcache.FILE
    zero.unlink(missing_ok=True)
    zero.symlink_to("/dev/zero")
    big = tmp_path / "big.marshal"
    with open(big, "wb") as handle:
        handle.truncate(cachefile.MOST_BYTES + 1)  # sparse: no disk is used
    for path in (fifo, zero, big):
        assert cachefile.load(path, trailers.KIND, "x") is None
    for command in (["history", "CC-2026-0001"], ["verify"]):
        assert _qmsdoc(git_repo, *command)[0] == 0
    assert fifo.is_fifo() or fifo.is_file()  # replaced by a real cache, or left alone


def test_a_link_to_a_device_at_a_caches_name_is_replaced_never_written_through(
        git_repo: GitRepo, tmp_path: Path) -> None:
    """Whoever can write in .git/qmsdoc must not lead a run's cache write into a device or
    make it wait on a FIFO: the entry at the cache's name is replaced, as any cache file."""
    released_a(git_repo)
    folder = git_repo.root / CACHE
    folder.mkdir(parents=True, exist_ok=True)
    target = tmp_path / "device-stand-in"
    os.mkfifo(target)  # a FIFO nobody reads: writing through it would wait for ever
    link = folder / trailers.FILE
    link.unlink(missing_ok=True)
    link.symlink_to(target)
    fifo = folder / logcache.FILE
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    assert cachefile.save(link, trailers.KIND, "x", {"a": 1})
    assert not link.is_symlink() and cachefile.load(link, trailers.KIND, "x") == {"a": 1}
    assert _qmsdoc(git_repo, "history", "CC-2026-0001")[0] == 0
    assert target.is_fifo()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the address-space cap of "
                    "template rendering is set where the system has RLIMIT_AS (Linux here)")
def test_a_cache_is_read_while_a_template_renders_under_its_memory_cap(tmp_path: Path) -> None:
    """A template compiles and renders with the process's address space capped at its size
    plus ``limits.template_memory_bytes`` (1,000 MB), while render's other threads read the
    caches of git's answers. A cache read must fit under that cap: it took a gigabyte for
    every read (read(n) reserves n bytes first), and render ended in an internal error,
    MemoryError, when the two met."""
    import threading

    from qmsdoc.render import bounded
    from qmsdoc.runlimits import RunLimits

    where = tmp_path / "cache" / "probe.marshal"
    where.parent.mkdir()
    assert cachefile.save(where, "probe", "key", {"answer": [1, 2, 3]})
    got: list[object] = []

    def read() -> None:
        try:
            got.append(cachefile.load(where, "probe", "key"))
        except MemoryError as exc:  # pragma: no cover - the failure this test is for
            got.append(exc)

    with bounded.limited(60, RunLimits().template_memory_bytes):
        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
    assert got == [{"answer": [1, 2, 3]}]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the address-space cap of "
                    "template rendering is set where the system has RLIMIT_AS (Linux here)")
def test_a_cache_too_large_for_the_memory_left_under_the_cap_is_no_cache(
        tmp_path: Path) -> None:
    """A large cache (the parsed log of a long history) read in a thread while a template
    compiles under a low ``limits.template_memory_bytes``: the memory it needs is not
    there, and that is no cache (asked of git again), never an internal error."""
    import threading

    from qmsdoc.render import bounded

    where = tmp_path / "cache" / "large.marshal"
    where.parent.mkdir()
    assert cachefile.save(where, "probe", "key", b"x" * (48 << 20))
    got: list[object] = []

    def read() -> None:
        try:
            got.append(cachefile.load(where, "probe", "key"))
        except MemoryError as exc:
            got.append(exc)

    with bounded.limited(60, 16 << 20):
        reader = threading.Thread(target=read)
        reader.start()
        reader.join()
    assert got == [None]
    assert cachefile.load(where, "probe", "key") == b"x" * (48 << 20)  # whole, without a cap
