"""What the verify cache keeps besides the parsed commits, on real git repositories: the
approval each commit declares (git/logcache.py), the commits git said carry no signature
(``unsigned.marshal``) and each content's latest fact dates (history/content.py). A run
with them, a run without them and ``--no-cache`` print the same; a damaged or odd-shaped
file is ignored; nothing kept is a judgment (the signatures of signed commits, the dates
against the release are checked every run)."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import cachedamage
import pytest
from gitrepo import (
    COMPLAINT,
    COMPLAINT_PATH,
    CONFIG,
    GitRepo,
    Result,
    complaint,
    make,
    public_key,
    released_a,
    ssh_keygen,
)
from gitrepo import date as day
from test_verify_cache import CACHE, same_three_ways

from qmsdoc import cachefile
from qmsdoc.checks.dates import Dated, latest
from qmsdoc.git import log as gitlog
from qmsdoc.git import logcache


def planted(repo: GitRepo) -> None:
    """A release, then approvals with problems of every kind the declared approval leaves
    to the message: malformed trailers, a file changed, a wrong Record-Blob, no roster."""
    released_a(repo)
    repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    repo.forge("mallory", "review")
    repo.forge("wang.fang", "approve", blob=repo.blob(rev="HEAD~2"))
    repo.git("commit", "-q", "--allow-empty", "-m", "Review twice\n\nApproval: review\n"
             "Record: CC-2026-0001\nRecord: CC-2026-0002\nRecord-Blob: "
             f"{repo.blob()}\n", who="wang.fang", at=repo.next_date())
    repo.git("commit", "-q", "--allow-empty", "-m", "Short blob\n\nApproval: approve\n"
             "Record: CC-2026-0001\nRecord-Blob: abc123\n", who="sun.li", at=repo.next_date())
    repo.write("notes.txt", "x")
    repo.git("add", "notes.txt")
    repo.git("commit", "-q", "-m", "Review with a file\n\napproval: review\n"
             f"record: CC-2026-0001\nrecord-blob: {repo.blob()}\n", who="wang.fang",
             at=repo.next_date())


def test_the_declared_approvals_are_those_of_the_messages(git_repo: GitRepo,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    planted(git_repo)
    lines = same_three_ways(git_repo)
    assert any("malformed approval" in line for line in lines)
    assert any("must change no file" in line for line in lines)
    info = gitlog.probe(git_repo.root)
    commits = gitlog.read_log(info)
    declared: logcache.Declared = {}
    kept = logcache.cached_log(info, git_repo.root / CACHE, declared=declared)
    assert [c for c in kept] == commits  # the same fields, as from git
    assert [c.subject for c in kept] == [c.subject for c in commits]
    for commit in commits:
        approval = gitlog.approval_of(commit)
        if approval is not None and approval.problems:
            assert commit.id not in declared  # parsed again, in the run's language
        else:
            assert declared[commit.id] == approval
    with_problems = [c for c in commits if c.id not in declared]
    assert len(with_problems) == 3
    assert gitlog.timelines(kept, [], declared) == gitlog.timelines(commits, [])
    assert git_repo.cli("--lang", "en", "verify").lines == \
        git_repo.cli("--lang", "en", "verify", "--no-cache").lines


def verified_once(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> Result:
    """The planted history verified once with the repository's own cache (which it writes)."""
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    planted(git_repo)
    return git_repo.cli("verify")


def saved_key(path: Path) -> str:
    """The key a cache file was saved under (its first line: kind, key, digest)."""
    return path.read_bytes().split(b" ")[1].decode()


@pytest.mark.parametrize("odd", ["int", "parts", "files", "declared", "declared-type"])
def test_a_log_entry_of_another_shape_is_ignored(git_repo: GitRepo,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 odd: str) -> None:
    expected = verified_once(git_repo, monkeypatch)
    path = git_repo.root / CACHE / logcache.FILE
    key = saved_key(path)
    entries = cachefile.load(path, logcache.KIND, key)
    cid = next(c for c, e in entries.items() if e[2])  # a commit that changed a record
    parents, texts, files, others, declared = entries[cid]
    entries[cid] = {
        "int": (parents, 7, files, others, declared),
        "parts": (parents, texts + "\0more", files, others, declared),
        "files": (parents, texts, files + "\0M", others, declared),
        "declared": (parents, texts, files, others, "review\0CC-2026-0001"),
        "declared-type": (parents, texts, files, others, ("review",)),
    }[odd]
    assert cachefile.save(path, logcache.KIND, key, entries)
    result = git_repo.cli("verify")
    assert (result.exit_code, result.lines) == (expected.exit_code, expected.lines)
    again = cachefile.load(path, logcache.KIND, saved_key(path))
    assert again is not None and again[cid] != entries[cid]  # written again from git


def test_unsigned_commits_are_kept_and_signed_ones_checked_every_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    mine = ssh_keygen(tmp_path, "wang.fang")
    other = ssh_keygen(tmp_path, "li.ming")
    config = CONFIG.replace("roles: [quality_manager]}", "roles: [quality_manager], "
                            f"signing_keys: ['{public_key(mine)}']}}")
    repo = make(tmp_path, monkeypatch, config)
    released_a(repo)
    repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", str(mine))
    good = repo.forge("wang.fang", "review", sign=True)
    repo.git("config", "user.signingkey", str(other))
    wrong = repo.forge("wang.fang", "review", sign=True)
    lines = same_three_ways(repo)
    assert lines[1].startswith("2 of 4 approval(s) unsigned")
    assert lines[2].startswith("1 of 4 approval(s) signed by a key that is not the approver's")
    info = gitlog.probe(repo.root)
    kept = logcache.unsigned(info, repo.root / CACHE)
    approvals = repo.git("log", "--format=%H", "--grep=^Approval:").split()
    assert len(approvals) == 4 and kept == set(approvals) - {good, wrong}
    for run in ("", "--require-signed"):
        warm = repo.cli("verify", *([run] if run else []))
        cold = repo.cli("verify", "--no-cache", *([run] if run else []))
        assert (warm.exit_code, warm.lines) == (cold.exit_code, cold.lines)
    # the signed commits are asked of git every run: their keys may change meanwhile
    repo.write("qmsdoc.yaml", (repo.root / "qmsdoc.yaml").read_text("utf-8").replace(
        public_key(mine), public_key(other)))
    assert repo.cli("verify").lines == repo.cli("verify", "--no-cache").lines


@pytest.mark.parametrize("damage", ["truncate", "garble", "empty", "odd"])
def test_a_damaged_unsigned_file_is_ignored(git_repo: GitRepo,
                                            monkeypatch: pytest.MonkeyPatch,
                                            damage: str) -> None:
    expected = verified_once(git_repo, monkeypatch)
    path = git_repo.root / CACHE / logcache.UNSIGNED_FILE
    if not cachedamage.damage(path, damage):
        assert cachefile.save(path, logcache.UNSIGNED_KIND, saved_key(path), {"not": "ids"})
    result = git_repo.cli("verify")
    assert (result.exit_code, result.lines) == (expected.exit_code, expected.lines)
    info = gitlog.probe(git_repo.root)
    assert logcache.unsigned(info, git_repo.root / CACHE)  # written again


def test_no_cache_keeps_no_unsigned_file(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path) -> None:
    released_a(git_repo)
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    shutil.rmtree(git_repo.root / CACHE, ignore_errors=True)
    assert git_repo.cli("verify").exit_code == 0
    assert not (git_repo.root / CACHE / logcache.UNSIGNED_FILE).exists()
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    assert git_repo.cli("verify").exit_code == 0
    assert (tmp_path / "cache" / logcache.UNSIGNED_FILE).is_file()
    assert git_repo.git("status", "--porcelain") == ""


MOMENTS = ["2026-11-04T09:00:00+08:00", "2026-11-03T23:30:00-05:00", "2026-11-04T00:00:00Z",
           "2026-11-05T00:00:00+14:00", "not a moment"]
VALUES = ["2026-11-03", "2026-11-04", "2026-11-05", "2026-W45-3", "2026-13-01",
          "2026-11-04T08:59:59+08:00", "2026-11-04T09:00:01+08:00", "2026-11-04T01:00:01Z",
          "2026-11-04T12:00:00", "2026-11-04 10:00+08:00", "garbage", ""]


def test_the_latest_facts_decide_as_all_facts_do() -> None:
    """``latest`` keeps what decides ``later_than`` for every moment: for every set of the
    values (each subset of up to three, in both orders) and moment, any fact later ==
    any of the latest later."""
    import itertools

    for size in (1, 2, 3):
        for values in itertools.permutations(VALUES, size):
            facts = [Dated(f"/f{i}", v) for i, v in enumerate(values)]
            kept = latest(facts)
            assert len(kept) <= 2 and all(f in facts for f in kept)
            for moment in MOMENTS:
                assert any(f.later_than(moment) for f in facts) == \
                    any(f.later_than(moment) for f in kept), (values, moment)
    assert latest([]) == []
    assert date.fromisoformat("2026-W45-3") and datetime.fromisoformat("2026-11-04T12:00:00")


def test_backdating_is_judged_alike_with_the_latest_facts_kept(git_repo: GitRepo,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    """Only contents whose latest facts are later than their release are read in full; a
    content released again later is judged against each release."""
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    text = COMPLAINT.format(id="CC-2026-0001", description="支架开裂。").replace(
        "2026-11-03T09:40:00+08:00", "2026-11-25T09:40:00+08:00")
    git_repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: text}, at=day(2, 9))
    git_repo.approve("wang.fang", "review", at=day(3, 9))
    git_repo.approve("sun.li", "approve", at=day(4, 9))
    lines = same_three_ways(git_repo)
    assert any("backdated content" in line for line in lines)
    git_repo.commit("li.ming", "Edit", {COMPLAINT_PATH: text + "\n"}, at=day(26, 9))
    git_repo.approve("wang.fang", "review", at=day(27, 9))
    git_repo.approve("sun.li", "approve", at=day(28, 9))
    after = same_three_ways(git_repo)
    assert sum("backdated content" in line for line in after) == 1  # only revision A
