"""An audit pack in hostile hands: a MANIFEST.json edited to agree with altered files, a
manifest that is not what verify_pack.py expects, unsafe names in a zip. With a clone
(--repo), what the clone's release anchors say is what the pack must hold, whatever its
manifest claims; a malformed pack is refused with a message (exit 2), never a traceback.
Real git, real zips, verify_pack.py run by a bare Python."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from test_audit_pack import ARGS, CC, bare_python, example, git, qmsdoc, unpack

from qmsdoc.cli import main

__all__ = ["example"]  # the module's example repository, shared with test_audit_pack

Manifest = dict[str, Any]
RECORD = f"records/CC-2026-0001/files/{CC}"


@pytest.fixture
def folder(example: Path, tmp_path: Path) -> Path:
    """The 10.2.6 pack of November, unpacked into a folder of its own."""
    out = tmp_path / "pack.zip"
    assert qmsdoc(example, *ARGS, "--no-pdf", "--out", str(out))[0] == 0
    return unpack(out, tmp_path / "unpacked")


def rewrite(folder: Path, change: Callable[[Manifest], None]) -> None:
    """Edit MANIFEST.json, then make every file's SHA-256 and size agree with the folder
    again: what a forger who knows the format does."""
    path = folder / "MANIFEST.json"
    manifest = json.loads(path.read_text("utf-8"))
    change(manifest)
    for entry in manifest["files"]:
        if isinstance(entry, dict) and (folder / entry["path"]).is_file():
            data = (folder / entry["path"]).read_bytes()
            entry["sha256"], entry["size"] = hashlib.sha256(data).hexdigest(), len(data)
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")


def entry(manifest: Manifest, path: str) -> dict[str, Any]:
    return next(e for e in manifest["files"] if e["path"] == path)


def test_an_earlier_draft_with_a_consistent_manifest_is_caught_by_the_anchor(
        example: Path, folder: Path) -> None:
    c_commit = git(example, "rev-parse", "release/CC-2026-0001/C^{commit}")
    draft = git(example, "log", "--format=%H", "-1", f"{c_commit}~3", "--", CC)
    draft_blob = git(example, "rev-parse", f"{draft}:{CC}")
    release_blob = git(example, "rev-parse", f"{c_commit}:{CC}")
    (folder / RECORD).write_bytes(subprocess.run(
        ["git", "cat-file", "blob", draft_blob], cwd=example, capture_output=True,
        check=True).stdout)

    def swap(manifest: Manifest) -> None:
        entry(manifest, RECORD)["git"] = {"blob": draft_blob, "commit": draft, "path": CC}

    rewrite(folder, swap)
    assert bare_python(folder, "verify_pack.py")[0] == 0  # the manifest alone agrees
    code, lines, _ = bare_python(folder, "verify_pack.py", "--repo", str(example))
    assert code == 1
    assert (f"{RECORD}: taken from commit {draft[:12]} (blob {draft_blob[:12]}), but "
            f"CC-2026-0001 C was released in commit {c_commit[:12]} as blob "
            f"{release_blob[:12]}") in lines


def test_a_file_whose_git_source_was_removed_is_caught(example: Path, folder: Path) -> None:
    record = folder / RECORD
    record.write_bytes(record.read_bytes().replace(b"HX-QN-2611-0087", b"HX-QN-2611-0088"))
    rewrite(folder, lambda manifest: entry(manifest, RECORD).pop("git"))
    code, lines, _ = bare_python(folder, "verify_pack.py", "--repo", str(example))
    assert code == 1
    assert (f"{RECORD}: a file of CC-2026-0001 C without its git source in MANIFEST.json "
            "(it cannot be checked against the clone)") in lines


def test_an_attachment_dropped_from_the_pack_is_named_by_the_anchor(
        example: Path, folder: Path) -> None:
    gone = "records/attachments/CC-2026-0001/material-retest.pdf"
    (folder / f"records/CC-2026-0001/files/{gone}").unlink()

    def drop(manifest: Manifest) -> None:
        manifest["files"] = [e for e in manifest["files"]
                             if e["path"] != f"records/CC-2026-0001/files/{gone}"]
        release = manifest["records"][0]["release"]
        release["files"] = [f for f in release["files"] if not f.endswith(gone)]

    rewrite(folder, drop)
    code, lines, _ = bare_python(folder, "verify_pack.py", "--repo", str(example))
    assert code == 1
    blob = git(example, "rev-parse", f"release/CC-2026-0001/C^{{commit}}:{gone}")
    assert (f"CC-2026-0001 C: attachment {gone} (blob {blob[:12]}) of the anchor "
            "release/CC-2026-0001/C is not in the pack") in lines


def test_an_earlier_release_passed_off_as_the_current_one_is_caught(
        example: Path, folder: Path) -> None:
    """The whole of revision B, consistent with its anchor, where C was released before the
    pack's commit: the clone's later anchor shows it."""
    b_tag = git(example, "rev-parse", "refs/tags/release/CC-2026-0001/B")

    def older(manifest: Manifest) -> None:
        release = manifest["records"][0]["release"]
        release["anchor"]["tag"], release["anchor"]["object"] = "release/CC-2026-0001/B", b_tag

    rewrite(folder, older)
    code, lines, _ = bare_python(folder, "verify_pack.py", "--repo", str(example))
    assert code == 1
    c_commit = git(example, "rev-parse", "release/CC-2026-0001/C^{commit}")
    assert ("CC-2026-0001 C: the anchor release/CC-2026-0001/B in the clone names "
            f"commit {git(example, 'rev-parse', 'release/CC-2026-0001/B^{commit}')[:12]}, "
            f"not the release commit {c_commit[:12]} of the pack") in lines


def test_a_pack_of_an_earlier_state_relabelled_as_a_later_one_is_caught(
        example: Path, tmp_path: Path) -> None:
    """A genuine pack made before revision C was released, its manifest then claiming the
    later commit: every file, approval and anchor agrees, but C was released by then."""
    c_commit = git(example, "rev-parse", "release/CC-2026-0001/C^{commit}")
    before = tmp_path / "before"
    git(tmp_path, "clone", "-q", str(example), str(before))
    git(before, "reset", "-q", "--hard", f"{c_commit}~2")
    out = tmp_path / "old.zip"
    # (verify there names the later anchors the clone brought along: exit 1, pack written)
    assert qmsdoc(before, *ARGS, "--no-pdf", "--out", str(out))[0] == 1
    folder = unpack(out, tmp_path / "unpacked")
    assert bare_python(folder, "verify_pack.py", "--repo", str(example))[0] == 0
    head = git(example, "rev-parse", "HEAD")
    rewrite(folder, lambda manifest: manifest["repository"].update(commit=head))
    code, lines, _ = bare_python(folder, "verify_pack.py", "--repo", str(example))
    assert code == 1
    assert (f"CC-2026-0001 B: release/CC-2026-0001/C (commit {c_commit[:12]}) was released "
            f"after it and before the pack's commit {head[:12]}: the pack does not hold the "
            "released revision") in lines


@pytest.mark.parametrize(("change", "message"), [
    (lambda m: m["files"].append({"pth": "x"}),
     "MANIFEST.json: files[23] is not an entry with a path, sha256 and size"),
    (lambda m: m.update(files="all of them"), "MANIFEST.json: files is not a list"),
    (lambda m: m["records"][0]["release"]["approvals"].append(None),
     "MANIFEST.json: records[0].release.approvals[2] is not an object"),
    (lambda m: m.update(records=[{"id": 7}]), "MANIFEST.json: records[0].id is not a text"),
    # nothing of the manifest reaches git's command line as an option
    (lambda m: m["repository"].update(commit="--output=/tmp/written-by-a-pack"),
     "MANIFEST.json: repository.commit is not a git object id"),
])
def test_a_malformed_manifest_is_refused_with_a_message(
        example: Path, folder: Path, change: Callable[[Manifest], None], message: str) -> None:
    path = folder / "MANIFEST.json"
    manifest = json.loads(path.read_text("utf-8"))
    change(manifest)
    path.write_text(json.dumps(manifest), encoding="utf-8")
    for args in ((), ("--repo", str(example))):
        code, lines, err = bare_python(folder, "verify_pack.py", *args)
        assert (code, lines, err) == (2, [], f"verify_pack: {message}\n")


def test_unsafe_names_in_a_hostile_zip_are_named(folder: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(hostile, "w") as pack:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            pack.write(path, path.relative_to(folder).as_posix())
        pack.writestr("../../outside.txt", b"slip")
        absolute = zipfile.ZipInfo("etc/cron.d/evil")
        absolute.filename = "/etc/cron.d/evil"  # zipfile itself would strip the slash
        pack.writestr(absolute, b"slip")
    verifier = tmp_path / "checker"
    verifier.mkdir()
    shutil.copy(folder / "verify_pack.py", verifier)
    code, lines, _ = bare_python(verifier, "verify_pack.py", str(hostile))
    assert code == 1
    assert lines[:2] == [
        "unsafe: ../../outside.txt (a name outside the pack's folder: do not unpack this zip)",
        "unsafe: /etc/cron.d/evil (a name outside the pack's folder: do not unpack this zip)",
    ]
    assert not (tmp_path / "outside.txt").exists()


def test_an_existing_file_that_is_not_a_zip_is_not_overwritten(example: Path,
                                                                tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# 记录库\n", encoding="utf-8")
    code, lines, err = qmsdoc(example, *ARGS, "--no-pdf", "--out", str(readme))
    assert (code, lines, err.strip()) == (
        2, [], f"qmsdoc: --out {readme}: exists and is not a zip file; not overwritten")
    assert readme.read_text("utf-8") == "# 记录库\n"
    # an earlier pack is replaced
    pack = tmp_path / "pack.zip"
    assert qmsdoc(example, *ARGS, "--no-pdf", "--out", str(pack))[0] == 0
    assert qmsdoc(example, *ARGS, "--no-pdf", "--out", str(pack))[0] == 0


def test_the_pack_goes_to_standard_output_with_out_dash(example: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack.zip"
    assert qmsdoc(example, *ARGS, "--no-pdf", "--out", str(pack))[0] == 0
    result = CliRunner().invoke(main, ["--repo", str(example), *ARGS, "--no-pdf", "--out", "-"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == pack.read_bytes()
    assert not (example / "-").exists()
    assert result.stderr.splitlines()[3].startswith(
        "wrote the zip to standard output: 3 record(s), 23 file(s) and MANIFEST.json")


def test_a_pack_without_a_git_identity_is_refused(example: Path, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for who in ("AUTHOR", "COMMITTER"):
        for what in ("NAME", "EMAIL"):
            monkeypatch.delenv(f"GIT_{who}_{what}", raising=False)
    monkeypatch.delenv("EMAIL", raising=False)
    for name, value in (("COUNT", "1"), ("KEY_0", "user.useConfigOnly"), ("VALUE_0", "true")):
        monkeypatch.setenv(f"GIT_CONFIG_{name}", value)
    out = tmp_path / "pack.zip"
    code, lines, err = qmsdoc(example, *ARGS, "--no-pdf", "--out", str(out))
    assert (code, lines, err.strip()) == (
        2, [], "qmsdoc: cannot tell who makes the audit pack (its index names them): set git "
               "config user.name and user.email")
    assert not out.exists()


def test_the_index_labels_every_column_of_the_records_in_english_too(
        folder: Path, docx_text: Callable[[Path], str]) -> None:
    """An auditor who reads no Chinese finds each column of the index's record table."""
    index = docx_text(folder / "index.docx")
    for heading in ("编号 ID", "类别 Kind", "标题 Title", "日期 Date", "版次 Rev.",
                    "发布 Released", "审核 Review", "批准 Approve", "锚点 Anchor",
                    "备注 Note"):
        assert heading in index


def test_verify_says_when_no_release_is_anchored(example: Path, tmp_path: Path) -> None:
    """Every release tag deleted (or never pushed): not an error, as in a repository from
    before anchors, but verify says so instead of looking like a clean check."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--no-tags", str(example), str(clone))
    code, lines, _ = qmsdoc(clone, "verify")
    assert code == 0
    assert lines[-2:] == [
        "11 release(s) without a release anchor: this clone holds no tag release/<ID>/<rev> "
        "(git fetch --tags; in a repository from before anchors, qmsdoc anchor writes them)",
        "24 of 24 approval(s) unsigned: names are self-declared (no identity proven; qmsdoc "
        "keys sets up signing)",
    ]
    code, lines, _ = qmsdoc(example, "verify")
    assert not any("without a release anchor" in line for line in lines)


def test_control_characters_in_a_hostile_name_reach_no_terminal(folder: Path,
                                                               tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(hostile, "w") as pack:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            pack.write(path, path.relative_to(folder).as_posix())
        pack.writestr("记录\x1b[2J\x1b]0;OK\x07.txt", b"")
    code, lines, _ = bare_python(folder, "verify_pack.py", str(hostile))
    assert code == 1
    assert lines[0] == "extra: 记录\\x1b[2J\\x1b]0;OK\\x07.txt (not in MANIFEST.json)"


def test_the_pack_time_is_china_time_whatever_the_committers_zone(
        example: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As with SOURCE_DATE_EPOCH, the index, the forms' print date and the zip's entry times
    show one wall clock: China time, also when HEAD was committed in another zone."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(example), str(clone))
    monkeypatch.setenv("GIT_COMMITTER_DATE", "2026-12-01T02:30:00+00:00")
    git(clone, "commit", "-q", "--allow-empty", "-m", "空提交")
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    out = tmp_path / "pack.zip"
    code, lines, _ = qmsdoc(clone, *ARGS, "--no-pdf", "--out", str(out))
    assert code == 0
    assert lines[-3].endswith(" as of 2026-12-01T10:30:00+08:00")
    with zipfile.ZipFile(out) as archive:
        assert {i.date_time for i in archive.infolist()} == {(2026, 12, 1, 10, 30, 0)}
