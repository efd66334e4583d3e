"""Command-line messages in Chinese or English: the gettext catalog is complete and compiled,
the language is chosen by --lang, QMSDOC_LANG, the locale or qmsdoc.yaml, and the finding
codes and positions are the same in every language."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Result

from qmsdoc import i18n, parallel

sys.path.insert(0, str(ROOT / "scripts"))
import messages  # noqa: E402 - scripts/messages.py: Babel's extraction, as `make messages`

EXAMPLES = Path(__file__).parent / "examples" / "invalid"
CASES = sorted(p.name for p in EXAMPLES.iterdir() if p.is_dir())
Run = Callable[..., Result]

# the README's examples (section "Validate")
NEGATIVE = """kind: complaint
id: CC-2026-0101
title: 支架开裂
customer: HXAUTO
received_at: 2026-11-03T09:40:00+08:00
category: quality
severity: general
status: registered
product:
  part_no: "0012345"
  name: 前保险杠支架
  qty_delivered: 1200
  qty_defective: -5
description: 客户来料检验发现支架开裂。
"""
MISSPELT = """kind: complaint
id: CC-2026-0101
title: 支架开裂
custmer: HXAUTO
received_at: 2026-11-03T09:40:00+08:00
category: qualty
severity: general
status: registered
impact: {safety: false, function: false, amount_rmb: 12500}
product:
  part_no: "0012345"
  name: 前保险杠支架
description: 客户来料检验发现支架开裂。
"""
RECORD = "records/complaints/2026/CC-2026-0101.yaml"


def _qmsdoc(repo: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """``qmsdoc ARGS`` in a process of its own, with the locale variables of ``env`` only."""
    base = {k: v for k, v in os.environ.items()
            if k not in ("QMSDOC_LANG", "LANG", "LC_ALL", "LC_MESSAGES", "LANGUAGE")}
    return subprocess.run([sys.executable, "-m", "qmsdoc", "--repo", str(repo), *args],
                          capture_output=True, text=True, env={**base, **env}, check=False)


@pytest.fixture
def readme_repo(tmp_path: Path) -> Path:
    root = tmp_path / "readme"
    (root / "records/complaints/2026").mkdir(parents=True)
    shutil.copy(ROOT / "qmsdoc.yaml", root / "qmsdoc.yaml")
    return root


# --- the catalog ----------------------------------------------------------------------------


def test_every_message_of_the_code_is_in_the_catalog_and_translated() -> None:
    """Babel extracts the messages from the code (babel.cfg) as `make messages` does; the
    zh_CN catalog has each of them, with a translation that is neither empty nor fuzzy, keeps
    none the code dropped, and its .mo is compiled from the .po as it is."""
    source = messages.template()
    assert len(source) > 500
    assert messages.problems("zh_CN", source) == []


def test_each_translation_keeps_the_placeholders_of_its_message() -> None:
    def names(text: str) -> list[str]:
        return sorted(set(re.findall(r"(?<!\{)\{(\w*)(?:[!:][^{}]*)?\}(?!\})", text)))

    for message in messages.read("zh_CN"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert names(text) == names(ids[0]), message.id


def test_a_message_without_a_catalog_entry_would_be_found(tmp_path: Path) -> None:
    """The comparison sees a new message: the extraction reads `_()` calls and --help."""
    import clickhelp
    from babel.messages.extract import extract

    code = ('import click\n@click.command()\n@click.option("--x", help="An option.")\n'
            'def cmd(x):\n    """The command."""\n    print(_("a new message {n}"))\n')
    (tmp_path / "mod.py").write_text(code, encoding="utf-8")
    with open(tmp_path / "mod.py", "rb") as stream:
        found = {m[1] for m in extract(clickhelp.extract, stream, keywords={"_": None})}
    assert found == {"a new message {n}", "An option.", "The command."}


def test_clicks_own_words_have_a_catalog_made_from_the_installed_click() -> None:
    """Usage:, Options, Click's errors: the click catalog holds every message of the
    installed Click, translated (a new Click release with new words fails here: make
    messages, then translate them)."""
    assert messages.problems("zh_CN", messages.template("click"), "click") == []


def test_the_catalog_is_compiled_into_the_package() -> None:
    mo = ROOT / "qmsdoc/builtin/locale/zh_CN/LC_MESSAGES/qmsdoc.mo"
    assert mo.read_bytes() == messages.mo_bytes(messages.read("zh_CN"))
    assert i18n.catalog("zh").gettext("none") == "无"


# --- validate in Chinese: the README's examples ---------------------------------------------


def test_the_readme_examples_in_chinese_with_the_same_codes_and_positions(
        readme_repo: Path) -> None:
    (readme_repo / RECORD).write_text(NEGATIVE, encoding="utf-8")
    done = _qmsdoc(readme_repo, "validate", LANG="zh_CN.UTF-8")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        f"{RECORD}:13:18: error[schema]: /product/qty_defective: -5 小于最小值 0",
        "已检查 1 条记录：1 个错误，0 个警告",
    ]
    (readme_repo / RECORD).write_text(MISSPELT, encoding="utf-8")
    chinese = _qmsdoc(readme_repo, "validate", LANG="zh_CN.UTF-8")
    english = _qmsdoc(readme_repo, "validate", LANG="C.UTF-8")
    assert chinese.returncode == english.returncode == 1
    assert chinese.stdout.splitlines() == [
        f"{RECORD}:1:1: error[schema]: /customer: 缺少必填字段 'customer'",
        f"{RECORD}:4:1: error[schema]: /custmer: 此处不允许未知字段 'custmer'；是否应为 "
        "'customer'？",
        f"{RECORD}:6:11: error[schema]: /category: \"qualty\" 不是可选值之一：quality (产品质量), "
        "delivery (产品交货), service (服务质量), price (价格), other (其他)；是否应为 'quality'？",
        f"{RECORD}:7:11: error[severity]: /severity: 严重度为 general，但应为 major：金额 RMB "
        "12,500 超过 10,000",
        "已检查 1 条记录：4 个错误，0 个警告",
    ]
    assert english.stdout.splitlines()[0] == (
        f"{RECORD}:1:1: error[schema]: /customer: 'customer' is a required field")

    def heads(out: str) -> list[str]:  # PATH:LINE:COL: severity[CODE]: FIELD:
        return [re.match(r"^(\S+: \w+\[[\w-]+\]: \S+:)", line)[1]  # type: ignore[index]
                for line in out.splitlines()[:-1]]

    assert heads(chinese.stdout) == heads(english.stdout)


@pytest.mark.parametrize("case", CASES)
def test_every_example_fault_keeps_its_code_and_position_in_chinese(
        case: str, run_cli: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The corpus of faults (tests/examples/invalid) in Chinese: each line starts as in
    English (path, line, column, severity, code, field) and says it in Chinese."""
    english = (EXAMPLES / case / "expected.txt").read_text(encoding="utf-8").splitlines()[:-2]
    result = run_cli("--lang", "zh", "validate", repo=EXAMPLES / case)
    lines = result.lines[:-1]
    assert len(lines) == len(english), case
    for zh, en in zip(lines, english, strict=True):
        head = re.match(r"^(.*?: (?:error|warning)\[[\w-]+\]: \S+: )", en)
        assert head is not None and zh.startswith(head[1]), (zh, en)
        assert zh != en and re.search(r"[\u4e00-\u9fff]", zh[len(head[1]):]), zh
    assert re.fullmatch(r"已检查 \d+ 条记录：\d+ 个错误，\d+ 个警告", result.lines[-1])


def test_json_and_github_formats_keep_codes_and_positions(readme_repo: Path) -> None:
    (readme_repo / RECORD).write_text(MISSPELT, encoding="utf-8")
    done = _qmsdoc(readme_repo, "validate", "--format", "github", LANG="zh_CN.UTF-8")
    assert done.stdout.splitlines()[0] == (
        f"::error file={RECORD},line=1,col=1::/customer: 缺少必填字段 'customer' [schema]")


# --- the choice of the language -------------------------------------------------------------


@pytest.mark.parametrize(("env", "args", "summary"), [
    ({"LANG": "zh_CN.UTF-8"}, (), "已检查"),
    ({"LANG": "zh_CN.UTF-8", "QMSDOC_LANG": "en"}, (), "1 record checked"),
    ({"QMSDOC_LANG": "en"}, ("--lang", "zh"), "已检查"),
    ({"LANG": "zh_CN.UTF-8"}, ("--lang", "en"), "1 record checked"),
    ({"LANG": "zh_CN.UTF-8", "LC_ALL": "C"}, (), "1 record checked"),  # C: no choice, English
    ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "zh_CN.UTF-8"}, (), "已检查"),
    ({"LANG": "de_DE.UTF-8"}, (), "1 record checked"),  # neither: the default
    ({"QMSDOC_LANG": "zh"}, (), "已检查"),
], ids=["locale", "env-over-locale", "option-over-env", "option-over-locale", "c-locale",
        "lc-messages", "other-language", "env"])
def test_the_language_is_chosen_by_option_environment_and_locale(
        readme_repo: Path, env: dict[str, str], args: tuple[str, ...], summary: str) -> None:
    (readme_repo / RECORD).write_text(NEGATIVE.replace("-5", "5"), encoding="utf-8")
    done = _qmsdoc(readme_repo, *args, "validate", **env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(summary)


def test_qmsdoc_yaml_chooses_when_nothing_else_does(readme_repo: Path) -> None:
    config = readme_repo / "qmsdoc.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "language:\n  messages: zh\n",
                      encoding="utf-8")
    (readme_repo / RECORD).write_text(NEGATIVE, encoding="utf-8")
    assert _qmsdoc(readme_repo, "validate", LANG="C.UTF-8").stdout.endswith(
        "已检查 1 条记录：1 个错误，0 个警告\n")
    assert _qmsdoc(readme_repo, "validate", LANG="en_US.UTF-8").stdout.endswith(
        "1 record checked, 1 error, 0 warnings\n")  # the locale chose English
    config.write_text(config.read_text(encoding="utf-8").replace("messages: zh",
                                                                 "messages: fr"),
                      encoding="utf-8")
    refused = _qmsdoc(readme_repo, "validate", LANG="C.UTF-8")
    assert refused.returncode == 2
    assert "error[config]: /language/messages: \"fr\" is not one of: zh (中文), en (英文)" \
        in refused.stdout


def test_an_unknown_qmsdoc_lang_is_refused_in_one_line(readme_repo: Path) -> None:
    done = _qmsdoc(readme_repo, "validate", QMSDOC_LANG="fr")
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == "qmsdoc: QMSDOC_LANG=fr: unknown language; use zh or en\n"


def test_errors_the_cli_prints_are_translated(tmp_path: Path) -> None:
    done = _qmsdoc(tmp_path / "missing", "validate", LANG="zh_CN.UTF-8")
    assert (done.returncode, done.stderr) == (2, f"qmsdoc: --repo {tmp_path / 'missing'}：不是目录\n")
    (tmp_path / "empty").mkdir()
    done = _qmsdoc(tmp_path / "empty", "validate", LANG="zh_CN.UTF-8")
    assert done.stderr.startswith(f"qmsdoc: {tmp_path / 'empty'} 中没有 records/ 文件夹：")


@pytest.mark.parametrize(("value", "language"), [
    ("zh_CN.UTF-8", "zh"), ("zh_TW.Big5", "zh"), ("zh", "zh"), ("zh-CN", "zh"),
    ("en_US.UTF-8", "en"), ("C", None), ("C.UTF-8", None), ("POSIX", None), ("de_DE", None),
    ("sr_RS@latin", None), ("", None)])
def test_locale_names(value: str, language: str | None) -> None:
    assert i18n.parse(value) == language


def test_the_first_set_locale_variable_decides() -> None:
    assert i18n.from_locale({"LC_ALL": "", "LC_MESSAGES": "zh_CN.UTF-8", "LANG": "C"}) == "zh"
    assert i18n.from_locale({"LC_ALL": "C.UTF-8", "LANG": "zh_CN.UTF-8"}) is None
    assert i18n.from_locale({}) is None


def test_a_spawned_worker_speaks_the_language_of_its_parent(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned workers (no fork: Windows, macOS) get the choice through the pool's
    initializer; forked ones inherit it."""
    monkeypatch.setattr(parallel, "START_METHOD", "spawn")
    try:
        i18n.use("zh")
        assert list(parallel.run(i18n._, ["none", "none", "none"], jobs=2)) == ["无"] * 3
    finally:
        i18n.use("en")
    assert list(parallel.run(i18n._, ["none", "none"], jobs=2)) == ["none"] * 2


def test_validate_in_worker_processes_is_chinese_too(sample_repo: Path) -> None:
    done = _qmsdoc(sample_repo, "validate", "-j", "2", "--format", "json", LANG="zh_CN.UTF-8")
    assert done.returncode == 0, done.stderr


# --- --help ---------------------------------------------------------------------------------


def test_help_in_chinese(run_cli: Run) -> None:
    result = run_cli("--lang", "zh", "validate", "--help")
    assert "  按 schema 和记录间的规则检查记录。" in result.lines
    assert any(line.startswith("  --changed-since REF") and "检查自 git 版本 REF" in line
               for line in result.lines)
    listed = [" ".join(line.split()) for line in run_cli("--lang", "zh", "--help").lines]
    assert "validate 按 schema 和记录间的规则检查记录" in listed
    assert "verify 按当时有效的审批规则检查 git 历史中的每次审批" in listed
    assert listed[0] == "用法: main [OPTIONS] COMMAND [ARGS]..."  # in-process: the function
    assert "-h, --help 显示此帮助并退出。" in listed
    english = run_cli("--help").lines  # the same process: English again
    assert english[0] == "Usage: main [OPTIONS] COMMAND [ARGS]..."
    assert any(" ".join(line.split()).startswith("validate Check records against their schemas")
               for line in english)


def test_clicks_own_errors_in_chinese(tmp_path: Path) -> None:
    done = _qmsdoc(tmp_path, "valdate", LANG="zh_CN.UTF-8")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "用法: qmsdoc [OPTIONS] COMMAND [ARGS]...", "运行 'qmsdoc --help' 查看帮助。", "",
        "错误：没有命令 'valdate'。 （是否应为：'validate'？）"]


# --- due ------------------------------------------------------------------------------------


def test_due_in_chinese(sample_repo: Path) -> None:
    done = _qmsdoc(sample_repo, "due", "--today", "2026-11-21", LANG="zh_CN.UTF-8")
    english = _qmsdoc(sample_repo, "due", "--today", "2026-11-21", LANG="C.UTF-8")
    assert done.returncode == english.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "qmsdoc due — 当前时间 2026-11-21 00:00 +0800"
    assert "已逾期（2）" in lines and "未到期（11）" in lines and "  （无责任人） · 品质部" in lines
    assert lines[-1] == "8 条记录中有 13 个未完成的期限：2 个已逾期，11 个未到期"
    assert english.stdout.splitlines()[-1] == (
        "13 open clocks in 8 records: 2 overdue, 11 not yet due")
    assert "    CC-2026-0003  complaint-solution      期限 2026-11-20 16:05  逾期 7 小时 55 分  " \
        "提出解决方案并与投诉人沟通 [003 客户投诉处理制度 五.2]" in lines
    # the same clocks in the same order, columns lined up as in English
    records = [line.split()[:2] for line in lines if line.startswith("    ")]
    assert records == [line.split()[:2] for line in english.stdout.splitlines()
                       if line.startswith("    ")]
    from qmsdoc.views.columns import width

    clocks = [line for line in lines if line.startswith("    ")]
    column = {width(line[: line.index("逾期 ")]) for line in clocks[:2]}  # the overdue section
    assert len(column) == 1


# --- the statistics reports -----------------------------------------------------------------


def _texts(path: Path) -> list[str]:
    """Every text of a report: its .docx paragraphs and table cells (body, headers,
    footers) or its .xlsx cells and sheet names."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        return [*book.sheetnames, *(str(c.value) for s in book for row in s.iter_rows()
                                    for c in row if c.value is not None)]
    import docx

    document = docx.Document(str(path))
    found: list[str] = []

    def walk(part: object) -> None:
        found.extend(p.text for p in part.paragraphs)  # type: ignore[attr-defined]
        for table in part.tables:  # type: ignore[attr-defined]
            for row in table.rows:
                for cell in row.cells:
                    walk(cell)

    walk(document)
    for section in document.sections:
        walk(section.header)
        walk(section.footer)
    return found


REPORTS = [("complaints", "complaint-statistics-2026-11"), ("8d", "8d-statistics-2026-11"),
           ("contract-reviews", "contract-review-statistics-2026-11"),
           ("special-requirements", "special-requirements-statistics-2026-11")]


@pytest.mark.parametrize(("kind", "name"), REPORTS, ids=[k for k, _ in REPORTS])
def test_the_report_in_english(kind: str, name: str, run_cli: Run, sample_repo: Path,
                               tmp_path: Path) -> None:
    """`report --lang en`: the tables, headings, sheet names and chart captions in English;
    Chinese is left only where the records, qmsdoc.yaml or the form template give no English
    (free text, a procedure's clause, the template's frame)."""
    out = tmp_path / "out"
    result = run_cli("report", kind, "--month", "2026-11", "--today", "2026-11-21", "--lang",
                     "en", "--out", str(out), repo=sample_repo)
    assert result.exit_code == 0, result.stderr
    chinese_report = run_cli("report", kind, "--month", "2026-11", "--today", "2026-11-21",
                             "--out", str(tmp_path / "zh"), repo=sample_repo)
    assert chinese_report.exit_code == 0
    for suffix in (".xlsx", ".docx"):
        english = _texts((out / name).with_suffix(suffix))
        chinese = set(_texts((tmp_path / "zh" / name).with_suffix(suffix)))
        assert "Summary" in english or suffix == ".docx"
        # what stays Chinese is data: the same text is in the Chinese report too, or it is
        # one of the template's frame labels
        frame = ("期间：", "版次：", "页次：", "表单编号：", "统计截至：", "3年")
        left = [t for t in english if re.search(r"[\u4e00-\u9fff]", t)
                and t not in chinese and not any(f in t for f in frame)]
        assert left == [], left
        assert any(t.startswith("1. Overview") for t in english) or suffix == ".xlsx"


def test_the_report_follows_a_chosen_language_else_stays_chinese(
        sample_repo: Path, tmp_path: Path) -> None:
    def sheets(**env: str) -> list[str]:
        out = tmp_path / str(len(list(tmp_path.iterdir())))
        done = _qmsdoc(sample_repo, "report", "complaints", "--month", "2026-11", "--format",
                       "xlsx", "--today", "2026-11-21", "--out", str(out), **env)
        assert done.returncode == 0, done.stderr
        from openpyxl import load_workbook

        return list(load_workbook(out / "complaint-statistics-2026-11.xlsx").sheetnames)

    assert sheets(LANG="C.UTF-8") == ["汇总", "案例明细"]  # nothing chosen: the forms' Chinese
    assert sheets(LANG="en_US.UTF-8") == ["Summary", "Cases"]  # the locale chose English
    assert sheets(QMSDOC_LANG="zh") == ["汇总", "案例明细"]
    assert sheets(QMSDOC_LANG="zh", LANG="C") == sheets(LANG="en_US.UTF-8", QMSDOC_LANG="zh")
    out = tmp_path / "en"
    done = _qmsdoc(sample_repo, "--lang", "zh", "report", "complaints", "--month", "2026-11",
                   "--format", "xlsx", "--lang", "en", "--out", str(out))
    assert done.returncode == 0
    from openpyxl import load_workbook

    assert load_workbook(out / "complaint-statistics-2026-11.xlsx").sheetnames == [
        "Summary", "Cases"]  # report --lang over the messages' language


def test_the_report_catalog_is_complete_and_compiled() -> None:
    assert messages.problems("en", messages.template("report"), "report") == []
    assert i18n.REPORT_LANGUAGES == ("zh", "en")
