"""The data a form template sees: the record (``r``) and the controlled-document frame (``form``,
built in ``frame``).

Pure: record data + RecordState + configuration + schema → plain values. Everything the
header, signature block, revision table and footer print comes from the RecordState, and
signatures only from ``state.current`` (a released content); a draft shows none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..config import Config
from ..doclang import EN, ZH, Lang, name
from ..history.revision import RecordState
from .frame import PrintMeta, frame
from .labels import labels
from .printable import Names, local_time, normalize, plan

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")

# Forms that a kind's template prints besides its own (one document, two paper forms).
EXTRA_FORMS: dict[str, dict[str, str]] = {
    "special-requirements": {"review_form": "special-requirements-review"},
}


_NAMES: dict[tuple[int, Lang], tuple[Config, Names]] = {}  # by the configuration's id
NAMES_KEPT = 16  # configurations whose names are kept at most (then forgotten, all at once)


def names(config: Config, lang: Lang = ZH) -> Names:
    """How the keys records use print in ``lang``: a name with its English name, if any.
    Made once per configuration and language (the same for every form of a run)."""
    cached = _NAMES.get((id(config), lang))
    if cached is None or cached[0] is not config:
        if len(_NAMES) >= NAMES_KEPT:
            _NAMES.clear()
        cached = (config, _names(config, lang))
        _NAMES[(id(config), lang)] = cached
    return cached[1]


def _names(config: Config, lang: Lang) -> Names:
    people = {key: name(p.name, p.name_en, lang) for key, p in config.roster.items()}
    departments = {key: name(zh, config.departments_en.get(key, ""), lang)
                   for key, zh in config.departments.items()}
    customers = {code: name(zh, config.customers_en.get(code, ""), lang)
                 for code, zh in config.customers.items()}
    return Names(people=people, departments=departments, customers=customers, lang=lang)


def build(kind: str, data: Mapping[str, Any], state: RecordState, config: Config,
          schema: Mapping[str, Any], meta: PrintMeta | None = None,
          repeat: tuple[str, int] | None | bool = None, lang: Lang = ZH) -> dict[str, Any]:
    """The template context of one record (without the engine's ``image`` function), in the
    form's language ``lang``. ``repeat``: the earlier complaint this one repeats, False when
    it repeats none, None when that was not checked (a past revision)."""
    context: dict[str, Any] = {
        "r": normalize(plan(schema, lang), data, names(config, lang)),
        "form": frame(kind, config, state, meta, lang),
        "label": labels(schema, lang),
        "repeat": repeat_flag(repeat, lang),
        "photos": photos,
        "files": files,
    }
    if kind == "contract-review":
        context["form"]["notes"] = ("; " if lang == EN else "；").join(
            n for n in (context["form"]["notes"], commitment_note(data, state, lang)) if n)
    for key, form_name in EXTRA_FORMS.get(kind, {}).items():
        context[key] = frame(form_name, config, state, meta, lang)
    return context


COMMITMENT_TITLES = {"/customer_feedback_at": ("反馈顾客", "feedback to the customer"),
                     "/customer_confirmed_at": ("顾客确认", "customer's confirmation")}


def commitment_note(data: Mapping[str, Any], state: RecordState, lang: Lang = ZH) -> str:
    """A contract review that committed to the customer before its review was approved
    says so on its form (IATF 16949 8.2.3.1), unless the customer's waiver is recorded."""
    from ..history.content import early_commitments

    first = state.revisions[0].at if state.revisions else None
    early = early_commitments(data, first)
    if not early:
        return ""
    titles = {k: v[1 if lang == EN else 0] for k, v in COMMITMENT_TITLES.items()}
    when = ("; " if lang == EN else "、").join(
        f"{titles.get(f.where, f.where)} {local_time(f.value)}" for f in early)
    if lang == EN:
        review = "the review's approval" + (f" ({local_time(first)})" if first else "")
        return (f"Committed before the review: {when} before {review}, and no waiver by "
                "the customer (IATF 16949 8.2.3.1)")
    review = f"评审批准（{local_time(first)}）" if first else "评审批准"
    return (f"先承诺后评审：{when} 早于{review}，且无顾客授权豁免"
            "（IATF 16949 8.2.3.1）")


def repeat_flag(repeat: tuple[str, int] | None | bool, lang: Lang = ZH) -> dict[str, Any]:
    """重复发生 on the complaint form: ticked with the earlier complaint, or not."""
    english = lang == EN
    if repeat is None:
        return {"flag": False, "earlier": "",
                "text": "— (not checked)" if english else "—（未检查）"}
    if not isinstance(repeat, tuple):
        return {"flag": False, "earlier": "", "text": "☐ Yes  ☑ No" if english else "☐ 是  ☑ 否"}
    earlier, days = repeat
    if english:
        return {"flag": True, "earlier": earlier,
                "text": f"☑ Yes  ☐ No: repeats {earlier} (same customer, part and complaint "
                        f"category, {days} days earlier; IATF 16949 10.2.3: review the earlier "
                        "actions)"}
    return {"flag": True, "earlier": earlier,
            "text": f"☑ 是  ☐ 否：重复 {earlier}（同一客户、料号及投诉类别，{days} 天前；"
                    "IATF 16949 10.2.3 须检讨以往措施）"}


def content_time(state: RecordState) -> str | None:
    """When the rendered content was committed (for the document properties), if known."""
    if state.changes:
        return state.changes[-1].at
    current = state.current
    if current is not None:
        return current.prepared.at if current.prepared else current.at
    return None


def is_image(attachment: Mapping[str, Any]) -> bool:
    return str(attachment.get("path", "")).lower().endswith(IMAGE_SUFFIXES)


def photos(attachments: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The attachments that are pictures a form can show (PNG, JPEG, GIF)."""
    return [a for a in attachments if is_image(a)]


def files(attachments: list[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The attachments a form can only list (documents, spreadsheets, ...)."""
    return [a for a in attachments if not is_image(a)]


Helper = Callable[[list[Mapping[str, Any]]], list[Mapping[str, Any]]]
HELPERS: dict[str, Helper] = {"photos": photos, "files": files}
