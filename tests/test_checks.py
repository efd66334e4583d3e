"""Rules beyond the schema on the other kinds: contract-review rows, 8D step order, references."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

Run = Callable[..., object]
CR = "records/contract-reviews/2026/CR-2026-0002.yaml"
EIGHTD = "records/8d/2026/8D-2026-0001.yaml"


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def lines(result: object) -> list[str]:
    return result.output.splitlines()  # type: ignore[attr-defined]


def test_special_contract_needs_every_department_row(run_cli: Run, sample_repo: Path) -> None:
    edit(sample_repo, CR, "  - department: finance\n", "  - department: sales\n")
    result = run_cli("validate", repo=sample_repo)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert [line for line in lines(result) if "review-rows" in line] == [
        f"{CR}:82:3: error[review-rows]: /reviews: a special contract needs a review row from "
        "every department; missing: finance (财务部)"]


def test_8d_step_completed_before_the_previous_one(run_cli: Run, sample_repo: Path) -> None:
    edit(sample_repo, EIGHTD, "  completed: 2026-11-05\n", "  completed: 2026-11-09\n")
    result = run_cli("validate", repo=sample_repo)
    step = [line for line in lines(result) if "step-order" in line]
    assert len(step) == 1
    assert step[0].endswith("error[step-order]: /d4/completed: D4 completed 2026-11-08, before "
                            "D3 (2026-11-09)")


def test_8d_step_completed_while_an_earlier_one_is_open(run_cli: Run, sample_repo: Path) -> None:
    edit(sample_repo, EIGHTD, "  completed: 2026-11-05\n", "")
    result = run_cli("validate", repo=sample_repo)
    step = [line for line in lines(result) if "step-order" in line]
    assert step[0].endswith("error[step-order]: /d4/completed: D4 is completed but D3 is not; "
                            "8D steps complete in order")


def test_contract_review_item_reference_must_exist(run_cli: Run, sample_repo: Path) -> None:
    edit(sample_repo, CR, "HX-01", "HX-99")
    result = run_cli("validate", repo=sample_repo)
    assert any(line.endswith("error[reference]: /csr_refs/0/list: CSR-HXAUTO has no item HX-99")
               for line in lines(result))


def test_complaint_pointing_to_an_8d_that_does_not_list_it_is_a_warning(
        run_cli: Run, sample_repo: Path) -> None:
    edit(sample_repo, "records/complaints/2026/CC-2026-0003.yaml", "status: investigating\n",
         "status: investigating\neightd: 8D-2026-0001\n")
    result = run_cli("validate", repo=sample_repo)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert lines(result) == [
        "records/complaints/2026/CC-2026-0003.yaml:8:9: warning[reference]: /eightd: "
        "8D-2026-0001 does not list CC-2026-0003 under /complaints",
        "8 records checked, 0 errors, 1 warning"]
