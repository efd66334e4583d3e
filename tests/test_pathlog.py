"""The path logs kept between runs (git/pathlog.py): ``history ID`` gives the same output
with them, without them and after new commits, a damaged file is ignored, and a look at a
past commit or ``audit-pack``'s ``cache=False`` neither read nor write them."""

from __future__ import annotations

from pathlib import Path

import cachedamage
import pytest
from gitrepo import COMPLAINT_PATH, CONFIG, GitRepo, complaint, history_outputs, released_a

from qmsdoc import cachefile
from qmsdoc import config as qconfig
from qmsdoc.git import pathlog
from qmsdoc.git.log import dirty_paths, probe, read_log
from qmsdoc.history.states import record_state

FILE = Path(".git") / "qmsdoc" / pathlog.FILE


def outputs(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """``history`` as text and JSON: without any cache, then cold and warm with it (all equal)."""
    return history_outputs(repo, monkeypatch, ("off", None, None), english=True)


def story(repo: GitRepo) -> None:
    """Revision A, then ``more``."""
    released_a(repo)
    more(repo)


def more(repo: GitRepo) -> None:
    """A roster change (pending), a side branch with a new draft merged."""
    repo.commit("li.ming", "Roster: chen.jun is also a quality engineer",
                {"qmsdoc.yaml": CONFIG.replace("roles: [production_manager]",
                                               "roles: [production_manager, quality_engineer]")})
    repo.git("checkout", "-q", "-b", "side")
    repo.commit("zhao.lei", "Add the claim", {COMPLAINT_PATH: complaint("支架开裂，客户索赔。")})
    repo.git("checkout", "-q", "main")
    repo.commit("li.ming", "Unrelated", {"notes.txt": "x\n"})
    repo.git("merge", "-q", "--no-ff", "-m", "Merge side", "side")


def test_cold_warm_and_no_cache_agree(git_repo: GitRepo,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    first = outputs(git_repo, monkeypatch)
    head, entries = cachefile.load(git_repo.root / FILE, pathlog.KIND, pathlog.__version__)
    assert head == git_repo.head() and len(entries) == 3  # record, qmsdoc.yaml, keys
    more(git_repo)
    second = outputs(git_repo, monkeypatch)
    assert second != first and "pending" in second[0] + second[1]
    assert cachefile.load(git_repo.root / FILE, pathlog.KIND,
                          pathlog.__version__)[0] == git_repo.head()
    assert git_repo.git("status", "--porcelain") == ""


def test_the_kept_log_is_the_log(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    story(git_repo)
    info = probe(git_repo.root)
    folder = git_repo.root / ".git" / "qmsdoc"
    for path, under in ((COMPLAINT_PATH, "records/"), ("qmsdoc.yaml", "qmsdoc.yaml")):
        expected = read_log(info, git_repo.head(), path, under)
        assert pathlog.path_log(info, git_repo.head(), path, under, folder) == expected  # cold
        assert pathlog.path_log(info, git_repo.head(), path, under, folder) == expected  # warm
        assert pathlog.path_log(info, git_repo.head(), path, under, None) == expected


@pytest.mark.parametrize("damage", ["truncate", "garble", "other-key", "wrong-shape",
                                    "wrong-entry", "other-commit"])
def test_a_damaged_file_is_ignored(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                   damage: str) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    story(git_repo)
    expected = outputs(git_repo, monkeypatch)
    path = git_repo.root / FILE
    head, entries = cachefile.load(path, pathlog.KIND, pathlog.__version__)
    if cachedamage.damage(path, damage):
        pass
    elif damage == "other-key":
        cachefile.save(path, pathlog.KIND, "0.0.0", (head, entries))
    elif damage == "wrong-shape":
        cachefile.save(path, pathlog.KIND, pathlog.__version__, (head, ["not", "a dict"]))
    elif damage == "wrong-entry":
        bad = {name: ((1, 2), ("x",), "y") for name in entries}
        cachefile.save(path, pathlog.KIND, pathlog.__version__, (head, bad))
    else:  # the logs of another commit are not those of this one
        cachefile.save(path, pathlog.KIND, pathlog.__version__,
                       ("0" * 40, {name: () for name in entries}))
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    assert git_repo.cli("history", "CC-2026-0001").output == expected[0]
    assert cachefile.load(path, pathlog.KIND, pathlog.__version__)[0] == head


def test_a_kept_log_is_used_and_cache_false_reads_git(git_repo: GitRepo,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """What a tampered file can do (a cached run believes it) and what audit-pack does against
    it: ``record_state(cache=False)`` reads the path logs from git."""
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    outputs(git_repo, monkeypatch)
    path = git_repo.root / FILE
    head, entries = cachefile.load(path, pathlog.KIND, pathlog.__version__)
    cachefile.save(path, pathlog.KIND, pathlog.__version__,
                   (head, {name: () for name in entries}))
    config = qconfig.load(git_repo.root)
    assert record_state(git_repo.root, config, "CC-2026-0001").state != "released"  # believed
    fresh = record_state(git_repo.root, config, "CC-2026-0001", cache=False)
    assert fresh.state == "released" and [r.letter for r in fresh.revisions] == ["A"]
    assert cachefile.load(path, pathlog.KIND, pathlog.__version__) == (
        head, {name: () for name in entries})  # untouched


def test_a_past_commit_leaves_the_file(git_repo: GitRepo,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    outputs(git_repo, monkeypatch)
    before = (git_repo.root / FILE).read_bytes()
    past = git_repo.cli("render", "CC-2026-0001", "--at", "HEAD~1", "--out",
                        str(git_repo.root.parent / "out"))
    assert past.exit_code == 0
    assert (git_repo.root / FILE).read_bytes() == before


def test_a_committed_file_is_dirty_alike_without_the_untracked_search(
        git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """``dirty_paths(untracked=False)``, used when HEAD holds the file, says what the full
    ``git status`` says in every state the file can be in."""
    released_a(git_repo)
    info = probe(git_repo.root)
    file = git_repo.root / COMPLAINT_PATH

    def agree() -> bool:
        full = dirty_paths(info, COMPLAINT_PATH)
        assert dirty_paths(info, COMPLAINT_PATH, untracked=False) == full
        return COMPLAINT_PATH in full

    assert not agree()  # clean
    file.write_text(complaint("改过的描述。"), "utf-8")
    assert agree()  # changed, not staged
    git_repo.git("add", COMPLAINT_PATH)
    assert agree()  # staged
    git_repo.git("reset", "-q", "--hard")
    file.unlink()
    assert agree()  # deleted in the work tree
    git_repo.git("rm", "-q", "--cached", COMPLAINT_PATH)
    assert agree() is True  # removed from the index, the file still missing
    file.write_text(complaint(), "utf-8")
    assert agree() is True  # removed from the index: the file is untracked now
    git_repo.git("reset", "-q", "--hard")
    assert not agree()
    state = record_state(git_repo.root, qconfig.load(git_repo.root), "CC-2026-0001")
    assert state.state == "released"
    file.write_text(complaint("改过的描述。"), "utf-8")
    assert record_state(git_repo.root, qconfig.load(git_repo.root),
                        "CC-2026-0001").state == "uncontrolled"


def test_the_file_keeps_at_most_max_entries(git_repo: GitRepo,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    monkeypatch.setattr(pathlog, "MAX_ENTRIES", 3)
    released_a(git_repo)
    info = probe(git_repo.root)
    folder = git_repo.root / ".git" / "qmsdoc"
    paths = [COMPLAINT_PATH, "qmsdoc.yaml", "a.txt", "b.txt", COMPLAINT_PATH, "qmsdoc.yaml"]
    for path in paths:
        expected = read_log(info, git_repo.head(), path, path)
        assert pathlog.path_log(info, git_repo.head(), path, path, folder) == expected
        _head, entries = cachefile.load(folder / pathlog.FILE, pathlog.KIND, pathlog.__version__)
        assert len(entries) <= 3


def test_none_where_grafts_are_set(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """A grafted (or shallow) clone's log at a commit changes with its grafts: not kept."""
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    (git_repo.root / ".git" / "info").mkdir(exist_ok=True)
    (git_repo.root / ".git" / "info" / "grafts").write_text("", "utf-8")
    text = git_repo.cli("history", "CC-2026-0001")
    assert text.exit_code == 0 and "批准 Approved" in text.output
    assert not (git_repo.root / FILE).exists()
