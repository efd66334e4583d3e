"""The language of the messages: one gettext translation for the process.

The catalogs are standard gettext ones, ``builtin/locale/<locale>/LC_MESSAGES/qmsdoc.mo``
(compiled from the ``.po`` beside it by Babel, ``make messages``). The English text in the
code is the message id, so English needs no catalog and is what is printed when none is
chosen. The command line chooses the language once (``--lang``, ``QMSDOC_LANG``, the
locale, ``qmsdoc.yaml``'s ``language.messages``) with ``use``; worker processes of
``parallel.run`` are given the same choice as they start.

``_`` translates a message; ``N_`` only marks a text for the catalog where it is
translated later (a table of texts built at import). Placeholders are named
(``{name}``) so that a translation can put them in another order.
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Iterator, Mapping

from .resources import builtin

DOMAIN = "qmsdoc"
LANGUAGES = ("en", "zh")  # English, the language of the code, first
_LOCALES = {"zh": "zh_CN"}  # language → the catalog's locale folder

_language = "en"
_translation: gettext.NullTranslations = gettext.NullTranslations()


def catalog(language: str, domain: str = DOMAIN) -> gettext.NullTranslations:
    """The translation of the messages into ``language`` (English: the ids themselves)."""
    if language not in _LOCALES:
        return gettext.NullTranslations()
    mo = builtin("locale", _LOCALES[language], "LC_MESSAGES", f"{domain}.mo")
    with mo.open("rb") as stream:
        return gettext.GNUTranslations(stream)


def use(language: str) -> None:
    """Print messages in ``language`` ("en" or "zh") from now on, in this process."""
    global _language, _translation
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if language != _language:
        _translation = catalog(language)
        _language = language


def language() -> str:
    """The language messages are printed in: "en" or "zh"."""
    return _language


def _(message: str) -> str:
    """``message`` in the chosen language."""
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form of a message for ``n``, in the chosen language."""
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:  # noqa: N802 - gettext's name for "mark only"
    """``message`` unchanged: marked for the catalog, translated where it is shown."""
    return message


# --- the statistics reports' own texts -------------------------------------------------------
# They are the controlled forms' wording, written in Chinese in the code (the language of the
# forms), with an English catalog: builtin/locale/en/LC_MESSAGES/report.mo. ``tr`` translates
# a text into the report's language, ``TR_`` marks one for the catalog, ``Texts`` is a table
# of marked texts that hands out their translation.

REPORT_DOMAIN = "report"
REPORT_LANGUAGES = ("zh", "en")  # Chinese, the language of the report's code, first
_report_language = "zh"
_report: gettext.NullTranslations = gettext.NullTranslations()


def use_report(language: str) -> None:
    """Write the statistics reports in ``language`` ("zh" or "en") from now on."""
    global _report_language, _report
    if language not in REPORT_LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    if language != _report_language:
        if language == "zh":
            _report = gettext.NullTranslations()
        else:
            with builtin("locale", language, "LC_MESSAGES", f"{REPORT_DOMAIN}.mo").open(
                    "rb") as stream:
                _report = gettext.GNUTranslations(stream)
        _report_language = language


def report_language() -> str:
    return _report_language


def tr(text: str) -> str:
    """A text of a statistics report in the report's language."""
    return _report.gettext(text)


def TR_(text: str) -> str:  # noqa: N802 - as N_, for the report's catalog
    """``text`` unchanged: marked for the report's catalog, translated where it is used."""
    return text


class Texts(Mapping[str, str]):
    """A table of a report's marked texts (``TR_``): each read in the report's language."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self._texts = dict(texts)

    def __getitem__(self, key: str) -> str:
        return tr(self._texts[key])

    def __iter__(self) -> Iterator[str]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)


def parse(value: str) -> str | None:
    """The language a setting names: "zh", "zh_CN", "zh-CN", "zh_CN.UTF-8" → "zh";
    "en", "en_US.UTF-8" → "en"; anything else (C, POSIX, de_DE) → None."""
    name = value.strip().split(".", 1)[0].split("@", 1)[0].replace("-", "_").lower()
    base = name.split("_", 1)[0]
    return base if base in LANGUAGES else None


def from_locale(environ: Mapping[str, str] | None = None) -> str | None:
    """The language the locale names, as POSIX reads it: the first set of LC_ALL,
    LC_MESSAGES, LANG. C or POSIX (or another language) makes no choice: None."""
    env = os.environ if environ is None else environ
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(variable, "")
        if value:
            return parse(value)
    return None
