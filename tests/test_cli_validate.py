"""`qmsdoc validate` and `qmsdoc schema`: formats, exit codes, overrides, configuration."""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT, ROOT

from qmsdoc import __version__

Run = Callable[..., object]
COMPLAINT = "records/complaints/2026/CC-2026-0101.yaml"


def out(result: object) -> list[str]:
    return result.output.splitlines()  # type: ignore[attr-defined]


def code(result: object) -> int:
    return result.exit_code  # type: ignore[attr-defined]


def test_bundled_samples_are_valid(run_cli: Run) -> None:
    result = run_cli("validate", repo=ROOT)
    assert out(result) == ["8 records checked, 0 errors, 0 warnings"]
    assert code(result) == 0


def test_reading_never_modifies_a_record(run_cli: Run, sample_repo: Path) -> None:
    def digest() -> dict[str, str]:
        return {str(p): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(sample_repo.rglob("*")) if p.is_file()}

    before = digest()
    run_cli("validate", repo=sample_repo)
    run_cli("validate", "--format", "json", repo=sample_repo)
    assert digest() == before


def test_json_format(run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, COMPLAINT, MINIMAL_COMPLAINT.format(id="CC-2026-0101")
                 .replace("qty", "x").replace("category: quality", "category: price2"))
    result = run_cli("validate", "--format", "json", repo=repo)
    assert code(result) == 1
    data = json.loads(result.output)  # type: ignore[attr-defined]
    assert data == {
        "checked": 1, "errors": 1, "warnings": 0,
        "problems": [{
            "path": COMPLAINT, "line": 6, "column": 11, "severity": "error", "code": "schema",
            "field": "/category",
            "message": "\"price2\" is not one of: quality (产品质量), delivery (产品交货), service "
                       "(服务质量), price (价格), other (其他); did you mean 'price'?",
        }],
    }


def test_github_format(run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, COMPLAINT, MINIMAL_COMPLAINT.format(id="CC-2026-0101")
                 .replace("  name: 前保险杠支架\n", "  name: 支架\n  qty_defective: -5\n"))
    result = run_cli("validate", "--format", "github", repo=repo)
    assert out(result) == [
        f"::error file={COMPLAINT},line=12,col=18::/product/qty_defective: -5 is less than "
        "the minimum of 0 [schema]",
        "1 record checked, 1 error, 0 warnings",
    ]
    assert re.fullmatch(r"::(error|warning) file=[^,]+,line=\d+,col=\d+::.+", out(result)[0])


def test_paths_select_records_and_references_still_resolve(run_cli: Run,
                                                            sample_repo: Path) -> None:
    result = run_cli("validate", str(sample_repo / "records/complaints/2026/CC-2026-0001.yaml"),
                     repo=sample_repo)
    assert out(result) == ["1 record checked, 0 errors, 0 warnings"]


def test_a_folder_path_checks_the_records_below_it(run_cli: Run, sample_repo: Path) -> None:
    result = run_cli("validate", str(sample_repo / "records/complaints"), repo=sample_repo)
    assert out(result) == ["3 records checked, 0 errors, 0 warnings"]


def test_the_repositorys_folder_stands_for_its_records_not_its_other_yaml(
        run_cli: Run, sample_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`qmsdoc validate .` at the root: qmsdoc.yaml, CI files and hidden files are no
    records (qmsdoc.yaml was reported as a record without 'kind')."""
    (sample_repo / ".github/workflows").mkdir(parents=True)
    (sample_repo / ".github/workflows/qmsdoc.yml").write_text("on: push\n", "utf-8")
    (sample_repo / ".pre-commit-config.yaml").write_text("repos: []\n", "utf-8")
    (sample_repo / "records/complaints/.CC-2026-0001.yaml.swp.yaml").write_text("x: 1\n",
                                                                               "utf-8")
    everything = out(run_cli("validate", repo=sample_repo))
    monkeypatch.chdir(sample_repo)
    assert out(run_cli("validate", ".", repo=sample_repo)) == everything
    assert everything == ["8 records checked, 0 errors, 0 warnings"]
    monkeypatch.chdir(sample_repo / "records")
    assert out(run_cli("validate", "..", repo=sample_repo)) == everything
    assert out(run_cli("validate", "complaints", repo=sample_repo)) == [
        "3 records checked, 0 errors, 0 warnings"]


def test_the_repositorys_folder_leaves_the_attachments_out_and_follows_a_linked_records(
        run_cli: Run, sample_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`qmsdoc validate .` checks what `qmsdoc validate` checks: an attachment that is a
    YAML file is no record, and a records/ that is a link gives each record once (its
    records were reported as duplicates of themselves, under the link's target)."""
    attachment = sample_repo / "records/attachments/CC-2026-0001/drawing-params.yaml"
    attachment.parent.mkdir(parents=True, exist_ok=True)
    attachment.write_text("spec: 1\n", "utf-8")
    everything = out(run_cli("validate", repo=sample_repo))
    assert everything == ["8 records checked, 0 errors, 0 warnings"]
    monkeypatch.chdir(sample_repo)
    assert out(run_cli("validate", ".", repo=sample_repo)) == everything
    assert out(run_cli("validate", "records", repo=sample_repo)) == everything
    (sample_repo / "records").rename(sample_repo / "kept")
    (sample_repo / "records").symlink_to("kept", target_is_directory=True)
    assert out(run_cli("validate", repo=sample_repo)) == everything
    assert out(run_cli("validate", ".", repo=sample_repo)) == everything
    assert out(run_cli("validate", "records", repo=sample_repo)) == everything
    # a records/ leading out of the repository: "." still means its records (whatever
    # validate says of them), not qmsdoc.yaml as the only record
    (sample_repo / "records").unlink()
    (sample_repo / "kept").rename(sample_repo.parent / "elsewhere")
    (sample_repo / "records").symlink_to(sample_repo.parent / "elsewhere",
                                         target_is_directory=True)
    alone = out(run_cli("validate", repo=sample_repo))
    assert alone[-1].startswith("8 records checked")
    assert out(run_cli("validate", ".", repo=sample_repo)) == alone


@pytest.mark.parametrize("command", ["validate", "render"])
def test_an_empty_name_is_a_usage_error_not_the_current_folder(
        run_cli: Run, sample_repo: Path, command: str) -> None:
    """`qmsdoc render "$ID"` with ID unset rendered every record of the working folder."""
    result = run_cli(command, "CC-2026-0001" if command == "render" else ".", "",
                     repo=sample_repo)
    assert code(result) == 2
    assert result.stderr.splitlines()[-1].endswith(  # type: ignore[attr-defined]
        "an empty name names no record (give an id or a path; . is the current folder)")
    assert not (sample_repo / "out").exists()


def test_deleting_a_referenced_record_is_found(run_cli: Run, sample_repo: Path) -> None:
    (sample_repo / "records/8d/2026/8D-2026-0001.yaml").unlink()
    result = run_cli("validate", repo=sample_repo)
    assert code(result) == 1
    assert any(line.startswith("records/complaints/2026/CC-2026-0001.yaml:") and
               line.endswith("error[reference]: /eightd: 8D-2026-0001 does not exist "
                             "(no 8d record with this id)") for line in out(result))


def test_unknown_option_and_missing_path_are_usage_errors(run_cli: Run, repo: Path) -> None:
    assert code(run_cli("validate", "--bogus", repo=repo)) == 2
    result = run_cli("validate", "records/nope.yaml", repo=repo)
    assert code(result) == 2
    assert result.stderr == "qmsdoc: records/nope.yaml: no such file or directory\n"  # type: ignore[attr-defined]


def test_repo_that_is_not_a_directory(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("--repo", str(tmp_path / "missing"), "validate")
    assert code(result) == 2
    assert result.stderr == f"qmsdoc: --repo {tmp_path / 'missing'}: not a directory\n"  # type: ignore[attr-defined]


def test_an_empty_repo_is_a_usage_error_not_the_current_folder(
        run_cli: Run, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`qmsdoc --repo "$DIR"` with DIR unset checked the current folder instead."""
    (repo / "records" / "complaints").mkdir()
    (repo / "records" / "complaints" / "CC-2026-0001.yaml").write_text("kind: complaint\n",
                                                                       encoding="utf-8")
    monkeypatch.chdir(repo)
    assert code(run_cli("validate")) == 1  # the current folder holds a bad record
    result = run_cli("--repo", "", "validate")
    assert (code(result), result.output) == (2, "")
    assert result.stderr == ('qmsdoc: --repo "": an empty path names no folder (give the '  # type: ignore[attr-defined]
                             "repository's folder; . is the current folder)\n")
    result = run_cli("--lang", "zh", "--repo", "", "validate")
    assert code(result) == 2
    assert result.stderr == ('qmsdoc: --repo ""：空路径不指任何文件夹（请给出仓库的文件夹；'  # type: ignore[attr-defined]
                             ". 表示当前文件夹）\n")


def test_bad_config_is_exit_2_with_its_line(run_cli: Run, repo: Path) -> None:
    (repo / "qmsdoc.yaml").write_text("severity:\n  between: maybe\n", encoding="utf-8")
    result = run_cli("validate", repo=repo)
    assert code(result) == 2
    assert out(result) == [  # a config finding, as a record's would be printed
        'qmsdoc.yaml:2:12: error[config]: /severity/between: "maybe" is not one of: major, '
        "general",
        "0 records checked, 1 error, 0 warnings"]


def test_config_that_is_not_yaml_is_exit_2(run_cli: Run, repo: Path) -> None:
    (repo / "qmsdoc.yaml").write_bytes(b"company: {name: [x\n")
    result = run_cli("validate", repo=repo)
    assert code(result) == 2
    assert out(result)[0].startswith("qmsdoc.yaml:2:1: error[yaml]: /: YAML syntax error")


def test_severity_band_is_configurable(run_cli: Run, repo: Path,
                                       write_record: Callable[..., Path]) -> None:
    text = MINIMAL_COMPLAINT.format(id="CC-2026-0101").replace(
        "status: registered\n",
        "status: registered\nimpact:\n  safety: false\n  function: false\n  amount_rmb: 6000\n")
    write_record(repo, COMPLAINT, text)
    default = run_cli("validate", repo=repo)
    assert out(default)[0] == (
        f"{COMPLAINT}:7:11: error[severity]: /severity: severity is general but must be major: "
        "the amount RMB 6,000 is between 5,000 and 10,000 (severity.between: major)")
    (repo / "qmsdoc.yaml").write_text("severity:\n  between: general\n", encoding="utf-8")
    assert out(run_cli("validate", repo=repo)) == ["1 record checked, 0 errors, 0 warnings"]


def test_internal_error_is_one_line_and_exit_3(run_cli: Run, repo: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import qmsdoc.checks.pipeline

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(qmsdoc.checks.pipeline, "validate_repo", broken)
    result = run_cli("validate", repo=repo)
    assert code(result) == 3
    assert result.stderr == (  # type: ignore[attr-defined]
        f"qmsdoc: internal error (a bug in qmsdoc {__version__}): RuntimeError: boom — rerun with "
        "--traceback and report it\n")
    with_tb = run_cli("--traceback", "validate", repo=repo)
    assert "Traceback (most recent call last)" in with_tb.stderr  # type: ignore[attr-defined]


def test_schema_prints_the_bundled_schema(run_cli: Run, repo: Path) -> None:
    result = run_cli("schema", "complaint", repo=repo)
    schema = json.loads(result.output)  # type: ignore[attr-defined]
    assert schema["$id"] == "complaint.schema.json"
    assert "defs.date" in schema["$defs"]
    assert "defs.schema.json" not in result.output  # type: ignore[attr-defined]
    assert code(run_cli("schema", "nonsense", repo=repo)) == 2


def test_company_schema_overrides_the_built_in(run_cli: Run, repo: Path,
                                               write_record: Callable[..., Path]) -> None:
    schema = json.loads((ROOT / "schemas/complaint.schema.json").read_text(encoding="utf-8"))
    schema["required"].append("urgency")
    (repo / "schemas").mkdir()
    (repo / "schemas/complaint.schema.json").write_text(json.dumps(schema), encoding="utf-8")
    write_record(repo, COMPLAINT, MINIMAL_COMPLAINT.format(id="CC-2026-0101"))
    assert out(run_cli("validate", repo=repo))[0] == (
        f"{COMPLAINT}:1:1: error[schema]: /urgency: 'urgency' is a required field")
    printed = json.loads(run_cli("schema", "complaint", repo=repo).output)  # type: ignore[attr-defined]
    assert "urgency" in printed["required"]


def test_broken_company_schema_is_exit_2(run_cli: Run, repo: Path,
                                         write_record: Callable[..., Path]) -> None:
    (repo / "schemas").mkdir()
    (repo / "schemas/complaint.schema.json").write_text('{"type": "objekt"}', encoding="utf-8")
    write_record(repo, COMPLAINT, MINIMAL_COMPLAINT.format(id="CC-2026-0101"))
    result = run_cli("validate", repo=repo)
    assert code(result) == 2
    assert result.stderr.startswith(  # type: ignore[attr-defined]
        f"qmsdoc: {repo / 'schemas/complaint.schema.json'}: not a valid Draft 2020-12 schema "
        "at /type:")


def test_no_traceback_for_any_corpus_input_in_a_real_process(tmp_path: Path) -> None:
    examples = Path(__file__).parent / "examples" / "invalid"
    for case in sorted(examples.iterdir()):
        proc = subprocess.run([sys.executable, "-m", "qmsdoc", "--repo", str(case),
                               "validate"], capture_output=True, text=True)
        assert proc.returncode in (0, 1), (case.name, proc.stderr)
        assert "Traceback" not in proc.stderr + proc.stdout
        assert re.search(r"^\d+ records? checked, ", proc.stdout, re.M), case.name


def test_a_closed_pipe_is_not_an_internal_error(tmp_path: Path) -> None:
    proc = subprocess.run(f"'{sys.executable}' -m qmsdoc schema 8d | true", shell=True,
                          capture_output=True, text=True, cwd=tmp_path, executable="/bin/bash")
    assert proc.stderr == ""


def test_an_output_folder_that_cannot_be_made_is_exit_2(run_cli: Run, sample_repo: Path) -> None:
    blocker = sample_repo / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    result = run_cli("render", "CC-2026-0003", "--out", str(blocker / "forms"), repo=sample_repo)
    assert code(result) == 2
    assert result.stderr == f"qmsdoc: {blocker / 'forms'}: Not a directory\n"  # type: ignore[attr-defined]
    report = run_cli("report", "complaints", "--month", "2026-11", "--out",
                     str(blocker / "reports"), "--today", "2026-11-21", repo=sample_repo)
    assert code(report) == 2
    assert report.stderr.startswith(f"qmsdoc: cannot write {blocker / 'reports'}/")  # type: ignore[attr-defined]


def test_a_record_symlink_leading_outside_is_not_read(run_cli: Run, repo: Path,
                                                      tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("root: x\n", encoding="utf-8")
    link = repo / COMPLAINT
    link.parent.mkdir(parents=True)
    link.symlink_to(secret)
    result = run_cli("validate", repo=repo)
    assert out(result) == [
        f"{COMPLAINT}:1:1: error[symlink]: /: a symlink leading outside the repository; records "
        "are read only from inside it",
        "1 record checked, 1 error, 0 warnings"]


def test_record_files_read_as_before_links_loops_folders_and_sizes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader opens without following a symlink and reads with system calls; each odd
    file gives what the lstat-and-open reader gave (also where O_NOFOLLOW is missing)."""
    from qmsdoc.records import files
    from qmsdoc.records.yamlload import Limits

    repo = tmp_path / "repo"
    folder = repo / "records" / "complaints" / "2026"
    folder.mkdir(parents=True)
    (repo / "real.yaml").write_text("kind: complaint\nid: CC-2026-0001\n", encoding="utf-8")
    (folder / "inside.yaml").symlink_to(repo / "real.yaml")
    (tmp_path / "outside.yaml").write_text("kind: complaint\n", encoding="utf-8")
    (folder / "outside.yaml").symlink_to(tmp_path / "outside.yaml")
    (folder / "loop.yaml").symlink_to(folder / "loop.yaml")
    (folder / "folder.yaml").mkdir()
    os.mkfifo(folder / "fifo.yaml")  # opening it plainly would wait for a writer for ever
    (folder / "big.yaml").write_bytes(b"kind: complaint\ntitle: " + b"x" * 200 + b"\n")

    def shown(name: str) -> object:
        found = files.read(repo, folder / name, Limits(max_bytes=100), blob=True)
        if isinstance(found, files.Record):
            return found.data, found.blob
        return found.code, found.message

    expected = {
        "inside.yaml": ({"kind": "complaint", "id": "CC-2026-0001"},
                        files.blob_id((repo / "real.yaml").read_bytes())),
        "outside.yaml": ("symlink", "a symlink leading outside the repository; records are "
                                    "read only from inside it"),
        "loop.yaml": ("io", "cannot read file: Too many levels of symbolic links"),
        "folder.yaml": ("io", "cannot read file: Is a directory"),
        "fifo.yaml": ("io", "cannot read file: not a regular file (a FIFO, socket or device)"),
        "big.yaml": ("limit", "file is 224 bytes; records are limited to 100 bytes "
                              "(limits.max_record_bytes in qmsdoc.yaml)"),
        "missing.yaml": ("io", "cannot read file: No such file or directory"),
    }
    assert {name: shown(name) for name in expected} == expected
    monkeypatch.setattr(files, "_NOFOLLOW", 0)  # as where the system lacks O_NOFOLLOW
    assert {name: shown(name) for name in expected} == expected


def test_a_fifo_among_the_records_is_a_finding_not_a_hang(sample_repo: Path) -> None:
    """validate, due and render --all each in a process of its own, with a time limit: the
    plain open of a FIFO waits for a writer for ever."""
    fifo = "records/complaints/2026/CC-2026-0099.yaml"
    os.mkfifo(sample_repo / fifo)
    finding = (f"{fifo}:1:1: error[io]: /: cannot read file: not a regular file (a FIFO, "
               "socket or device)")
    for args in (["validate"], ["validate", "-j", "2"], ["due"], ["render", "--all"]):
        done = subprocess.run([sys.executable, "-m", "qmsdoc", "--lang", "en", "--repo",
                               str(sample_repo), *args], capture_output=True, text=True,
                              timeout=120, check=False)
        assert done.returncode == 1, (args, done.stderr)
        assert "internal error" not in done.stderr
        if args[0] != "due":
            assert finding in (done.stdout + done.stderr).splitlines(), args
    assert done.stderr.count(finding) == 1  # render --all: the record is named, not rendered


def test_a_repository_without_records_is_a_usage_error(run_cli: Run, tmp_path: Path) -> None:
    result = run_cli("validate", repo=tmp_path)
    assert code(result) == 2
    assert result.stderr == (  # type: ignore[attr-defined]
        f"qmsdoc: no records/ folder in {tmp_path}: is --repo (or the working directory) "
        "right? `qmsdoc init` creates a records repository\n")


def test_a_config_of_comments_only_means_the_defaults(run_cli: Run, repo: Path) -> None:
    (repo / "qmsdoc.yaml").write_text("# every section is optional\n", encoding="utf-8")
    assert out(run_cli("validate", repo=repo)) == ["0 records checked, 0 errors, 0 warnings"]
    (repo / "qmsdoc.yaml").write_text("- a\n- b\n", encoding="utf-8")
    result = run_cli("validate", repo=repo)
    assert code(result) == 2
    assert out(result)[0] == ("qmsdoc.yaml:1:1: error[config]: /: qmsdoc.yaml is a mapping of "
                              "sections (company:, customers:, roster:, …)")
