"""qmsdoc import complaints: a log kept by hand (tests/legacylog.py) becomes records, each
row checked as validate checks a record; --write writes the valid rows, all or nothing, and
importing the log again writes nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Result
from legacylog import MAPPING, build

Run = Callable[..., Result]
LOG = "客户投诉台账.xlsx"
W = f"{LOG}:2026年"

DRY_RUN = [
    f"{W}!8:C: error[schema]: /customer: 'customer' is a required field",
    f"{W}!9:I: error[mapping]: /category: '包装' is not in values.category of "
    "complaints.map.yaml (品质, 交期); add it there",
    f"{W}!10:D: warning[repeat]: /product/part_no: repeat complaint: CC-2026-0001 has the "
    "same customer, part 0012345 and category quality, 16 days earlier (IATF 16949 10.2.3: "
    "check the earlier actions)",
    f"{W}: 5 rows read with complaints.map.yaml: 3 to write, 2 with errors, 0 already "
    "imported; dry run, nothing written (add --write)",
]

FIRST_RECORD = """\
# yaml-language-server: $schema=../../../schemas/complaint.schema.json
# imported from 客户投诉台账.xlsx, sheet 2026年, row 5
kind: complaint
id: CC-2026-0001
title: 支架焊缝开裂
customer: HXAUTO
legacy_no: 2026-001
status: registered
received_at: 2026-03-02T00:00:00+08:00
category: quality
severity: general
impact:
  safety: false
  function: false
  amount_rmb: 1200
product:
  part_no: "0012345"
  name: 前保险杠支架
  lot: L260301
  qty_defective: 3
description: |-
  支架焊缝开裂
  客户来料检验发现 3 件
responsibility:
  party: internal
  department: quality
"""


@pytest.fixture
def factory(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The sample configuration (customers HXAUTO and LDEV), the log and its mapping."""
    shutil.copy(ROOT / "qmsdoc.yaml", repo / "qmsdoc.yaml")
    build(repo / LOG)
    (repo / "complaints.map.yaml").write_text(MAPPING, encoding="utf-8")
    monkeypatch.chdir(repo)
    return repo


def _import(run_cli: Run, repo: Path, *extra: str) -> Result:
    return run_cli("import", "complaints", LOG, "--map", "complaints.map.yaml", *extra,
                   repo=repo)


def _records(repo: Path) -> dict[str, bytes]:
    return {p.relative_to(repo).as_posix(): p.read_bytes()
            for p in sorted((repo / "records").rglob("*.yaml"))}


def test_the_dry_run_reports_each_row_and_writes_nothing(factory: Path, run_cli: Run) -> None:
    result = _import(run_cli, factory)
    assert (result.exit_code, result.lines, result.stderr) == (1, DRY_RUN, "")
    assert _records(factory) == {}


def test_write_writes_the_valid_rows_that_validate_accepts(factory: Path, run_cli: Run) -> None:
    result = _import(run_cli, factory, "--write")
    assert result.exit_code == 1  # two rows have errors: they are left for the next run
    assert result.lines == [*DRY_RUN[:3],
                            "wrote records/complaints/2026/CC-2026-0001.yaml (row 5, 2026-001)",
                            "wrote records/complaints/2026/CC-2026-0002.yaml (row 6, 2026-002)",
                            "wrote records/complaints/2026/CC-2026-0003.yaml (row 10, 2026-005)",
                            f"{W}: 5 rows read with complaints.map.yaml: 3 written, 2 with "
                            "errors (not written), 0 already imported"]
    written = _records(factory)
    assert list(written) == [f"records/complaints/2026/CC-2026-000{n}.yaml" for n in (1, 2, 3)]
    assert written["records/complaints/2026/CC-2026-0001.yaml"].decode() == FIRST_RECORD
    second = written["records/complaints/2026/CC-2026-0002.yaml"].decode()
    for line in ["customer: LDEV", "legacy_no: 2026-002",
                 "received_at: 2026-03-05T00:00:00+08:00",  # typed as 2026.3.5
                 "category: delivery", "severity: major", "amount_rmb: 15000.5",
                 'part_no: "88001"', "qty_defective: 120", "department: production"]:
        assert f"\n{line}\n" in second or f"  {line}\n" in second, line
    third = written["records/complaints/2026/CC-2026-0003.yaml"].decode()
    for line in ["received_at: 2026-03-18T00:00:00+08:00",  # the Excel serial 46099
                 "severity: minor", "amount_rmb: 800"]:  # 轻微 is the label of minor
        assert line in third, line
    checked = run_cli("validate", repo=factory)
    assert checked.exit_code == 0
    assert checked.lines[-1] == "3 records checked, 0 errors, 1 warning"


def test_importing_again_writes_nothing(factory: Path, run_cli: Run) -> None:
    _import(run_cli, factory, "--write")
    before = _records(factory)
    again = _import(run_cli, factory, "--write")
    assert again.exit_code == 1
    assert again.lines == [*DRY_RUN[:2],
                           f"{W}: 5 rows read with complaints.map.yaml: 0 written, 2 with "
                           "errors (not written), 3 already imported"]
    assert _records(factory) == before


def test_the_corrected_rows_follow_with_the_next_ids(factory: Path, run_cli: Run) -> None:
    from openpyxl import load_workbook

    _import(run_cli, factory, "--write")
    book = load_workbook(factory / LOG)
    book["2026年"]["C8"] = "蓝德电子科技有限公司"  # the customer filled in
    book.save(factory / LOG)
    mapping = MAPPING.replace("{品质: quality, 交期: delivery}",
                              "{品质: quality, 交期: delivery, 包装: other}")
    (factory / "complaints.map.yaml").write_text(mapping, encoding="utf-8")
    result = _import(run_cli, factory, "--write")
    assert (result.exit_code, result.lines) == (0, [
        "wrote records/complaints/2026/CC-2026-0004.yaml (row 8, 2026-003)",
        "wrote records/complaints/2026/CC-2026-0005.yaml (row 9, 2026-004)",
        f"{W}: 5 rows read with complaints.map.yaml: 2 written, 0 with errors (not written), "
        "3 already imported"])
    assert "category: other" in (factory / "records/complaints/2026/CC-2026-0005.yaml").read_text(
        encoding="utf-8")
    assert run_cli("validate", repo=factory).lines[-1] == "5 records checked, 0 errors, 1 warning"


def test_nothing_is_written_when_one_record_cannot_be(factory: Path, run_cli: Run,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from qmsdoc import atomic

    real = atomic.create
    calls: list[Path] = []

    def second_is_taken(path: Path, data: bytes) -> bool:
        calls.append(path)
        return real(path, data) if len(calls) != 2 else False  # `qmsdoc new` was faster

    monkeypatch.setattr(atomic, "create", second_is_taken)
    result = _import(run_cli, factory, "--write")
    assert result.exit_code == 1
    assert result.stderr == ("qmsdoc: records/complaints/2026/CC-2026-0002.yaml was created "
                             "meanwhile (by `qmsdoc new`?); nothing was written: run the "
                             "import again\n")
    assert calls[0].name == "CC-2026-0001.yaml" and not calls[0].exists()
    assert _records(factory) == {}
    assert not (factory / "records/complaints").exists()  # made by this run, now empty


def test_write_needs_a_mapping(factory: Path, run_cli: Run) -> None:
    result = run_cli("import", "complaints", LOG, "--write", repo=factory)
    assert (result.exit_code, result.output) == (2, "")
    assert result.stderr == ("qmsdoc: --write needs --map MAP.yaml: write one with --init-map, "
                             "check it, then import with it\n")


def test_init_map_guesses_the_columns_from_the_headings(factory: Path, run_cli: Run) -> None:
    result = run_cli("import", "complaint", LOG, "--init-map", repo=factory)
    assert result.lines == ["wrote 客户投诉台账.map.yaml: check it, then run qmsdoc import "
                            "complaint 客户投诉台账.xlsx --map 客户投诉台账.map.yaml"]
    text = (factory / "客户投诉台账.map.yaml").read_text(encoding="utf-8")
    for line in [
        "header_rows: [3, 4]",
        "  A: legacy_no                  # 序号 → 原台账编号, e.g. 2026-001",
        "  B: received_at                # 投诉日期 → 受理时间, e.g. 2026-03-02",
        "  D: product.part_no            # 产品信息/料号 → 料号/型号, e.g. 0012345",
        "  G: [title, description]       # 不良描述 → 主题 / 投诉原因, e.g. 支架焊缝开裂⏎客户来料检验发现 3 件",
        "  L: impact.amount_rmb          # 索赔金额 → 涉及金额(元), e.g. 1,200元",
        "  M: ~                          # 内部备注, hidden, e.g. 已电话回复 (no field guessed)",
        "    交期: delivery",
        "    # 包装: ?   (not guessed)",
        "    品质: quality",
        "    严重: major",
        "    品管部: quality",
        "  responsibility.party: internal",
    ]:
        assert f"\n{line}\n" in text, line
    again = run_cli("import", "complaint", LOG, "--init-map", repo=factory)
    assert (again.exit_code, again.stderr) == (
        2, "qmsdoc: 客户投诉台账.map.yaml already exists; edit it, or name another file with "
           "--map\n")
    dry = run_cli("import", "complaints", LOG, "--map", "客户投诉台账.map.yaml", repo=factory)
    assert dry.lines == [DRY_RUN[0],
                         f"{W}!9:I: error[mapping]: /category: '包装' is not in values.category "
                         "of 客户投诉台账.map.yaml (交期, 品质); add it there",
                         DRY_RUN[2],
                         f"{W}: 5 rows read with 客户投诉台账.map.yaml: 3 to write, 2 with errors, "
                         "0 already imported; dry run, nothing written (add --write)"]


@pytest.mark.parametrize(("mapping", "message"), [
    (MAPPING.replace("A: legacy_no", "A: legacy_nr"),
     "complaints.map.yaml:6:6: 'legacy_nr' is not a field a column can fill (see `qmsdoc "
     "schema complaint`)"),
    (MAPPING.replace("  A: legacy_no\n", ""),
     "complaints.map.yaml:5:1: no column is mapped to legacy_no: map the column of the log's "
     "own number (序号, 编号), so that importing the log again skips what it imported"),
    (MAPPING.replace("{严重: major, 一般: general}", "{严重: critical}"),
     "complaints.map.yaml:20:18: 'critical' is not a code of severity (one of: major, "
     "general, minor)"),
    (MAPPING.replace("sheet: 2026年", "sheet: 2025年"),
     "客户投诉台账.xlsx: no sheet '2025年' (sheets: 2026年)"),
    (MAPPING.replace("kind: complaint", "kind: contract-review"),
     "complaints.map.yaml:2:7: this mapping is for contract-review records, not complaint"),
])
def test_a_bad_mapping_is_one_line_and_exit_2(factory: Path, run_cli: Run, mapping: str,
                                              message: str) -> None:
    (factory / "complaints.map.yaml").write_text(mapping, encoding="utf-8")
    result = _import(run_cli, factory, "--write")
    assert (result.exit_code, result.output, result.stderr) == (2, "", f"qmsdoc: {message}\n")
    assert _records(factory) == {}


def test_a_file_that_is_not_a_workbook(factory: Path, run_cli: Run) -> None:
    (factory / "log.xlsx").write_text("序号,日期\n1,2026-03-02\n", encoding="utf-8")
    result = run_cli("import", "complaints", "log.xlsx", repo=factory)
    assert result.exit_code == 2
    assert result.stderr.startswith("qmsdoc: log.xlsx: not an Excel .xlsx workbook (")
    (factory / "log.csv").write_text("序号,日期\n", encoding="utf-8")
    text = run_cli("import", "complaints", "log.csv", repo=factory)
    assert (text.exit_code, text.stderr) == (2, "qmsdoc: log.csv: a text file; open it in Excel "
                                                "and save it as an .xlsx workbook, then import "
                                                "that\n")
    (factory / "log.ods").write_text("", encoding="utf-8")
    other = run_cli("import", "complaints", "log.ods", repo=factory)
    assert other.exit_code == 2 and other.stderr.startswith(
        "qmsdoc: log.ods: not an Excel .xlsx workbook (openpyxl does not support .ods")
    (factory / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    old = run_cli("import", "complaints", "old.xls", repo=factory)
    assert (old.exit_code, old.stderr) == (2, "qmsdoc: old.xls: an Excel 97-2003 workbook "
                                              "(.xls); save it as .xlsx (Excel: 另存为 → Excel "
                                              "工作簿) and import that\n")



def test_numbers_that_restart_every_year(repo: Path, run_cli: Run,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Each year's sheet counts 1, 2, …: the guessed mapping prefixes the numbers with the
    sheet's name, so that importing the second year skips nothing of the first."""
    from openpyxl import Workbook

    shutil.copy(ROOT / "qmsdoc.yaml", repo / "qmsdoc.yaml")
    book = Workbook()
    for name, year in (("2025年", 2025), ("2026年", 2026)):
        sheet = book.create_sheet(name)
        sheet.append(["序号", "投诉日期", "客户名称", "料号", "品名", "不良描述"])
        sheet.append([1, f"{year}.5.6", "HXAUTO", "0012345", "前保险杠支架", "支架开裂"])
        sheet.append([2, f"{year}.7.8", "LDEV", "88001", "端子", "镀层起泡"])
    del book["Sheet"]
    book.save(repo / "台账.xlsx")
    monkeypatch.chdir(repo)
    for year in ("2025年", "2026年"):
        made = run_cli("import", "complaints", "台账.xlsx", "--sheet", year, "--init-map",
                       "--map", f"{year}.yaml", repo=repo)
        assert made.exit_code == 0
        assert f"\nlegacy_prefix: {year}-\n" in (repo / f"{year}.yaml").read_text(
            encoding="utf-8")
        result = run_cli("import", "complaints", "台账.xlsx", "--map", f"{year}.yaml",
                         "--write", repo=repo)
        assert result.exit_code == 0, result.output
        assert result.lines[-1] == (f"台账.xlsx:{year}: 2 rows read with {year}.yaml: 2 written, "
                                    "0 with errors (not written), 0 already imported")
    assert sorted(p.stem for p in (repo / "records").rglob("*.yaml")) == [
        "CC-2025-0001", "CC-2025-0002", "CC-2026-0001", "CC-2026-0002"]
    assert "legacy_no: 2026年-2\n" in (repo / "records/complaints/2026/CC-2026-0002.yaml"
                                      ).read_text(encoding="utf-8")
    wrong = run_cli("import", "complaints", "台账.xlsx", "--sheet", "说明", repo=repo)
    assert (wrong.exit_code, wrong.stderr) == (
        2, "qmsdoc: 台账.xlsx: no sheet '说明' (sheets: 2025年, 2026年)\n")
