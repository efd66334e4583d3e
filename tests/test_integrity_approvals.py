"""Issue 13: the attacks of a hostile insider on approvals, each refused or reported with one
clear line, on real git repositories (SSH signing offline, GPG with a throwaway keyring)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from gitrepo import (
    COMPLAINT_PATH,
    CONFIG,
    PEOPLE,
    GitRepo,
    complaint,
    make,
    public_key,
    released_a,
    ssh_keygen,
)

from qmsdoc import config as qconfig
from qmsdoc.history.approve import approve
from qmsdoc.history.policy import ssh_fingerprint
from qmsdoc.schema import SchemaStore

WANG = "王芳 <wang.fang@example.com>"
SUN = "孙立 <sun.li@example.com>"


def violation(commit: str, action: str, who: str, problem: str,
              record_id: str = "CC-2026-0001") -> str:
    return f"{commit[:12]} {record_id} {action} by {who}: {problem}"


def test_a_commit_made_under_another_authors_name_still_counts_its_committer(
        created: GitRepo) -> None:
    # wang.fang commits her edit as author 李明, then tries to review it
    created.write(COMPLAINT_PATH, complaint("王芳改的"))
    created.git("add", "-A")
    created.git("commit", "-q", "--author=李明 <li.ming@example.com>", "-m", "Edit",
                who="wang.fang")
    edit = created.head()
    result = created.approve("wang.fang", "review")
    assert result.stderr == (
        f"qmsdoc: CC-2026-0001: self-approval: 王芳 authored a change since the previous "
        f"release ({edit[:12]} Edit); 审核人员不应审核其自身工作\n")
    forged = created.forge("wang.fang", "review")
    assert created.cli("verify").lines[0].startswith(f"{forged[:12]} CC-2026-0001 review by "
                                                     f"{WANG}: self-approval")


def test_a_change_by_an_identity_not_in_the_roster_blocks_the_release(
        created: GitRepo) -> None:
    PEOPLE["stranger"] = ("王芳", "wangfang@gmail.example")
    try:
        edit = created.commit("stranger", "Edit from home",
                              {COMPLAINT_PATH: complaint("外部邮箱修改")})
    finally:
        del PEOPLE["stranger"]
    result = created.approve("wang.fang", "review")
    assert result.stderr == (
        f"qmsdoc: CC-2026-0001: a change since the previous release ({edit[:12]}) was made by "
        "王芳 <wangfang@gmail.example>, who is not in the roster: this content cannot be "
        "released (add that e-mail to the person's emails: in the roster, or have a roster "
        "person commit the change again)\n")


def test_lower_case_trailers_are_read_alike_by_every_command(created: GitRepo) -> None:
    blob = created.blob()
    created.git("commit", "-q", "--allow-empty", "-m",
                f"review\n\napproval: review\nrecord: CC-2026-0001\nrecord-blob: {blob}\n",
                who="wang.fang")
    again = created.approve("wang.fang", "review")
    assert again.stderr == "qmsdoc: CC-2026-0001: 王芳 already gave the review of this content\n"
    assert created.approve("sun.li", "approve").exit_code == 0
    assert created.cli("history", "CC-2026-0001").lines[0] == (
        "CC-2026-0001  版次 A  released (已发布)")
    assert created.cli("verify").lines[0] == (
        "2 approval(s) of 1 record(s) checked, 0 violation(s)")


def test_an_approval_commit_that_changes_a_file_does_not_count(created: GitRepo) -> None:
    assert created.approve("wang.fang", "review").exit_code == 0
    created.write("templates/complaint.docx", "x")
    created.git("add", "-A")
    created.git("commit", "-q", "-m",
                f"Approve\n\nApproval: approve\nRecord: CC-2026-0001\n"
                f"Record-Blob: {created.blob()}\n", who="sun.li")
    forged = created.head()
    lines = created.cli("verify").lines
    assert lines[0] == violation(forged, "approve", SUN, "an approval commit must change no "
                                 "file, this one changes templates/complaint.docx")
    assert created.cli("history", "CC-2026-0001").lines[0] == "CC-2026-0001  版次 A  draft (草稿)"


def test_approve_takes_a_path(created: GitRepo) -> None:
    result = created.approve("wang.fang", "review", record_id=COMPLAINT_PATH)
    assert result.exit_code == 0, result.stderr
    assert "Record: CC-2026-0001\n" in created.git("log", "-1", "--format=%B")
    assert created.cli("verify").exit_code == 0


def test_approve_refuses_a_detached_head(created: GitRepo) -> None:
    created.git("switch", "-q", "--detach")
    result = created.approve("wang.fang", "review")
    assert (result.exit_code, result.stderr) == (1, (
        "qmsdoc: CC-2026-0001: HEAD is detached (no branch): the approval commit would be lost "
        "on the next checkout; git switch <branch> first\n"))


def test_the_approver_is_author_and_committer(created: GitRepo) -> None:
    for key, value in created.identity("wang.fang", "2026-11-05T09:00:00+08:00").items():
        created.monkeypatch.setenv(key, value)
    env = {"GIT_AUTHOR_NAME": "李明", "GIT_AUTHOR_EMAIL": "li.ming@example.com"}
    cfg = qconfig.load(created.root)
    approve(created.root, cfg, SchemaStore(), "CC-2026-0001", "review", env=env)
    assert created.git("log", "-1", "--format=%an <%ae>|%cn <%ce>") == f"{WANG}|{WANG}"


def test_a_merge_that_keeps_the_released_content_is_no_draft(git_repo: GitRepo) -> None:
    released_a(git_repo)
    git_repo.git("switch", "-q", "-c", "side")
    git_repo.commit("li.ming", "Side edit", {COMPLAINT_PATH: complaint("侧分支")})
    git_repo.git("switch", "-q", "main")
    git_repo.git("merge", "-q", "-s", "ours", "--no-edit", "side", who="zhao.lei")
    lines = git_repo.cli("history", "CC-2026-0001").lines
    assert lines[0] == "CC-2026-0001  版次 A  released (已发布)"
    assert not any(line.startswith("draft") for line in lines)


def test_required_signatures_without_a_trusted_key_are_refused_before_committing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make(tmp_path, monkeypatch, CONFIG + "approvals: {require_signed: true}\n")
    repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: complaint()})
    head = repo.head()
    result = repo.approve("wang.fang", "review")
    assert (result.exit_code, result.stderr) == (1, (
        "qmsdoc: CC-2026-0001: signatures are required, but the roster gives 王芳 (wang.fang) "
        "no signing key and the trusted keys file .qmsdoc/allowed_signers does not exist: add "
        "your public key to your roster entry's signing_keys (qmsdoc keys prints the line)\n"))
    assert repo.head() == head


def test_a_failed_signing_explains_what_to_set(created: GitRepo) -> None:
    created.git("config", "gpg.format", "ssh")
    created.git("config", "user.signingkey", str(created.root / "no-such-key"))
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    result = created.approve("wang.fang", "review", "--sign")
    assert result.exit_code == 2
    assert result.stderr.startswith("qmsdoc: signing the approval commit failed (")
    assert result.stderr.endswith(
        "set a signing key: qmsdoc keys (SSH: sets gpg.format ssh and user.signingkey), or for "
        "GPG git config user.signingkey <key id>; and add the public key to your roster "
        "entry's signing_keys\n")


def test_ssh_signature_by_a_key_the_roster_does_not_give(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    mine = ssh_keygen(tmp_path, "wang.fang")
    other = ssh_keygen(tmp_path, "li.ming")
    config = CONFIG.replace("roles: [quality_manager]}", "roles: [quality_manager], "
                            f"signing_keys: ['{public_key(mine)}']}}")
    repo = make(tmp_path, monkeypatch, config)
    repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: complaint()})
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", str(other))
    forged = repo.forge("wang.fang", "review", sign=True)
    history = repo.cli("history", "CC-2026-0001").lines
    assert history[-1].endswith(f"{forged[:12]}  signed by a key not given to this person")
    repo.git("config", "user.signingkey", str(mine))
    good = repo.forge("wang.fang", "review", sign=True)
    lines = repo.cli("verify", "--require-signed").lines
    assert violation(forged, "review", WANG, f"signed with key "
                     f"{ssh_fingerprint(public_key(other))}, which the roster does not assign "
                     "to 王芳 (wang.fang)") in lines
    assert not any(line.startswith(good[:12]) for line in lines)  # her own key: counted


def _gpg_key(home: Path, name: str, email: str) -> str:
    """A throwaway GPG key without passphrase; its fingerprint."""
    env = {**os.environ, "GNUPGHOME": str(home)}
    subprocess.run(["gpg", "--batch", "--quiet", "--passphrase", "", "--quick-gen-key",
                    f"{name} <{email}>", "ed25519", "sign", "never"], check=True, env=env,
                   capture_output=True)
    out = subprocess.run(["gpg", "--batch", "--with-colons", "--list-secret-keys", email],
                         check=True, env=env, capture_output=True, text=True).stdout
    return next(line.split(":")[9] for line in out.splitlines() if line.startswith("fpr:"))


def test_gpg_signatures_are_bound_to_the_roster_person(created: GitRepo,
                                                       tmp_path: Path) -> None:
    if shutil.which("gpg") is None:
        pytest.skip("gpg is not installed")
    home = tmp_path / "gnupg"
    home.mkdir(mode=0o700)
    created.monkeypatch.setenv("GNUPGHOME", str(home))
    li = _gpg_key(home, "李明", "li.ming@example.com")
    created.git("config", "user.signingkey", li)
    review = created.forge("wang.fang", "review", sign=True)  # li.ming's key, 王芳's name
    approval = created.forge("sun.li", "approve", sign=True)
    lines = created.cli("verify", "--require-signed").lines
    for commit, action, who, person in ((review, "review", WANG, "王芳 (wang.fang)"),
                                        (approval, "approve", SUN, "孙立 (sun.li)")):
        assert violation(commit, action, who, f"signed with GPG key {li}, which the roster "
                         f"does not assign to {person}: add its fingerprint to their "
                         "signing_keys") in lines
    history = created.cli("history", "CC-2026-0001").lines
    assert history[-2].endswith(f"{review[:12]}  signed by a key not given to this person")


PHOTO = "records/attachments/CC-2026-0001/crack.png"


def with_photo(description: str = "客户来料检验发现支架开裂。") -> str:
    return complaint(description) + f"attachments:\n  - {{path: {PHOTO}, caption: 开裂}}\n"


def test_a_replaced_photo_makes_the_released_record_a_draft(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint with a photo",
                    {COMPLAINT_PATH: with_photo(), PHOTO: "photo one"})
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    assert "Attachments: sha256:" in git_repo.git("log", "-1", "--format=%B")
    assert git_repo.approve("sun.li", "approve").exit_code == 0
    assert git_repo.cli("history", "CC-2026-0001").lines[0] == (
        "CC-2026-0001  版次 A  released (已发布)")
    git_repo.write(PHOTO, "photo two")  # not committed
    lines = git_repo.cli("history", "CC-2026-0001").lines
    assert lines[0] == "CC-2026-0001  版次 B  draft (草稿)"
    assert ("note: an attachment changed since revision A was released: its approvals do not "
            "cover the attachments shown") in lines
    refused = git_repo.approve("wang.fang", "review")
    assert refused.stderr == ("qmsdoc: CC-2026-0001: an attachment of the record has "
                              "uncommitted changes; commit them first (an approval covers the "
                              "attachments)\n")
    git_repo.commit("li.ming", "Swap the photo")
    assert git_repo.cli("history", "CC-2026-0001").lines[0] == (
        "CC-2026-0001  版次 B  draft (草稿)")
    # a hand-made approval that names the record's blob but not the new photo does not count
    forged = git_repo.forge("wang.fang", "review")
    lines = git_repo.cli("verify").lines
    assert lines[0].startswith(f"{forged[:12]} CC-2026-0001 review by {WANG}: the approval "
                               "does not cover the record's attachments as they are in this "
                               "commit (Attachments: sha256:")


def test_keys_sets_up_signing_and_the_roster_key_is_trusted(created: GitRepo,
                                                          tmp_path: Path) -> None:
    if shutil.which("ssh-keygen") is None:
        pytest.skip("ssh-keygen is not installed")
    result = created.cli("keys", who="wang.fang")
    home = Path(os.environ["HOME"])
    public = home / ".ssh/qmsdoc_ed25519.pub"
    line = public.read_text(encoding="utf-8").strip()
    assert result.lines == [
        f"generated {public}; git now signs with it here (gpg.format ssh, user.signingkey); "
        "sign approvals with qmsdoc approve --sign",
        "add the key to your roster entry in qmsdoc.yaml (then a 总经理/管理者代表/文控 approves "
        "the change: qmsdoc approve qmsdoc.yaml --as approve):",
        f"  - {{key: wang.fang, …, signing_keys: ['{line}']}}"]
    assert created.git("config", "gpg.format") == "ssh"
    text = (created.root / "qmsdoc.yaml").read_text(encoding="utf-8")
    created.commit("li.ming", "王芳's signing key", {"qmsdoc.yaml": text.replace(
        "roles: [quality_manager]}", f"roles: [quality_manager], signing_keys: ['{line}']}}")})
    assert created.approve("sun.li", "approve", record_id="qmsdoc.yaml").exit_code == 0
    signed = created.approve("wang.fang", "review", "--sign")
    assert signed.exit_code == 0, signed.stderr
    history = created.cli("history", "CC-2026-0001").lines
    assert history[-1].endswith(f"{created.head()[:12]}  signed")


def test_a_missing_ssh_keygen_is_an_environment_error(created: GitRepo, tmp_path: Path) -> None:
    key = ssh_keygen(tmp_path, "wang.fang")
    created.git("config", "gpg.format", "ssh")
    created.git("config", "user.signingkey", str(key))
    forged = created.forge("wang.fang", "review", sign=True)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    (bindir / "git").symlink_to(shutil.which("git") or "git")
    created.monkeypatch.setenv("PATH", str(bindir))
    result = created.cli("verify")
    assert (result.exit_code, result.stderr) == (2, (
        f"qmsdoc: cannot check the signature of commit {forged[:12]}: ssh-keygen and gpg not "
        "installed (apt-get install openssh-client gnupg)\n"))
    signing = created.approve("sun.li", "approve", "--sign")
    assert (signing.exit_code, signing.stderr) == (2, (
        "qmsdoc: CC-2026-0001: signing needs ssh-keygen, which is not installed (apt-get "
        "install openssh-client)\n"))


def test_an_approval_merged_from_a_side_branch_releases_only_what_it_approved(
        created: GitRepo) -> None:
    approved = created.blob()
    created.git("switch", "-q", "-c", "side")
    assert created.approve("wang.fang", "review").exit_code == 0
    assert created.approve("sun.li", "approve").exit_code == 0
    created.git("switch", "-q", "main")
    change = created.commit("zhao.lei", "Unapproved change on main",
                            {COMPLAINT_PATH: complaint("主分支修改")})
    created.git("merge", "-q", "--no-edit", "side", who="zhao.lei")
    lines = created.cli("history", "CC-2026-0001").lines
    assert lines[0] == "CC-2026-0001  版次 B  draft (草稿)"
    revision_a = lines[lines.index(next(x for x in lines if x.startswith("revision A"))):]
    assert revision_a[0].endswith("New complaint CC-2026-0001")  # not the change on main
    assert f"  2026-11-0{created.day}T09:00:00+08:00  赵磊  Unapproved change on main  " \
           f"{change[:12]}" in lines
    assert created.git("rev-parse", f"{created.head()}~1:{COMPLAINT_PATH}") != approved
