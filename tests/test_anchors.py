"""Release anchors (issue 19): the tags `approve` writes, what `verify` reports after a
rewrite of history (filter-branch, reset), a ledger that lost entries, `qmsdoc anchor` for a
repository from before anchors, and two clones sharing a bare remote. Real git throughout."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, GitRepo, complaint, date, make, released_a
from localtsa import tsa_server

from qmsdoc.history import anchors
from qmsdoc.history.anchors import Anchor

TAG_A = "release/CC-2026-0001/A"
UNSIGNED = ("2 of 2 approval(s) unsigned: names are self-declared (no identity proven; "
            "qmsdoc keys sets up signing)")


def tag_message(repo: GitRepo, tag: str) -> str:
    return repo.git("for-each-ref", "--format=%(contents)", f"refs/tags/{tag}")


def anchor_of(repo: GitRepo, tag: str) -> Anchor:
    found = anchors.parse(tag_message(repo, tag))
    assert found is not None
    return found


def test_approve_anchors_the_release_it_makes(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint CC-2026-0001", {COMPLAINT_PATH: complaint()})
    review = git_repo.approve("wang.fang", "review")
    assert not any("anchor" in line for line in review.lines)  # no release, no anchor
    assert git_repo.git("tag", "-l") == ""
    result = git_repo.approve("sun.li", "approve")
    assert result.exit_code == 0
    assert result.lines[1:] == [
        f"release anchor: tag {TAG_A} (git push --follow-tags shares it)",
        "CC-2026-0001 is released as revision A"]
    approval = git_repo.head()
    assert git_repo.git("rev-parse", f"{TAG_A}^{{commit}}") == approval
    blob = git_repo.blob()
    assert tag_message(git_repo, TAG_A) == (
        "Release CC-2026-0001 A\n\n"
        "Record: CC-2026-0001\nRevision: A\n"
        f"Path: {COMPLAINT_PATH}\nCommit: {approval}\nRecord-Blob: {blob}\n"
        f"Review: {git_repo.git('rev-parse', 'HEAD~1')}\nApprove: {approval}\n"
        f"Released-At: {date(4)}\nPrevious: none")  # (the helper strips the last newline)
    # the tagger is the approver at the approval's time: written again, the same object
    assert git_repo.git("for-each-ref", "--format=%(taggername) %(taggerdate:iso-strict)",
                        f"refs/tags/{TAG_A}") == f"孙立 {date(4)}"
    verify = git_repo.cli("verify")
    assert (verify.exit_code, verify.lines) == (
        0, ["2 approval(s) of 1 record(s) checked, 0 violation(s)", UNSIGNED])


def test_the_next_release_follows_the_previous_anchor(git_repo: GitRepo) -> None:
    released_a(git_repo)
    git_repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    git_repo.approve("wang.fang", "review")
    git_repo.approve("sun.li", "approve")
    first, second = anchor_of(git_repo, TAG_A), anchor_of(git_repo, "release/CC-2026-0001/B")
    assert (first.previous, second.previous) == ("", first.digest)
    result = git_repo.cli("anchor")
    assert result.lines == [
        f"ledger: 2 release anchor(s), head {second.digest[:12]} (release/CC-2026-0001/B)"]


def rewrite(repo: GitRepo, old: str, new: str, *options: str) -> None:
    """filter-branch the whole history: the complaint's description becomes ``new``, and
    every message naming the old record blob names the new one (approvals made again)."""
    old_blob = repo.blob(rev=TAG_A)
    new_text = complaint(new)
    new_blob = subprocess.run(["git", "hash-object", "--stdin"], input=new_text.encode(),
                              capture_output=True, check=True, cwd=repo.root).stdout.decode()
    env = {**os.environ, "FILTER_BRANCH_SQUELCH_WARNING": "1"}
    tree = f"test ! -f {COMPLAINT_PATH} || sed -i 's/{old}/{new}/' {COMPLAINT_PATH}"
    subprocess.run(["git", "filter-branch", "-f", *options, "--tree-filter", tree,
                    "--msg-filter", f"sed 's/{old_blob}/{new_blob.strip()}/'", "HEAD"],
                   cwd=repo.root, env=env, capture_output=True, check=True)


@pytest.mark.parametrize("tags", [False, True], ids=["tags-kept", "tags-rewritten-too"])
def test_a_rewrite_that_keeps_every_approval_consistent_is_reported(git_repo: GitRepo,
                                                                     tags: bool) -> None:
    """The rewrite changes the released content and makes the trailers match it again: every
    rule of the approvals holds in the new history; only the anchor tells."""
    released_a(git_repo)
    anchored = anchor_of(git_repo, TAG_A)
    rewrite(git_repo, "客户来料检验发现支架开裂。", "客户来料检验未发现异常。",
            *(["--tag-name-filter", "cat"] if tags else []))
    review, approval = git_repo.git("rev-list", "-2", "HEAD").splitlines()[::-1]
    new_blob = git_repo.blob()
    assert new_blob != anchored.blob
    result = git_repo.cli("verify")
    moved = ([f"{TAG_A}: the tag points at {approval[:12]}, its anchor names "
              f"{anchored.commit[:12]}: the tag was moved or rewritten"] if tags else [])
    assert result.exit_code == 1
    assert result.lines == [
        *moved,
        f"{TAG_A}: history was rewritten: the anchor holds content {anchored.blob[:12]} "
        f"released in {anchored.commit[:12]} ({date(4)}), history now shows content "
        f"{new_blob[:12]} released in {approval[:12]} ({date(4)}); commit(s) "
        f"{anchored.commit[:12]}, {anchored.reviews[0][:12]} no longer in history",
        f"2 approval(s) of 1 record(s) checked, 0 violation(s), {len(moved) + 1} release "
        "anchor problem(s)",
        UNSIGNED]
    assert review != anchored.reviews[0]


def test_a_removed_approval_is_reported(git_repo: GitRepo) -> None:
    released_a(git_repo)
    anchored = anchor_of(git_repo, TAG_A)
    git_repo.git("reset", "-q", "--hard", "HEAD~1")  # the approval is gone (then force-push)
    result = git_repo.cli("verify")
    assert result.exit_code == 1
    assert result.lines[0] == (
        f"{TAG_A}: the release (content {anchored.blob[:12]} released in "
        f"{anchored.commit[:12]} ({date(4)})) was removed or rewritten: commit(s) "
        f"{anchored.commit[:12]} no longer in history")
    assert git_repo.cli("history", "CC-2026-0001").lines[0] == \
        "CC-2026-0001  版次 A  draft (草稿)"  # what history alone would show: no release


def test_a_ledger_that_lost_an_entry(git_repo: GitRepo) -> None:
    released_a(git_repo)
    git_repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    git_repo.approve("wang.fang", "review")
    git_repo.approve("sun.li", "approve")
    first = anchor_of(git_repo, TAG_A)
    git_repo.git("tag", "-d", TAG_A)
    result = git_repo.cli("verify")
    assert result.exit_code == 1
    assert result.lines[:2] == [
        f"release/CC-2026-0001/B: the ledger lost an entry: this anchor follows entry "
        f"{first.digest[:12]}, which no release tag holds (a release anchor was deleted)",
        f"{TAG_A}: released in {first.commit[:12]} ({date(4)}) but not anchored: fetch the "
        "tags of the clone that released it (git fetch --tags), or qmsdoc anchor writes the "
        "anchor"]
    # written again, the anchor is the same tag object: the ledger is whole again
    assert git_repo.cli("anchor").exit_code == 0
    assert anchor_of(git_repo, TAG_A).digest == first.digest
    assert git_repo.cli("verify").exit_code == 0


def test_a_tag_that_is_not_an_anchor_is_reported(created: GitRepo) -> None:
    released_a(created)
    created.git("tag", "release/CC-2026-0001/Z", "HEAD")
    result = created.cli("verify")
    assert result.exit_code == 1
    assert result.lines[0] == ("release/CC-2026-0001/Z: not a release anchor (a lightweight "
                               "tag)")


def test_a_repository_from_before_anchors_is_anchored_by_qmsdoc_anchor(
        created: GitRepo, tmp_path: Path) -> None:
    """Releases made without anchors (by hand, or by an older qmsdoc): verify says nothing
    about anchors until there is a ledger; `qmsdoc anchor` writes it, the same in a clone."""
    created.forge("wang.fang", "review")
    created.forge("sun.li", "approve")
    assert created.git("tag", "-l") == ""
    assert created.cli("verify").exit_code == 0
    result = created.cli("anchor")
    anchored = anchor_of(created, TAG_A)
    assert result.lines == [
        f"anchored {TAG_A}: content {anchored.blob[:12]} released in {created.head()[:12]} "
        f"({date(4)}), ledger entry {anchored.digest[:12]}",
        f"ledger: 1 release anchor(s), head {anchored.digest[:12]} ({TAG_A})",
        "share them: git push origin 'refs/tags/release/*' (or git config push.followTags "
        "true)"]
    assert created.cli("anchor").lines == [
        f"ledger: 1 release anchor(s), head {anchored.digest[:12]} ({TAG_A})"]
    clone = tmp_path / "clone"
    created.git("clone", "-q", "--no-tags", str(created.root), str(clone))
    other = GitRepo(clone, created.monkeypatch)
    assert other.cli("anchor").exit_code == 0
    assert other.git("rev-parse", TAG_A) == created.git("rev-parse", TAG_A)  # same object


def test_the_first_anchor_of_an_old_repository_anchors_every_earlier_release(
        created: GitRepo) -> None:
    """An existing repository's first release after the upgrade starts a whole ledger:
    verify does not then report every earlier release as not anchored."""
    created.forge("wang.fang", "review")
    created.forge("sun.li", "approve")  # revision A, from before anchors
    created.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    created.approve("wang.fang", "review")
    result = created.approve("sun.li", "approve")
    assert result.lines[1:] == [
        "release anchor: tag release/CC-2026-0001/B (git push --follow-tags shares it)",
        "release anchor: 1 earlier release(s) anchored too (the repository's first anchor: "
        "its ledger starts with every release in history)",
        "CC-2026-0001 is released as revision B"]
    assert anchor_of(created, "release/CC-2026-0001/B").previous == \
        anchor_of(created, TAG_A).digest
    assert created.cli("verify").exit_code == 0


def test_two_clones_release_at_the_same_time(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Each clone releases its own record and anchors it without knowing the other's anchor;
    the tags travel with push and fetch, no conflict, the chain has two heads, and the next
    anchor follows the latest of them."""
    origin = make(tmp_path, monkeypatch)
    bare = tmp_path / "central.git"
    origin.git("clone", "-q", "--bare", str(origin.root), str(bare))
    clones = []
    for name in ("a", "b"):
        path = tmp_path / name
        origin.git("clone", "-q", str(bare), str(path))
        clone = GitRepo(path, monkeypatch, day=origin.day)
        clone.git("config", "push.followTags", "true")
        clones.append(clone)
    a, b = clones
    a.commit("li.ming", "CC-2026-0001", {COMPLAINT_PATH: complaint()})
    path2 = COMPLAINT_PATH.replace("0001", "0002")
    b.commit("li.ming", "CC-2026-0002", {path2: complaint(record_id="CC-2026-0002")})
    for clone, rid in ((a, "CC-2026-0001"), (b, "CC-2026-0002")):
        assert clone.approve("wang.fang", "review", record_id=rid).exit_code == 0
        assert clone.approve("sun.li", "approve", record_id=rid).exit_code == 0
    a.git("push", "-q", "origin", "main")
    b.git("pull", "-q", "--no-rebase", "--no-edit")  # fetch follows the tags of what it gets
    b.git("push", "-q", "origin", "main")
    a.git("pull", "-q", "--no-rebase", "--no-edit")
    tags = ["release/CC-2026-0001/A", "release/CC-2026-0002/A"]
    for clone in (a, b):
        assert clone.git("tag", "-l").splitlines() == tags
        verify = clone.cli("verify")
        assert (verify.exit_code, verify.lines[0]) == (
            0, "4 approval(s) of 2 record(s) checked, 0 violation(s)")
    assert a.git("rev-parse", *tags) == b.git("rev-parse", *tags)
    first, second = (anchor_of(a, t) for t in tags)
    assert first.previous == second.previous == ""  # neither knew the other's
    heads = a.cli("anchor").lines
    assert heads == [f"ledger: 2 release anchor(s), head {first.digest[:12]} ({tags[0]}), "
                     f"{second.digest[:12]} ({tags[1]})"]
    a.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    a.approve("wang.fang", "review")
    a.approve("sun.li", "approve")
    assert anchor_of(a, "release/CC-2026-0001/B").previous == second.digest  # the latest head


# --- RFC 3161 time-stamps from a local TSA -----------------------------------------------------


def with_tsa(repo: GitRepo, url: str, ca: Path) -> None:
    """The TSA configured, its CA certificate committed, and both approved (the CA counts
    only as approved with the configuration in force)."""
    shutil.copy(ca, repo.root / "tsa-ca.pem")
    config = (repo.root / "qmsdoc.yaml").read_text(encoding="utf-8")
    repo.commit("li.ming", "TSA", {"qmsdoc.yaml": config + f"audit:\n  tsa: {{url: '{url}', "
                                   "ca_file: tsa-ca.pem}\n"})
    assert repo.approve("sun.li", "approve", record_id="qmsdoc.yaml").exit_code == 0


def test_anchors_carry_an_rfc3161_time_stamp_that_verify_checks(git_repo: GitRepo,
                                                                 tmp_path: Path) -> None:
    with tsa_server(tmp_path / "tsa") as tsa:
        with_tsa(git_repo, tsa.url, tsa.ca)
        released_a(git_repo)
        assert len(tsa.queries) == 1  # one query: the release
        anchor = anchor_of(git_repo, TAG_A)
        assert anchor.token
        verify = git_repo.cli("verify")
        assert (verify.exit_code, verify.lines[0]) == (  # qmsdoc.yaml's approval counts too
            0, "3 approval(s) of 1 record(s) checked, 0 violation(s)")
        assert git_repo.cli("anchor").lines[-1] == \
            "1 of 1 anchor(s) carry an RFC 3161 time-stamp"
        # the same token on another anchor text (a release time moved): it proves nothing
        forged = replace(anchor, released_at=date(1))
        git_repo.git("tag", "-d", TAG_A)
        git_repo.git("tag", "-a", "--cleanup=verbatim", "-m", forged.message, TAG_A,
                     anchor.commit)
        result = git_repo.cli("verify")
        assert result.exit_code == 1
        assert result.lines[0].startswith(
            f"{TAG_A}: its RFC 3161 time-stamp does not verify against the anchor (")


def test_a_tsa_that_does_not_answer_leaves_the_anchor_without_a_time_stamp(
        git_repo: GitRepo, tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    ca = tmp_path / "ca.pem"
    ca.write_text("", encoding="ascii")
    with_tsa(git_repo, f"http://127.0.0.1:{port}/tsr", ca)
    git_repo.commit("li.ming", "New complaint CC-2026-0001", {COMPLAINT_PATH: complaint()})
    git_repo.approve("wang.fang", "review")
    result = git_repo.approve("sun.li", "approve")
    assert result.exit_code == 0
    assert result.lines[1] == f"release anchor: tag {TAG_A} (git push --follow-tags shares it)"
    assert result.lines[2].startswith(
        "release anchor: anchored without an RFC 3161 time-stamp: the time-stamping authority "
        f"http://127.0.0.1:{port}/tsr did not answer (")
    assert anchor_of(git_repo, TAG_A).token == ""


# --- the TSA's CA certificate counts only as approved -------------------------------------------


def forge_time_stamp(repo: GitRepo, rogue_url: str) -> Anchor:
    """The release's anchor tag written again with a token of a rogue TSA (its CA is not the
    approved one)."""
    from qmsdoc.history import timestamps

    anchor = anchor_of(repo, TAG_A)
    forged = replace(anchor, token=timestamps.request(rogue_url, anchor.digest))
    repo.git("tag", "-d", TAG_A)
    repo.git("tag", "-a", "--cleanup=verbatim", "-m", forged.message, TAG_A, anchor.commit)
    return forged


PENDING_CA = ("tsa-ca.pem: a change of the time-stamping authority's CA certificate "
              "(audit.tsa.ca_file) since {commit} is pending approval (qmsdoc approve "
              "qmsdoc.yaml --as approve); until then time-stamps are checked against the CA "
              "certificate approved last")


def test_a_ca_certificate_put_in_the_work_tree_or_committed_does_not_make_a_forged_time_stamp_verify(
        git_repo: GitRepo, tmp_path: Path) -> None:
    with tsa_server(tmp_path / "tsa") as tsa, tsa_server(tmp_path / "rogue") as rogue:
        with_tsa(git_repo, tsa.url, tsa.ca)
        released_a(git_repo)
        assert git_repo.cli("verify", "--no-cache").exit_code == 0
        forge_time_stamp(git_repo, rogue.url)
        # only edited in the work tree: the approved CA (in history) is what counts
        shutil.copy(rogue.ca, git_repo.root / "tsa-ca.pem")
        edited = git_repo.cli("verify", "--no-cache")
        assert edited.exit_code == 1
        assert edited.lines[0].startswith(
            f"{TAG_A}: its RFC 3161 time-stamp does not verify against the anchor (")
        # committed: still not approved, and reported as pending
        git_repo.commit("li.ming", "New TSA CA", {"tsa-ca.pem": rogue.ca.read_text()})
        change = git_repo.head()
        committed = git_repo.cli("verify", "--no-cache")
        assert committed.exit_code == 1
        assert committed.lines[0] == PENDING_CA.format(commit=change[:12])
        assert committed.lines[1].startswith(
            f"{TAG_A}: its RFC 3161 time-stamp does not verify against the anchor (")
        # nor a setting naming another file, committed and not approved
        (git_repo.root / "rogue-ca.pem").write_bytes(rogue.ca.read_bytes())
        config = (git_repo.root / "qmsdoc.yaml").read_text(encoding="utf-8")
        git_repo.commit("li.ming", "Another CA", {
            "qmsdoc.yaml": config.replace("ca_file: tsa-ca.pem", "ca_file: rogue-ca.pem")})
        moved = git_repo.cli("verify", "--no-cache")
        assert moved.exit_code == 1
        assert any(line.startswith(f"{TAG_A}: ") for line in moved.lines)
        assert "pending approval" in moved.lines[0]
        # the one who changed it may not approve it; another approver makes it count
        own = git_repo.approve("li.ming", "approve", record_id="qmsdoc.yaml")
        assert own.exit_code == 1
        assert git_repo.approve("sun.li", "approve", record_id="qmsdoc.yaml").exit_code == 0
        approved = git_repo.cli("verify", "--no-cache")
        assert approved.exit_code == 0, approved.lines
        assert not any("pending" in line for line in approved.lines)


def test_verify_tsa_ca_checks_the_time_stamps_against_a_ca_from_elsewhere(
        git_repo: GitRepo, tmp_path: Path) -> None:
    with tsa_server(tmp_path / "tsa") as tsa, tsa_server(tmp_path / "rogue") as rogue:
        with_tsa(git_repo, tsa.url, tsa.ca)
        released_a(git_repo)
        right = git_repo.cli("verify", "--tsa-ca", str(tsa.ca))
        assert (right.exit_code, right.lines[0]) == (
            0, "3 approval(s) of 1 record(s) checked, 0 violation(s)")
        wrong = git_repo.cli("verify", "--tsa-ca", str(rogue.ca))
        assert wrong.exit_code == 1
        assert wrong.lines[0].startswith(
            f"{TAG_A}: its RFC 3161 time-stamp does not verify against the anchor (")
        # the approved CA replaced by a forger's: the one from elsewhere still decides
        forge_time_stamp(git_repo, rogue.url)
        assert git_repo.cli("verify", "--tsa-ca", str(tsa.ca)).exit_code == 1


def test_bad_tsa_ca_input_is_a_clear_message(git_repo: GitRepo, tmp_path: Path) -> None:
    with tsa_server(tmp_path / "tsa") as tsa:
        with_tsa(git_repo, tsa.url, tsa.ca)
        released_a(git_repo)
        missing = git_repo.cli("verify", "--tsa-ca", str(tmp_path / "none.pem"))
        assert missing.exit_code == 2
        assert "--tsa-ca" in missing.stderr and "does not exist" in missing.stderr
        text = tmp_path / "notes.txt"
        text.write_text("not a certificate\n", encoding="utf-8")
        bad = git_repo.cli("verify", "--tsa-ca", str(text))
        assert (bad.exit_code, bad.stderr) == (
            2, f"qmsdoc: --tsa-ca {text}: not a PEM certificate (the CA certificate of the "
               "time-stamping authority, -----BEGIN CERTIFICATE-----)\n")
        # an approved CA file that holds no certificate: each token says so
        git_repo.commit("li.ming", "Broken CA", {"tsa-ca.pem": "not a certificate\n"})
        assert git_repo.approve("sun.li", "approve", record_id="qmsdoc.yaml").exit_code == 0
        broken = git_repo.cli("verify")
        assert broken.exit_code == 1
        assert broken.lines[0] == (f"{TAG_A}: audit.tsa.ca_file tsa-ca.pem as approved holds "
                                   "no PEM certificate: the time-stamp cannot be checked")


def test_a_time_stamp_without_an_approved_ca_setting_cannot_be_checked(
        git_repo: GitRepo, tmp_path: Path) -> None:
    with tsa_server(tmp_path / "tsa") as tsa:
        shutil.copy(tsa.ca, git_repo.root / "tsa-ca.pem")
        config = (git_repo.root / "qmsdoc.yaml").read_text(encoding="utf-8")
        git_repo.commit("li.ming", "TSA", {"qmsdoc.yaml": config + (
            f"audit:\n  tsa: {{url: '{tsa.url}', ca_file: tsa-ca.pem}}\n")})
        released_a(git_repo)
        assert anchor_of(git_repo, TAG_A).token  # the url needs no approval
        result = git_repo.cli("verify")
        assert result.exit_code == 1
        assert "pending approval" in result.lines[0]
        assert result.lines[1] == (
            f"{TAG_A}: carries an RFC 3161 time-stamp, but no approved configuration sets "
            "audit.tsa.ca_file (the TSA's CA certificate): it cannot be checked (or use "
            "verify --tsa-ca FILE)")
        assert git_repo.cli("verify", "--tsa-ca", str(tsa.ca)).exit_code == 0


def test_the_time_stamp_messages_are_in_chinese_too(git_repo: GitRepo, tmp_path: Path) -> None:
    with tsa_server(tmp_path / "tsa") as tsa, tsa_server(tmp_path / "rogue") as rogue:
        with_tsa(git_repo, tsa.url, tsa.ca)
        released_a(git_repo)
        git_repo.commit("li.ming", "New TSA CA", {"tsa-ca.pem": rogue.ca.read_text()})
        change = git_repo.head()
        result = git_repo.cli("--lang", "zh", "verify", "--tsa-ca", str(rogue.ca))
        assert result.exit_code == 1
        assert result.lines[0] == (
            f"tsa-ca.pem：自 {change[:12]} 起对时间戳服务 CA 证书（audit.tsa.ca_file）的修改"
            "待批准（qmsdoc approve qmsdoc.yaml --as approve）；在此之前时间戳按最近一次批准的 "
            "CA 证书检查")
        assert result.lines[1].startswith(f"{TAG_A}: 其 RFC 3161 时间戳与锚定不符，验证失败（")
        text = tmp_path / "notes.txt"
        text.write_text("x\n", encoding="utf-8")
        bad = git_repo.cli("--lang", "zh", "verify", "--tsa-ca", str(text))
        assert bad.exit_code == 2
        assert f"--tsa-ca {text}：不是 PEM 证书" in bad.stderr
