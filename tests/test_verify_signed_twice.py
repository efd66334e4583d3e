"""What a person already signed of a content (``releases._Cycle.action_of``, a lookup kept as
signatures are counted): a second review by the same person, an approval by the reviewer."""

from __future__ import annotations

from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, CONFIG, complaint, make

from qmsdoc import config as qconfig
from qmsdoc.history.states import analyse


def test_one_persons_second_signature_of_a_content(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A second review by the same person counts once and breaks nothing; an approval by
    the person who reviewed that content is a violation; after a new content the same
    person may sign it again."""
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    repo = make(tmp_path, monkeypatch, CONFIG.replace(
        "roles: [general_manager]", "roles: [general_manager, quality_manager]"))
    repo.commit("li.ming", "New complaint CC-2026-0001", {COMPLAINT_PATH: complaint()})
    repo.forge("sun.li", "review")
    twice = repo.forge("sun.li", "review")
    both = repo.forge("sun.li", "approve")
    repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    repo.forge("wang.fang", "review")
    repo.forge("sun.li", "approve")
    for options in ((), ("--no-cache",), ()):
        result = repo.cli("verify", *options)
        assert result.exit_code == 1
        assert "5 approval(s) of 1 record(s) checked, 1 violation(s)" in result.lines, result.lines
        assert [line for line in result.lines if line.startswith(both[:12])] == [
            f"{both[:12]} CC-2026-0001 approve by 孙立 <sun.li@example.com>: 孙立 already "
            "gave the review of this content; review and approval need two different people"]
        assert not [line for line in result.lines if line.startswith(twice[:12])]
    _info, outcomes, _judge = analyse(repo.root, qconfig.load(repo.root))
    (outcome,) = outcomes
    assert [r.letter for r in outcome.revisions] == ["A"]
    assert list(outcome.status.values()) == ["counted", "duplicate", "rejected", "counted",
                                             "counted"]
