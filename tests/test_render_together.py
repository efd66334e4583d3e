"""`render ID…` of many records with the facts cache warm checks and renders each record in
one pass of the workers (render/together.py): the same lines, exit code and form bytes as
checking every record first and rendering after (the cache off), in real git repositories,
including findings that need records not named, a record changed since HEAD, and a cache
that cannot be trusted."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zipfile import ZipFile

import pytest
from conftest import Result
from test_changed_since import git

from qmsdoc.render import together

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

Run = Callable[..., Result]
SAMPLE = "records/complaints/2026/CC-2026-0001.yaml"
EPOCH = "1765000000"


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)  # the default: under .git
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(together, "MIN_RECORDS", 2)


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each render took the one-pass way."""
    seen: list[bool] = []
    real = together.check_and_render

    def spy(*args: object, **kwargs: object) -> together.Outcome | None:
        outcome = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(outcome is not None)
        return outcome

    monkeypatch.setattr(together, "check_and_render", spy)
    return seen


def clone(sample: str, rid: str, *edits: tuple[str, str]) -> str:
    text = sample.replace("id: CC-2026-0001", f"id: {rid}", 1)
    for old, new in edits:
        assert old in text
        text = text.replace(old, new, 1)
    return text


@pytest.fixture
def committed(sample_repo: Path) -> Path:
    """The samples, and complaints that need other records: a repeat of the sample (a
    warning, and 重复发生 on its form), one naming an 8D that does not exist, one with the
    sample's id, and one invalid by itself."""
    sample = (sample_repo / SAMPLE).read_text("utf-8")
    folder = sample_repo / "records" / "complaints" / "2026"
    later = ("received_at: 2026-11-03T09:40:00+08:00", "received_at: 2026-11-03T11:00:00+08:00")
    (folder / "CC-2026-0002.yaml").write_text(clone(sample, "CC-2026-0002", later), "utf-8")
    (folder / "CC-2026-0003.yaml").write_text(clone(
        sample, "CC-2026-0003", ("eightd: 8D-2026-0001", "eightd: 8D-2026-0999"),
        ("part_no: \"0012345\"", "part_no: \"0099999\"")), "utf-8")
    (folder / "CC-2026-0004.yaml").write_text(clone(
        sample, "CC-2026-0001", ("part_no: \"0012345\"", "part_no: \"0088888\"")), "utf-8")
    (folder / "CC-2026-0005.yaml").write_text(clone(
        sample, "CC-2026-0005", ("severity: major", "severity: enormous"),
        ("part_no: \"0012345\"", "part_no: \"0077777\"")), "utf-8")
    for n in range(6, 9):  # valid ones of other parts
        (folder / f"CC-2026-000{n}.yaml").write_text(clone(
            sample, f"CC-2026-000{n}", ("part_no: \"0012345\"", f"part_no: \"00{n}0000\"")),
            "utf-8")
    git(sample_repo, "init", "-q", "-b", "main")
    git(sample_repo, "add", "-A")
    git(sample_repo, "commit", "-q", "-m", "Sample records")
    return sample_repo


def named(repo: Path) -> tuple[str, ...]:
    """Ids, and one path (the file whose id is another's)."""
    return ("CC-2026-0002", "CC-2026-0003", str(repo / "records/complaints/2026/CC-2026-0004.yaml"),
            "CC-2026-0005", "CC-2026-0006", "CC-2026-0007", "CC-2026-0008")


def _forms(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.docx")}


def render_twice(run_cli: Run, repo: Path, monkeypatch: pytest.MonkeyPatch,
                 *names: str) -> Iterator[tuple[Result, dict[str, str]]]:
    """``render NAMES -j 2`` with the cache as it is, then with the cache off (what is
    printed, and the forms' digests)."""
    out = repo / "out"
    for cache in (None, "off"):
        if cache is not None:
            monkeypatch.setenv("QMSDOC_CACHE_DIR", cache)
        shutil.rmtree(out, ignore_errors=True)
        result = run_cli("render", "-j", "2", "--out", str(out), *names, repo=repo)
        yield result, _forms(out)
    monkeypatch.delenv("QMSDOC_CACHE_DIR")


def test_one_pass_prints_and_writes_what_checking_first_does(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    run_cli("validate", repo=committed)  # the facts cache of every record
    (fast, fast_forms), (slow, slow_forms) = render_twice(run_cli, committed, monkeypatch,
                                                          *named(committed))
    assert taken == [True, False]
    assert (fast.exit_code, fast.output, fast.stderr) == \
        (slow.exit_code, slow.output, slow.stderr)
    assert fast_forms == slow_forms
    assert fast.exit_code == 1
    assert sorted(fast_forms) == [f"CC-2026-000{n}.docx" for n in (2, 6, 7, 8)], fast.stderr
    err = fast.stderr
    assert "8D-2026-0999" in err  # a reference to a record that does not exist
    assert "CC-2026-0004.yaml" in err  # the id of another record
    assert "enormous" in err  # invalid by itself
    assert "qmsdoc: 3 records not rendered" in err


def test_a_repeat_of_a_record_not_named_is_on_the_form(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    from zipfile import ZipFile

    run_cli("validate", repo=committed)
    (fast, fast_forms), (slow, slow_forms) = render_twice(
        run_cli, committed, monkeypatch, "CC-2026-0002", "CC-2026-0006")
    assert taken == [True, False]
    assert fast_forms == slow_forms and fast.output == slow.output
    assert fast.exit_code == slow.exit_code == 0
    run_cli("render", "-j", "2", "--out", str(committed / "out"), "CC-2026-0002",
            repo=committed)
    with ZipFile(committed / "out" / "CC-2026-0002.docx") as form:
        assert "重复 CC-2026-0001" in form.read("word/document.xml").decode("utf-8")


def test_a_record_changed_since_head_is_read_as_it_is(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    run_cli("validate", repo=committed)
    path = committed / "records/complaints/2026/CC-2026-0006.yaml"
    path.write_text(path.read_text("utf-8").replace("eightd: 8D-2026-0001",
                                                    "eightd: 8D-2026-0404"), "utf-8")
    (fast, fast_forms), (slow, slow_forms) = render_twice(run_cli, committed, monkeypatch,
                                                          *named(committed))
    assert taken == [True, False]
    assert (fast.exit_code, fast.output, fast.stderr) == \
        (slow.exit_code, slow.output, slow.stderr)
    assert fast_forms == slow_forms
    assert "8D-2026-0404" in fast.stderr and "CC-2026-0006.docx" not in fast_forms


def test_without_a_cache_or_with_a_damaged_one_records_are_checked_first(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    (cold, cold_forms), _ = render_twice(run_cli, committed, monkeypatch, *named(committed))
    assert taken == [False, False]  # no cache yet: as before
    run_cli("validate", repo=committed)
    for cached in (committed / ".git" / "qmsdoc").glob("facts-*.marshal"):
        cached.write_bytes(cached.read_bytes()[:-40] + b"\0" * 40)
    (damaged, damaged_forms), _ = render_twice(run_cli, committed, monkeypatch, *named(committed))
    assert taken[2:] == [False, False]
    assert (damaged.output, damaged.stderr, damaged_forms) == \
        (cold.output, cold.stderr, cold_forms)


def test_a_template_that_cannot_be_used_is_said_as_before(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    run_cli("validate", repo=committed)
    (committed / "templates").mkdir()
    (committed / "templates" / "complaint.docx").write_bytes(b"not a zip")
    (fast, _), (slow, _) = render_twice(run_cli, committed, monkeypatch, *named(committed))
    assert taken == [False, False]
    assert (fast.exit_code, fast.output, fast.stderr) == \
        (slow.exit_code, slow.output, slow.stderr)
    assert "templates/complaint.docx: not a readable .docx file" in fast.stderr


def test_a_template_stopped_by_a_limit_stops_the_run_as_before(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    from test_render_safety import company_template

    run_cli("validate", repo=committed)
    config = committed / "qmsdoc.yaml"
    config.write_text(config.read_text("utf-8") + "limits:\n  max_form_bytes: 1000000\n",
                      "utf-8")
    run_cli("validate", repo=committed)  # the cache of this configuration
    company_template(committed, "{{ r.title }}",
                     "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}")
    (fast, fast_forms), (slow, slow_forms) = render_twice(run_cli, committed, monkeypatch,
                                                          *named(committed))
    assert taken == [True, False]
    assert (fast.exit_code, fast.output, fast.stderr) == \
        (slow.exit_code, slow.output, slow.stderr)
    assert fast_forms == slow_forms == {}
    assert fast.exit_code == 2
    assert "after 1 MB of output (limits.max_form_bytes in qmsdoc.yaml)" in fast.stderr


def test_render_all_takes_the_one_pass_and_prints_what_checking_first_does(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    """``render --all``: every record, the rules between them judged from the cache; a
    record changed since HEAD is read as it is."""
    run_cli("validate", repo=committed)
    path = committed / "records/complaints/2026/CC-2026-0007.yaml"
    path.write_text(path.read_text("utf-8").replace("eightd: 8D-2026-0001",
                                                    "eightd: 8D-2026-0404"), "utf-8")
    (fast, fast_forms), (slow, slow_forms) = render_twice(run_cli, committed, monkeypatch,
                                                          "--all")
    assert taken == [True, False]
    assert (fast.exit_code, fast.output, fast.stderr) == \
        (slow.exit_code, slow.output, slow.stderr)
    assert fast_forms == slow_forms
    assert fast.exit_code == 1 and len(fast_forms) >= 5
    assert "8D-2026-0404" in fast.stderr and "CC-2026-0007.docx" not in fast_forms
    assert "CC-2026-0004.yaml" in fast.stderr and "enormous" in fast.stderr


def test_a_render_imports_no_gitpython(committed: Path) -> None:
    """Git is only asked (queries run as plain subprocesses): importing GitPython would cost
    the run's preparation about 50 ms of CPU."""
    import subprocess
    import sys

    code = ("import sys\nfrom qmsdoc.cli import main\n"
            "try:\n    main(sys.argv[1:], standalone_mode=False)\nfinally:\n"
            "    print('gitpython' if 'git' in sys.modules else 'none', file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code, "--repo", str(committed), "render",
                           "--out", str(committed / "out"), *named(committed)],
                          capture_output=True, text=True, check=False)
    assert done.stderr.strip().splitlines()[-1] == "none", done.stderr
    assert (committed / "out" / "CC-2026-0002.docx").exists()


def test_a_record_edited_after_git_looked_is_not_printed_as_the_controlled_copy(
        run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    """The states are taken from git when the run starts, each record is read later in a
    worker: an edit saved in between (an editor, a checkout) must not print the new text
    under the released revision's 受控·现行 stamp, which only its approved content carries."""
    from zipfile import ZipFile

    from qmsdoc.history import states
    from qmsdoc.scaffold import example

    demo = tmp_path / "demo"
    demo.mkdir()
    example.demo_repository(demo)
    run_cli("validate", repo=demo)
    record = demo / "records/complaints/2026/CC-2026-0001.yaml"
    real = states.state_book

    def book(*args: object, **kwargs: object) -> states.StateBook:
        found = real(*args, **kwargs)  # type: ignore[arg-type]
        text = record.read_text("utf-8").replace("title: ", "title: 未批准的修改", 1)
        saved = record.with_suffix(".saving")  # saved whole, as an editor saves: git may be
        saved.write_text(text, "utf-8")  # hashing the file in the backing thread meanwhile
        saved.replace(record)  # just after git looked
        return found

    monkeypatch.setattr(together, "state_book", book)
    out = demo / "out"
    result = run_cli("render", "--all", "-j", "2", "--out", str(out), repo=demo)
    assert taken == [True] and result.exit_code == 0, result.output + result.stderr
    with ZipFile(out / "CC-2026-0001.docx") as form:
        xml = "".join(form.read(n).decode("utf-8") for n in form.namelist()
                      if n.startswith("word/") and n.endswith(".xml"))
    assert "未批准的修改" in xml
    assert "受控·现行" not in xml


def test_git_failing_while_the_one_pass_prepares_falls_back_to_the_usual_way(
        run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    """git failing in a thread of the one pass (as `git hash-object` does on a record an
    editor truncates and writes while git reads it: "short read") is no error of the run:
    the usual way asks git again, and every form is written."""
    from qmsdoc.git import cmd as gitcmd
    from qmsdoc.history import states
    from qmsdoc.scaffold import example

    demo = tmp_path / "demo"
    demo.mkdir()
    example.demo_repository(demo)
    run_cli("validate", repo=demo)
    real = states.state_book

    def book(*args: object, **kwargs: object) -> states.StateBook:
        gitcmd.run(demo, "cat-file", "-e", "0" * 40)  # git refuses: a GitError, as it raises
        return real(*args, **kwargs)  # type: ignore[arg-type]  # pragma: no cover

    monkeypatch.setattr(together, "state_book", book)
    out = demo / "out"
    result = run_cli("render", "--all", "-j", "2", "--out", str(out), repo=demo)
    assert taken == [False] and result.exit_code == 0, result.output + result.stderr
    assert result.stderr == ""
    assert sorted(p.name for p in out.glob("*.docx")) == sorted(
        f"{p.stem}.docx" for p in (demo / "records").rglob("*.yaml"))
    assert "受控·现行" in _stamps(out, "CC-2026-0001")


def _stamps(out: Path, rid: str) -> str:
    from zipfile import ZipFile

    with ZipFile(out / f"{rid}.docx") as form:
        return "".join(form.read(n).decode("utf-8") for n in form.namelist()
                       if n.startswith("word/") and n.endswith(".xml"))


def test_a_content_read_before_a_pull_is_not_judged_as_the_new_head(tmp_path: Path) -> None:
    """The checked way reads first and asks git after: a record read before a commit (a
    pull) moved HEAD on is not the content HEAD's states are for, so it is not released."""
    from qmsdoc.config import load as load_config
    from qmsdoc.history.states import load_states
    from qmsdoc.records.files import blob_id
    from qmsdoc.scaffold import example

    demo = tmp_path / "demo"
    demo.mkdir()
    example.demo_repository(demo)
    rid = "CC-2026-0001"
    path = f"records/complaints/2026/{rid}.yaml"
    config = load_config(demo)
    head = load_states(demo, config, ids={rid})[rid]
    assert head.state == "released"
    same = blob_id((demo / path).read_bytes())
    assert load_states(demo, config, ids={rid}, blobs={path: same})[rid].state == "released"
    older = blob_id(b"kind: complaint\n")
    moved = load_states(demo, config, ids={rid}, blobs={path: older})[rid]
    assert moved.state == "uncontrolled" and moved.blob is None


def test_a_file_git_converts_on_checkout_is_still_the_controlled_copy(
        run_cli: Run, tmp_path: Path, taken: list[bool]) -> None:
    """A blob id hashed from the bytes read differs from git's when git converts the file
    (here CRLF line ends in the work tree): git hashes it again, and the form is the
    released one, as on the checked way."""
    from qmsdoc.scaffold import example

    demo = tmp_path / "demo"
    demo.mkdir()
    example.demo_repository(demo)
    (demo / ".gitattributes").write_text("*.yaml text eol=crlf\n", "utf-8")
    record = demo / "records/complaints/2026/CC-2026-0001.yaml"
    record.unlink()
    git(demo, "checkout", "--", "records/complaints/2026/CC-2026-0001.yaml")
    assert b"\r\n" in record.read_bytes()
    assert git(demo, "status", "--porcelain", "--", "records").strip() == ""
    run_cli("validate", repo=demo)
    out = demo / "out"
    assert run_cli("render", "--all", "-j", "2", "--out", str(out), repo=demo).exit_code == 0
    assert taken == [True]
    assert "受控·现行" in _stamps(out, "CC-2026-0001")


def _facts_cache(repo: Path) -> object:
    from qmsdoc.checks import factcache
    from qmsdoc.config import load
    from qmsdoc.schema import SchemaStore

    store = SchemaStore()
    return factcache.FactCache(repo / ".git" / "qmsdoc",
                               factcache.fingerprint(load(repo, store), store))


def test_render_all_in_one_pass_prunes_the_facts_cache_as_checking_all_does(
        run_cli: Run, committed: Path, taken: list[bool]) -> None:
    """An entry no record has any more is dropped when every record was seen (render --all),
    kept when only some were named."""
    run_cli("validate", repo=committed)
    cache: Any = _facts_cache(committed)
    held = len(cache.entries)
    cache.entries["0" * 40] = ()
    cache.dirty = True
    cache.save()
    out = committed / "out"
    run_cli("render", "-j", "2", "--out", str(out), *named(committed), repo=committed)
    assert "0" * 40 in _facts_cache(committed).entries  # type: ignore[attr-defined]
    run_cli("render", "--all", "-j", "2", "--out", str(out), repo=committed)
    assert taken == [True, True]
    after: Any = _facts_cache(committed)
    assert "0" * 40 not in after.entries and len(after.entries) == held


def test_render_all_in_one_process_does_not_look_for_the_records_twice(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    """The one pass's cheap conditions (here: one job) are tested before the records are
    looked for: the checked way then looks for them once."""
    from qmsdoc.records import files

    run_cli("validate", repo=committed)
    walks: list[int] = []
    real = files.discover

    def discover(*args: Any, **kwargs: Any) -> Any:
        walks.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(files, "discover", discover)
    result = run_cli("render", "--all", "-j", "1", "--out", str(committed / "out"),
                     repo=committed)
    assert result.exit_code == 1 and taken == [False] and len(walks) <= 1


def test_a_thread_of_the_one_pass_is_not_held_by_a_compiling_templates_memory_cap(
        run_cli: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    """A template compiles under an address-space cap, which would hold for every thread of
    the process: while other threads run (the states' thread reading a long history), it
    compiles in a child of its own, so that thread can take more memory than the cap
    leaves, and the one pass is taken (it fell back to the usual way on MemoryError)."""
    import mmap
    import time

    from qmsdoc.history import states
    from qmsdoc.render import docx
    from qmsdoc.scaffold import example

    demo = tmp_path / "demo"
    demo.mkdir()
    example.demo_repository(demo)
    run_cli("validate", repo=demo)
    real_compile, real_book = docx._compile, states.state_book
    started, done = tmp_path / "compiling", tmp_path / "allocated"
    outcome: list[str] = []

    def wait_for(path: Path) -> bool:
        deadline = time.monotonic() + 20
        while not path.exists() and time.monotonic() < deadline:
            time.sleep(0.005)
        return path.exists()

    def compile_slowly(*args: object) -> object:
        if not done.exists():  # the first template holds its cap until the thread is done
            started.touch()
            wait_for(done)
        return real_compile(*args)  # type: ignore[arg-type]

    def book(*args: object, **kwargs: object) -> states.StateBook:
        if not outcome:
            assert wait_for(started)
            try:  # the history's text, larger than the cap leaves (address space only)
                mmap.mmap(-1, 4 << 30).close()
                outcome.append("allocated")
            except (MemoryError, OSError) as exc:
                outcome.append(type(exc).__name__)
            done.touch()
        return real_book(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(docx, "_compile", compile_slowly)
    monkeypatch.setattr(together, "state_book", book)
    out = demo / "out"
    result = run_cli("render", "--all", "-j", "2", "--out", str(out), repo=demo)
    assert outcome == ["allocated"]
    assert taken == [True] and result.exit_code == 0, result.output + result.stderr
    assert sorted(p.name for p in out.glob("*.docx")) == sorted(
        f"{p.stem}.docx" for p in (demo / "records").rglob("*.yaml"))
    assert "受控·现行" in _stamps(out, "CC-2026-0001")


def test_a_template_and_configuration_changed_since_head_are_said_as_before(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch,
        taken: list[bool]) -> None:
    """The one pass asks git about the configuration and the named kinds' templates with the
    records, before the templates compile: the forms say 非受控 for them as the usual way does,
    and git is asked once."""
    from qmsdoc.render import forms as formsmod

    (committed / "templates").mkdir()
    template = committed / "templates" / "complaint.docx"
    shutil.copy(Path(__file__).parents[1] / "templates" / "complaint.docx", template)
    git(committed, "add", "-A")
    git(committed, "commit", "-q", "-m", "The complaint template")
    template.write_bytes(template.read_bytes() + b"\0")  # changed since HEAD (still a zip)
    config = committed / "qmsdoc.yaml"
    config.write_text(config.read_text("utf-8") + "\n", "utf-8")
    run_cli("validate", repo=committed)
    asked: list[list[str]] = []
    real = formsmod.Forms.backing_of

    def spy(self: formsmod.Forms, paths: list[str]) -> dict[str, object]:
        asked.append(list(paths))
        return real(self, paths)  # type: ignore[return-value]

    monkeypatch.setattr(formsmod.Forms, "backing_of", spy)
    ids = ("CC-2026-0002", "CC-2026-0006", "CC-2026-0007", "CC-2026-0008")
    (fast, fast_forms), (slow, slow_forms) = render_twice(run_cli, committed, monkeypatch, *ids)
    assert taken == [True, False]
    assert (fast.exit_code, fast.output, fast.stderr, fast_forms) == \
        (slow.exit_code, slow.output, slow.stderr, slow_forms)
    assert len(asked) == 2  # once in each way
    assert "templates/complaint.docx" in asked[0] and "qmsdoc.yaml" in asked[0]
    with ZipFile(committed / "out" / "CC-2026-0006.docx") as form:
        footer = "".join(form.read(n).decode("utf-8") for n in form.namelist()
                         if n.startswith("word/footer"))
    assert "templates/complaint.docx" in footer and "qmsdoc.yaml" in footer


def test_a_folder_at_a_forms_name_costs_no_other_form_in_one_pass(
        run_cli: Run, committed: Path, taken: list[bool]) -> None:
    run_cli("validate", repo=committed)
    out = committed / "out"
    taken_name = out / "CC-2026-0006.docx"
    taken_name.mkdir(parents=True)
    result = run_cli("render", "-j", "2", "--out", str(out), *named(committed), repo=committed)
    assert taken == [True]
    assert ("qmsdoc: records/complaints/2026/CC-2026-0006.yaml: not rendered: cannot write "
            f"{taken_name}: a folder has that name") in result.stderr.splitlines()
    assert "qmsdoc: 4 records not rendered" in result.stderr.splitlines()
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [
        f"CC-2026-000{n}.docx" for n in (2, 7, 8)]
    assert taken_name.is_dir() and result.exit_code == 1
