"""Rendered files: byte-identical on every run, written atomically, invalid records refused,
and the frame printed from the RecordState (signatures only from a released revision)."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT, ROOT

from qmsdoc import config
from qmsdoc.checks.pipeline import validate_repo
from qmsdoc.history.revision import Change, RecordState, Revision, Signature
from qmsdoc.render import render_records, states_for
from qmsdoc.schema import SchemaStore

Run = Callable[..., object]
Text = Callable[[Path], str]


def _lines(result: object, stream: str = "output") -> list[str]:
    return str(getattr(result, stream)).splitlines()


def _code(result: object) -> int:
    return result.exit_code  # type: ignore[attr-defined]


def test_rendering_twice_gives_identical_bytes(run_cli: Run, sample_repo: Path) -> None:
    first, second = sample_repo / "a", sample_repo / "b"
    assert _code(run_cli("render", "--all", "--out", str(first), repo=sample_repo)) == 0
    assert _code(run_cli("render", "--all", "--out", str(second), repo=sample_repo)) == 0
    names = sorted(p.name for p in first.iterdir())
    assert len(names) == 8 and names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    with zipfile.ZipFile(first / "CC-2026-0001.docx") as z:
        assert {info.date_time for info in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = z.read("docProps/core.xml").decode()
    assert "dcterms:modified" not in core  # no commit behind it: no date at all, not the clock
    assert "<dc:title>客户抱怨处理单 CC-2026-0001</dc:title>" in core


def test_atomic_write_replaces_whole_and_leaves_no_temp_files(
        run_cli: Run, sample_repo: Path) -> None:
    out = sample_repo / "out"
    out.mkdir()
    (out / "CC-2026-0001.docx").write_bytes(b"an old, broken file")
    result = run_cli("render", "CC-2026-0001", "CC-2026-0002", "--out", str(out),
                     repo=sample_repo)
    assert _code(result) == 0
    assert sorted(os.listdir(out)) == ["CC-2026-0001.docx", "CC-2026-0002.docx"]
    assert zipfile.is_zipfile(out / "CC-2026-0001.docx")


def test_an_interrupted_write_keeps_the_old_file(
        sample_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = sample_repo / "out"
    out.mkdir()
    (out / "CC-2026-0001.docx").write_bytes(b"previous form")

    def interrupted(src: str, dst: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("qmsdoc.atomic.os.replace", interrupted)
    store = SchemaStore()
    cfg = config.load(sample_repo, store)
    report = validate_repo(sample_repo, cfg, store, [sample_repo / "records/complaints/2026/"
                                                     "CC-2026-0001.yaml"], keep_records=True)
    with pytest.raises(KeyboardInterrupt):
        list(render_records(sample_repo, cfg, store, report.records,
                            states_for(sample_repo, cfg, report.records), out))
    assert os.listdir(out) == ["CC-2026-0001.docx"]
    assert (out / "CC-2026-0001.docx").read_bytes() == b"previous form"


def test_invalid_records_are_reported_and_not_rendered(
        run_cli: Run, sample_repo: Path) -> None:
    path = sample_repo / "records/complaints/2026/CC-2026-0003.yaml"
    path.write_text(path.read_text("utf-8").replace("category: ", "category: x", 1), "utf-8")
    validate = run_cli("validate", str(path), repo=sample_repo)
    problem = [line for line in _lines(validate) if "error[schema]" in line]
    assert len(problem) == 1
    result = run_cli("render", "--all", "--out", str(sample_repo / "out"), repo=sample_repo)
    assert _code(result) == 1
    assert _lines(result, "stderr") == [*problem, "qmsdoc: 1 record not rendered"]
    assert len(_lines(result)) == 7
    assert not (sample_repo / "out" / "CC-2026-0003.docx").exists()
    assert (sample_repo / "out" / "CC-2026-0001.docx").exists()


def test_ids_paths_and_usage_errors(run_cli: Run, sample_repo: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(sample_repo)
    result = run_cli("render", "CSR-LDEV", "records/8d", repo=sample_repo)
    assert _code(result) == 0
    assert _lines(result) == [os.path.join("out", "CSR-LDEV.docx"),
                              os.path.join("out", "8D-2026-0001.docx")]
    result = run_cli("render", "CC-2026-9999", repo=sample_repo)
    assert _code(result) == 2
    assert _lines(result, "stderr") == [
        "qmsdoc: 'CC-2026-9999' is neither a record id nor a path "
        "(no records/**/CC-2026-9999.yaml)"]
    result = run_cli("render", repo=sample_repo)
    assert _code(result) == 2
    assert _lines(result, "stderr") == [
        "qmsdoc: name the records to render (ids or paths), or use --all or --changed-since "
        "REF"]


def test_pdf_without_libreoffice_is_a_usage_error(
        run_cli: Run, sample_repo: Path, monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = run_cli("render", "--all", "--pdf", repo=sample_repo)
    assert _code(result) == 2
    assert _lines(result, "stderr")[0].startswith(
        "qmsdoc: --pdf needs LibreOffice, but soffice is not installed or not on PATH")
    assert not (sample_repo / "out").exists()


SIG_AT = "2026-11-20T14:05:33+08:00"


def _sig(role: str, name: str, dept: str, at: str = SIG_AT) -> Signature:
    return Signature(role, name, name, dept, at, "c" * 40)


def test_released_state_prints_signatures_revisions_and_controlled_footer(
        repo: Path, write_record: Callable[..., Path], docx_text: Text) -> None:
    write_record(repo, "records/complaints/2026/CC-2026-0001.yaml",
                 MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    rev_a = Revision("A", "2026-11-10T10:00:00+08:00", "首次发布", "a" * 40, "1" * 40,
                     _sig("prepared", "李明", "品质部", "2026-11-09T09:00:00+08:00"),
                     _sig("reviewed", "王芳", "品质部"), _sig("approved", "孙立", "总经办"))
    rev_b = Revision("B", "2026-11-20T14:05:33+08:00", "补充纠正措施", "b" * 40, "2" * 40,
                     _sig("prepared", "李明", "品质部", "2026-11-19T16:30:00+08:00"),
                     _sig("reviewed", "王芳", "品质部", "2026-11-20T11:00:00+08:00"),
                     Signature("approved", "sun.li", "孙立", "总经办", SIG_AT, "2" * 40, True))
    state = RecordState("CC-2026-0001", "released", "B", True, "2" * 40, "b" * 40,
                        (rev_a, rev_b))
    store = SchemaStore()
    cfg = config.load(repo, store)
    report = validate_repo(repo, cfg, store, [], keep_records=True)
    [outcome] = render_records(repo, cfg, store, report.records, {"CC-2026-0001": state},
                               repo / "out")
    assert outcome.path is not None
    text = docx_text(outcome.path)
    # issue 11: the status in the 版次 cell, the evidence of each signature
    assert "版次\nB 受控·现行\n页次" in text and "草稿" not in text
    signatures = text[text.index("审批签署"):text.index("修订履历")]
    assert ("姓名 Name\n李明\n王芳\n孙立\n职务 Position\n\n\n\n"
            "部门 Department\n品质部\n品质部\n总经办\n"
            "日期时间\nDate/time\n2026-11-19 16:30 +08:00\n2026-11-20 11:00 +08:00\n"
            "2026-11-20 14:05 +08:00\n"
            "签名含义 Meaning\n编制：确认内容如实编制\n审核：确认内容正确、完整\n"
            "批准：批准发布生效\n"
            "审批提交 Commit\ncccccccccccc\ncccccccccccc\n222222222222\n"
            "电子签名\nSignature\n未签名 \n未签名 \n已签名 \n"
            ) in signatures
    history = text[text.index("修订履历"):]
    assert "A\n2026-11-10\n首次发布\n李明\n王芳\n孙立\nB\n2026-11-20\n补充纠正措施" in history
    assert text.splitlines()[-3:-1] == [
        "受控·现行    保存期限 Retention: 3年    QR-047-01",
        f"打印日期 Printed: 2026-12-02 08:00 +08:00 · CC-2026-0001 版次 B · commit {'2' * 40} · "
        f"blob {'b' * 40}"]
    with zipfile.ZipFile(outcome.path) as z:
        core = z.read("docProps/core.xml").decode()
    assert '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-11-19T08:30:00Z' in core


def test_a_draft_never_shows_signatures(repo: Path, write_record: Callable[..., Path],
                                        docx_text: Text) -> None:
    write_record(repo, "records/complaints/2026/CC-2026-0001.yaml",
                 MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    rev_a = Revision("A", "2026-11-10T10:00:00+08:00", "首次发布", "a" * 40, "1" * 40,
                     _sig("prepared", "李明", "品质部"), _sig("reviewed", "王芳", "品质部"),
                     _sig("approved", "孙立", "总经办"))
    state = RecordState("CC-2026-0001", "draft", "B", True, "3" * 40, "d" * 40, (rev_a,),
                        (Change("3" * 40, "赵磊", "2026-11-21T09:00:00+08:00", "更新沟通记录"),))
    store = SchemaStore()
    cfg = config.load(repo, store)
    report = validate_repo(repo, cfg, store, [], keep_records=True)
    [outcome] = render_records(repo, cfg, store, report.records, {"CC-2026-0001": state},
                               repo / "out")
    assert outcome.path is not None
    text = docx_text(outcome.path)
    assert "版次\nB 草稿\n页次" in text and "草稿 未经批准 不得使用" in text
    signatures = text[text.index("审批签署"):text.index("修订履历")]
    assert "王芳" not in signatures and "孙立" not in signatures
    assert "姓名 Name\n赵磊\n" in signatures  # issue 11: a draft shows its preparer
    assert "B 草稿\n2026-11-21\n更新沟通记录\n赵磊\n待批准\n待批准" in text[
        text.index("修订履历"):]


def test_builtin_sample_records_render_from_the_source_tree(tmp_path: Path) -> None:
    """The records repository that ships with qmsdoc renders as it is (make demo)."""
    repo = tmp_path / "r"
    shutil.copytree(ROOT / "records", repo / "records")
    store = SchemaStore()
    cfg = config.load(ROOT, store)
    report = validate_repo(repo, cfg, store, [], keep_records=True)
    outcomes = list(render_records(repo, cfg, store, report.records,
                                   states_for(repo, cfg, report.records), tmp_path / "out"))
    assert [o.error for o in outcomes] == [None] * 8


def test_worker_processes_write_the_same_files(sample_repo: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from qmsdoc.render import parallel

    if not parallel.available():
        pytest.skip("no fork start method on this platform: forms are rendered serially")
    monkeypatch.setattr("qmsdoc.render.PARALLEL_MIN", 2)
    monkeypatch.setattr("qmsdoc.render.parallel.CHUNK", 3)
    store = SchemaStore()
    cfg = config.load(sample_repo, store)
    report = validate_repo(sample_repo, cfg, store, [], keep_records=True)
    states = states_for(sample_repo, cfg, report.records)
    done: list[int] = []
    serial = list(render_records(sample_repo, cfg, store, report.records, states,
                                 sample_repo / "serial"))
    forked = list(render_records(sample_repo, cfg, store, report.records, states,
                                 sample_repo / "forked", jobs=2, progress=done.append))
    assert [o.record.id for o in forked] == [o.record.id for o in serial]
    assert done == [3, 3, 2]
    for a, b in zip(serial, forked, strict=True):
        assert a.path is not None and b.path is not None
        assert a.path.read_bytes() == b.path.read_bytes()
