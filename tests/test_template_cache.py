"""Compiled templates kept between runs (render/templatecache.py): the next run renders the
same bytes without patching, compiling or linting again; a damaged or foreign cache file is
ignored; a changed template, configuration or schema is another key; a template with
problems is never kept; ``QMSDOC_CACHE_DIR=off`` keeps nothing."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cachedamage import PLAIN, damage
from conftest import MINIMAL_COMPLAINT, Result
from test_render_safety import company_template

from qmsdoc.render import docx

Run = Callable[..., Result]
PATH = "records/complaints/2026/CC-2026-0001.yaml"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(folder))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1765000000")
    return folder


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The parts patched (and so compiled and linted) in this test."""
    seen: list[str] = []
    real = docx._patch

    def spy(xml: str) -> str:
        seen.append(xml[:20])
        return real(xml)

    monkeypatch.setattr(docx, "_patch", spy)
    return seen


@pytest.fixture
def one(repo: Path, write_record: Callable[..., Path]) -> Path:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    return repo


def _render(run_cli: Run, repo: Path) -> tuple[Result, str]:
    out = repo / "out"
    shutil.rmtree(out, ignore_errors=True)
    result = run_cli("render", "--all", "--out", str(out), repo=repo)
    form = out / "CC-2026-0001.docx"
    return result, hashlib.sha256(form.read_bytes()).hexdigest() if form.exists() else ""


def test_the_second_run_uses_the_kept_template_and_writes_the_same_bytes(
        run_cli: Run, one: Path, cache: Path, patched: list[str]) -> None:
    first, first_form = _render(run_cli, one)
    assert first.exit_code == 0 and patched
    kept = list(cache.glob("templates-*.marshal"))
    assert len(kept) == 1
    assert not list(one.rglob("templates-*"))  # nothing among the records
    patched.clear()
    second, second_form = _render(run_cli, one)
    assert patched == []  # neither patched nor compiled nor linted
    assert (second.exit_code, second.output, second.stderr, second_form) == \
        (first.exit_code, first.output, first.stderr, first_form)


@pytest.mark.parametrize("damage", [
    lambda raw: raw[:-50] + b"\0" * 50,  # the payload does not match its digest
    lambda raw: b"qmsdoc-templates-1 x y\n" + raw,  # another key
    lambda raw: b"",  # empty
    lambda raw: raw.split(b"\n", 1)[0] + b"\n" + b"not marshal",
])
def test_a_damaged_cache_is_ignored(damage: Callable[[bytes], bytes], run_cli: Run, one: Path,
                                    cache: Path, patched: list[str]) -> None:
    first, first_form = _render(run_cli, one)
    for kept in cache.glob("templates-*.marshal"):
        kept.write_bytes(damage(kept.read_bytes()))
    patched.clear()
    again, again_form = _render(run_cli, one)
    assert patched  # compiled again
    assert (again.exit_code, again.output, again.stderr, again_form) == \
        (first.exit_code, first.output, first.stderr, first_form)


def test_a_changed_template_or_configuration_is_compiled_again(
        run_cli: Run, one: Path, cache: Path, patched: list[str],
        write_record: Callable[..., Path]) -> None:
    _render(run_cli, one)
    company_template(one, "{{ r.title }}", "{{ r.title }}（改）")
    patched.clear()
    changed, _ = _render(run_cli, one)
    assert changed.exit_code == 0 and patched
    write_record(one, "qmsdoc.yaml", "company: {name: 另一家公司}\n")
    patched.clear()
    _render(run_cli, one)
    assert patched
    assert len(list(cache.glob("templates-*.marshal"))) == 3


def test_a_template_with_problems_is_never_kept(run_cli: Run, one: Path, cache: Path) -> None:
    company_template(one, "{{ r.title }}", "{{ r.no_such_field }}")
    for _ in range(2):
        result, form = _render(run_cli, one)
        assert result.exit_code == 2 and form == ""
        assert "no_such_field" in result.stderr
    assert not list(cache.glob("templates-*.marshal"))


def test_no_cache_when_it_is_off(run_cli: Run, one: Path, cache: Path,
                                 monkeypatch: pytest.MonkeyPatch, patched: list[str]) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    for _ in range(2):
        patched.clear()
        result, _ = _render(run_cli, one)
        assert result.exit_code == 0 and patched
    assert not cache.exists()


@pytest.mark.parametrize("loosen", ["file", "folder"])
def test_a_cache_others_may_write_is_not_run(loosen: str, run_cli: Run, one: Path,
                                             cache: Path, patched: list[str]) -> None:
    """The kept templates hold code that render runs: a file or folder that another user may
    write (a shared QMSDOC_CACHE_DIR) is compiled afresh, not trusted for its checksum."""
    first, first_form = _render(run_cli, one)
    [kept] = cache.glob("templates-*.marshal")
    target = kept if loosen == "file" else cache
    target.chmod(target.stat().st_mode | 0o022)
    patched.clear()
    again, again_form = _render(run_cli, one)
    assert patched  # compiled again, not read
    assert (again.exit_code, again_form) == (first.exit_code, first_form)
    target.chmod(target.stat().st_mode & ~0o022)
    for path in (cache, *cache.glob("templates-*.marshal")):
        path.chmod(path.stat().st_mode & ~0o022)  # what a run wrote meanwhile
    patched.clear()
    _render(run_cli, one)
    assert patched == []  # this user's own again: read


@pytest.fixture
def folding(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Labels folded in from the start (each entry: folded now, not read from the cache)."""
    from qmsdoc import render
    from qmsdoc.render import fold

    monkeypatch.setattr(render, "FOLD_MIN", 1)
    seen: list[bool] = []
    real = fold.folded

    def spy(*args: Any) -> Any:
        seen.append(True)
        return real(*args)

    monkeypatch.setattr(fold, "folded", spy)
    return seen


def _render_lang(run_cli: Run, repo: Path, lang: str) -> tuple[Result, str]:
    out = repo / "out"
    shutil.rmtree(out, ignore_errors=True)
    result = run_cli("render", "--all", "--lang", lang, "--out", str(out), repo=repo)
    form = out / "CC-2026-0001.docx"
    return result, hashlib.sha256(form.read_bytes()).hexdigest() if form.exists() else ""


@pytest.mark.parametrize("how", PLAIN)
def test_folded_parts_are_kept_by_language_and_a_damaged_file_is_folded_again(
        how: str, run_cli: Run, one: Path, cache: Path, folding: list[bool],
        monkeypatch: pytest.MonkeyPatch) -> None:
    from qmsdoc import render

    monkeypatch.setattr(render, "FOLD_MIN", 10**9)  # the slow way: labels looked up
    plain = {lang: _render_lang(run_cli, one, lang) for lang in ("zh", "en")}
    assert folding == [] and not list(cache.glob("folded-*.marshal"))
    monkeypatch.setattr(render, "FOLD_MIN", 1)
    for lang in ("zh", "en"):
        folding.clear()
        assert _render_lang(run_cli, one, lang) == plain[lang]  # folded now, and kept
        assert folding == [True]
        folding.clear()
        assert _render_lang(run_cli, one, lang) == plain[lang]  # read back
        assert folding == []
    kept = sorted(cache.glob("folded-*.marshal"))
    assert len(kept) == 2  # one per language
    for path in kept:
        damage(path, how)
    folding.clear()
    assert _render_lang(run_cli, one, "en") == plain["en"]
    assert folding == [True]  # folded again, not read


def test_a_changed_template_folds_again(run_cli: Run, one: Path, cache: Path,
                                        folding: list[bool]) -> None:
    _render(run_cli, one)
    company_template(one, "{{ r.title }}", "{{ r.title }}（改）")
    folding.clear()
    changed, _ = _render(run_cli, one)
    assert changed.exit_code == 0 and folding == [True]
    assert len(list(cache.glob("folded-*.marshal"))) == 2


def test_folded_labels_follow_this_build_s_fitting(run_cli: Run, one: Path, cache: Path,
                                                   folding: list[bool],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A kept part holds its labels as ``fit`` wrapped them when it was folded: a qmsdoc
    that wraps otherwise under the same version (a git install between two releases) must
    print its own wrapping, as it does without the cache."""
    from qmsdoc.render import engine
    from qmsdoc.render.fit import fit

    kept, _ = _render(run_cli, one)
    assert kept.exit_code == 0 and list(cache.glob("folded-*.marshal"))
    monkeypatch.setattr(engine, "fit", lambda value, width: fit(value, width / 2))
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    _, without_cache = _render(run_cli, one)
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(cache))
    _, with_cache = _render(run_cli, one)
    assert with_cache == without_cache


def test_the_folding_code_s_digest_is_the_same_in_every_process() -> None:
    """The kept folded parts are found again by a later run: the digest of the code that
    folded them does not depend on the process (hash seed, reference counts, addresses)."""
    import os
    import subprocess
    import sys

    script = ("from qmsdoc.render.engine import environment\n"
              "from qmsdoc.render.fold import code_digest\n"
              "print(code_digest(environment()))\n")
    seen = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True, env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "random")}
    assert len(seen) == 1 and len(seen.pop().strip()) == 64


def test_another_docxtpl_is_another_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """docxtpl's code patches the templates: its files (found on the path, not imported)
    are in the key; the installed one gives the same key every time."""
    import sys

    from qmsdoc.render import templatecache

    def key() -> str:
        templatecache.docxtpl_code.cache_clear()
        return templatecache.key(b"PK", "t.docx", "complaint", "f")

    monkeypatch.delitem(sys.modules, "docxtpl", raising=False)  # else the imported one counts
    installed = key()
    assert installed == key()
    fake = tmp_path / "docxtpl"
    fake.mkdir()
    (fake / "__init__.py").write_text('__version__ = "0.20.2"\n', "utf-8")
    (fake / "template.py").write_text("def patch_xml(x): return x\n", "utf-8")
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    other = key()
    assert other not in (installed, "")
    (fake / "template.py").write_text("def patch_xml(x): return x + ''\n", "utf-8")
    assert key() not in (other, installed)
    monkeypatch.undo()
    assert key() == installed


def _fake_docxtpl(folder: Path, body: str) -> Path:
    package = folder / "docxtpl"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "0.20.2"\n', "utf-8")
    (package / "template.py").write_text(f"def patch_xml(x): return {body}\n", "utf-8")
    return package


def test_the_key_takes_the_docxtpl_an_editable_install_maps(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An editable install maps ``docxtpl`` to its source folder through a finder of the
    import system, not a folder on the path: the key hashes the files that import takes,
    not those of another docxtpl found on the path."""
    import importlib.machinery
    import sys
    from types import ModuleType

    from qmsdoc.render import templatecache

    def key() -> str:
        templatecache.docxtpl_code.cache_clear()
        return templatecache.key(b"PK", "t.docx", "complaint", "f")

    monkeypatch.delitem(sys.modules, "docxtpl", raising=False)  # not imported yet
    installed = key()
    source = _fake_docxtpl(tmp_path / "src", "x")

    class EditableFinder:
        @staticmethod
        def find_spec(name: str, path: object = None,
                      target: ModuleType | None = None) -> importlib.machinery.ModuleSpec | None:
            if name != "docxtpl":
                return None
            return importlib.machinery.PathFinder.find_spec(name, [str(source.parent)])

    monkeypatch.setattr(sys, "meta_path", [EditableFinder(), *sys.meta_path])
    mapped = key()
    assert mapped != installed
    assert "docxtpl" not in sys.modules  # found, not imported
    (source / "template.py").write_text("def patch_xml(x): return x + ''\n", "utf-8")
    assert key() not in (mapped, installed)


def test_the_key_takes_the_docxtpl_imported_already(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A docxtpl imported already is the one that patches the templates, whatever the path
    holds now."""
    import importlib.util
    import sys

    from qmsdoc.render import templatecache

    def key() -> str:
        templatecache.docxtpl_code.cache_clear()
        return templatecache.key(b"PK", "t.docx", "complaint", "f")

    monkeypatch.delitem(sys.modules, "docxtpl", raising=False)
    installed = key()
    spec = importlib.util.spec_from_file_location(
        "docxtpl", _fake_docxtpl(tmp_path / "elsewhere", "x") / "__init__.py",
        submodule_search_locations=[])
    assert spec is not None
    monkeypatch.setitem(sys.modules, "docxtpl", importlib.util.module_from_spec(spec))
    imported = key()
    assert imported != installed
    _fake_docxtpl(tmp_path / "first", "x + ''")  # another one, first on the path
    monkeypatch.setattr(sys, "path", [str(tmp_path / "first"), *sys.path])
    assert key() == imported


def test_the_key_asks_no_package_metadata() -> None:
    """Reading docxtpl's version from its metadata imports importlib.metadata and the email
    package (30-80 ms of every render): the key does without."""
    import subprocess
    import sys

    code = ("import sys\nfrom qmsdoc.render.templatecache import key\n"
            "key(b'PK', 't.docx', 'complaint', 'f')\n"
            "assert 'importlib.metadata' not in sys.modules, 'metadata imported'\n"
            "assert 'docxtpl' not in sys.modules, 'docxtpl imported'\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr


def test_the_files_of_another_installation_are_removed_when_a_template_is_kept(
        run_cli: Run, one: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        patched: list[str], folding: list[bool]) -> None:
    """An upgrade of qmsdoc (or Python, Jinja2, docxtpl) makes every key another: the files
    of the installation before are never read again. Once a week old, they are removed when
    a template is kept; nothing else of the cache folder, nothing outside it."""
    import os
    import subprocess
    import time

    from qmsdoc.render import templatecache

    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    subprocess.run(["git", "init", "-q", str(one)], check=True)
    first, first_form = _render(run_cli, one)
    cache = one / ".git" / "qmsdoc"
    mine = sorted(p.name for p in cache.glob("*-*.marshal"))
    gen = templatecache.generation()
    assert any(name.startswith(f"templates-{gen}-") for name in mine)
    assert any(name.startswith(f"folded-{gen}-") for name in mine)
    week_ago = time.time() - templatecache.STALE_AFTER - 60
    outside = tmp_path / "outside.marshal"
    outside.write_bytes(b"not the cache's")
    os.utime(outside, (week_ago, week_ago))
    planted = {
        f"templates-0000aaaa-{'1' * 24}.marshal": "old",  # another installation's
        f"folded-0000aaaa-{'2' * 24}.marshal": "old",
        f"templates-{'3' * 24}.marshal": "old",  # named as before the names held it
        f"folded-0000bbbb-{'4' * 24}.marshal": "new",  # another one in use this week
        f"templates-0000cccc-{'5' * 24}.marshal": "folder",
        f"folded-0000dddd-{'6' * 24}.marshal": "link",  # to a file outside the cache
        "templates-notes.marshal": "old",  # no name of this cache
        f"templates-{gen}-{'7' * 24}.marshal": "old",  # this installation's, another key
    }
    for name, what in planted.items():
        path = cache / name
        if what == "folder":
            path.mkdir()
        elif what == "link":
            path.symlink_to(outside)
        else:
            path.write_bytes(b"qmsdoc-templates-1 x y\n")
        if what != "new":
            os.utime(path, (week_ago, week_ago), follow_symlinks=False)
    _render(run_cli, one)  # every template read: nothing is kept, nothing removed
    assert set(planted) <= {p.name for p in cache.iterdir()}
    company_template(one, "{{ r.title }}", "{{ r.title }}（改）")
    changed, _ = _render(run_cli, one)  # compiled and kept
    assert changed.exit_code == 0
    left = {p.name for p in cache.iterdir()}
    removed = {name for name in planted if name not in left}
    assert removed == {f"templates-0000aaaa-{'1' * 24}.marshal",
                       f"folded-0000aaaa-{'2' * 24}.marshal", f"templates-{'3' * 24}.marshal",
                       f"folded-0000dddd-{'6' * 24}.marshal"}
    assert outside.read_bytes() == b"not the cache's"  # the link went, not its target
    assert set(mine) <= left  # this installation's files, the template before too
    company_template(one, "{{ r.title }}", "{{ r.title }}").unlink()  # the built-in again
    patched.clear()
    again, again_form = _render(run_cli, one)
    assert patched == []  # the first template's files were kept and read
    assert (again.exit_code, again.output, again.stderr, again_form) == \
        (first.exit_code, first.output, first.stderr, first_form)


def test_nothing_is_removed_from_a_cache_folder_others_may_write(
        run_cli: Run, one: Path, cache: Path) -> None:
    import os
    import time

    from qmsdoc.render import templatecache

    cache.mkdir(mode=0o777)
    cache.chmod(0o777)
    week_ago = time.time() - templatecache.STALE_AFTER - 60
    stale = cache / f"templates-0000aaaa-{'1' * 24}.marshal"
    stale.write_bytes(b"x")
    os.utime(stale, (week_ago, week_ago))
    result, _ = _render(run_cli, one)
    assert result.exit_code == 0 and stale.exists()
