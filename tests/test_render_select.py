"""The names on a ``render`` command line become the same record files as before, the fast
way: ids through one walk without a Path per file, files resolved through their folder's
real path once (``records.files.expand``): links, relative paths and odd names included."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qmsdoc.errors import UsageError
from qmsdoc.records.files import SUFFIXES, expand, index
from qmsdoc.render.select import targets


def _slow(paths: list[Path]) -> list[Path]:
    """``expand`` as it was: every path asked whether it is a folder, then resolved."""
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            result.extend(sorted(p.resolve() for p in path.rglob("*")
                                 if p.suffix in SUFFIXES and p.is_file()))
        elif path.is_file():
            result.append(path.resolve())
        else:
            raise UsageError(f"{path}: no such file or directory")
    return result


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    year = repo / "records" / "complaints" / "2026"
    year.mkdir(parents=True)
    for n in range(3):
        (year / f"CC-2026-000{n}.yaml").write_text("id: x\n", encoding="utf-8")
    outside = tmp_path / "outside.yaml"
    outside.write_text("id: y\n", encoding="utf-8")
    (year / "CC-2026-0100.yaml").symlink_to(outside)  # a link: resolved to its target
    (repo / "records" / "linked").symlink_to(year, target_is_directory=True)
    return repo


def test_expand_gives_the_paths_resolve_gives(tree: Path, monkeypatch: pytest.MonkeyPatch
                                              ) -> None:
    year = tree / "records" / "complaints" / "2026"
    monkeypatch.chdir(year)
    paths = [year / "CC-2026-0000.yaml",
             year / "CC-2026-0100.yaml",  # a link to a file outside
             tree / "records" / "linked" / "CC-2026-0001.yaml",  # through a linked folder
             year / ".." / "2026" / "CC-2026-0002.yaml",
             Path("CC-2026-0001.yaml"),  # relative to the working directory
             Path("..") / "2026" / "CC-2026-0002.yaml",
             year]  # a folder: its record files
    assert expand(tree, paths) == list(dict.fromkeys(_slow(paths)))  # each file once
    assert expand(tree, paths)[1] == tree.parent / "outside.yaml"
    for missing in (year / "CC-2026-0009.yaml", Path("nul\0l.yaml")):
        with pytest.raises(UsageError, match="no such file or directory"):
            expand(tree, [missing])


def test_ids_name_the_files_the_index_names(tree: Path, monkeypatch: pytest.MonkeyPatch
                                            ) -> None:
    monkeypatch.chdir(tree.parent)
    by_id = index(tree)
    names = ["CC-2026-0002", "CC-2026-0100", "CC-2026-0000"]
    assert targets(tree, names) == [by_id[n] for n in names]
    relative = Path(os.path.relpath(tree))  # --repo given relative to the working directory
    assert targets(relative, names) == [index(relative)[n] for n in names]
    with pytest.raises(UsageError, match="CC-2026-0009"):
        targets(tree, ["CC-2026-0009"])


def test_a_record_named_twice_is_one_record(sample_repo: Path, tmp_path: Path,
                                            run_cli: object) -> None:
    """An id and its path, or a folder and a file in it, on one command line: the record is
    rendered (and checked) once, not reported as two records with the same id."""
    path = "records/complaints/2026/CC-2026-0002.yaml"
    out = tmp_path / "forms"
    result = run_cli("render", "CC-2026-0002", str(sample_repo / path), "CC-2026-0002",  # type: ignore[operator]
                     "--out", str(out), repo=sample_repo)
    assert result.exit_code == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["CC-2026-0002.docx"]
    result = run_cli("validate", str(sample_repo / "records/complaints"),  # type: ignore[operator]
                     str(sample_repo / path), repo=sample_repo)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == "3 records checked, 0 errors, 0 warnings"
