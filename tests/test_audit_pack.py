"""`qmsdoc audit-pack` (issue 19) on the example repository: the pack for IATF 16949 10.2.6
over November 2026, checked by its own verify_pack.py run with a bare Python (no qmsdoc, no
site-packages) in a folder of its own; one altered byte named; a rewritten history caught
against a fresh clone; the same bytes on every run. Real git, real files."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import PRINTED_EPOCH
from gitrepo import example_repository

from qmsdoc.cli import main

CC = "records/complaints/2026/CC-2026-0001.yaml"
ARGS = ("audit-pack", "--clause", "10.2.6", "--from", "2026-11-01", "--to", "2026-11-30")
AS_OF = datetime.fromtimestamp(int(PRINTED_EPOCH), UTC).astimezone(
    timezone(timedelta(hours=8))).isoformat()  # SOURCE_DATE_EPOCH, set for every test
NAMES = [
    "MANIFEST.json", "README.txt", "index.docx", "index.json", "ledger.json",
    "records/8D-2026-0001/8D-2026-0001-A.docx",
    "records/8D-2026-0001/files/records/8d/2026/8D-2026-0001.yaml",
    "records/8D-2026-0001/files/records/attachments/8D-2026-0001/D2-crack-location.png",
    "records/8D-2026-0001/files/records/attachments/8D-2026-0001/D4-on-off-trial.xlsx",
    "records/8D-2026-0001/history.json", "records/8D-2026-0001/history.txt",
    "records/CC-2026-0001/CC-2026-0001-C.docx",
    "records/CC-2026-0001/files/records/attachments/CC-2026-0001/HX-QN-2611-0087.pdf",
    "records/CC-2026-0001/files/records/attachments/CC-2026-0001/R-gauge-measurement.xlsx",
    "records/CC-2026-0001/files/records/attachments/CC-2026-0001/customer-line-crack-01.png",
    "records/CC-2026-0001/files/records/attachments/CC-2026-0001/material-retest.pdf",
    f"records/CC-2026-0001/files/{CC}",
    "records/CC-2026-0001/history.json", "records/CC-2026-0001/history.txt",
    "records/CC-2026-0003/history.json", "records/CC-2026-0003/history.txt",
    "verify.json", "verify.txt", "verify_pack.py",
]


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The example repository (`qmsdoc init --example`), made once for the module, with git's
    own configuration shut out and a fixed identity for the one who packs."""
    base = tmp_path_factory.mktemp("audit")
    with example_repository(base) as repo:
        yield repo


def qmsdoc(repo: Path, *args: str) -> tuple[int, list[str], str]:
    result = CliRunner().invoke(main, ["--repo", str(repo), *args], catch_exceptions=False)
    return result.exit_code, result.stdout.splitlines(), result.stderr


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()


def bare_python(folder: Path, *args: str) -> tuple[int, list[str], str]:
    """``python -I -S ARGS`` in ``folder``: isolated, no site-packages, so no qmsdoc and no
    third-party package can be imported."""
    proc = subprocess.run([sys.executable, "-I", "-S", *args], cwd=folder, capture_output=True,
                          text=True, env={"PATH": os.environ["PATH"]})
    return proc.returncode, proc.stdout.splitlines(), proc.stderr


def unpack(pack: Path, folder: Path) -> Path:
    folder.mkdir()
    with zipfile.ZipFile(pack) as archive:
        archive.extractall(folder)
    return folder


def test_the_example_pack_for_10_2_6_verifies_with_a_bare_python(
        example: Path, tmp_path: Path, docx_text: Callable[[Path], str]) -> None:
    out = tmp_path / "pack.zip"
    code, lines, err = qmsdoc(example, *ARGS, "--no-pdf", "--out", str(out))
    assert code == 0, err
    c_commit = git(example, "rev-parse", "release/CC-2026-0001/C^{commit}")
    d_commit = git(example, "rev-parse", "release/8D-2026-0001/A^{commit}")
    manifest_sha = hashlib.sha256(zipfile.ZipFile(out).read("MANIFEST.json")).hexdigest()
    assert lines == [
        f"CC-2026-0001: revision C released 2026-11-20T11:00:00+08:00 in {c_commit[:12]}, "
        "anchor release/CC-2026-0001/C",
        "CC-2026-0003: 草稿：无已发布版次 (no released revision: listed, not packed)",
        f"8D-2026-0001: revision A released 2026-11-07T10:30:00+08:00 in {d_commit[:12]}, "
        "anchor release/8D-2026-0001/A",
        f"wrote {out}: 3 record(s), 23 file(s) and MANIFEST.json (no PDF copies), from commit "
        f"{git(example, 'rev-parse', 'HEAD')[:12]} as of {AS_OF}",
        f"MANIFEST.json SHA-256 {manifest_sha}",
        "the auditor checks it with: python3 verify_pack.py [--repo CLONE]",
    ]
    with zipfile.ZipFile(out) as archive:
        assert archive.namelist() == NAMES
        # the record as released, from git: the blob the anchor names, not the work tree
        assert archive.read(f"records/CC-2026-0001/files/{CC}") == subprocess.run(
            ["git", "cat-file", "blob", f"{c_commit}:{CC}"], cwd=example, capture_output=True,
            check=True).stdout
        manifest = json.loads(archive.read("MANIFEST.json"))
        history = archive.read("records/CC-2026-0001/history.txt").decode()
    assert manifest["scope"] == {"clauses": ["10.2.6"], "kinds": ["complaint", "8d"],
                                 "from": "2026-11-01", "to": "2026-11-30",
                                 "label": "2026-11-01 至 2026-11-30"}
    assert manifest["repository"]["generated_by"] == "王芳 <wang.fang@mingyuan.example>"
    release = manifest["records"][0]["release"]
    assert [(a["action"], a["name"], a["signed"]) for a in release["approvals"]] == [
        ("review", "王芳", False), ("approve", "孙立", False)]
    assert release["anchor"]["tag"] == "release/CC-2026-0001/C"
    assert "  批准 Approved  孙立 (sun.li)  2026-11-20T11:00:00+08:00  commit " \
        f"{c_commit}  unsigned" in history

    folder = unpack(out, tmp_path / "auditor")
    assert bare_python(folder, "-c", "import qmsdoc")[0] != 0  # nothing but the stdlib
    assert bare_python(folder, "verify_pack.py") == (
        0, [f"OK: 23 file(s) of 3 record(s) match the manifest; MANIFEST.json SHA-256 "
            f"{manifest_sha}"], "")
    code, lines, _ = bare_python(folder, "verify_pack.py", "--repo", str(example))
    assert (code, lines[-1]) == (0, "OK: 23 file(s) of 3 record(s) match the manifest and "
                                    f"the clone; MANIFEST.json SHA-256 {manifest_sha}")
    assert bare_python(tmp_path, str(folder / "verify_pack.py"), str(out))[0] == 0  # the zip

    index = docx_text(folder / "index.docx")
    for text in ("审核证据包索引", "10.2.6", "顾客投诉和现场失效试验分析", "CC-2026-0001",
                 "release/CC-2026-0001/C", git(example, "rev-parse", "HEAD")):
        assert text in index

    target = folder / "records/CC-2026-0001/files" / CC
    data = bytearray(target.read_bytes())
    data[10] ^= 0x01  # one byte
    target.write_bytes(bytes(data))
    code, lines, _ = bare_python(folder, "verify_pack.py")
    assert code == 1
    assert lines[0].startswith(f"altered: records/CC-2026-0001/files/{CC} (SHA-256 ")
    assert lines[1:] == [f"FAILED: 1 problem(s) in 23 file(s) of 3 record(s); MANIFEST.json "
                         f"SHA-256 {manifest_sha}"]
    # with the clone, the altered file is also not the released blob
    code, lines, _ = bare_python(folder, "verify_pack.py", "--repo", str(example))
    assert code == 1 and lines[1].startswith(f"records/CC-2026-0001/files/{CC}: its git blob id")
    (folder / "README.txt").unlink()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    assert bare_python(folder, "verify_pack.py")[1][:3] == [
        "missing: README.txt", lines[0], "extra: notes.txt (not in MANIFEST.json)"]
    (folder / "MANIFEST.json").unlink()
    assert bare_python(folder, "verify_pack.py") == (
        2, [], "verify_pack: MANIFEST.json is missing: this is not a qmsdoc audit pack, or its "
               "manifest was removed\n")


def test_the_pack_is_byte_identical_and_read_from_git(example: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first, second, third = (tmp_path / f"{n}.zip" for n in ("first", "second", "third"))
    assert qmsdoc(example, *ARGS, "--no-pdf", "--out", str(first))[0] == 0
    assert qmsdoc(example, *ARGS, "--no-pdf", "--out", str(second))[0] == 0
    assert first.read_bytes() == second.read_bytes()
    record = example / CC
    kept = record.read_bytes()
    try:
        record.write_bytes(kept + b"# not committed\n")  # the work tree is not what is packed
        assert qmsdoc(example, *ARGS, "--no-pdf", "--out", str(third))[0] == 0
    finally:
        record.write_bytes(kept)
    assert third.read_bytes() == first.read_bytes()
    # without SOURCE_DATE_EPOCH the pack's time is HEAD's commit time: still reproducible
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert qmsdoc(example, *ARGS, "--no-pdf", "--out", str(third))[0] == 0
    with zipfile.ZipFile(third) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 11, 20, 16, 0, 0)}
        index = json.loads(archive.read("index.json"))
    assert index["repository"]["generated_at"] == "2026-11-20T16:00:00+08:00"


def test_pdf_copies_are_normalised_to_the_same_bytes(example: Path, tmp_path: Path) -> None:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed: no PDF copies to check")
    args = ("audit-pack", "--clause", "10.2.3", "--from", "2026-11", "--to", "2026-11", "--pdf")
    one, two = tmp_path / "one.zip", tmp_path / "two.zip"
    assert qmsdoc(example, *args, "--out", str(one))[0] == 0
    assert qmsdoc(example, *args, "--out", str(two))[0] == 0
    with zipfile.ZipFile(one) as archive:
        pdf = archive.read("records/8D-2026-0001/8D-2026-0001-A.pdf")
    stamp = datetime.fromtimestamp(int(PRINTED_EPOCH), UTC).strftime("%Y%m%d%H%M%S")
    assert pdf.startswith(b"%PDF") and f"/CreationDate(D:{stamp}".encode() in pdf
    assert one.read_bytes() == two.read_bytes()


def test_a_rewritten_history_fails_against_a_fresh_clone(example: Path, tmp_path: Path) -> None:
    out = tmp_path / "pack.zip"
    assert qmsdoc(example, *ARGS, "--no-pdf", "--out", str(out))[0] == 0
    server = tmp_path / "server"
    git(tmp_path, "clone", "-q", str(example), str(server))
    subprocess.run(["git", "filter-branch", "-f", "--tree-filter",
                    f"test ! -f {CC} || sed -i 's/HX-QN-2611-0087/HX-QN-2611-0088/' {CC}",
                    "HEAD"], cwd=server, capture_output=True, check=True,
                   env={**os.environ, "FILTER_BRANCH_SQUELCH_WARNING": "1"})
    auditor = tmp_path / "auditor-clone"
    git(tmp_path, "clone", "-q", str(server), str(auditor))  # what the server holds now
    folder = unpack(out, tmp_path / "unpacked")
    code, lines, _ = bare_python(folder, "verify_pack.py", "--repo", str(auditor))
    assert code == 1
    head = git(example, "rev-parse", "HEAD")
    c_commit = git(example, "rev-parse", "release/CC-2026-0001/C^{commit}")
    assert lines[0] == (f"commit {head}: the pack was made from it; no branch of the clone "
                        "holds it (history rewritten, or the clone is not up to date)")
    assert f"CC-2026-0001 C: release commit {c_commit} is not in the history of the clone" \
        in lines
    # the ledger's head the pack recorded: an anchor deleted from the server shows
    head = json.loads((folder / "MANIFEST.json").read_text("utf-8"))["ledger"]["heads"][0]
    git(auditor, "tag", "-d", head["tag"])
    lines = bare_python(folder, "verify_pack.py", "--repo", str(auditor))[1]
    assert (f"ledger head {head['tag']} (entry {head['digest'][:12]}) when the pack was made "
            "is missing in the clone: the ledger lost entries") in lines
    # and qmsdoc verify in the rewritten repository names the releases
    code, lines, _ = qmsdoc(server, "verify")
    assert code == 1
    assert any(line.startswith("release/CC-2026-0001/A: the release (content ")
               for line in lines)


@pytest.mark.parametrize(("args", "message"), [
    (("--clause", "9.9"), "qmsdoc: --clause 9.9: not a clause of the mapping (known: 4.3.2, "
                          "7.5.3, 7.5.3.2.2, 8.2.3, 10.2.3, 10.2.6; add one under audit: "
                          "clauses: in qmsdoc.yaml)"),
    (("--kind", "complaints"), "qmsdoc: --kind complaints: not a record kind (complaint, "
                               "contract-review, special-requirements, 8d)"),
    (("--from", "2026-13"), "qmsdoc: --from 2026-13: not a date (YYYY-MM-DD) or a month "
                            "(YYYY-MM)"),
    (("--from", "2026-11-02", "--to", "2026-11-01"),
     "qmsdoc: --to 2026-11-01 is before --from 2026-11-02"),
    (("--clause", "8.2.3", "--kind", "8d"),
     "qmsdoc: no clause of 8.2.3 covers the kind(s) 8d"),
])
def test_bad_options_are_refused_before_anything_is_written(example: Path, tmp_path: Path,
                                                            args: tuple[str, ...],
                                                            message: str) -> None:
    out = tmp_path / "pack.zip"
    code, lines, err = qmsdoc(example, "audit-pack", *args, "--out", str(out))
    assert (code, lines, err.strip()) == (2, [], message)
    assert not out.exists()


def test_a_clause_of_the_company(example: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(example), str(clone))
    config = clone / "qmsdoc.yaml"
    config.write_text(config.read_text("utf-8") + (
        "audit:\n  clauses:\n    '8.7':\n      title: 不合格输出的控制\n"
        "      title_en: Control of nonconforming outputs\n      kinds: [complaint]\n"),
        encoding="utf-8")
    out = tmp_path / "pack.zip"
    code, lines, err = qmsdoc(clone, "audit-pack", "--clause", "8.7", "--from", "2026-06",
                              "--to", "2026-06", "--no-pdf", "--out", str(out))
    assert code == 0, err
    assert lines[0].startswith("CC-2026-0002: revision A released 2026-09-16T09:00:00+08:00")
    with zipfile.ZipFile(out) as archive:
        index = json.loads(archive.read("index.json"))
    assert index["clauses"] == [{"number": "8.7", "title": "不合格输出的控制",
                                 "title_en": "Control of nonconforming outputs",
                                 "kinds": ["complaint"], "fields": []}]
    assert [r["id"] for r in index["records"]] == ["CC-2026-0002"]


def test_a_record_without_a_valid_date_is_in_every_period_and_marked(example: Path,
                                                                     tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(example), str(clone))
    june = clone / "records/complaints/2026/CC-2026-0002.yaml"
    june.write_text(june.read_text("utf-8").replace(
        "received_at: 2026-06-02T14:20:00+08:00", "received_at: 六月初"), encoding="utf-8")
    git(clone, "commit", "-qam", "CC-2026-0002: the date lost")
    out = tmp_path / "pack.zip"
    code, _lines, err = qmsdoc(clone, *ARGS, "--no-pdf", "--out", str(out))
    assert code == 0, err
    with zipfile.ZipFile(out) as archive:
        index = json.loads(archive.read("index.json"))
    records = {r["id"]: r for r in index["records"]}
    assert sorted(records) == ["8D-2026-0001", "CC-2026-0001", "CC-2026-0002", "CC-2026-0003"]
    assert (records["CC-2026-0002"]["date"], records["CC-2026-0002"]["undated"]) == (None, True)
    assert records["CC-2026-0001"]["undated"] is False
