"""The controlled-document frame of a form: header, signature block, revision table, footer.

Pure: RecordState + configuration + what the copy is printed from (PrintMeta) → plain
values, every one of them in the form's language. The status (受控·现行 / 草稿 / 作废 /
非受控) comes from the document status model; signatures only from git evidence.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ..config import Config, Person
from ..history.revision import (
    APPROVED,
    PREPARED,
    REVIEWED,
    Change,
    RecordState,
    Revision,
    Signature,
)
from ..history.status import DocStatus, status_of

ROLES = (PREPARED, REVIEWED, APPROVED)
ROLE_ZH = {PREPARED: "编制", REVIEWED: "审核", APPROVED: "批准"}
# What the signer states by signing (21 CFR 11.50: the meaning of the signature).
STATEMENTS = {
    PREPARED: "确认内容如实编制",
    REVIEWED: "确认内容正确、完整",
    APPROVED: "批准发布生效",
}
PENDING = "待批准"
UNSIGNED = "未签名"
# A signature that proves nothing, by what git found (history/policy.py's evidence values).
NOT_PROVEN = {"unknown-key": "签名密钥未登记", "bad": "签名无效"}
CHINA = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class PrintMeta:
    """What a copy is printed from besides the record, and when it is printed."""

    template: str = ""  # how the template is named: templates/complaint.docx, built-in …
    template_blob: str = ""
    unbacked: tuple[str, ...] = ()  # files git does not back: ``qmsdoc.yaml 有未提交的修改``
    printed: str = ""  # print date-time with its offset


def print_time(environ: Mapping[str, str] | None = None) -> str:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds), in China time."""
    env = os.environ if environ is None else environ
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    seconds = int(epoch) if epoch.isdigit() else int(time.time())
    moment = datetime.fromtimestamp(seconds, UTC).astimezone(CHINA)
    return moment.strftime("%Y-%m-%d %H:%M +08:00")


def zoned(value: str) -> str:
    """``2026-11-03T09:40:00+08:00`` → ``2026-11-03 09:40 +08:00`` (the offset always shown)."""
    if len(value) < 16 or value[10] not in "Tt ":
        return value
    offset = value[19:].lstrip(".0123456789").replace("Z", "+00:00")
    return f"{value[:10]} {value[11:16]} {offset}".rstrip()


def frame(form_name: str, config: Config, state: RecordState,
          meta: PrintMeta | None = None) -> dict[str, Any]:
    """Header, signature block, revision table and footer of one form."""
    meta = meta or PrintMeta()
    form = config.form(form_name)
    company = config.company
    status = status_of(state, meta.unbacked)
    letter = state.revision or "A"
    return {
        "company": {"name": str(company.get("name", "")),
                    "name_en": str(company.get("name_en", "")),
                    "address": str(company.get("address", ""))},
        "title": str(form.get("title", "")),
        "title_en": str(form.get("title_en", "")),
        "number": str(form.get("number", "")),
        "retention": str(form.get("retention", "")),
        "record_id": state.record_id,
        "letter": letter,
        "status": status.label,
        "revision": f"{letter} {status.label}",
        "stamp": status.stamp,
        "draft": not status.controlled,
        "draft_mark": status.stamp,
        "state": state.state,
        "controlled": status.controlled,
        "copy": status.describe(),
        "commit": state.revision_commit or state.commit or "—",
        "blob": state.blob or "—",
        "template": meta.template or "—",
        "template_blob": meta.template_blob or "—",
        "printed": meta.printed or "—",
        "notes": "；".join(notes(state, status)),
        "signatures": signatures(state, config),
        "revisions": revision_rows(state),
    }


def notes(state: RecordState, status: DocStatus) -> list[str]:
    """Remarks of the revision state, in Chinese."""
    found: list[str] = []
    if state.is_draft and state.revisions and state.changes:
        found.append(f"自版次 {state.revisions[-1].letter} 发布后修改 {len(state.changes)} 次，"
                     "其审批不适用于当前内容")
    for sig in state.stale:
        found.append(f"{ROLE_ZH[sig.role]}已失效：{sig.name}（{zoned(sig.at)}，"
                     f"{sig.commit[:12]}）签署的是较早的内容")
    if state.ignored:
        found.append(f"另有 {state.ignored} 项签署不符合审批规则，未计入（见 qmsdoc verify）")
    if state.config_pending:
        found.append("qmsdoc.yaml 的人员名册/角色/部门/审批规则有未经批准的修改，批准前不生效，"
                     "本表按最近一次批准的配置判定")
    return found


def _person(config: Config, sig: Signature | None = None, name: str = "") -> Person | None:
    if sig is not None and sig.person in config.roster:
        return config.roster[sig.person]
    wanted = sig.name if sig is not None else name
    return next((p for p in config.roster.values() if p.name == wanted), None)


def signatures(state: RecordState, config: Config) -> dict[str, dict[str, str]]:
    """编制/审核/批准 with the evidence of each signature; for a draft, its preparers and the
    reviews already given to its content (待批准)."""
    current = state.current
    if current is not None:
        return _released(current, config)
    result = {role: signature(role, None, config) for role in ROLES}
    if state.changes:
        result[PREPARED] = _drafted(state.changes, config)
    for sig in state.pending:
        entry = signature(sig.role, sig, config)
        entry["status"] = PENDING
        result[sig.role] = entry
    return result


def _released(current: Revision, config: Config) -> dict[str, dict[str, str]]:
    found = {PREPARED: current.prepared, REVIEWED: current.reviewed,
             APPROVED: current.approved}
    result = {role: signature(role, found.get(role), config) for role in ROLES}
    if len(current.preparers) > 1:  # several authors prepared this revision
        sigs = current.preparers
        result[PREPARED]["name"] = "、".join(dict.fromkeys(s.name for s in sigs))
        result[PREPARED]["department"] = "、".join(
            dict.fromkeys(s.department for s in sigs if s.department))
        result[PREPARED]["position"] = "、".join(
            dict.fromkeys(s.position for s in sigs if s.position))
    return result


def _drafted(changes: tuple[Change, ...], config: Config) -> dict[str, str]:
    authors = list(dict.fromkeys(c.author for c in changes))
    people = [_person(config, name=a) for a in authors]
    last = changes[-1]
    return {"role": ROLE_ZH[PREPARED], "meaning": _meaning(PREPARED), "name": "、".join(authors),
            "position": "、".join(p.position for p in people if p and p.position),
            "department": "、".join(config.departments.get(p.department, p.department)
                                   for p in people if p and p.department),
            "at": zoned(last.at), "commit": last.commit[:12], "signed": "",
            "status": "起草中"}


def _meaning(role: str) -> str:
    return f"{ROLE_ZH[role]}：{STATEMENTS[role]}"


def signature(role: str, sig: Signature | None, config: Config) -> dict[str, str]:
    if sig is None:
        return {"role": ROLE_ZH[role], "meaning": _meaning(role), "name": "", "position": "",
                "department": "", "at": "", "commit": "", "signed": "", "status": "",
                "evidence": ""}
    person = _person(config, sig)
    signed = f"已签名 {sig.key}" if sig.signed else NOT_PROVEN.get(sig.evidence, UNSIGNED)
    return {"role": ROLE_ZH[role], "meaning": _meaning(role), "name": sig.name,
            "position": sig.position or (person.position if person else ""),
            "department": sig.department, "at": zoned(sig.at), "commit": sig.commit[:12],
            "signed": signed.strip(), "status": "",
            "evidence": "trusted" if sig.signed else sig.evidence}


def revision_rows(state: RecordState) -> list[dict[str, str]]:
    """修订履历: one row per released revision, then the draft when there is one."""
    rows = [{"letter": rev.letter, "date": rev.at[:10], "summary": rev.summary,
             "prepared": _names(rev.preparers) if rev.preparers else _name(rev.prepared),
             "reviewed": _name(rev.reviewed),
             "approved": _name(rev.approved)} for rev in state.revisions]
    if state.is_draft:
        summary = "；".join(c.summary for c in state.changes)
        authors = list(dict.fromkeys(c.author for c in state.changes))
        reviewed = "、".join(s.name for s in state.pending if s.role == REVIEWED)
        rows.append({"letter": f"{state.revision or 'A'} 草稿",
                     "date": state.changes[-1].at[:10] if state.changes else "",
                     "summary": summary, "prepared": "、".join(authors),
                     "reviewed": f"{reviewed} {PENDING}" if reviewed else PENDING,
                     "approved": PENDING})
    return rows


def _names(sigs: tuple[Signature, ...]) -> str:
    return "、".join(dict.fromkeys(s.name for s in sigs))


def _name(sig: Signature | None) -> str:
    return sig.name if sig else ""
