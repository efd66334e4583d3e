"""The house rules of the package layout (ARCHITECTURE.md), read from the source: no import
circle, imports only downwards, each outside library behind its one door."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "qmsdoc"

# lowest first: a module may import its own package and the ones before it
LAYERS = ["<top>", "records", "git", "deadlines", "checks", "history", "render", "report",
          "notify", "scaffold", "exchange", "views", "audit", "cli"]
# the top-level modules read records through the YAML loader, which imports nothing of qmsdoc
TOP_MAY_IMPORT = {"qmsdoc.records.yamlload"}

DOORS = {  # an outside library → the only place that may import it
    "click": "qmsdoc/cli/",
    "yaml": "qmsdoc/records/yamlload.py",
    "ryml": "qmsdoc/records/fastyaml.py",  # rapidyaml: yamlload's fast path, nothing else
    "orjson": "qmsdoc/records/fastyaml.py",  # reads rapidyaml's JSON there, nothing else
    "isal": "qmsdoc/render/zipout.py",  # ISA-L deflates the forms' parts, nothing else
    "jsonschema": "qmsdoc/schema.py",
    "jsonschema_rs": "qmsdoc/schema.py",
    "referencing": "qmsdoc/schema.py",
    "git": "qmsdoc/git/",
    "concurrent": "qmsdoc/parallel.py",
    "multiprocessing": "qmsdoc/parallel.py",
}


def _modules() -> dict[str, tuple[Path, bool]]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        found[".".join(parts[:-1] if is_package else parts)] = (path, is_package)
    return found


MODULES = _modules()


def imports(name: str) -> tuple[set[str], set[str]]:
    """(qmsdoc modules, outside top-level packages) that module ``name`` imports anywhere."""
    path, is_package = MODULES[name]
    package = name if is_package else name.rsplit(".", 1)[0]
    inside: set[str] = set()
    outside: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                (inside if alias.name.startswith("qmsdoc") else outside).add(
                    alias.name if alias.name.startswith("qmsdoc") else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if not target.startswith("qmsdoc"):
                outside.add(target.split(".")[0])
                continue
            for alias in node.names:
                full = f"{target}.{alias.name}"
                inside.add(full if full in MODULES else target)
    inside.discard(name)
    return inside, outside


def layer(name: str) -> str:
    if name == "qmsdoc.__main__":  # ``python -m qmsdoc`` is the command line
        return "cli"
    parts = name.split(".")
    if len(parts) >= 2 and (len(parts) > 2 or MODULES[name][1]):
        return parts[1]
    return "<top>"


def test_every_module_is_in_a_layer() -> None:
    assert {layer(name) for name in MODULES} - set(LAYERS) == set()


def test_no_import_circle() -> None:
    graph = {name: imports(name)[0] & MODULES.keys() for name in MODULES}
    # a package's __init__ may gather its own modules (cli registers its commands)
    graph = {name: {d for d in deps if not d.startswith(name + ".")} for name, deps in graph.items()}
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            pytest.fail("import circle: " + " → ".join([*trail[trail.index(name):], name]))
        if name in done:
            return
        for dep in sorted(graph[name]):
            visit(dep, [*trail, name])
        done.add(name)

    for name in MODULES:
        visit(name, [])


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_run_downwards(name: str) -> None:
    own = LAYERS.index(layer(name))
    for dep in imports(name)[0]:
        if dep == "qmsdoc" or (own == 0 and dep in TOP_MAY_IMPORT):
            continue
        assert LAYERS.index(layer(dep)) <= own, f"{name} imports {dep}, a layer above it"


@pytest.mark.parametrize("name", sorted(MODULES))
def test_outside_libraries_enter_through_one_door(name: str) -> None:
    where = MODULES[name][0].relative_to(PACKAGE.parent).as_posix()
    for library in imports(name)[1] & DOORS.keys():
        assert where.startswith(DOORS[library]), f"{where} imports {library}"


# programs of their own, shipped inside what qmsdoc writes: the audit pack's verifier runs
# with nothing but Python's standard library, so it prints and exits itself
STANDALONE = {"qmsdoc.audit.verify_pack"}


def test_standalone_programs_need_only_the_standard_library() -> None:
    import sys

    for name in STANDALONE:
        inside, outside = imports(name)
        assert not inside, f"{name} imports {inside}"
        assert outside <= set(sys.stdlib_module_names) | {"__future__"}, outside


@pytest.mark.parametrize("name", sorted(n for n in MODULES
                                        if layer(n) != "cli" and n not in STANDALONE))
def test_core_never_prints_or_exits(name: str) -> None:
    tree = ast.parse(MODULES[name][0].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else (
                f"{getattr(func.value, 'id', '')}.{func.attr}"
                if isinstance(func, ast.Attribute) else "")
            assert called not in {"print", "sys.exit", "exit", "os._exit"}, (
                f"{name}:{node.lineno} calls {called}")


def test_the_yaml_parsers_stay_behind_the_records_loader() -> None:
    """rapidyaml's module (the fast path) is reached only through yamlload.parse, so that
    every record goes through one loader with one set of findings and positions."""
    users = {name for name in MODULES if "qmsdoc.records.fastyaml" in imports(name)[0]}
    assert users == {"qmsdoc.records.yamlload"}


def test_every_subpackage_says_what_it_may_import() -> None:
    for name, (path, is_package) in MODULES.items():
        if is_package and name != "qmsdoc":
            doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
            assert "import" in doc, f"{name}: the docstring names what it may import"


def _commands() -> list[tuple[str, ast.FunctionDef]]:
    found = []
    for path in sorted((PACKAGE / "cli").glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and any(
                    ".command" in ast.unparse(d) or ".group" in ast.unparse(d)
                    for d in node.decorator_list):
                found.append((f"{path.name}:{node.name}", node))
    return found


@pytest.mark.parametrize(("name", "function"), _commands(), ids=[n for n, _ in _commands()])
def test_command_functions_are_short(name: str, function: ast.FunctionDef) -> None:
    """Parse the options, call one core function, hand the result to a view, exit."""
    body = function.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]  # the docstring is the --help text
    lines = (body[-1].end_lineno or 0) - body[0].lineno + 1 if body else 0
    assert lines <= 25, f"{name}: {lines} lines"


def test_the_commands_are_found() -> None:
    assert len(_commands()) >= 15


ONE_PLACE = {  # a business fact's old copies, and the one module that may spell it out
    '"$ref"': "qmsdoc/schema.py",  # the one $ref resolver
    '"x-meaning"': "qmsdoc/schema.py",  # what a field names: person, department, customer, money
    '"0" * 40': "qmsdoc/git/log.py",  # the zero commit id
    ".strip().lower()": "qmsdoc/config.py",  # e-mail → roster person
    '"registered", "investigating"': "qmsdoc/kinds.py",  # workflow states in order
    '"received", "in_review"': "qmsdoc/kinds.py",
    '"open": 0': "",
    "get_context(": "qmsdoc/parallel.py",  # the one process pool
    "ProcessPoolExecutor(": "qmsdoc/parallel.py",
    "days <= window": "qmsdoc/checks/crossref.py",  # the one repeat-complaint rule
    "OVERDUE if ": "qmsdoc/deadlines/clocks.py",  # the one clock judgement (verdict)
}


@pytest.mark.parametrize("text", sorted(ONE_PLACE))
def test_each_fact_is_written_once(text: str) -> None:
    places = sorted(path.relative_to(PACKAGE.parent).as_posix()
                    for path in PACKAGE.rglob("*.py")
                    if text in path.read_text(encoding="utf-8"))
    assert places in ([], [ONE_PLACE[text]]), f"{text} in {places}"

