"""`qmsdoc verify` on real git repositories: each violation, one line each, and the exit code.

Forged approvals are made by hand with `git commit`, as someone bypassing `qmsdoc approve`
would; SSH signing runs offline with keys made by ssh-keygen.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitrepo import (
    COMPLAINT_PATH,
    CONFIG,
    GitRepo,
    complaint,
    make,
    public_key,
    released_a,
    ssh_keygen,
)

from qmsdoc import config as qconfig
from qmsdoc.history.policy import ssh_fingerprint
from qmsdoc.history.states import load_states


def violation(commit: str, action: str, who: str, problem: str,
              record_id: str = "CC-2026-0001") -> str:
    return f"{commit[:12]} {record_id} {action} by {who}: {problem}"


WANG = "王芳 <wang.fang@example.com>"
SUN = "孙立 <sun.li@example.com>"


def test_a_clean_history_verifies(git_repo: GitRepo) -> None:
    released_a(git_repo)
    git_repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    result = git_repo.cli("verify")
    assert (result.exit_code, result.lines) == (
        0, ["3 approval(s) of 1 record(s) checked, 0 violation(s)",
            "3 of 3 approval(s) unsigned: names are self-declared (no identity proven; "
            "qmsdoc keys sets up signing)"])  # issue 13: the honest summary


def test_forged_committer_not_in_roster(created: GitRepo) -> None:
    assert created.approve("wang.fang", "review").exit_code == 0
    forged = created.forge("mallory", "approve")
    result = created.cli("verify")
    assert result.exit_code == 1
    assert result.lines == [
        violation(forged, "approve", "孙立 <sun.li@evil.example>",
                  "the committer 孙立 <sun.li@evil.example> is not in the roster"),
        "2 approval(s) of 1 record(s) checked, 1 violation(s)",
        "2 of 2 approval(s) unsigned: names are self-declared (no identity proven; "
        "qmsdoc keys sets up signing)",
    ]
    state = created.cli("history", "CC-2026-0001").lines
    assert state[0] == "CC-2026-0001  版次 A  draft (草稿)"  # the forgery released nothing


def test_self_approval(created: GitRepo) -> None:
    change = created.commit("wang.fang", "Tidy up", {COMPLAINT_PATH: complaint("整理")})
    forged = created.forge("wang.fang", "review")
    assert created.cli("verify").lines[0] == violation(
        forged, "review", WANG, f"self-approval: 王芳 authored a change since the previous "
        f"release ({change[:12]} Tidy up); 审核人员不应审核其自身工作")


def test_blob_mismatch(created: GitRepo) -> None:
    old = created.blob()
    created.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    forged = created.forge("wang.fang", "review", blob=old)
    result = created.cli("verify")
    assert result.lines[0] == violation(
        forged, "review", WANG, f"Record-Blob {old[:12]} is not the record's content in this "
        f"commit ({created.blob()[:12]})")
    assert result.exit_code == 1


def test_approve_before_review(created: GitRepo) -> None:
    forged = created.forge("sun.li", "approve")
    created.forge("wang.fang", "review")
    result = created.cli("verify")
    assert result.lines == [
        violation(forged, "approve", SUN,
                  "approved before the review (审核) this content needs (0 of 1)"),
        "2 approval(s) of 1 record(s) checked, 1 violation(s)",
        "2 of 2 approval(s) unsigned: names are self-declared (no identity proven; "
        "qmsdoc keys sets up signing)",
    ]


def test_no_right_for_the_kind(created: GitRepo) -> None:
    forged = created.forge("zhao.lei", "review")
    assert created.cli("verify").lines[0] == violation(
        forged, "review", "赵磊 <zhao.lei@example.com>",
        "赵磊 (zhao.lei) has no role that may review complaint records (needs one of: "
        "quality_manager)")


def test_malformed_and_dangling_approvals(created: GitRepo) -> None:
    created.git("commit", "-q", "--allow-empty", "-m",
                "Approve\n\nApproval: maybe\nRecord: CC-2026-0001\nRecord-Blob: 1234\n",
                who="sun.li")
    bad = created.head()
    dangling = created.forge("wang.fang", "review", record_id="CC-2026-0404")
    lines = created.cli("verify").lines
    assert lines[:3] == [
        violation(bad, "maybe", SUN, "malformed approval: 'Approval: maybe' (review or approve)"),
        violation(bad, "maybe", SUN,
                  "malformed approval: 'Record-Blob: 1234' is not a full blob id"),
        violation(dangling, "review", WANG, "'Record: CC-2026-0404' names no record in the "
                  "history before this commit", record_id="CC-2026-0404"),
    ]


def test_unsigned_when_signatures_are_required(git_repo: GitRepo) -> None:
    released_a(git_repo)
    review, approval = git_repo.git("rev-list", "-2", "HEAD").splitlines()[::-1]
    result = git_repo.cli("verify", "--require-signed")
    assert result.exit_code == 1
    assert result.lines == [
        violation(review, "review", WANG, "the commit is not signed (signatures are required)"),
        violation(approval, "approve", SUN,
                  "the commit is not signed (signatures are required)"),
        "2 approval(s) of 1 record(s) checked, 2 violation(s)",
        "2 of 2 approval(s) unsigned: names are self-declared (no identity proven; "
        "qmsdoc keys sets up signing)",
    ]
    assert git_repo.cli("verify").exit_code == 0  # not required by the configuration


def _signing(repo: GitRepo, tmp_path: Path, trusted: dict[str, str]) -> dict[str, Path]:
    """Keys for wang.fang, sun.li and an intruder; the allowed-signers file trusts the keys
    named in ``trusted`` (e-mail → key name)."""
    keys = {name: ssh_keygen(tmp_path, name) for name in ("wang.fang", "sun.li", "intruder")}
    repo.git("config", "gpg.format", "ssh")
    allowed = "".join(f"{email} {public_key(keys[name])}\n" for email, name in trusted.items())
    repo.commit("li.ming", "Trusted keys", {".qmsdoc/allowed_signers": allowed})
    # the keys file is part of the controlled configuration: it counts once approved
    assert repo.approve("sun.li", "approve", record_id="qmsdoc.yaml").exit_code == 0
    return keys


def _sign_as(repo: GitRepo, key: Path) -> None:
    repo.git("config", "user.signingkey", str(key))


TRUST_BOTH = {"wang.fang@example.com": "wang.fang", "sun.li@example.com": "sun.li"}


def test_signed_with_trusted_keys_verifies(created: GitRepo, tmp_path: Path) -> None:
    keys = _signing(created, tmp_path, TRUST_BOTH)
    _sign_as(created, keys["wang.fang"])
    assert created.approve("wang.fang", "review", "--sign").exit_code == 0
    _sign_as(created, keys["sun.li"])
    assert created.approve("sun.li", "approve", "--sign").exit_code == 0
    result = created.cli("verify", "--require-signed")
    assert (result.exit_code, result.lines) == (  # the keys file's approval is unsigned
        0, ["3 approval(s) of 1 record(s) checked, 0 violation(s)",
            "1 of 3 approval(s) unsigned: names are self-declared (no identity proven; qmsdoc "
            "keys sets up signing)"])
    history = created.cli("history", "CC-2026-0001").lines
    assert sum(line.endswith("  signed") for line in history) == 2
    cfg = qconfig.load(created.root)
    [state] = load_states(created.root, cfg, ids={"CC-2026-0001"}).values()
    current = state.current
    assert current is not None and current.reviewed is not None
    assert current.approved is not None and current.approved.signed and current.reviewed.signed
    unchecked = load_states(created.root, cfg, signatures=False)["CC-2026-0001"].current
    assert unchecked is not None and unchecked.approved is not None
    assert not unchecked.approved.signed


def test_signed_by_a_key_not_in_the_trusted_file(created: GitRepo, tmp_path: Path) -> None:
    keys = _signing(created, tmp_path, TRUST_BOTH)
    _sign_as(created, keys["intruder"])
    forged = created.forge("wang.fang", "review", sign=True)
    fingerprint = ssh_fingerprint(public_key(keys["intruder"]))
    lines = created.cli("verify", "--require-signed").lines
    assert lines[0] == violation(
        forged, "review", WANG, "the signature is not good: by a key that is not trusted "
        f"(not in the trusted keys file) (key {fingerprint})")


def test_signed_with_another_persons_trusted_key(created: GitRepo, tmp_path: Path) -> None:
    keys = _signing(created, tmp_path, TRUST_BOTH)
    assert created.approve("wang.fang", "review").exit_code == 0
    _sign_as(created, keys["wang.fang"])  # wang.fang's key, sun.li's name and e-mail
    forged = created.forge("sun.li", "approve", sign=True)
    fingerprint = ssh_fingerprint(public_key(keys["wang.fang"]))
    lines = created.cli("verify", "--require-signed").lines
    assert violation(
        forged, "approve", SUN, f"signed with key {fingerprint}, which the trusted keys file "
        "assigns to wang.fang@example.com, not to 孙立 <sun.li@example.com>") in lines


def test_roster_signing_keys_must_match(tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    other = ssh_keygen(tmp_path, "old")
    config = CONFIG.replace(
        "roles: [quality_manager]}",
        f"roles: [quality_manager], signing_keys: ['{public_key(other)}']}}")
    repo = make(tmp_path, monkeypatch, config)
    repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: complaint()})
    keys = _signing(repo, tmp_path, TRUST_BOTH)
    _sign_as(repo, keys["wang.fang"])
    assert repo.approve("wang.fang", "review", "--sign").exit_code == 0
    fingerprint = ssh_fingerprint(public_key(keys["wang.fang"]))
    lines = repo.cli("verify", "--require-signed").lines
    assert lines[0] == violation(
        repo.head(), "review", WANG, f"signed with key {fingerprint}, which the roster does "
        "not assign to 王芳 (wang.fang)")


def test_a_key_a_branch_adds_to_the_trusted_file_is_not_trusted(created: GitRepo,
                                                               tmp_path: Path) -> None:
    """A branch that trusts its own author's key in the repository's keys file gains nothing:
    the change is pending until qmsdoc.yaml is approved after it, and the keys approved last
    decide. CI may still pass the base branch's copy of the file (--trusted-keys)."""
    keys = _signing(created, tmp_path, {"wang.fang@example.com": "wang.fang"})
    base_copy = tmp_path / "allowed_signers.base"
    base_copy.write_text(created.git("show", "HEAD:.qmsdoc/allowed_signers") + "\n",
                         encoding="utf-8")
    trust_me = created.commit("li.ming", "Trust me", {".qmsdoc/allowed_signers": (
        f"wang.fang@example.com {public_key(keys['intruder'])}\n")})
    created.commit("li.ming", "Touch", {COMPLAINT_PATH: complaint("再改")})
    _sign_as(created, keys["intruder"])
    forged = created.forge("wang.fang", "review", sign=True)
    not_trusted = violation(forged, "review", WANG,
                            "the signature is not good: by a key that is not trusted")
    result = created.cli("verify", "--require-signed")
    assert result.exit_code == 1
    assert result.lines[0] == (
        f".qmsdoc/allowed_signers: a change of the trusted signing keys since {trust_me[:12]} "
        "is pending approval (qmsdoc approve qmsdoc.yaml --as approve); until then the keys "
        "approved last are trusted")
    assert result.lines[1].startswith(not_trusted)
    result = created.cli("verify", "--require-signed", "--trusted-keys", str(base_copy))
    assert result.exit_code == 1
    assert result.lines[1].startswith(not_trusted)
    # nobody approves a keys change they made
    created.commit("sun.li", "My key too", {".qmsdoc/allowed_signers": (
        f"sun.li@example.com {public_key(keys['intruder'])}\n")})
    refused = created.approve("sun.li", "approve", record_id="qmsdoc.yaml")
    assert (refused.exit_code, refused.stderr) == (
        1, "qmsdoc: qmsdoc.yaml: self-approval: 孙立 changed the configuration being approved\n")


def test_shallow_clone_fails_verification(git_repo: GitRepo, tmp_path: Path) -> None:
    released_a(git_repo)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{git_repo.root}",
                    str(clone)], check=True)
    git_repo.root = clone
    result = git_repo.cli("verify")
    assert result.exit_code == 1
    assert result.lines[0] == (
        "shallow clone: the history is incomplete, so approvals cannot be established "
        "(fetch the full history: git fetch --unshallow; in CI, fetch-depth: 0)")


def test_outside_git_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    repo = make(tmp_path, monkeypatch)
    plain = tmp_path / "plain"
    plain.mkdir()
    repo.root = plain
    result = repo.cli("verify")
    assert (result.exit_code, result.stderr) == (
        2, "qmsdoc: cannot check approvals: not in a git repository\n")
