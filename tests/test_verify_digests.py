"""What ``verify`` keeps of the attachments (history/coverage.py): the digest of a record
content's attachments in an approval commit, under the commit and the blob, which fix it.
A warm run, a first run and ``--no-cache`` print the same; a kept value that is not a
digest is computed again; a new commit's approvals are computed, not looked up. Also the
approval events built without ``__init__`` (git/log.py) and the modules verify loads."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, GitRepo
from test_integrity_approvals import PHOTO, with_photo
from test_verify_cache import CACHE, same_three_ways

from qmsdoc import cachefile
from qmsdoc import config as qconfig
from qmsdoc.git import log as gitlog
from qmsdoc.history import blobs, coverage
from qmsdoc.schema import SchemaStore

FORGED = "does not cover the record's attachments as they are in this commit"


def photo_history(repo: GitRepo) -> str:
    """A record released with a photo, the photo swapped, then a hand-made review that names
    the record's blob with the old photo's digest: the forged review's commit id."""
    repo.commit("li.ming", "New complaint with a photo",
                {COMPLAINT_PATH: with_photo(), PHOTO: "photo one"})
    assert repo.approve("wang.fang", "review").exit_code == 0
    assert repo.approve("sun.li", "approve").exit_code == 0
    repo.commit("li.ming", "Swap the photo", {PHOTO: "photo two"})
    old = repo.git("log", "-1", "--format=%B", "HEAD~1")
    digest = next(line.split(": ", 1)[1] for line in old.splitlines()
                  if line.startswith("Attachments:"))
    message = (f"Review CC-2026-0001\n\nApproval: review\nRecord: CC-2026-0001\n"
               f"Record-Blob: {repo.blob()}\nAttachments: {digest}\n")
    repo.git("commit", "-q", "--allow-empty", "-m", message, who="wang.fang",
             at=repo.next_date())
    return repo.git("rev-parse", "HEAD")


def kept(repo: GitRepo) -> tuple[Path, str, dict[str, dict[str, object]]]:
    """The derived values file, its key and what it holds."""
    path = repo.root / CACHE / blobs.FILE
    key = path.read_bytes().split(b" ")[1].decode()
    saved = cachefile.load(path, blobs.KIND, key)
    assert isinstance(saved, dict)
    return path, key, saved


def test_the_digests_are_kept_and_every_run_prints_the_same(git_repo: GitRepo,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    forged = photo_history(git_repo)
    lines = same_three_ways(git_repo)
    assert any(line.startswith(forged[:12]) and FORGED in line for line in lines)
    _path, _key, saved = kept(git_repo)
    digests = saved[f"{coverage.DIGESTS}:"]
    assert f"{forged} {git_repo.blob()}" in digests
    info = gitlog.probe(git_repo.root)
    blobs.keep(None, "")  # nothing kept: each digest from git's trees
    for pair, value in digests.items():
        commit, blob = pair.split(" ")
        assert value == coverage.digests_at(info, [(commit, blob)])[(commit, blob)]
    assert any(value for value in digests.values())


@pytest.mark.parametrize("odd", ["sha256:0", 7, None, "sha256:" + "A" * 64, ["sha256:"]])
def test_a_kept_value_that_is_not_the_digest_is_computed_again(
        git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, odd: object) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    forged = photo_history(git_repo)
    expected = git_repo.cli("verify")
    path, key, saved = kept(git_repo)
    pair = f"{forged} {git_repo.blob()}"
    right = saved[f"{coverage.DIGESTS}:"][pair]
    assert isinstance(right, str) and right.startswith("sha256:")
    saved[f"{coverage.DIGESTS}:"][pair] = odd
    cachefile.save(path, blobs.KIND, key, saved)
    again = git_repo.cli("verify")
    assert (again.exit_code, again.lines) == (expected.exit_code, expected.lines)
    assert kept(git_repo)[2][f"{coverage.DIGESTS}:"][pair] == right  # computed and kept again


def test_a_new_approval_is_computed_not_looked_up(git_repo: GitRepo,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    photo_history(git_repo)
    git_repo.cli("verify")
    git_repo.commit("li.ming", "A third photo", {PHOTO: "photo three"})
    after = git_repo.approve("wang.fang", "review")
    assert after.exit_code == 0, after.stderr
    lines = same_three_ways(git_repo)
    assert not any(line.startswith(git_repo.git("rev-parse", "HEAD")[:12]) for line in lines)


def test_the_key_follows_the_configuration(git_repo: GitRepo) -> None:
    config = qconfig.load(git_repo.root)
    key = blobs.fingerprint(config, SchemaStore())
    assert key == blobs.fingerprint(qconfig.load(git_repo.root), SchemaStore())
    limits = {**config.data.get("limits", {}), "max_record_bytes": 1000}
    other = dataclasses.replace(config, data={**config.data, "limits": limits})
    assert blobs.fingerprint(other, SchemaStore()) != key


def test_an_approval_event_built_without_init_equals_one_built_with_it(
        git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint with a photo",
                    {COMPLAINT_PATH: with_photo(), PHOTO: "photo one"})
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    info = gitlog.probe(git_repo.root)
    commit = gitlog.read_log(info)[-1]
    made = gitlog.approval_event(commit, "review", "CC-2026-0001", "a" * 40, COMPLAINT_PATH,
                                 ("p",), "sha256:" + "0" * 64)
    assert made == gitlog.ApprovalEvent(commit, "review", "CC-2026-0001", "a" * 40,
                                        COMPLAINT_PATH, ("p",), "sha256:" + "0" * 64)
    assert hash(made) == hash(gitlog.ApprovalEvent(commit, "review", "CC-2026-0001", "a" * 40,
                                                   COMPLAINT_PATH, ("p",),
                                                   "sha256:" + "0" * 64))
    assert made.content == f"{'a' * 40}+sha256:{'0' * 64}"


def test_verify_loads_no_process_pool_and_no_validation_modules() -> None:
    code = ("import sys, qmsdoc.cli.app, qmsdoc.history.verify, qmsdoc.views.verify; "
            "print(' '.join(sorted(m for m in sys.modules if m.startswith(("
            "'multiprocessing', 'concurrent', 'qmsdoc.checks.factcache', "
            "'qmsdoc.checks.crossref', 'qmsdoc.parallel')))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == []
