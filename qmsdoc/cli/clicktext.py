"""The words Click prints itself (Usage:, Options, Commands, its errors) in the language of
the messages: Click looks them up with ``gettext.gettext`` in its modules' ``_`` (and
``ngettext``); these point at the ``click`` catalog of qmsdoc for the chosen language
(builtin/locale/zh_CN/LC_MESSAGES/click.po, made from the installed Click's messages) and
back at gettext's own functions for English."""

from __future__ import annotations

import gettext
import importlib
import sys

from .. import i18n

MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting",
           "click.parser", "click.types", "click.termui", "click.utils",
           "click._termui_impl", "click.shell_completion")


_catalogs: dict[str, gettext.NullTranslations] = {}


def follow(language: str) -> None:
    """Click's own words in ``language`` from now on."""
    if language == "en":
        translate, plural = gettext.gettext, gettext.ngettext
    else:
        catalog = _catalogs.setdefault(language, i18n.catalog(language, "click"))
        translate, plural = catalog.gettext, catalog.ngettext
    for name in MODULES:  # in English, only the modules loaded so far need their gettext back
        module = sys.modules.get(name) if language == "en" else importlib.import_module(name)
        if module is None:
            continue
        if hasattr(module, "_"):
            module._ = translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = plural  # type: ignore[attr-defined]


def translated(text: str) -> str:
    """One of Click's own texts (the --version option's help) in the chosen language."""
    if i18n.language() == "en":
        return text
    return _catalogs.setdefault(i18n.language(), i18n.catalog(i18n.language(), "click")
                                ).gettext(text)
