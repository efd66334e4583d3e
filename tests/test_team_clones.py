"""Issue 12: a records repository shared by a team — a bare central repository and two
clones (a document controller and a quality engineer) in a temporary directory."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, GitRepo, complaint, make

YEAR = datetime.datetime.now().astimezone().year


def rid(n: int) -> str:
    return f"CC-{YEAR}-{n:04d}"


def rpath(n: int) -> str:
    return f"records/complaints/{YEAR}/{rid(n)}.yaml"


@pytest.fixture
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[GitRepo, GitRepo, Path]:
    """The central bare repository and two clones of it: li.ming's and zhao.lei's."""
    seed = make(tmp_path, monkeypatch)
    central = tmp_path / "central.git"
    seed.git("clone", "-q", "--bare", str(seed.root), str(central))
    clones = []
    for name in ("li", "zhao"):
        seed.git("clone", "-q", str(central), str(tmp_path / name))
        clone = GitRepo(tmp_path / name, monkeypatch)
        clone.git("config", "commit.gpgsign", "false")
        clones.append(clone)
    return clones[0], clones[1], central


def new(clone: GitRepo, who: str) -> tuple[str, str]:
    result = clone.cli("new", "complaint", "--customer", "HXAUTO", who=who)
    assert result.exit_code == 0, result.stderr
    return Path(result.output.strip()).name, result.stderr


def test_new_in_two_clones_gives_different_ids_after_fetching(
        team: tuple[GitRepo, GitRepo, Path]) -> None:
    li, zhao, _central = team
    assert new(li, "li.ming") == (f"{rid(1)}.yaml", "")
    li.commit("li.ming", "New complaint")
    li.git("push", "-q", "origin", "main")
    # zhao.lei has not pulled: new fetches first and sees origin/main's record
    assert new(zhao, "zhao.lei") == (f"{rid(2)}.yaml", "")
    assert not (zhao.root / rpath(1)).exists()  # nothing merged into his work tree


def test_ids_on_other_branches_and_deleted_ids_are_never_reissued(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "First", {rpath(1): complaint(record_id=rid(1))})
    git_repo.git("switch", "-q", "-c", "other")
    git_repo.commit("li.ming", "Second on a branch", {rpath(2): complaint(record_id=rid(2))})
    git_repo.git("switch", "-q", "main")
    (git_repo.root / rpath(1)).unlink()
    git_repo.commit("li.ming", "Delete the first")
    assert new(git_repo, "li.ming") == (f"{rid(3)}.yaml", "")


def test_offline_new_collides_is_caught_and_renumber_fixes_it(
        team: tuple[GitRepo, GitRepo, Path]) -> None:
    li, zhao, central = team
    new(li, "li.ming")
    li.commit("li.ming", "New complaint by Li")
    li.git("push", "-q", "origin", "main")
    zhao.git("remote", "set-url", "origin", str(central.parent / "unreachable.git"))
    name, note = new(zhao, "zhao.lei")
    assert name == f"{rid(1)}.yaml"
    assert note == ("qmsdoc: could not fetch from origin (offline?): the id is free in what "
                    "this clone knows; validate --changed-since origin/main before pushing "
                    "catches a collision\n")
    zhao.write(rpath(1), complaint("赵磊的投诉", rid(1)))
    zhao.write("records/8d/2026/8D-2026-0001.yaml", f"kind: 8d\nid: 8D-2026-0001\n"
               f"complaints: [{rid(1)}]\n")
    zhao.commit("zhao.lei", "New complaint by Zhao")
    zhao.git("remote", "set-url", "origin", str(central))
    zhao.git("fetch", "-q")
    check = zhao.cli("validate", "--changed-since", "origin/main", str(zhao.root / rpath(1)),
                      who="zhao.lei")
    assert check.exit_code == 1
    assert (f"{rpath(1)}:2:1: error[collision]: id: two records got the same id: {rid(1)} is "
            f"also a different record on origin/main (the same file) — keep one id and run "
            f"qmsdoc renumber {rid(1)} on the record of this branch before merging"
            ) in check.lines
    done = zhao.cli("renumber", rid(1), who="zhao.lei")
    assert (done.exit_code, done.lines) == (0, [
        f"{rid(1)} → {rid(2)}: {rpath(2)}",
        "  references rewritten in records/8d/2026/8D-2026-0001.yaml",
        "nothing committed: review with git status / git diff, then commit "
        "(git add -A records && git commit)"])
    assert zhao.git("status", "--porcelain") != ""  # commits nothing by itself
    assert f"id: {rid(2)}\n" in (zhao.root / rpath(2)).read_text(encoding="utf-8")
    assert f"complaints: [{rid(2)}]" in (
        zhao.root / "records/8d/2026/8D-2026-0001.yaml").read_text(encoding="utf-8")
    zhao.commit("zhao.lei", "Renumber to avoid the collision")
    zhao.git("merge", "-q", "--no-edit", "origin/main", who="zhao.lei")
    assert f"id: {rid(1)}\n" in (zhao.root / rpath(1)).read_text(encoding="utf-8")  # Li's
    again = zhao.cli("validate", "--changed-since", "origin/main", who="zhao.lei")
    assert not any("collision" in line for line in again.lines)


def test_renumber_refuses_a_taken_id_and_an_unknown_one(created: GitRepo) -> None:
    created.commit("li.ming", "Second", {
        "records/complaints/2026/CC-2026-0002.yaml": complaint(record_id="CC-2026-0002")})
    taken = created.cli("renumber", "CC-2026-0001", "CC-2026-0002")
    assert (taken.exit_code, taken.stderr) == (2, (
        "qmsdoc: CC-2026-0002 is already taken (in this clone, another branch or history); "
        "leave out NEW_ID to get the next free one\n"))
    unknown = created.cli("renumber", "CC-2026-0404")
    assert unknown.stderr == ("qmsdoc: unknown record id 'CC-2026-0404' "
                              "(no records/**/CC-2026-0404.yaml)\n")
    assert created.git("status", "--porcelain") == ""


def test_a_pull_with_the_same_id_reports_the_merge_conflict(
        team: tuple[GitRepo, GitRepo, Path]) -> None:
    li, zhao, central = team
    li.commit("li.ming", "Li's", {COMPLAINT_PATH: complaint("李明的")})
    li.git("push", "-q", "origin", "main")
    zhao.commit("zhao.lei", "Zhao's", {COMPLAINT_PATH: complaint("赵磊的")})
    zhao.git("fetch", "-q")
    merge = zhao.git_status("merge", "--no-edit", "origin/main")
    assert merge != 0
    result = zhao.cli("validate", str(zhao.root / COMPLAINT_PATH), who="zhao.lei")
    assert result.exit_code == 1
    assert result.lines[0] == (
        f"{COMPLAINT_PATH}:12:1: error[conflict]: /: two records got the same id (merge conflict) "
        "— keep one and run qmsdoc renumber on the other")
