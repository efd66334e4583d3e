"""`qmsdoc render`: every sample record becomes a form that python-docx reads back with its
values, Chinese labels, ☑/☐ choices and the controlled-document frame."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

Text = Callable[[Path], str]
SAMPLES = ["CC-2026-0001", "CC-2026-0002", "CC-2026-0003", "CR-2026-0001", "CR-2026-0002",
           "CSR-HXAUTO", "CSR-LDEV", "8D-2026-0001"]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample repository rendered once with ``render --all``."""
    import shutil

    from click.testing import CliRunner
    from conftest import ROOT

    from qmsdoc.cli import main

    repo = tmp_path_factory.mktemp("samples")
    shutil.copytree(ROOT / "records", repo / "records")
    shutil.copy(ROOT / "qmsdoc.yaml", repo / "qmsdoc.yaml")
    result = CliRunner().invoke(main, ["--repo", str(repo), "render", "--all", "--out",
                                       str(repo / "out")])
    assert result.exit_code == 0, result.output + result.stderr
    assert sorted(result.output.splitlines()) == sorted(str(repo / "out" / f"{i}.docx")
                                                        for i in SAMPLES)
    return repo / "out"


def test_every_sample_renders_and_opens(rendered: Path, docx_text: Text) -> None:
    for record_id in SAMPLES:
        text = docx_text(rendered / f"{record_id}.docx")
        assert record_id in text
        assert "明远精密制造有限公司" in text  # company from qmsdoc.yaml


def test_complaint_fields_labels_and_choices(rendered: Path, docx_text: Text) -> None:
    text = docx_text(rendered / "CC-2026-0001.docx")
    for expected in [
        "客户抱怨处理单", "QR-047-01", "一、基本信息", "投诉类别", "料号/型号", "0012345",
        "电池托架安装支架(左)", "HX-QN-2611-0087", "华信汽车部件有限公司",  # customer name
        "2026-11-03 09:40", "赵磊",  # received_by shown by name, not roster key
        "☑ 产品质量  ☐ 产品交货  ☐ 服务质量  ☐ 价格  ☐ 其他",
        "☐ 外观  ☑ 性能", "☑ 重大  ☐ 一般  ☐ 轻微", "☐ 是  ☑ 否",  # safety: no
        "18,600.00", "不良品清查处理", "客户处", "挑选", "3600",
        "☑ 未依制造作业规范或规程作业遭客户投诉", "纠正措施", "修订WI-CY-031",
        "客户沟通记录", "首次答复", "图1  客户线上断裂支架照片",
        "1. [文件] 退回样件R角测量记录（records/attachments/CC-2026-0001/R-gauge-measurement.xlsx）",
    ]:
        assert expected in text, expected
    assert "li.ming" not in text and "zhao.lei" not in text


BUILTIN = Path(__file__).resolve().parent.parent / "qmsdoc/builtin/templates"


def git_blob(path: Path) -> str:
    import subprocess

    return subprocess.run(["git", "hash-object", str(path)], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_header_and_footer_frame(rendered: Path, docx_text: Text) -> None:
    text = docx_text(rendered / "CC-2026-0001.docx")
    lines = text.splitlines()
    assert lines[:4] == ["明远精密制造有限公司", "Mingyuan Precision Manufacturing Co., Ltd.",
                         "客户抱怨处理单", "Customer Complaint Form"]
    # issue 11: the 版次 cell carries the copy's status, a stamp says it is not in force
    for expected in ["表单编号", "记录编号", "版次", "A 非受控", "页次", "非受控 仅供参考"]:
        assert expected in lines[:16]
    template_blob = git_blob(BUILTIN / "complaint.docx")
    assert lines[-3:] == [
        "非受控（不在 git 仓库中）    保存期限 Retention: 3年    QR-047-01",
        "打印日期 Printed: 2026-12-02 08:00 +08:00 · CC-2026-0001 版次 A · commit — · blob —",
        f"模板 Template: built-in complaint.docx · blob {template_blob}"]
    with zipfile.ZipFile(rendered / "CC-2026-0001.docx") as z:
        header = z.read("word/header1.xml").decode()
        styles = z.read("word/styles.xml").decode()
    assert " PAGE " in header and " NUMPAGES " in header  # 页次 as Word fields
    assert 'w:eastAsia="SimSun"' in styles and 'w:eastAsia="zh-CN"' in styles


def test_draft_signature_block_and_revision_table(rendered: Path, docx_text: Text) -> None:
    text = docx_text(rendered / "CC-2026-0001.docx")
    body = text[text.index("审批签署"):]
    assert "编制 Prepared\n审核 Reviewed\n批准 Approved" in body
    assert "非受控 仅供参考" in body  # issue 11: the stamp across the signature block
    table = body[body.index("修订履历"):]
    assert "版次\n日期\n修订内容\n编制\n审核\n批准\nA 草稿" in table


def test_photo_is_embedded_with_caption(rendered: Path) -> None:
    with zipfile.ZipFile(rendered / "CC-2026-0001.docx") as z:
        media = [n for n in z.namelist() if n.startswith("word/media/")]
        document = z.read("word/document.xml").decode()
        rels = z.read("word/_rels/document.xml.rels").decode()
        types = z.read("[Content_Types].xml").decode()
    source = Path(__file__).parent.parent / "records/attachments/CC-2026-0001"
    assert len(media) == 1 and media[0].endswith(".png")
    with zipfile.ZipFile(rendered / "CC-2026-0001.docx") as z:
        assert z.read(media[0]) == (source / "customer-line-crack-01.png").read_bytes()
    rel_id = re.search(r'r:embed="([^"]+)"', document)
    assert rel_id and f'Id="{rel_id.group(1)}"' in rels and media[0][5:] in rels
    assert 'Extension="png"' in types
    assert 'descr="客户线上断裂支架照片"' in document


def test_8d_steps_in_order_with_five_whys(rendered: Path, docx_text: Text) -> None:
    text = docx_text(rendered / "8D-2026-0001.docx")
    steps = ["D0 紧急反应", "D1 成立小组", "D2 问题描述", "D3 临时围堵措施", "D4 根本原因分析",
             "D5 永久纠正措施", "D6 实施与确认", "D7 预防再发", "D8 结案与表彰"]
    positions = [text.index(s) for s in steps]
    assert positions == sorted(positions)
    for expected in ["8D报告", "QR-047-04", "为什么 1", "为什么 5",
                     "为什么会漏装垫片？垫片为单独零件", "☑ 法", "☑ 已确认  ☐ 未确认",
                     "是/不是分析", "P-12线生产的产品", "图1  断裂位置及R角测量照片",
                     "PF-CY-0457", "横向展开", "☑ VDA 8D"]:
        assert expected in text, expected
    with zipfile.ZipFile(rendered / "8D-2026-0001.docx") as z:
        assert any(n.startswith("word/media/") for n in z.namelist())


def test_contract_review(rendered: Path, docx_text: Text) -> None:
    text = docx_text(rendered / "CR-2026-0001.docx")
    for expected in ["订单评审表", "订货明细", "MY-PL-3310", "电池后盖", "20000", "1.36",
                     "☑ 电话传真订货", "☑ 常规合同", "部门评审", "☑ 接受", "LD-01、LD-02"]:
        assert expected in text, expected


def test_special_requirements_list_and_review_record(rendered: Path, docx_text: Text) -> None:
    text = docx_text(rendered / "CSR-HXAUTO.docx")
    for expected in ["顾客特殊要求清单", "QD-Q-C04-01", "顾客特殊要求评审记录表", "QD-Q-C04-02",
                     "HX-SQM-001", "全部产品", "MY-ST-2107L, MY-ST-2107R", "控制计划、作业指导书",
                     "顾客特殊要求评审记录 1", "顾客特殊要求评审记录 2", "☑ 新产品",
                     "☐ 接受\n☑ 接受,需采取措施\n☐ 不接受", "保存期限 Retention: 产品生命周期+1年"]:
        assert expected in text, expected
    assert text.index("顾客特殊要求清单") < text.index("顾客特殊要求评审记录表")


def test_every_schema_field_is_on_its_form() -> None:
    """Each field of each kind's schema is printed by the built-in template."""
    from conftest import ROOT

    from qmsdoc import config
    from qmsdoc.kinds import NAMES
    from qmsdoc.render import lint
    from qmsdoc.render.forms import Forms
    from qmsdoc.schema import SchemaStore

    store = SchemaStore()
    forms = Forms(ROOT, config.load(ROOT, store), store)
    for kind in NAMES:
        compiled = forms.template(kind)
        shapes = forms.shapes(kind)
        used = lint.fields_used(compiled.sources, shapes, forms.env)
        missing = sorted(set(lint.leaf_fields(shapes["r"])) - used - {"kind"})
        assert missing == [], f"{kind}: {missing}"
