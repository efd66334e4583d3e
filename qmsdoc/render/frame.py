"""The controlled-document frame of a form: header, signature block, revision table, footer.

Pure: RecordState + configuration + what the copy is printed from (PrintMeta) → plain
values, every one of them in the form's language. The status (受控·现行 / 草稿 / 作废 /
非受控) comes from the document status model; signatures only from git evidence.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ..config import Config, Person
from ..doclang import (
    EN,
    FALLBACK_MARK,
    ZH,
    Lang,
    Wording,
    has_cjk,
    marked,
    name,
    pair,
    readable,
)
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
from . import wording
from .wording import LIST_SEP, NOTE_SEP, PENDING, sep

ROLES = (PREPARED, REVIEWED, APPROVED)
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
          meta: PrintMeta | None = None, lang: Lang = ZH) -> dict[str, Any]:
    """Header, signature block, revision table and footer of one form, in ``lang``."""
    values = _frame(form_name, config, state, meta or PrintMeta(), lang)
    return {key: _readable(value) for key, value in values.items()}


def _readable(value: Any) -> Any:
    """The frame's values as printable text: names and summaries git gave may hold bytes
    that are not UTF-8 (compared as they are, printed as U+FFFD; see doclang.readable)."""
    if type(value) is str and value.isascii():  # most values: no surrogate in them
        return value
    if isinstance(value, str):
        return readable(value)
    if isinstance(value, dict):
        return {key: _readable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_readable(item) for item in value]
    return value


def _frame(form_name: str, config: Config, state: RecordState, meta: PrintMeta,
           lang: Lang) -> dict[str, Any]:
    form = config.form(form_name)
    company = config.company
    status = status_of(state, meta.unbacked)
    letter = state.revision or "A"
    label = wording.STATUS[status.code](lang)
    stamp = wording.STAMPS[status.code](lang)
    zh_name, en_name = str(company.get("name", "")), str(company.get("name_en", ""))
    zh_title, en_title = str(form.get("title", "")), str(form.get("title_en", ""))
    return {
        "company": {"name": en_name or zh_name if lang == EN else zh_name,
                    "name_en": "" if lang == EN else en_name,
                    "address": str(company.get("address", ""))},
        "title": en_title or zh_title if lang == EN else zh_title,
        "title_en": "" if lang == EN else en_title,
        "number": str(form.get("number", "")),
        "retention": retention(str(form.get("retention", "")), lang,
                               str(form.get("retention_en", ""))),
        "record_id": state.record_id,
        "letter": letter,
        "status": label,
        "revision": f"{letter} {label}",
        "stamp": stamp,
        "draft": not status.controlled,
        "draft_mark": stamp,
        "state": state.state,
        "controlled": status.controlled,
        "copy": describe(status, lang),
        "commit": state.revision_commit or state.commit or "—",
        "blob": state.blob or "—",
        "template": meta.template or "—",
        "template_blob": meta.template_blob or "—",
        "printed": meta.printed or "—",
        "notes": sep(lang, NOTE_SEP).join(notes(state, status, lang, config)),
        "signatures": signatures(state, config, lang),
        "revisions": revision_rows(state, config, lang),
        "label": wording.frame_labels(lang),
        "lang": lang,
    }


def retention(text: str, lang: Lang, english: str = "") -> str:
    """``3年`` → ``3 years`` on an English form (``retention_en`` when configured); both on
    a bilingual one."""
    if lang == ZH:
        return text
    if lang != EN:
        return pair(text, retention(text, EN, english).removeprefix(f"{FALLBACK_MARK} "))
    if english:
        return english
    english = re.sub(r"(\d+)\s*个?月", r"\1 months", re.sub(r"(\d+)\s*年", r"\1 years", text))
    english = english.replace("永久", "permanent").replace("1 years", "1 year").replace(
        "1 months", "1 month")
    return marked(text, lang) if has_cjk(english) else english


def describe(status: DocStatus, lang: Lang) -> str:
    """The footer's status with its reasons: ``作废（已被版次 B 替代）``."""
    label = wording.STATUS[status.code](lang)
    if not status.reasons:
        return label
    if lang == EN:
        return f"{label} ({'; '.join(wording.reason(r, lang) for r in status.reasons)})"
    return f"{label}（{'；'.join(wording.reason(r, lang) for r in status.reasons)}）"


def notes(state: RecordState, status: DocStatus, lang: Lang = ZH,
          config: Config | None = None) -> list[str]:
    """Remarks of the revision state, in the form's language."""
    names = _Names(config, lang) if config is not None else None
    return [Wording(zh, en)(lang) for zh, en in _notes(state, names)]


def _notes(state: RecordState, names: _Names | None = None) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    if state.is_draft and state.revisions and state.changes:
        last, count = state.revisions[-1].letter, len(state.changes)
        found.append((f"自版次 {last} 发布后修改 {count} 次，其审批不适用于当前内容",
                      f"changed {count} time(s) since revision {last} was released; its "
                      "approvals do not cover the current content"))
    for sig in state.stale:
        role = wording.ROLES_SAID[sig.role]
        found.append((f"{role.zh}已失效：{sig.name}（{zoned(sig.at)}，{sig.commit[:12]}）"
                      "签署的是较早的内容",
                      f"{role.en} no longer valid: {names.signer(sig) if names else sig.name} "
                      f"({zoned(sig.at)}, "
                      f"{sig.commit[:12]}) signed an earlier content"))
    if state.ignored:
        found.append((f"另有 {state.ignored} 项签署不符合审批规则，未计入（见 qmsdoc verify）",
                      f"{state.ignored} more signature(s) do not meet the approval rules and "
                      "are not counted (see qmsdoc verify)"))
    if state.config_pending:
        found.append(("qmsdoc.yaml 的人员名册/角色/部门/审批规则有未经批准的修改，批准前不生效，"
                      "本表按最近一次批准的配置判定",
                      "qmsdoc.yaml has unapproved changes to the roster, roles, departments or "
                      "approval rules; they take effect when approved, this form follows the "
                      "last approved configuration"))
    return found


def _person(config: Config, sig: Signature | None = None, name: str = "") -> Person | None:
    if sig is not None and sig.person in config.roster:
        return config.roster[sig.person]
    wanted = sig.name if sig is not None else name
    return next((p for p in config.roster.values() if p.name == wanted), None)


class _Names:
    """People, positions and departments as a form in ``lang`` prints them."""

    def __init__(self, config: Config, lang: Lang) -> None:
        self.config, self.lang = config, lang

    def person(self, person: Person | None, fallback: str) -> str:
        if person is None:
            return marked(fallback, self.lang)
        return marked(name(fallback or person.name, person.name_en, self.lang), self.lang)

    def author(self, author: str) -> str:
        """A git author name (the roster's printed name) as the form prints it."""
        return self.person(_person(self.config, name=author), author)

    def signer(self, sig: Signature) -> str:
        return self.person(_person(self.config, sig), sig.name)

    def position(self, person: Person | None, given: str = "") -> str:
        zh = given or (person.position if person else "")
        en = person.position_en if person and (not given or given == person.position) else ""
        return marked(name(zh, en, self.lang), self.lang)

    def department(self, key_or_name: str) -> str:
        config = self.config
        key = next((k for k, v in config.departments.items() if v == key_or_name), key_or_name)
        zh = config.departments.get(key, key_or_name)
        return marked(name(zh, config.departments_en.get(key, ""), self.lang), self.lang)

    def join(self, parts: list[str]) -> str:
        return sep(self.lang, LIST_SEP).join(dict.fromkeys(p for p in parts if p))


def signatures(state: RecordState, config: Config,
               lang: Lang = ZH) -> dict[str, dict[str, str]]:
    """编制/审核/批准 with the evidence of each signature; for a draft, its preparers and the
    reviews already given to its content (待批准)."""
    names = _Names(config, lang)
    current = state.current
    if current is not None:
        return _released(current, names)
    result = {role: signature(role, None, config, lang) for role in ROLES}
    if state.changes:
        result[PREPARED] = _drafted(state.changes, names)
    for sig in state.pending:
        entry = signature(sig.role, sig, config, lang)
        entry["status"] = PENDING(lang)
        result[sig.role] = entry
    return result


def _released(current: Revision, names: _Names) -> dict[str, dict[str, str]]:
    found = {PREPARED: current.prepared, REVIEWED: current.reviewed,
             APPROVED: current.approved}
    result = {role: signature(role, found.get(role), names.config, names.lang) for role in ROLES}
    if len(current.preparers) > 1:  # several authors prepared this revision
        sigs = current.preparers
        people = [_person(names.config, s) for s in sigs]
        result[PREPARED]["name"] = names.join([names.signer(s) for s in sigs])
        result[PREPARED]["department"] = names.join([names.department(s.department)
                                                     for s in sigs if s.department])
        result[PREPARED]["position"] = names.join(
            [names.position(p, s.position) for s, p in zip(sigs, people, strict=True)
             if s.position])
    return result


def _drafted(changes: tuple[Change, ...], names: _Names) -> dict[str, str]:
    authors = list(dict.fromkeys(c.author for c in changes))
    people = [_person(names.config, name=a) for a in authors]
    last, lang = changes[-1], names.lang
    return {"role": wording.ROLES_SAID[PREPARED](lang), "meaning": _meaning(PREPARED, lang),
            "name": names.join([names.author(a) for a in authors]),
            "position": names.join([names.position(p) for p in people if p and p.position]),
            "department": names.join([names.department(p.department)
                                      for p in people if p and p.department]),
            "at": zoned(last.at), "commit": last.commit[:12], "signed": "",
            "status": wording.DRAFTING(lang)}


def _meaning(role: str, lang: Lang = ZH) -> str:
    said, statement = wording.ROLES_SAID[role], wording.STATEMENTS[role]
    if lang == EN:
        return f"{said.en}: {statement.en}"
    chinese = f"{said.zh}：{statement.zh}"
    return chinese if lang == ZH else f"{chinese} {said.en}: {statement.en}"


def signature(role: str, sig: Signature | None, config: Config,
              lang: Lang = ZH) -> dict[str, str]:
    said = wording.ROLES_SAID[role](lang)
    if sig is None:
        return {"role": said, "meaning": _meaning(role, lang), "name": "", "position": "",
                "department": "", "at": "", "commit": "", "signed": "", "status": "",
                "evidence": ""}
    names = _Names(config, lang)
    person = _person(config, sig)
    if sig.signed:
        signed = f"{wording.SIGNED(lang)} {sig.key}"
    else:
        signed = wording.NOT_PROVEN.get(sig.evidence, wording.UNSIGNED)(lang)
    return {"role": said, "meaning": _meaning(role, lang), "name": names.signer(sig),
            "position": names.position(person, sig.position),
            "department": names.department(sig.department) if sig.department else "",
            "at": zoned(sig.at), "commit": sig.commit[:12],
            "signed": signed.strip(), "status": "",
            "evidence": "trusted" if sig.signed else sig.evidence}


def revision_rows(state: RecordState, config: Config,
                  lang: Lang = ZH) -> list[dict[str, str]]:
    """修订履历: one row per released revision, then the draft when there is one."""
    names = _Names(config, lang)
    rows = [{"letter": rev.letter, "date": rev.at[:10], "summary": summary(rev.summary, lang),
             "prepared": (names.join([names.signer(s) for s in rev.preparers])
                          if rev.preparers else _name(rev.prepared, names)),
             "reviewed": _name(rev.reviewed, names),
             "approved": _name(rev.approved, names)} for rev in state.revisions]
    if state.is_draft:
        text = sep(lang, NOTE_SEP).join(c.summary for c in state.changes)
        authors = list(dict.fromkeys(c.author for c in state.changes))
        reviewed = names.join([names.signer(s) for s in state.pending if s.role == REVIEWED])
        pending = PENDING(lang)
        rows.append({"letter": f"{state.revision or 'A'} {wording.STATUS['draft'](lang)}",
                     "date": state.changes[-1].at[:10] if state.changes else "",
                     "summary": summary(text, lang),
                     "prepared": names.join([names.author(a) for a in authors]),
                     "reviewed": f"{reviewed} {pending}" if reviewed else pending,
                     "approved": pending})
    return rows


def summary(text: str, lang: Lang) -> str:
    """A commit's summary is free text: an English form marks a Chinese one ``[zh]``."""
    if lang == EN and has_cjk(text):
        return f"{FALLBACK_MARK} {text}"
    return text


def _name(sig: Signature | None, names: _Names) -> str:
    return names.signer(sig) if sig else ""
