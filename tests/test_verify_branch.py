"""`verify --branch-of REF`: the pipeline of a branch opened before a release made later on
main. A bare central repository and two clones (li.ming's, on main, and zhao.lei's, on a
feature branch), real git throughout; then main rewritten with the old commits kept on
another branch, which the option must not let pass on main."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gitrepo import COMPLAINT_PATH, GitRepo, complaint, date, make, released_a
from localtsa import tsa_server
from test_anchors import rewrite, with_tsa

from qmsdoc.history import anchors
from qmsdoc.resources import builtin

TAG_A = "release/CC-2026-0001/A"
PATH2 = COMPLAINT_PATH.replace("0001", "0002")
UNSIGNED = ("2 of 2 approval(s) unsigned: names are self-declared (no identity proven; "
            "qmsdoc keys sets up signing)")


@pytest.fixture
def behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[GitRepo, GitRepo, str]:
    """li.ming's clone on main, which released CC-2026-0001 as revision A after zhao.lei
    opened his branch `feature` (a new complaint); zhao.lei fetched main and its tags. The
    release commit's id."""
    for name in ("CI_DEFAULT_BRANCH", "GITHUB_EVENT_PATH", "QMSDOC_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    seed = make(tmp_path, monkeypatch)
    seed.commit("li.ming", "New complaint CC-2026-0001", {COMPLAINT_PATH: complaint()})
    central = tmp_path / "central.git"
    seed.git("clone", "-q", "--bare", str(seed.root), str(central))
    clones = []
    for name in ("li", "zhao"):
        seed.git("clone", "-q", str(central), str(tmp_path / name))
        clone = GitRepo(tmp_path / name, monkeypatch, day=seed.day)
        clone.git("config", "commit.gpgsign", "false")
        clones.append(clone)
    main, feature = clones
    feature.git("switch", "-q", "-c", "feature")
    feature.commit("zhao.lei", "New complaint CC-2026-0002",
                   {PATH2: complaint(record_id="CC-2026-0002")})
    feature.git("push", "-q", "origin", "feature")
    main.day = feature.day
    assert main.approve("wang.fang", "review").exit_code == 0
    assert main.approve("sun.li", "approve").exit_code == 0
    main.git("push", "-q", "--follow-tags", "origin", "main")
    feature.git("fetch", "-q", "origin")  # fetch follows the tags of what it gets
    assert feature.git("tag", "-l") == TAG_A
    return main, feature, main.head()


def all_judged(ref: str) -> str:
    """The first line of --branch-of on the default branch."""
    return (f"--branch-of {ref}: HEAD is the default branch main (or at its tip): every "
            "release is judged, as without --branch-of")


def removed(repo: GitRepo, release: str, blob: str) -> str:
    """The strict line: the release and its review are not in HEAD's history."""
    review = repo.git("rev-parse", f"{release}~1")
    return (f"{TAG_A}: the release (content {blob[:12]} released in {release[:12]} "
            f"({date(5)})) was removed or rewritten: commit(s) {release[:12]}, {review[:12]} "
            "no longer in history")


def test_plain_verify_on_a_branch_behind_a_release_reports_it(
        behind: tuple[GitRepo, GitRepo, str]) -> None:
    """The default is unchanged: strict, exit 1."""
    main, feature, release = behind
    result = feature.cli("verify")
    assert (result.exit_code, result.lines) == (1, [
        removed(main, release, main.blob()),
        "0 approval(s) of 2 record(s) checked, 0 violation(s), 1 release anchor problem(s)"])


def test_branch_of_leaves_the_release_unjudged_on_the_branch(
        behind: tuple[GitRepo, GitRepo, str]) -> None:
    main, feature, release = behind
    line = (f"{TAG_A}: not judged on this branch: the release in {release[:12]} "
            f"({date(5)}) is in origin/main's history, not yet in this branch's")
    for cache in ("--no-cache", None):
        result = feature.cli("verify", "--branch-of", "origin/main", *filter(None, [cache]))
        assert (result.exit_code, result.lines) == (0, [
            line, "0 approval(s) of 2 record(s) checked, 0 violation(s)"])
    chinese = feature.cli("--lang", "zh", "verify", "--branch-of", "origin/main")
    assert (chinese.exit_code, chinese.lines) == (0, [
        f"{TAG_A}: 本分支未核对：{release[:12]}（{date(5)}）中的发布在 origin/main 的历史中，"
        "尚不在本分支的历史中",
        "已检查 2 条记录的 0 次审批，0 处违规"])
    # once the branch has merged main, the release is judged on it too
    feature.git("merge", "-q", "--no-edit", "origin/main", who="zhao.lei",
                at=feature.next_date())
    result = feature.cli("verify", "--branch-of", "origin/main")
    assert (result.exit_code, result.lines) == (0, [
        "2 approval(s) of 2 record(s) checked, 0 violation(s)", UNSIGNED])
    # on main itself, with the option: HEAD is the default branch, all judged
    on_main = main.cli("verify", "--branch-of", "origin/main")
    assert (on_main.exit_code, on_main.lines) == (0, [
        all_judged("origin/main"),
        "2 approval(s) of 1 record(s) checked, 0 violation(s)", UNSIGNED])
    assert main.cli("--lang", "zh", "verify", "--branch-of", "origin/main").lines[0] == (
        "--branch-of origin/main：HEAD 是默认分支 main（或位于其最新提交）：与不使用 --branch-of "
        "时一样核对每个发布")


def test_a_release_neither_history_holds_is_still_a_problem(
        behind: tuple[GitRepo, GitRepo, str]) -> None:
    """The branch's base lost the release too (a rewritten main, seen from a branch)."""
    main, feature, release = behind
    blob = main.blob()
    feature.git("update-ref", "refs/remotes/origin/main", f"{release}~2")
    result = feature.cli("verify", "--branch-of", "origin/main")
    assert (result.exit_code, result.lines) == (1, [
        removed(main, release, blob),
        "0 approval(s) of 2 record(s) checked, 0 violation(s), 1 release anchor problem(s)"])


@pytest.fixture
def rewritten(behind: tuple[GitRepo, GitRepo, str]) -> tuple[GitRepo, str, str]:
    """main rewritten without the review and the release, force-pushed; the old commits kept
    on the branch `old` (pushed too). li.ming's clone, on main; the release commit, its
    record blob."""
    main, _feature, release = behind
    blob = main.blob()
    main.git("branch", "old")
    main.git("reset", "-q", "--hard", "HEAD~2")
    main.git("push", "-q", "--force", "origin", "main", "old")
    return main, release, blob


@pytest.mark.parametrize("ref", ["origin/main", "old", "origin/old"])
def test_a_rewritten_main_still_fails_on_main_with_the_option(
        rewritten: tuple[GitRepo, str, str], ref: str) -> None:
    main, release, blob = rewritten
    strict = main.cli("verify")
    assert (strict.exit_code, strict.lines) == (1, [
        removed(main, release, blob),
        "0 approval(s) of 1 record(s) checked, 0 violation(s), 1 release anchor problem(s)"])
    result = main.cli("verify", "--branch-of", ref)
    assert (result.exit_code, result.lines) == (1, [
        all_judged(ref), *strict.lines])


def detached_ci_clone(main: GitRepo, name: str) -> GitRepo:
    """A pipeline's clone: HEAD detached at main's tip, no origin/HEAD."""
    path = main.root.parent / name
    main.git("clone", "-q", str(main.root.parent / "central.git"), str(path))
    clone = GitRepo(path, main.monkeypatch, day=main.day)
    clone.git("remote", "set-head", "origin", "--delete")
    clone.git("checkout", "-q", "--detach", "origin/main")
    clone.git("branch", "-q", "-D", "main")
    return clone


def test_a_rewritten_main_fails_in_a_pipeline_that_names_the_default_branch(
        rewritten: tuple[GitRepo, str, str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """HEAD detached at main's tip, as in CI: GitLab's CI_DEFAULT_BRANCH, or GitHub's event,
    names main; the option given the old branch judges every release all the same."""
    main, release, blob = rewritten
    ci = detached_ci_clone(main, "ci")
    expected = [
        all_judged("origin/old"),
        removed(main, release, blob),
        "0 approval(s) of 1 record(s) checked, 0 violation(s), 1 release anchor problem(s)"]
    monkeypatch.setenv("CI_DEFAULT_BRANCH", "main")
    result = ci.cli("verify", "--branch-of", "origin/old")
    assert (result.exit_code, result.lines) == (1, expected)
    monkeypatch.delenv("CI_DEFAULT_BRANCH")
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"repository": {"default_branch": "main"}}), encoding="utf-8")
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    result = ci.cli("verify", "--branch-of", "origin/old")
    assert (result.exit_code, result.lines) == (1, expected)


def test_a_merge_request_from_the_rewritten_main_is_judged_as_main(
        rewritten: tuple[GitRepo, str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """A merge request from main into `old` (which kept the history main lost): its pipeline
    runs with --branch-of origin/old. Once another commit is pushed to main before the job
    fetches, HEAD is no longer main's tip; GitLab's merge-request variables still say that
    the source is the default branch of this project, so every release is judged."""
    main, release, blob = rewritten
    ci = detached_ci_clone(main, "ci")
    main.commit("li.ming", "New complaint CC-2026-0002",
                {PATH2: complaint(record_id="CC-2026-0002")})
    main.git("push", "-q", "origin", "main")
    ci.git("fetch", "-q", "origin")  # HEAD: the rewritten commit, behind origin/main now
    for name, value in (("CI_DEFAULT_BRANCH", "main"), ("CI_PIPELINE_SOURCE",
                        "merge_request_event"), ("CI_MERGE_REQUEST_PROJECT_ID", "7"),
                        ("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "7"),
                        ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "main"),
                        ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "old")):
        monkeypatch.setenv(name, value)
    result = ci.cli("verify", "--branch-of", "origin/old")
    assert (result.exit_code, result.lines) == (1, [
        all_judged("origin/old"), removed(main, release, blob),
        "0 approval(s) of 1 record(s) checked, 0 violation(s), 1 release anchor problem(s)"])
    monkeypatch.setenv("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "8")  # a fork's main
    forked = ci.cli("verify", "--branch-of", "origin/old")
    assert forked.exit_code == 0
    assert any("not judged on this branch" in line for line in forked.lines)


def test_a_bad_ref_is_a_clear_message(behind: tuple[GitRepo, GitRepo, str]) -> None:
    _main, feature, _release = behind
    for ref in ("origin/nowhere", "--no-cache", ""):
        result = feature.cli("verify", f"--branch-of={ref}")
        assert (result.exit_code, result.output) == (2, "")
        assert result.stderr == f"qmsdoc: --branch-of {ref}: no such git revision\n"
    chinese = feature.cli("--lang", "zh", "verify", "--branch-of", "nowhere")
    assert (chinese.exit_code, chinese.stderr) == (2, "qmsdoc: --branch-of nowhere：没有这个 "
                                                      "git 版本\n")


def test_a_fresh_clone_of_the_branch_verifies_with_the_option(
        behind: tuple[GitRepo, GitRepo, str], tmp_path: Path) -> None:
    """A merge-request pipeline: the branch's commit detached, the target branch and the tags
    fetched (the generated CI's before_script); plain verify fails, the option passes."""
    main, _feature, release = behind
    path = tmp_path / "mr"
    main.git("clone", "-q", "--no-checkout", str(tmp_path / "central.git"), str(path))
    mr = GitRepo(path, main.monkeypatch, day=main.day)
    mr.git("checkout", "-q", "--detach", "origin/feature")
    mr.git("fetch", "-q", "origin", "+refs/heads/main:refs/remotes/origin/main")
    assert mr.cli("verify").exit_code == 1
    result = mr.cli("verify", "--branch-of", "origin/main")
    assert result.exit_code == 0
    assert result.lines[0].startswith(f"{TAG_A}: not judged on this branch: the release in "
                                      f"{release[:12]}")


def test_a_branch_whose_history_shows_the_release_with_other_commits_still_fails(
        git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The branch rewrote the release (content changed, approvals' trailers made to match):
    main's history holds the anchored commits, but the branch's shows revision A otherwise.
    That is a rewrite, judged as one with the option too."""
    for name in ("CI_DEFAULT_BRANCH", "GITHUB_EVENT_PATH"):
        monkeypatch.delenv(name, raising=False)
    released_a(git_repo)
    anchored = anchors.parse(git_repo.git("for-each-ref", "--format=%(contents)",
                                          f"refs/tags/{TAG_A}"))
    assert anchored is not None
    git_repo.git("switch", "-q", "-c", "feature")
    rewrite(git_repo, "客户来料检验发现支架开裂。", "客户来料检验未发现异常。")
    approval = git_repo.head()
    new_blob = git_repo.blob()
    result = git_repo.cli("verify", "--branch-of", "main")
    assert (result.exit_code, result.lines) == (1, [
        f"{TAG_A}: history was rewritten: the anchor holds content {anchored.blob[:12]} "
        f"released in {anchored.commit[:12]} ({date(4)}), history now shows content "
        f"{new_blob[:12]} released in {approval[:12]} ({date(4)}); commit(s) "
        f"{anchored.commit[:12]}, {anchored.reviews[0][:12]} no longer in history",
        "2 approval(s) of 1 record(s) checked, 0 violation(s), 1 release anchor problem(s)",
        UNSIGNED])
    assert git_repo.cli("verify").lines == result.lines  # the same as without the option


def pipeline_run(clone: GitRepo, script: str, **env: str) -> subprocess.CompletedProcess[str]:
    """A generated pipeline's shell lines in ``clone``, qmsdoc from this environment."""
    path = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    return subprocess.run(["bash", "-c", "set -eo pipefail\n" + script], cwd=clone.root,
                          env={**os.environ, "PATH": path, **env}, capture_output=True,
                          text=True)


def gitlab_verify() -> str:
    """The generated GitLab pipeline's before_script (without installing qmsdoc) and verify
    job."""
    pipeline = yaml.safe_load(builtin("scaffold/gitlab-ci.yml").read_text(encoding="utf-8"))
    return "\n".join([*pipeline["default"]["before_script"][1:],
                      *pipeline["verify"]["script"]])


def test_the_generated_gitlab_pipeline_verifies_a_branch_behind_a_release(
        behind: tuple[GitRepo, GitRepo, str]) -> None:
    """The merge request's pipeline (and a branch's own) passes with the option; the default
    branch's verifies without it, and a rewritten main fails there."""
    main, feature, release = behind
    script = gitlab_verify()
    note = (f"{TAG_A}: not judged on this branch: the release in {release[:12]} ({date(5)}) "
            "is in origin/main's history, not yet in this branch's\n")
    mr = pipeline_run(feature, script, CI_PIPELINE_SOURCE="merge_request_event",
                      CI_MERGE_REQUEST_TARGET_BRANCH_NAME="main", CI_DEFAULT_BRANCH="main")
    assert (mr.returncode, mr.stdout.startswith(note)) == (0, True), mr.stdout + mr.stderr
    branch = pipeline_run(feature, script, CI_PIPELINE_SOURCE="push",
                          CI_COMMIT_BRANCH="feature", CI_DEFAULT_BRANCH="main")
    assert (branch.returncode, branch.stdout.startswith(note)) == (0, True), branch.stderr
    on_main = {"CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main",
               "CI_DEFAULT_BRANCH": "main"}
    done = pipeline_run(main, script, **on_main)
    assert (done.returncode, done.stdout.splitlines()[0]) == (
        0, "2 approval(s) of 1 record(s) checked, 0 violation(s)")
    blob = main.blob()
    main.git("branch", "old")
    main.git("reset", "-q", "--hard", "HEAD~2")
    main.git("push", "-q", "--force", "origin", "main", "old")
    failed = pipeline_run(main, script, **on_main)
    assert (failed.returncode, failed.stdout.splitlines()[0]) == (
        1, removed(main, release, blob))


def test_the_generated_github_workflow_verifies_a_pull_request_behind_a_release(
        behind: tuple[GitRepo, GitRepo, str]) -> None:
    main, feature, release = behind
    workflow = yaml.safe_load(builtin("scaffold/github-workflow.yml").read_text("utf-8"))
    steps = {s["if"]: s["run"] for s in workflow["jobs"]["check"]["steps"]
             if s.get("run", "").startswith("qmsdoc verify")}
    assert steps == {"github.event_name != 'pull_request'": "qmsdoc verify",
                     "github.event_name == 'pull_request'":
                         'qmsdoc verify --branch-of "origin/$BASE"'}
    pull = pipeline_run(feature, steps["github.event_name == 'pull_request'"], BASE="main")
    assert (pull.returncode, pull.stdout.splitlines()[0]) == (
        0, f"{TAG_A}: not judged on this branch: the release in {release[:12]} ({date(5)}) "
           "is in origin/main's history, not yet in this branch's")
    assert pipeline_run(feature, steps["github.event_name != 'pull_request'"]).returncode == 1
    assert pipeline_run(main, steps["github.event_name != 'pull_request'"]).returncode == 0


def test_a_release_not_judged_on_the_branch_has_its_time_stamp_left_too(
        git_repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """main configured a TSA after the branch was opened and released with a time-stamp:
    the branch's approved configuration has no CA to check it against, and need not."""
    for name in ("CI_DEFAULT_BRANCH", "GITHUB_EVENT_PATH"):
        monkeypatch.delenv(name, raising=False)
    git_repo.commit("li.ming", "New complaint CC-2026-0001", {COMPLAINT_PATH: complaint()})
    git_repo.git("switch", "-q", "-c", "feature")
    git_repo.commit("zhao.lei", "New complaint CC-2026-0002",
                    {PATH2: complaint(record_id="CC-2026-0002")})
    git_repo.git("switch", "-q", "main")
    with tsa_server(tmp_path / "tsa") as tsa:
        with_tsa(git_repo, tsa.url, tsa.ca)
        assert git_repo.approve("wang.fang", "review").exit_code == 0
        assert git_repo.approve("sun.li", "approve").exit_code == 0
    anchored = anchors.parse(git_repo.git("for-each-ref", "--format=%(contents)",
                                          f"refs/tags/{TAG_A}"))
    assert anchored is not None and anchored.token
    git_repo.git("switch", "-q", "feature")
    result = git_repo.cli("verify", "--branch-of", "main")
    assert (result.exit_code, result.lines) == (0, [
        f"{TAG_A}: not judged on this branch: the release in {anchored.commit[:12]} "
        f"({anchored.released_at}) is in main's history, not yet in this branch's",
        "0 approval(s) of 2 record(s) checked, 0 violation(s)"])
    assert git_repo.cli("verify").exit_code == 1
