"""`qmsdoc new`: next free id, skeleton with modeline, never overwrites, concurrent-safe."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

from qmsdoc.config import load
from qmsdoc.records.yamlload import parse
from qmsdoc.scaffold.new import create
from qmsdoc.schema import SchemaStore

Run = Callable[..., object]
YEAR = datetime.now().astimezone().year


def test_two_new_in_a_row_give_two_ids(run_cli: Run, repo: Path) -> None:
    first = run_cli("new", "complaint", "--customer", "HXAUTO", repo=repo)
    second = run_cli("new", "complaint", repo=repo)
    assert first.exit_code == second.exit_code == 0  # type: ignore[attr-defined]
    paths = [Path(r.output.strip()) for r in (first, second)]  # type: ignore[attr-defined]
    assert [p.name for p in paths] == [f"CC-{YEAR}-0001.yaml", f"CC-{YEAR}-0002.yaml"]
    text = (repo / "records/complaints" / str(YEAR) / f"CC-{YEAR}-0001.yaml").read_text("utf-8")
    assert text.startswith(
        "# yaml-language-server: $schema=../../../schemas/complaint.schema.json\n"
        f"kind: complaint\nid: CC-{YEAR}-0001\n")
    assert "customer: HXAUTO\n" in text


def test_next_id_follows_the_highest_existing_serial(run_cli: Run, repo: Path,
                                                     write_record: Callable[..., Path]) -> None:
    write_record(repo, f"records/8d/{YEAR}/8D-{YEAR}-0041.yaml", "kind: 8d\n")
    result = run_cli("new", "8d", repo=repo)
    assert result.output.strip().endswith(f"8D-{YEAR}-0042.yaml")  # type: ignore[attr-defined]


def test_set_fills_typed_fields(run_cli: Run, repo: Path) -> None:
    run_cli("new", "complaint", "--customer", "HXAUTO", "--set", "title=支架开裂",
            "--set", "product.part_no=0012345", "--set", "product.qty_defective=36",
            "--set", "impact.safety=false", repo=repo)
    data = parse((repo / f"records/complaints/{YEAR}/CC-{YEAR}-0001.yaml").read_bytes()).data
    assert data["title"] == "支架开裂"
    assert data["product"]["part_no"] == "0012345"
    assert data["product"]["qty_defective"] == 36
    assert data["impact"] == {"safety": False}


def test_bad_set_is_a_usage_error(run_cli: Run, repo: Path) -> None:
    result = run_cli("new", "complaint", "--set", "no-equals-sign", repo=repo)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stderr == ("qmsdoc: --set 'no-equals-sign': expected FIELD=VALUE, "  # type: ignore[attr-defined]
                             "e.g. product.part_no=0012345\n")
    assert not (repo / "records/complaints").exists()


def test_special_requirements_need_a_customer_and_never_overwrite(run_cli: Run,
                                                                  repo: Path) -> None:
    missing = run_cli("new", "special-requirements", repo=repo)
    assert missing.exit_code == 2  # type: ignore[attr-defined]
    assert missing.stderr == ("qmsdoc: special-requirements records are one per customer: "  # type: ignore[attr-defined]
                              "give --customer CODE\n")
    created = run_cli("new", "special-requirements", "--customer", "LDEV", repo=repo)
    assert created.output.strip().endswith("records/special-requirements/CSR-LDEV.yaml")  # type: ignore[attr-defined]
    path = repo / "records/special-requirements/CSR-LDEV.yaml"
    path.write_text(path.read_text("utf-8") + "# my edits\n", encoding="utf-8")
    again = run_cli("new", "special-requirements", "--customer", "LDEV", repo=repo)
    assert again.exit_code == 2  # refusing to overwrite, as init does  # type: ignore[attr-defined]
    assert again.stderr == ("qmsdoc: records/special-requirements/CSR-LDEV.yaml already "  # type: ignore[attr-defined]
                            "exists; edit it instead\n")
    assert path.read_text("utf-8").endswith("# my edits\n")


def test_concurrent_new_never_share_an_id(repo: Path) -> None:
    config = load(repo)
    store = SchemaStore()
    with ThreadPoolExecutor(max_workers=8) as pool:
        paths = list(pool.map(lambda _: create(repo, config, store, "complaint"), range(24)))
    assert len({p.name for p in paths}) == 24
    assert not list(repo.rglob(".new-*"))


def test_concurrent_processes_never_share_an_id(repo: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-m", "qmsdoc", "--repo", str(repo), "new",
                               "contract-review"], stdout=subprocess.PIPE, text=True)
             for _ in range(6)]
    names = sorted(Path(p.communicate()[0].strip()).name for p in procs)
    assert names == [f"CR-{YEAR}-{n:04d}.yaml" for n in range(1, 7)]


def test_skeleton_lists_the_required_fields_for_the_validator(run_cli: Run, repo: Path) -> None:
    run_cli("new", "complaint", "--customer", "HXAUTO", repo=repo)
    result = run_cli("validate", repo=repo)
    lines = result.output.splitlines()  # type: ignore[attr-defined]
    assert lines[-1] == "1 record checked, 3 errors, 0 warnings"
    assert all(line.endswith("is a required field") for line in lines[:-1])


def test_kind_and_id_cannot_be_set(run_cli: Run, repo: Path) -> None:
    for field in ("kind=8d", "id=CC-2026-0001"):
        result = run_cli("new", "complaint", "--set", field, repo=repo)
        assert result.exit_code == 2  # type: ignore[attr-defined]
        assert result.stderr == (f"qmsdoc: --set {field.split('=')[0]}: the kind is the "  # type: ignore[attr-defined]
                                 "command's argument and the id is the next free one; they "
                                 "cannot be set\n")
    assert not (repo / "records/complaints").exists()
