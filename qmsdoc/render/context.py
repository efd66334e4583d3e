"""The data a form template sees: the record (``r``) and the controlled-document frame (``form``).

Pure: record data + RecordState + configuration + schema → plain values. Everything the
header, signature block, revision table and footer print comes from the RecordState, and
signatures only from ``state.current`` (a released content); a draft shows none.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ..config import Config
from ..history.revision import (
    APPROVED,
    MEANINGS,
    PREPARED,
    REVIEWED,
    RecordState,
    Revision,
    Signature,
)
from .printable import Names, local_time, normalize, plan

DRAFT = "草稿 DRAFT"
CONTROLLED = "受控 Controlled copy"
UNCONTROLLED = "非受控 Uncontrolled copy"
DRAFT_MARK = "草稿 DRAFT：未经审核批准，仅供参考 (not reviewed and approved)"
ROLES = (PREPARED, REVIEWED, APPROVED)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")

# Forms that a kind's template prints besides its own (one document, two paper forms).
EXTRA_FORMS: dict[str, dict[str, str]] = {
    "special-requirements": {"review_form": "special-requirements-review"},
}


def names(config: Config) -> Names:
    people = {key: person.name for key, person in config.roster.items()}
    return Names(people=people, departments=config.departments, customers=config.customers)


def build(kind: str, data: Mapping[str, Any], state: RecordState, config: Config,
          schema: Mapping[str, Any]) -> dict[str, Any]:
    """The template context of one record (without the engine's ``image`` function)."""
    context: dict[str, Any] = {
        "r": normalize(plan(schema), data, names(config)),
        "form": frame(kind, config, state),
        "photos": photos,
        "files": files,
    }
    for key, form_name in EXTRA_FORMS.get(kind, {}).items():
        context[key] = frame(form_name, config, state)
    return context


def frame(form_name: str, config: Config, state: RecordState) -> dict[str, Any]:
    """Header, signature block, revision table and footer of one form."""
    form = config.form(form_name)
    company = config.company
    released = state.current is not None
    return {
        "company": {"name": str(company.get("name", "")),
                    "name_en": str(company.get("name_en", "")),
                    "address": str(company.get("address", ""))},
        "title": str(form.get("title", "")),
        "title_en": str(form.get("title_en", "")),
        "number": str(form.get("number", "")),
        "retention": str(form.get("retention", "")),
        "record_id": state.record_id,
        "revision": state.revision if released else _draft_revision(state),
        "draft": not released,
        "draft_mark": "" if released else DRAFT_MARK,
        "state": state.state,
        "controlled": state.controlled,
        "copy": CONTROLLED if state.controlled else UNCONTROLLED,
        "commit": state.commit or "—",
        "blob": state.blob or "—",
        "notes": "；".join(state.notes),
        "signatures": signatures(state.current),
        "revisions": revision_rows(state),
    }


def _draft_revision(state: RecordState) -> str:
    if state.state == "draft" and state.revision:
        return f"{state.revision} {DRAFT}"
    return DRAFT


def signatures(current: Revision | None) -> dict[str, dict[str, str]]:
    """编制/审核/批准: printed name, department, date and time, meaning; empty for a draft."""
    found = {PREPARED: current.prepared, REVIEWED: current.reviewed,
             APPROVED: current.approved} if current else {}
    result = {role: signature(role, found.get(role)) for role in ROLES}
    if current and len(current.preparers) > 1:  # several authors prepared this revision
        result[PREPARED]["name"] = _names(current.preparers)
        result[PREPARED]["department"] = "、".join(
            dict.fromkeys(s.department for s in current.preparers if s.department))
    return result


def _names(sigs: tuple[Signature, ...]) -> str:
    return "、".join(dict.fromkeys(s.name for s in sigs))


def signature(role: str, sig: Signature | None) -> dict[str, str]:
    zh, en = MEANINGS[role]
    if sig is None:
        return {"role": zh, "meaning": f"{zh} {en}", "name": "", "department": "", "at": "",
                "signed": "", "evidence": "", "commit": "", "position": ""}
    return {"role": zh, "meaning": sig.meaning, "name": sig.name, "department": sig.department,
            "at": local_time(sig.at, seconds=True),
            "signed": EVIDENCE_TEXT["trusted"] if sig.signed else EVIDENCE_TEXT.get(
                sig.evidence, ""), "evidence": "trusted" if sig.signed else sig.evidence,
            "commit": sig.commit, "position": sig.position}


# What a signature proves, as the form prints it beside the name (history/policy.py's
# evidence values; "unchecked" — a preparer's change commit — prints nothing).
EVIDENCE_TEXT = {"trusted": "已数字签名 signed", "unsigned": "未签名 unsigned",
                 "unknown-key": "签名密钥未登记 key not in roster",
                 "bad": "签名无效 bad signature"}


def revision_rows(state: RecordState) -> list[dict[str, str]]:
    """修订履历: one row per released revision, then the draft when there is one."""
    rows = [{"letter": rev.letter, "date": rev.at[:10], "summary": rev.summary,
             "prepared": _names(rev.preparers) if rev.preparers else _name(rev.prepared),
             "reviewed": _name(rev.reviewed),
             "approved": _name(rev.approved)} for rev in state.revisions]
    if state.is_draft:
        summary = "；".join(c.summary for c in state.changes) or "；".join(state.notes)
        authors = sorted({c.author for c in state.changes})
        rows.append({"letter": _draft_revision(state),
                     "date": state.changes[-1].at[:10] if state.changes else "",
                     "summary": summary, "prepared": "、".join(authors),
                     "reviewed": "", "approved": ""})
    return rows


def _name(sig: Signature | None) -> str:
    return sig.name if sig else ""


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
