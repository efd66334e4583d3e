"""``qmsdoc new`` writes what every YAML tool reads alike (issue 14): skeletons get only
"required field" findings, --set reaches nested fields and refuses unknown ones, values a
YAML 1.2 reader would read as numbers are quoted, and ``validate`` warns about them."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from qmsdoc.kinds import BY_NAME

Run = Callable[..., object]
YEAR = datetime.now(timezone(timedelta(hours=8))).year  # new stamps the configured +08:00
CONFIG = "customers:\n  - {code: HXAUTO, name: 华信汽车部件有限公司}\n"
KINDS = ["complaint", "contract-review", "special-requirements", "8d"]
REQUIRED: dict[str, list[str]] = {
    "complaint": ["title=支架开裂", "product.part_no=0012346", "product.name=前保险杠支架",
                  "description=客户来料检验发现支架开裂。"],
    "contract-review": ["title=新项目报价评审", "items.part_no=0012346", "items.name=支架",
                        "items.qty=5000", "items.unit=件", "items.delivery_date=2027-01-15"],
    "special-requirements": ["title=华信汽车顾客特殊要求", "sources.type=csr_manual",
                             "sources.name=供应商质量手册", "sources.number=HX-SQM-01",
                             "sources.received=2026-11-02", "items.item_id=HX-01",
                             "items.category=management", "items.source=HX-SQM-01",
                             "items.requirement=PPAP 3级提交", "items.department=quality",
                             "items.status=open"],
    "8d": ["title=支架开裂8D", f"complaints=CC-{YEAR}-0001", "d1.owner=li.ming",
           "d1.due=2026-12-10", "d1.leader=li.ming", "d1.members.person=wang.fang",
           "d1.members.department=quality",
           "d2.owner=li.ming", "d2.due=2026-12-12", "d2.statement=支架R角开裂"],
}


@pytest.fixture
def configured(repo: Path) -> Path:
    (repo / "qmsdoc.yaml").write_text(CONFIG, encoding="utf-8")
    return repo


def _lines(result: object, stream: str = "output") -> list[str]:
    return str(getattr(result, stream)).splitlines()


@pytest.mark.parametrize("kind", KINDS)
def test_a_skeleton_gets_only_required_field_findings(kind: str, run_cli: Run,
                                                      configured: Path) -> None:
    created = run_cli("new", kind, "--customer", "HXAUTO", repo=configured)
    assert created.exit_code == 0, created.stderr  # type: ignore[attr-defined]
    lines = _lines(run_cli("validate", repo=configured))
    assert lines[:-1] and all(line.endswith("is a required field") for line in lines[:-1])


def _sets(kind: str) -> list[str]:
    return [arg for item in REQUIRED[kind] for arg in ("--set", item)]


@pytest.mark.parametrize("kind", KINDS)
def test_a_new_record_with_its_required_fields_validates_here_and_in_check_jsonschema(
        kind: str, run_cli: Run, configured: Path, tmp_path: Path) -> None:
    if kind == "8d":  # the complaint it answers must exist
        run_cli("new", "complaint", "--customer", "HXAUTO", *_sets("complaint"), repo=configured)
    created = run_cli("new", kind, "--customer", "HXAUTO", *_sets(kind), repo=configured)
    assert created.exit_code == 0, created.stderr  # type: ignore[attr-defined]
    record = next(configured.joinpath("records", BY_NAME[kind].folder).rglob("*.yaml"))
    result = run_cli("validate", repo=configured)
    count = "2 records" if kind == "8d" else "1 record"
    assert _lines(result) == [f"{count} checked, 0 errors, 0 warnings"]
    schema = tmp_path / f"{kind}.schema.json"
    schema.write_text("\n".join(_lines(run_cli("schema", kind, repo=configured))),
                      encoding="utf-8")
    tool = shutil.which("check-jsonschema") or str(
        Path(__file__).resolve().parent.parent / ".venv" / "bin" / "check-jsonschema")
    checked = subprocess.run([tool, "--schemafile", str(schema), str(record)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.strip() == "ok -- validation done"


def test_values_a_yaml_12_reader_would_read_as_numbers_are_written_quoted(
        run_cli: Run, configured: Path) -> None:
    run_cli("new", "complaint", "--customer", "HXAUTO", "--set", "product.part_no=0012346",
            "--set", "title=1.", "--set", "description=0x1F", repo=configured)
    text = next(configured.joinpath("records").rglob("*.yaml")).read_text("utf-8")
    assert '  part_no: "0012346"\n' in text
    assert 'title: "1."\n' in text and 'description: "0x1F"\n' in text


def test_validate_warns_where_a_yaml_12_tool_reads_a_value_differently(
        run_cli: Run, configured: Path) -> None:
    run_cli("new", "complaint", "--customer", "HXAUTO", *_sets("complaint"), repo=configured)
    path = next(configured.joinpath("records").rglob("*.yaml"))
    path.write_text(path.read_text("utf-8").replace('"0012346"', "0012346"), "utf-8")
    rel = path.relative_to(configured).as_posix()
    assert _lines(run_cli("validate", repo=configured)) == [
        f"{rel}:11:12: warning[yaml12]: /product/part_no: 0012346 is text to qmsdoc but a "
        'YAML 1.2 tool (VS Code, check-jsonschema) reads it as a integer; quote it: "0012346"',
        "1 record checked, 0 errors, 1 warning",
    ]


@pytest.mark.parametrize(("args", "message"), [
    (("--customer", "HXAUT"), "qmsdoc: --customer HXAUT: unknown customer (not in the "
                              "customers of qmsdoc.yaml); did you mean 'HXAUTO'?"),
    (("--set", "titel=x"), "qmsdoc: --set titel: complaint records have no field 'titel'; "
                           "did you mean 'title'?"),
    (("--set", "product.part_nr=1"), "qmsdoc: --set product.part_nr: complaint records have no "
                                     "field 'part_nr' under product; did you mean 'part_no'?"),
    (("--set", "severity=majr"), "qmsdoc: --set severity=majr: not one of: major, general, "
                                 "minor; did you mean 'major'?"),
    (("--set", "product=x"), "qmsdoc: --set product: product is a group of fields; set them "
                             "one by one (product.FIELD=VALUE)"),
])
def test_new_refuses_unknown_customers_fields_and_choices(
        args: tuple[str, ...], message: str, run_cli: Run, configured: Path) -> None:
    result = run_cli("new", "complaint", *args, repo=configured)
    assert _lines(result, "stderr") == [message]
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert not list(configured.joinpath("records").rglob("*.yaml"))


def test_new_reaches_nested_fields_and_lists(run_cli: Run, configured: Path) -> None:
    result = run_cli("new", "8d", "--customer", "HXAUTO", *_sets("8d"), repo=configured)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    text = next(configured.joinpath("records").rglob("*.yaml")).read_text("utf-8")
    assert f"complaints:\n- CC-{YEAR}-0001\n" in text
    assert "  members:\n  - person: wang.fang\n    department: quality\n" in text


def test_new_stamps_the_configured_time_zone(run_cli: Run, configured: Path) -> None:
    (configured / "qmsdoc.yaml").write_text(CONFIG + "deadlines:\n  timezone: \"-05:00\"\n",
                                            encoding="utf-8")
    run_cli("new", "complaint", "--customer", "HXAUTO", repo=configured)
    text = next(configured.joinpath("records").rglob("*.yaml")).read_text("utf-8")
    stamp = next(line for line in text.splitlines() if line.startswith("received_at: "))
    assert stamp.endswith("-05:00")
