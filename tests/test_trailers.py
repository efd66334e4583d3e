"""The index of approval trailers (git/trailers.py) that ``history ID`` reads instead of every
commit message: the same output as the walk without it, cold, warm, after new commits, after
a rewritten history; a damaged or forged index is harmless."""

from __future__ import annotations

from pathlib import Path

import cachedamage
import pytest
from gitrepo import COMPLAINT_PATH, GitRepo, complaint, history_outputs, released_a

from qmsdoc import cachefile
from qmsdoc import config as qconfig
from qmsdoc.git import trailers
from qmsdoc.history.states import record_state

INDEX = Path(".git") / "qmsdoc" / trailers.FILE


def outputs(repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """``history`` as text and JSON, after checking the run without any cache gives the same."""
    return history_outputs(repo, monkeypatch, ("off", None), english=False)


def test_names_match_the_git_search() -> None:
    message = "Review\n\nApproval: review\nRecord:  CC-2026-0001 \t\nRecord-Blob: ab\n"
    assert trailers.names(message) == {"cc-2026-0001"}
    assert trailers.names("x\n\napproval: approve\nrecord:qmsdoc.yaml\n") == {"qmsdoc.yaml"}
    assert trailers.names("x\n\nRecord: CC-2026-0001\n") == set()  # no Approval line
    assert trailers.names("x\n\n Approval: review\nRecord: CC-2026-0001\n") == set()
    assert trailers.names("x\n\nApproval: review\nRecord: CC-2026-0001 extra\n") == \
        {"cc-2026-0001 extra"}


def test_cold_warm_and_new_commits_agree(git_repo: GitRepo,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    first = outputs(git_repo, monkeypatch)
    assert (git_repo.root / INDEX).is_file()
    assert "批准 Approved   孙立" in first[0]
    # new commits after the index's tip: only they are read, the output follows
    git_repo.commit("zhao.lei", "Add the claim", {COMPLAINT_PATH: complaint("支架开裂，客户索赔。")})
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    assert git_repo.approve("sun.li", "approve").exit_code == 0
    second = outputs(git_repo, monkeypatch)
    assert second != first and "revision B" in second[0]
    tip, index = cachefile.load(git_repo.root / INDEX, trailers.KIND, trailers.__version__)
    assert tip == git_repo.head() and len(index["cc-2026-0001"]) == 4


def test_a_rewritten_history_is_read_again(git_repo: GitRepo,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    outputs(git_repo, monkeypatch)
    # the approval is dropped and made again by someone else: the old one is not reachable
    git_repo.git("reset", "-q", "--hard", "HEAD~1")
    assert git_repo.approve("sun.li", "approve").exit_code == 0
    text, _ = outputs(git_repo, monkeypatch)
    assert text.count("批准 Approved") == 1
    git_repo.git("reset", "-q", "--hard", "HEAD~1")
    text, _ = outputs(git_repo, monkeypatch)
    assert "批准 Approved" not in text and "版次 A  draft" in text


@pytest.mark.parametrize("damage", ["truncate", "garble", "empty", "other-key", "wrong-shape",
                                    "option-tip"])
def test_a_damaged_index_is_ignored(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                    damage: str) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    expected = outputs(git_repo, monkeypatch)
    path = git_repo.root / INDEX
    if cachedamage.damage(path, damage):
        pass
    elif damage == "other-key":
        cachefile.save(path, trailers.KIND, "0.0.0", cachefile.load(
            path, trailers.KIND, trailers.__version__))
    elif damage == "option-tip":  # handed to git, a tip like this would be an option
        _tip, index = cachefile.load(path, trailers.KIND, trailers.__version__)
        cachefile.save(path, trailers.KIND, trailers.__version__, ("--output=x", index))
    else:
        cachefile.save(path, trailers.KIND, trailers.__version__, ("tip", ["not", "a dict"]))
    assert outputs(git_repo, monkeypatch) == expected
    assert cachefile.load(path, trailers.KIND, trailers.__version__)[0] == git_repo.head()


def test_a_forged_index_cannot_add_or_move_approvals(git_repo: GitRepo,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    git_repo.commit("li.ming", "New complaint CC-2026-0001", {COMPLAINT_PATH: complaint()})
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    expected = outputs(git_repo, monkeypatch)
    # an approval on a branch the history does not hold, and a change that is no approval
    git_repo.git("checkout", "-q", "-b", "side")
    stray = git_repo.forge("sun.li", "approve")
    git_repo.git("checkout", "-q", "main")
    path = git_repo.root / INDEX
    tip, index = cachefile.load(path, trailers.KIND, trailers.__version__)
    index["cc-2026-0001"] += [stray, git_repo.head(), "f" * 40]
    cachefile.save(path, trailers.KIND, trailers.__version__, (tip, index))
    assert outputs(git_repo, monkeypatch) == expected


def test_no_cache_folder_no_file(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                 tmp_path: Path) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    released_a(git_repo)
    assert git_repo.cli("history", "CC-2026-0001").exit_code == 0
    assert not (git_repo.root / INDEX).exists()
    unwritable = tmp_path / "file"
    unwritable.write_text("not a folder")
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(unwritable / "cache"))
    assert git_repo.cli("history", "CC-2026-0001").exit_code == 0
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "elsewhere"))
    assert git_repo.cli("history", "CC-2026-0001").exit_code == 0
    assert (tmp_path / "elsewhere" / trailers.FILE).is_file()
    assert git_repo.git("status", "--porcelain") == ""


def test_a_past_commit_leaves_the_index_of_head(git_repo: GitRepo,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    outputs(git_repo, monkeypatch)
    head = git_repo.head()
    past = git_repo.cli("render", "CC-2026-0001", "--at", "HEAD~1", "--out",
                        str(git_repo.root.parent / "out"))
    assert past.exit_code == 0
    assert cachefile.load(git_repo.root / INDEX, trailers.KIND, trailers.__version__)[0] == head


def test_without_the_cache_an_index_is_made_from_git(git_repo: GitRepo,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """What a tampered index can do (leave an approval out) and what audit-pack does against
    it: ``record_state(cache=False)`` reads the approvals from git in this process."""
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    text, _ = outputs(git_repo, monkeypatch)
    path = git_repo.root / INDEX
    tip, index = cachefile.load(path, trailers.KIND, trailers.__version__)
    cachefile.save(path, trailers.KIND, trailers.__version__, (tip, {}))
    config = qconfig.load(git_repo.root)
    assert record_state(git_repo.root, config, "CC-2026-0001").state == "draft"  # believed
    fresh = record_state(git_repo.root, config, "CC-2026-0001", cache=False)
    assert fresh.state == "released" and [r.letter for r in fresh.revisions] == ["A"]
    assert cachefile.load(path, trailers.KIND, trailers.__version__) == (tip, {})  # untouched
