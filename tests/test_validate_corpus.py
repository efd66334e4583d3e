"""The examples corpus: one fault per case, with the exact expected output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parent / "examples" / "invalid"
CASES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())


def test_corpus_has_a_case_for_every_kind_of_fault() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES)
def test_invalid_example(case: str, run_cli: Callable[..., object],
                         request: pytest.FixtureRequest) -> None:
    root = EXAMPLES / case
    result = run_cli("validate", repo=root)
    actual = result.output + f"exit {result.exit_code}\n"  # type: ignore[attr-defined]
    expected_file = root / "expected.txt"
    if request.config.getoption("--update-golden"):
        expected_file.write_text(actual, encoding="utf-8")
    assert actual == expected_file.read_text(encoding="utf-8")
    assert result.stderr == ""  # type: ignore[attr-defined]


def test_every_faulty_case_exits_1_except_warnings_only() -> None:
    for case in CASES:
        expected = (EXAMPLES / case / "expected.txt").read_text(encoding="utf-8")
        code = expected.rstrip().rsplit(" ", 1)[-1]
        assert code == ("0" if " 0 errors" in expected else "1"), case
