"""The one pass over the history (history/states.state_book) lists the work tree's record files
while git reads the log: the book is the one of listing them first, a wrong repository is
said as before, and git failing leaves no thread behind."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

import pytest

from qmsdoc.config import load as load_config
from qmsdoc.errors import GitError, UsageError
from qmsdoc.history import states
from qmsdoc.records.files import relative_index
from qmsdoc.scaffold import example


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("book") / "demo"
    root.mkdir()
    example.demo_repository(root)
    return root


def test_the_book_names_the_files_listing_them_first_named(demo: Path) -> None:
    config = load_config(demo)
    every = relative_index(demo)
    book = states.state_book(demo, config)
    assert dict(book.files) == every and book.judge is not None
    some = set(sorted(every)[::2]) | {"NO-SUCH-ID"}
    named = states.state_book(demo, config, ids=some)
    assert dict(named.files) == {rid: p for rid, p in every.items() if rid in some}
    assert {rid: named.state(rid) for rid in named.files} == \
        {rid: book.state(rid) for rid in named.files}


def test_a_repository_without_records_is_said_as_before(tmp_path: Path) -> None:
    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(tmp_path), "-c", "user.name=t", "-c",
                        "user.email=t@example.invalid", "-c", "commit.gpgsign=false", *args],
                       check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "README").write_text("x\n", encoding="utf-8")
    git("add", "README")
    git("commit", "-q", "-m", "first")
    with pytest.raises(UsageError, match="no records/ folder"):
        states.state_book(tmp_path, load_config(tmp_path))


def test_git_failing_on_the_log_is_the_error_and_leaves_no_thread(
        demo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> object:
        raise GitError("git refused")

    before = set(threading.enumerate())
    monkeypatch.setattr(states.gitlog, "read_log", refused)
    with pytest.raises(GitError, match="git refused"):
        states.state_book(demo, load_config(demo))
    for thread in set(threading.enumerate()) - before:  # done: each ends once its work is
        thread.join(5)
        assert not thread.is_alive()
