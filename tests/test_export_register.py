"""qmsdoc export: the register (台账) of a kind as a workbook — real dates and numbers,
frozen headings, filters, A4 landscape with the headings repeated — or as CSV; with the
revision and approval state from git and the deadlines judged at --today."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from conftest import Result
from gitrepo import GitRepo, released_a

Run = Callable[..., Result]
HEADINGS = ["编号", "原台账编号", "受理日期", "客户", "主题", "料号", "品名", "投诉类别",
            "严重程度", "不良数量", "涉及金额(元)", "责任部门", "状态", "内部结案日期",
            "8D报告", "负责人", "下一期限", "期限事项", "逾期天数", "版次", "审批状态"]
SECOND = """\
kind: complaint
id: CC-2026-0002
title: 端子镀层起泡
customer: HXAUTO
legacy_no: 2026-002
received_at: 2026-11-10T14:00:00+08:00
category: delivery
severity: major
status: registered
impact: {safety: false, function: false, amount_rmb: 15000.5}
product: {part_no: "88001", name: 端子, qty_defective: 120}
description: 端子镀层起泡
responsibility: {party: internal, department: production}
"""
CSV = (
    ",".join(HEADINGS) + "\r\n"
    "CC-2026-0001,,2026-11-03 09:40,华信汽车部件有限公司,支架开裂,0012345,前保险杠支架,"
    "产品质量,一般,,,,已登记,,,销售部,2026-11-03 11:40,答复客户(二小时回复),16,A,已发布\r\n"
    "CC-2026-0002,2026-002,2026-11-10 14:00,华信汽车部件有限公司,端子镀层起泡,88001,端子,"
    "产品交货,重大,120,15000.5,生产部,已登记,,,销售部,2026-11-10 16:00,"
    "答复客户(二小时回复),9,—,草稿\r\n")


@pytest.fixture
def registered(git_repo: GitRepo) -> GitRepo:
    """CC-2026-0001 released as revision A; CC-2026-0002 committed, not yet approved."""
    released_a(git_repo)
    git_repo.commit("li.ming", "New complaint CC-2026-0002",
                    {"records/complaints/2026/CC-2026-0002.yaml": SECOND})
    return git_repo


def _export(repo: GitRepo, *args: str) -> Result:
    return repo.cli("export", *args, "--today", "2026-11-20")


def test_the_workbook(registered: GitRepo) -> None:
    from openpyxl import load_workbook

    out = registered.root / "reg.xlsx"
    result = _export(registered, "complaints", "--out", str(out))
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.output.endswith("reg.xlsx (2 records)\n")
    sheet = load_workbook(out)["台账"]
    assert sheet["A1"].value == "客户抱怨单台账"
    assert "A1:U1" in {str(r) for r in sheet.merged_cells.ranges}
    assert sheet["A2"].value == "测试制造有限公司    导出时间: 2026-11-20 00:00    共 2 条"
    assert [c.value for c in sheet[3]] == HEADINGS
    first = {h: c for h, c in zip(HEADINGS, sheet[4], strict=True)}
    second = {h: c for h, c in zip(HEADINGS, sheet[5], strict=True)}
    assert first["编号"].value == "CC-2026-0001"
    assert first["受理日期"].value == datetime(2026, 11, 3, 9, 40)
    assert first["受理日期"].number_format == "yyyy-mm-dd hh:mm"
    assert first["料号"].value == "0012345"  # a part number stays text
    assert (first["版次"].value, first["审批状态"].value) == ("A", "已发布")
    assert (second["版次"].value, second["审批状态"].value) == ("—", "草稿")
    assert second["涉及金额(元)"].value == 15000.5
    assert second["涉及金额(元)"].number_format == "#,##0.00"
    assert second["不良数量"].value == 120 and second["不良数量"].data_type == "n"
    assert (second["严重程度"].value, second["责任部门"].value) == ("重大", "生产部")
    assert second["下一期限"].value == datetime(2026, 11, 10, 16, 0)
    assert (first["逾期天数"].value, second["逾期天数"].value) == (16, 9)
    assert sheet.freeze_panes == "B4"
    assert sheet.auto_filter.ref == "A3:U5"
    assert sheet.print_title_rows == "$1:$3"
    setup = sheet.page_setup
    assert (setup.orientation, int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (
        "landscape", 9, 1, 0)  # 9: A4
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True


def test_the_same_records_give_the_same_bytes(registered: GitRepo) -> None:
    one, two = registered.root / "one.xlsx", registered.root / "two.xlsx"
    _export(registered, "complaint", "--out", str(one))
    time.sleep(1.1)  # openpyxl stamps the save time, to the second
    _export(registered, "complaint", "--out", str(two))
    assert one.read_bytes() == two.read_bytes()


def test_csv_and_where(registered: GitRepo) -> None:
    printed = _export(registered, "complaints", "--format", "csv", "--out", "-")
    # (click's test runner reads standard output with its line ends made \n)
    assert (printed.exit_code, printed.output) == (0, CSV.replace("\r\n", "\n"))
    out = registered.root / "reg.csv"
    _export(registered, "complaints", "--format", "csv", "--out", str(out))
    assert out.read_bytes() == b"\xef\xbb\xbf" + CSV.encode("utf-8")  # Excel reads it as UTF-8
    lines = CSV.splitlines()
    for where in (["severity=重大"], ["severity=major"], ["product.part_no=88001"],
                  ["received_at=2026-11-10", "status=registered"]):
        args = [a for w in where for a in ("--where", w)]
        found = _export(registered, "complaints", "--format", "csv", "--out", "-", *args)
        assert found.output.splitlines() == [lines[0], lines[2]], where
    bad = _export(registered, "complaints", "--where", "serverity=major")
    assert (bad.exit_code, bad.stderr) == (
        2, "qmsdoc: --where 'serverity=major': expected FIELD=VALUE with a field of a "
           "complaint record, e.g. status=closed or customer=HXAUTO\n")


def test_a_repository_without_git_is_uncontrolled(repo: Path, run_cli: Run,
                                                  write_record: Callable[..., Path]) -> None:
    from gitrepo import complaint

    write_record(repo, "records/complaints/2026/CC-2026-0001.yaml", complaint())
    result = run_cli("export", "complaints", "--format", "csv", "--out", "-", "--today",
                     "2026-11-03T10:00", repo=repo)
    assert result.lines[1] == (
        "CC-2026-0001,,2026-11-03 09:40,HXAUTO,支架开裂,0012345,前保险杠支架,产品质量,一般,,,,"
        "已登记,,,销售部,2026-11-03 11:40,答复客户(二小时回复),,—,未受控")


def test_libreoffice_opens_the_register(registered: GitRepo, tmp_path: Path) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed, so the register cannot be opened "
                    "in a real client; run scripts/setup-system.sh")
    program = Path(soffice).resolve().parent
    if not list(program.glob("libsclo*")):
        pytest.skip("LibreOffice Calc is not installed, so a workbook cannot be opened; run "
                    "scripts/setup-system.sh (apt-get install libreoffice-calc-nogui)")
    from test_render_pdf import pdf_pages

    out = registered.root / "reg.xlsx"
    _export(registered, "complaints", "--out", str(out))
    profile = tmp_path / "lo-profile"
    done = subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                           "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
                          capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    pages = pdf_pages(tmp_path / "reg.pdf")
    text = "".join("".join(page.split()) for page in pages)
    assert len(pages) == 1  # A4 landscape, fitted to the page width
    for expected in ["客户抱怨单台账", "编号", "审批状态", "CC-2026-0001", "2026-11-0309:40",
                     "15,000.50", "已发布", "第1页/共1页"]:
        assert expected in text, expected


def test_only_csv_is_printed(registered: GitRepo) -> None:
    result = _export(registered, "complaints", "--out", "-")
    assert (result.exit_code, result.stderr) == (
        2, "qmsdoc: --out -: only CSV can be printed; name a file for the workbook\n")
    assert not (registered.root / "-").exists()


def test_every_kind_has_its_register(sample_repo: Path, run_cli: Run) -> None:
    def csv(kind: str) -> list[str]:
        result = run_cli("export", kind, "--format", "csv", "--out", "-", "--today",
                         "2026-12-01", repo=sample_repo)
        assert (result.exit_code, result.stderr) == (0, "")
        return result.lines

    assert csv("contract-reviews") == [
        "编号,原台账编号,接收日期,客户,主题,订单号,合同类别,料号,数量,要求交期,评审结论,状态,负责人,"
        "下一期限,期限事项,逾期天数,版次,审批状态",
        "CR-2026-0001,,2026-11-02 14:15,蓝德电子科技有限公司,蓝德电子 LD-3310 电池后盖及屏蔽罩 返单,"
        "LD-PO-2611-0207,常规合同,MY-PL-3310 等2项,40000,2026-11-25,接受,客户已确认,,,,,—,未受控",
        "CR-2026-0002,,2026-10-12 10:20,华信汽车部件有限公司,华信汽车 HX5802107 座椅滑轨安装支架(左/右)"
        "新品订单评审,HX-PO-2026-10388,特殊合同,MY-ST-2107L 等2项,9000,2026-12-21,有条件接受,"
        "客户已确认,,,,,—,未受控"]
    assert csv("special-requirements") == [
        "编号,客户,标题,责任部门,来源文件数,条目数,负责人,下一期限,期限事项,逾期天数,版次,审批状态",
        "CSR-HXAUTO,华信汽车部件有限公司,华信汽车部件有限公司 顾客特殊要求清单,品质部,5,8,品质部,"
        "2026-11-30,顾客特殊要求条目完成 · items[1],1,—,未受控",
        "CSR-LDEV,蓝德电子科技有限公司,蓝德电子科技有限公司 顾客特殊要求清单,销售部,4,5,储运部,"
        "2026-11-30,顾客特殊要求条目完成 · items[3],1,—,未受控"]
    assert csv("8d") == [
        "编号,开始日期,客户,主题,格式,状态,负责人,下一期限,期限事项,逾期天数,版次,审批状态",
        "8D-2026-0001,2026-11-03,华信汽车部件有限公司,电池托架安装支架R角开裂,VDA 8D,进行中,"
        "刘洋 · 技术部,2026-11-28,D7 预防再发生,3,—,未受控"]


def test_a_record_that_cannot_be_read_is_named(sample_repo: Path, run_cli: Run,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    broken = sample_repo / "records/complaints/2026/CC-2026-0009.yaml"
    broken.write_text("kind: complaint\nid: [CC-2026-0009\n", encoding="utf-8")
    result = run_cli("export", "complaints", "--out", str(sample_repo / "reg.xlsx"),
                     repo=sample_repo)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "qmsdoc: warning: 1 record file(s) could not be read and are not in the register; run "
        "qmsdoc validate:", "  records/complaints/2026/CC-2026-0009.yaml"]
    assert (sample_repo / "reg.xlsx").exists()


def test_the_register_in_english(sample_repo: Path, run_cli: Run) -> None:
    """``--lang en``: English headings, labels and names where the schemas and qmsdoc.yaml
    give them; a Chinese text without English marked [zh]; codes, ids and dates as they
    are. Records written in two languages print their English."""

    def csv(kind: str, *more: str) -> list[str]:
        result = run_cli("export", kind, "--lang", "en", "--format", "csv", "--out", "-",
                         "--today", "2026-12-01", *more, repo=sample_repo)
        assert (result.exit_code, result.stderr) == (0, "")
        return result.lines

    complaints = csv("complaints")
    assert complaints[0] == (
        "Id,Legacy log no.,Received,Customer,Subject,Part no.,Part name,Complaint category,"
        "Severity,Defective qty,Amount (CNY),Responsible department,Status,"
        "Internal closure date,8D report,Owner,Next deadline,Deadline for,Days overdue,Rev.,"
        "Approval state")
    assert complaints[3] == (
        'CC-2026-0003,,2026-11-18 16:05,"Lande Electronics Technology Co., Ltd.",'
        "[zh] 充电口盖延迟交货，11月15日订单仅交60%,0023718,[zh] 充电口盖(外盖),Delivery,"
        "Minor,,0,,Investigating,,,Zhao Lei · Sales,2026-11-20 16:05,"
        "Propose a solution to the complainant,10,—,Uncontrolled")
    assert csv("complaints", "--where", "severity=Minor") == [complaints[0], complaints[3]]
    assert csv("contract-reviews")[1].startswith(
        'CR-2026-0001,,2026-11-02 14:15,"Lande Electronics Technology Co., Ltd.",[zh] 蓝德电子 '
        "LD-3310 电池后盖及屏蔽罩 返单,LD-PO-2611-0207,Regular contract,MY-PL-3310 (2 items),"
        "40000,2026-11-25,Accept,Confirmed by customer,")
    assert csv("8d") == [
        "Id,Opened,Customer,Subject,Format,Status,Owner,Next deadline,Deadline for,"
        "Days overdue,Rev.,Approval state",
        '8D-2026-0001,2026-11-03,"Huaxin Auto Parts Co., Ltd.",Battery tray mounting bracket '
        "cracked at the bend radius,VDA 8D,Open,Liu Yang · Engineering,2026-11-28,"
        "D7 Prevention,3,—,Uncontrolled"]


def test_the_english_workbook(registered: GitRepo) -> None:
    from openpyxl import load_workbook

    out = registered.root / "reg.xlsx"
    result = _export(registered, "complaints", "--lang", "en", "--out", str(out))
    assert (result.exit_code, result.stderr) == (0, "")
    sheet = load_workbook(out)["Register"]
    assert sheet["A1"].value == "Customer complaint register"
    assert sheet["A2"].value == "[zh] 测试制造有限公司    Exported: 2026-11-20 00:00    2 records"
    assert [c.value for c in sheet[3]][:4] == ["Id", "Legacy log no.", "Received", "Customer"]
    row = {c.value: v.value for c, v in zip(sheet[3], sheet[4], strict=True)}
    assert (row["Severity"], row["Rev."], row["Approval state"]) == ("General", "A", "Released")
    assert row["Received"] == datetime(2026, 11, 3, 9, 40)
    assert sheet.oddFooter.center.text == "Page &P of &N"
    # a row is as high as its wrapped texts (LibreOffice does not grow it), and a column as
    # wide as its longest word: "Approval state" breaks between its words only
    assert sheet.row_dimensions[3].height == 30  # "Legacy log no." on two lines
    assert sheet.column_dimensions["U"].width == len("Approval") + 2
    assert sheet.oddHeader.center.text == "Customer complaint register"


def test_the_messages_language_is_the_registers_default(registered: GitRepo,
                                                        monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    def heading(*options: str) -> str:
        found = registered.cli(*options, "export", "complaints", "--format", "csv", "--out",
                               "-", "--today", "2026-11-20")
        return found.output.splitlines()[0].split(",")[0]

    assert heading() == "编号"  # nothing chosen: the forms' language
    assert heading("--lang", "en") == "Id"
    monkeypatch.setenv("QMSDOC_LANG", "en")
    assert heading() == "Id"
    assert heading("--lang", "zh") == "编号"
