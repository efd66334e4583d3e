"""Random mutations of every sample record (issue 14): bytes, characters of every Unicode
class, and structure. ``validate`` never ends in an internal error or a traceback, stays
within a time bound, and every finding it reports lies inside the file."""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmsdoc.cli import main
from qmsdoc.records.files import discover

SAMPLES = sorted(discover(ROOT))
SECONDS = 5.0  # per run of validate on one mutated record, on a slow machine

# characters of the classes that have broken parsers: controls, format characters, line
# and paragraph separators, spaces, private use, noncharacters, and text of any class
CHARS = st.one_of(
    st.sampled_from(["\x00", "\x07", "\t", "\x0b", "\x1b", "\x7f", "\x80", "\x85", "\x9f",
                     "\u00a0", "\u200b", "\u200e", "\u2028", "\u2029", "\u3000", "\ufeff",
                     "\ufffe", "\uffff", "\ue000", "\U0010fffd", "\r", "\n", "\"", "'",
                     "\\", ":", "#", "&", "*", "!", "|", ">", "%", "@", "`", "{", "[", "-"]),
    st.characters(codec="utf-8"),
)
TOKENS = st.sampled_from([": ", "- ", "? ", "---\n", "...\n", "&a ", "*a", "!!str ", "!x ",
                          "{", "}", "[", "]", "\"", "'", "|\n", ">-\n", "  ", "\t", "#",
                          "<<: *a\n", "0012345", "1e999", "9" * 40, "~", "null", ".inf",
                          "2026-02-30", "kind: 8d\n", "id: \n"])


def _mutate(raw: bytes, data: st.DataObject) -> bytes:
    how = data.draw(st.sampled_from(["bytes", "chars", "tokens", "lines", "truncate"]))
    at = data.draw(st.integers(0, len(raw)))
    if how == "bytes":
        return raw[:at] + data.draw(st.binary(min_size=1, max_size=8)) + raw[at + 1:]
    if how == "chars":
        text = data.draw(st.text(CHARS, min_size=1, max_size=6))
        return raw[:at] + text.encode("utf-8", "surrogatepass") + raw[at:]
    if how == "tokens":
        return raw[:at] + data.draw(TOKENS).encode() + raw[at:]
    if how == "truncate":
        return raw[:at]
    lines = raw.split(b"\n")
    i = data.draw(st.integers(0, len(lines) - 1))
    j = data.draw(st.integers(0, len(lines) - 1))
    action = data.draw(st.sampled_from(["duplicate", "swap", "indent", "dedent", "delete"]))
    if action == "duplicate":
        lines.insert(j, lines[i])
    elif action == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    elif action == "indent":
        lines[i] = b"  " + lines[i]
    elif action == "dedent":
        lines[i] = lines[i].lstrip(b" ")
    else:
        del lines[i]
    return b"\n".join(lines)


def _line_count(raw: bytes) -> int:
    return raw.count(b"\n") + 1


@pytest.fixture(scope="module")
def workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        shutil.copy(ROOT / "qmsdoc.yaml", root / "qmsdoc.yaml")
        (root / "records").mkdir()
        yield root


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.name)
def test_no_mutation_of_a_sample_record_breaks_validate(sample: Path, workspace: Path) -> None:
    original = sample.read_bytes()
    relative = sample.relative_to(ROOT).as_posix()

    @settings(max_examples=80, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        raw = original
        for _ in range(data.draw(st.integers(1, 3))):
            raw = _mutate(raw, data)
        shutil.rmtree(workspace / "records")
        target = workspace / relative
        target.parent.mkdir(parents=True)
        target.write_bytes(raw)
        start = time.perf_counter()
        result = CliRunner().invoke(main, ["--repo", str(workspace), "validate", "--format",
                                           "json"], catch_exceptions=False)
        elapsed = time.perf_counter() - start
        assert result.exit_code in (0, 1), (result.exit_code, result.stderr, raw)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert elapsed < SECONDS, raw
        report = json.loads(result.stdout)
        for problem in report["problems"]:
            if problem["path"] == relative:
                assert 1 <= problem["line"] <= _line_count(raw), (problem, raw)

    run()
