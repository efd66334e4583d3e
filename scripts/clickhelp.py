"""Babel extraction method for the command line's modules (``babel.cfg``): the messages of
``_()`` / ``N_()`` calls as Babel's Python extractor finds them, plus the texts Click shows
in ``--help``: each command's docstring and every ``help=``, ``short_help=`` and ``epilog=``
string, cleaned as Click cleans them (``inspect.cleandoc``). ``qmsdoc.cli.helptext``
translates them at display time with these ids."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

from babel.messages.extract import extract_python

HELP_KEYWORDS = ("help", "short_help", "epilog")


def extract(fileobj: IO[bytes], keywords: Collection[str], comment_tags: Collection[str],
            options: Mapping[str, Any]) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    yield from extract_python(fileobj, keywords, comment_tags, options)
    fileobj.seek(0)
    tree = ast.parse(fileobj.read())
    for lineno, text in help_texts(tree):
        yield lineno, None, text, []


def help_texts(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, text) of every help text of Click commands and options in ``tree``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                if keyword.arg in HELP_KEYWORDS and isinstance(keyword.value, ast.Constant) \
                        and isinstance(keyword.value.value, str) and keyword.value.value.strip():
                    yield keyword.value.lineno, inspect.cleandoc(keyword.value.value)
        elif isinstance(node, ast.FunctionDef) and any(_is_command(d) for d in node.decorator_list):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.body[0].lineno, doc


def _is_command(decorator: ast.expr) -> bool:
    """``@x.command(...)``, ``@x.group(...)``, ``@click.command`` and the like."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    name = target.attr if isinstance(target, ast.Attribute) else \
        target.id if isinstance(target, ast.Name) else ""
    return name in ("command", "group")
