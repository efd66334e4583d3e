"""Every command has --help with an example and is documented in the README."""

from __future__ import annotations

from collections.abc import Callable

import click
import pytest
from conftest import ROOT

from qmsdoc import __version__
from qmsdoc.cli import main


def commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    found: list[tuple[str, click.Command]] = []
    for name, command in sorted(group.commands.items()):
        full = f"{prefix}{name}"
        if isinstance(command, click.Group):
            found.extend(commands(command, full + " "))
        else:
            found.append((full, command))
    return found


COMMANDS = commands(main)


def test_the_contract_commands_exist() -> None:
    names = {name for name, _ in COMMANDS}
    assert {"init", "new", "validate", "render", "history", "approve", "verify",
            "report complaints", "due", "schema"} <= names


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_help_has_an_example(name: str, run_cli: Callable[..., object]) -> None:
    result = run_cli(*name.split(), "--help")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    text = result.output  # type: ignore[attr-defined]
    assert "Example" in text and f"qmsdoc {name}" in text


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_command_is_in_the_readme(name: str) -> None:
    assert f"`qmsdoc {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_version(run_cli: Callable[..., object]) -> None:
    result = run_cli("--version")
    assert result.output == f"qmsdoc, version {__version__}\n"  # type: ignore[attr-defined]
