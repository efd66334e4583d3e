"""``--help`` in the language of the messages: Click keeps each command's and option's help
as given (English, the catalog's ids, extracted by ``scripts/clickhelp.py``); before the
command line is parsed, ``translate`` puts their translation in place, keeping the English
so that a later run in the same process can choose again."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator, Sequence

import click

from .. import i18n
from . import clicktext

_ENGLISH = "_qmsdoc_english"  # the attribute keeping a command's or option's English texts


def language_of(args: Sequence[str]) -> str | None:
    """The group's ``--lang`` among the arguments before the command's name, if given."""
    values = iter(args)
    for arg in values:
        if arg == "--lang":
            return next(values, None)
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
        if arg == "--repo":
            next(values, None)
        elif not arg.startswith("-"):
            return None
    return None


def translate(command: click.Command) -> None:
    """The help texts of ``command`` and every command below it in the chosen language."""
    for each in _walk(command):
        _translate(each, ("help", "short_help", "epilog"))
        if each.help and not each.short_help and i18n.language() != "en":
            each.short_help = short(each.help)
        for param in each.params:
            _translate(param, ("help",))
        made = getattr(each, "_help_option", None)  # Click makes --help once, then keeps it
        if made is not None:
            _translate(made, ("help",))


def short(text: str) -> str:
    """The first sentence of a translated help text: Click finds it by a full stop and a
    space, which Chinese does not write ("。")."""
    sentence = text.split("\n\n", 1)[0].replace("\n", "").split("。", 1)[0]
    if len(sentence) > 30:  # a long first sentence: without its asides, up to a pause
        sentence = re.sub(r" ?\[[^]]*\]|（[^）]*）", "", sentence)
        cuts = [i for i in (sentence.find(c, 6) for c in ("：", "，")) if i > 0]
        sentence = sentence[: min(cuts)] if cuts and len(sentence) > 30 else sentence
    return sentence


def _translate(thing: object, attributes: tuple[str, ...]) -> None:
    english: dict[str, str | None] = thing.__dict__.setdefault(
        _ENGLISH, {name: getattr(thing, name, None) for name in attributes})
    for name, text in english.items():
        setattr(thing, name, _translated(inspect.cleandoc(text)) if text else text)


def _translated(text: str) -> str:
    """A help text from qmsdoc's catalog, else Click's (the options Click adds)."""
    found = i18n._(text)
    return found if found != text else clicktext.translated(text)


def _walk(command: click.Command) -> Iterator[click.Command]:
    yield command
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _walk(sub)
