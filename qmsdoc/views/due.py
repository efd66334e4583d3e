"""What ``qmsdoc due`` prints: the open clocks as text (grouped by owner and department) or
JSON (one clock per line)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from ..config import Config
from ..deadlines.clocks import OVERDUE, Clock, note_shown
from ..deadlines.clocktime import Moment, span
from ..deadlines.due import DueList
from ..i18n import _, ngettext
from .columns import width
from .findings import printable


def owner_label(clock: Clock, config: Config, departments: dict[str, str] | None = None) -> str:
    person = config.roster.get(clock.owner)
    who = f"{person.name} ({clock.owner})" if person else (clock.owner or _("(no owner)"))
    departments = config.departments if departments is None else departments
    department = departments.get(clock.department, clock.department)
    return f"{who} · {department}" if department else who


def _what(clock: Clock) -> str:
    text = f"{clock.rule.title} [{clock.rule.source}]"
    if clock.item:
        text += f" · {clock.item}" + (f" {clock.subject}" if clock.subject else "")
    return text


def _when(clock: Clock) -> str:
    if clock.state == OVERDUE:
        return _("{span} late").format(span=span(clock.late))
    if clock.left <= timedelta(0) or (clock.due.date_only and clock.left < timedelta(days=1)):
        return _("due today")
    return _("in {span}").format(span=span(clock.left))


def as_text(result: DueList, config: Config) -> str:
    lines = [_("qmsdoc due — now {now}").format(now=result.now.strftime("%Y-%m-%d %H:%M %z"))]
    departments = config.departments
    due_word = _("due {date}")
    labels: dict[tuple[str, str], str] = {}  # (owner, department) → its heading
    # a due time's column and a verdict's (with their widths), once each: clocks share them
    dues: dict[tuple[Moment, timedelta | None], tuple[str, int]] = {}
    whens: dict[tuple[str, timedelta, timedelta, bool], tuple[str, int]] = {}
    for title, wanted in ((_("OVERDUE ({n})"), True), (_("OPEN ({n})"), False)):
        section = [c for c in result.clocks if (c.state == OVERDUE) == wanted]
        if not section:
            continue
        # each clock's columns once: (label, id, rule, due, its width, when, its width, what)
        rows = []
        for c in section:
            key = (c.owner, c.department)
            label = labels.get(key)
            if label is None:
                label = labels[key] = owner_label(c, config, departments)
            at = (c.due, c.due.at.utcoffset())  # equal instants in other zones read otherwise
            due_column = dues.get(at)
            if due_column is None:
                text = due_word.format(date=c.due.text())
                due_column = dues[at] = (text, width(text))
            judged = (c.state, c.late, c.left, c.due.date_only)  # what _when looks at
            when_column = whens.get(judged)
            if when_column is None:
                text = _when(c)
                when_column = whens[judged] = (text, width(text))
            rows.append((label, c.record, c.rule.id, *due_column, *when_column, _what(c)))
        width_id = max(len(r[1]) for r in rows)
        width_rule = max(len(r[2]) for r in rows)
        width_due = max(r[4] for r in rows)
        width_when = max(r[6] for r in rows)
        lines += ["", title.format(n=len(section))]
        group = None
        for label, record, rule, due, due_width, when, when_width, what in rows:
            if label != group:
                lines.append(f"  {label}")
                group = label
            lines.append(f"    {record:<{width_id}}  {rule:<{width_rule}}  "
                         f"{due}{' ' * max(0, width_due - due_width)}  "
                         f"{when}{' ' * max(0, width_when - when_width)}  {what}".rstrip())
    lines += ["", summary(result)]
    notes = sorted({f"{c.record} {c.rule.id}: {note_shown(c.calendar_note)}"
                    for c in result.clocks if c.calendar_note})
    lines += [_("note: {note}").format(note=n) for n in notes]
    if result.unreadable:
        lines.append(_("warning: {n} record file(s) could not be read and were left out; "
                       "run qmsdoc validate").format(n=len(result.unreadable)))
    return "\n".join(printable(line) for line in lines)  # a value cannot start a line


def summary(result: DueList) -> str:
    open_ = len(result.clocks)
    return ngettext("{open} open clock in {records} records: {overdue} overdue, "
                    "{not_due} not yet due",
                    "{open} open clocks in {records} records: {overdue} overdue, "
                    "{not_due} not yet due", open_).format(
        open=open_, records=result.records, overdue=result.overdue,
        not_due=open_ - result.overdue)


def clock_json(clock: Clock, config: Config,
               departments: dict[str, str] | None = None) -> dict[str, Any]:
    person = config.roster.get(clock.owner)
    departments = config.departments if departments is None else departments
    return {
        "record": clock.record, "path": clock.path, "kind": clock.kind,
        "rule": clock.rule.id, "title": clock.rule.title, "title_en": clock.rule.title_en,
        "source": clock.rule.source, "item": clock.item, "subject": clock.subject,
        "customer": clock.customer,
        "owner": clock.owner, "owner_name": person.name if person else clock.owner,
        "department": clock.department,
        "department_name": departments.get(clock.department, clock.department),
        "within": str(clock.within) if clock.within else None,
        "start": clock.start.iso() if clock.start else None,
        "due": clock.due.iso(), "stop": clock.stop.iso() if clock.stop else None,
        "state": clock.state,
        "late_seconds": int(clock.late.total_seconds()),
        "left_seconds": int(clock.left.total_seconds()),
        "calendar_note": clock.calendar_note,
    }


_ENCODER = json.JSONEncoder(ensure_ascii=False)


def as_json(result: DueList, config: Config) -> str:
    """One JSON object; each clock on a line of its own (readable, and quick to write for
    tens of thousands of clocks)."""
    head = {"now": result.now.isoformat(), "records": result.records,
            "open": len(result.clocks), "overdue": result.overdue,
            "unreadable": result.unreadable}
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    departments = config.departments
    encode = _ENCODER.encode  # json.dumps(…, ensure_ascii=False) without a new encoder each
    clocks = ",\n".join(f"    {encode(clock_json(c, config, departments))}"
                         for c in result.clocks)
    return "{\n" + "\n".join(lines) + '\n  "clocks": [' + \
        (f"\n{clocks}\n  ]" if clocks else "]") + "\n}"
