"""git/cmd.py: a query runs as a plain subprocess and gives what GitPython's command object
gives for the same command — output, exit status, the error line — on a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import GitRepo

from qmsdoc.errors import GitError
from qmsdoc.git import cmd


@pytest.mark.parametrize("args", [
    ("log", "--format=%H%x00%s", "-z"),
    ("rev-parse", "--verify", "-q", "HEAD"),
    ("cat-file", "-p", "HEAD"),
    ("log", "no-such-revision"),
    ("ls-tree", "-r", "-z", "HEAD"),
])
def test_a_query_gives_what_gitpython_gives(git_repo: GitRepo, args: tuple[str, ...]) -> None:
    command = ["git", "-C", str(git_repo.root), *args]
    env = cmd._env()
    plain = cmd._query(command, None, env)
    through = cmd._execute(command, None, env)
    assert plain[0] == through[0] and plain[1] == through[1]
    assert plain[2].strip().splitlines()[-1:] == str(through[2]).strip().splitlines()[-1:]


def test_a_query_with_input_and_its_error(git_repo: GitRepo) -> None:
    head = git_repo.head()
    out = cmd.run(git_repo.root, "cat-file", "--batch-check", input_=f"{head}\n".encode())
    assert out.decode().startswith(f"{head} commit ")
    assert "log" in cmd.QUERIES and "commit" not in cmd.QUERIES
    with pytest.raises(GitError, match=r"^git log: "):
        cmd.run(git_repo.root, "log", "nope")
    with pytest.raises(GitError, match=r"^git tag: "):  # through GitPython
        cmd.run(git_repo.root, "tag", "bad name with spaces")


def test_a_query_outside_git(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="^git log: fatal: not a git repository"):
        cmd.run(tmp_path, "log")


def test_hash_object_is_a_query_that_gives_what_gitpython_gives(git_repo: GitRepo) -> None:
    """``render`` asks git for the hashes of the files it prints from (git/backing.py): a
    plain subprocess, so that a render imports no GitPython."""
    assert "hash-object" in cmd.QUERIES
    (git_repo.root / "a.txt").write_text("中文\n", encoding="utf-8")
    env = cmd._env()
    for names in (["a.txt"], ["a.txt", "missing.txt"]):
        command = ["git", "-C", str(git_repo.root), "hash-object", "--", *names]
        plain = cmd._query(command, None, env)
        through = cmd._execute(command, None, env)
        assert plain[0] == through[0] and plain[1] == through[1]
        assert plain[2].strip().splitlines()[-1:] == str(through[2]).strip().splitlines()[-1:]
