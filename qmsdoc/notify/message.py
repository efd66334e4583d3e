"""Who is reminded of which clock, and the Chinese text of each message: one e-mail per
person (their own clocks; a department head also the department's other ones), one to the
configured group mailbox, one message per group bot (every clock, by owner)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from ..config import Config
from ..deadlines.clocks import OVERDUE, Clock
from .settings import Settings, heads

OVERDUE_STATE, SOON_STATE = "overdue", "due_soon"
NO_OWNER = "未指定负责人"
FOOTER = "—— qmsdoc 自动提醒，请勿直接回复。完成后请在记录中填写完成日期并提交。"


@dataclass(frozen=True)
class Reminder:
    clock: Clock
    state: str  # overdue | due_soon

    @property
    def key(self) -> str:
        """The same clock in the same state is the same reminder (see ``state``)."""
        c = self.clock
        return f"{c.record}|{c.rule.id}|{c.item}|{c.due.iso()}|{self.state}"


@dataclass(frozen=True)
class Audience:
    """One message to be: who gets it and which reminders it carries."""

    channel: str  # email | wecom | dingtalk | feishu
    target: str  # where the state remembers it: email:ADDRESS, email:summary, wecom, …
    recipient: str  # as a person reads it: 赵磊 <zhao.lei@…>, 企业微信群机器人
    to: tuple[str, ...] = ()  # e-mail addresses
    name: str = ""  # the salutation
    own: tuple[Reminder, ...] = ()
    others: tuple[Reminder, ...] = ()  # a head's department, or everything for a group

    @property
    def reminders(self) -> tuple[Reminder, ...]:
        return (*self.own, *self.others)

    def only(self, keys: set[str]) -> Audience:
        return replace(self, own=tuple(r for r in self.own if r.key in keys),
                       others=tuple(r for r in self.others if r.key in keys))


@dataclass(frozen=True)
class Message:
    channel: str
    target: str
    recipient: str
    to: tuple[str, ...]
    subject: str
    body: str  # e-mail: plain text; wecom, dingtalk, feishu card: markdown; feishu text: text
    keys: tuple[str, ...]


def reminders(clocks: Iterable[Clock], within: timedelta) -> list[Reminder]:
    found = []
    for clock in clocks:
        if clock.state == OVERDUE:
            found.append(Reminder(clock, OVERDUE_STATE))
        elif clock.is_open and clock.left <= within:
            found.append(Reminder(clock, SOON_STATE))
    return found


BOT_NAMES = {"wecom": "企业微信群机器人", "dingtalk": "钉钉群机器人", "feishu": "飞书群机器人"}


def audiences(found: Sequence[Reminder], config: Config, settings: Settings,
              channels: Sequence[str]) -> tuple[list[Audience], list[Reminder]]:
    """The messages to make, and the reminders no e-mail reaches (no owner with an
    e-mail address in the roster and no department head with one)."""
    result: list[Audience] = []
    unreached: list[Reminder] = []
    if "email" in channels:
        result, unreached = _mail_audiences(found, config, settings)
    for channel in channels:
        if channel != "email" and found:
            result.append(Audience(channel, channel, BOT_NAMES[channel], others=tuple(found)))
    return result, unreached


def _mail_audiences(found: Sequence[Reminder], config: Config,
                    settings: Settings) -> tuple[list[Audience], list[Reminder]]:
    head_of = heads(config, settings)
    own: dict[str, list[Reminder]] = {}
    others: dict[str, list[Reminder]] = {}
    unreached = []
    for reminder in found:
        person = config.roster.get(reminder.clock.owner)
        head = config.roster.get(head_of.get(reminder.clock.department, ""))
        if person is not None and person.email:
            own.setdefault(person.key, []).append(reminder)
            if head is not None and head.email and head.key != person.key:
                others.setdefault(head.key, []).append(reminder)
        elif head is not None and head.email:
            others.setdefault(head.key, []).append(reminder)
        else:
            unreached.append(reminder)
    result = []
    for key in sorted({*own, *others}, key=list(config.roster).index):
        person = config.roster[key]
        result.append(Audience("email", f"email:{person.email.lower()}",
                               f"{person.name} <{person.email}>", (person.email,),
                               person.name, tuple(own.get(key, ())),
                               tuple(others.get(key, ()))))
    if settings.email and settings.email.summary_to and found:
        group = settings.email.summary_to
        result.append(Audience("email", "email:summary", ", ".join(group), group, "各位",
                               others=tuple(found)))
    return result, unreached


# --- text -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """The words of the messages in one language (notify.language)."""

    day: str
    hour: str
    minute: str
    minutes: str
    late: str  # {span}
    today: str
    left: str  # {span}
    late_count: str  # {n}
    soon_count: str  # {n} {days}
    join: str  # between the parts of a span
    days: str  # {n}
    sep: str
    intro: str  # {now}
    rule: str
    source: str
    due: str
    link: str
    owner: str  # {who}
    mine: str  # {title}
    theirs: str  # {title}
    everyone: str  # {title}
    section: str  # {title} {n}
    salutation: str  # {name}
    group: str
    subject: str  # {name} {counts}
    subject_summary: str
    title: str  # {now}
    more: str  # {n}
    footer: str
    no_owner: str


ZH = Words("天", "小时", "分", "分钟", "已逾期{span}", "今日到期", "还剩{span}", "{n} 项已逾期",
           "{n} 项{days}内到期", "", "{n}天", "，",
           "截至 {now}，以下质量记录的期限需要处理。",
           "规则：", "依据：", "期限：", "链接：", "（负责：{who}）", "【您负责的 · {title}】",
           "【本部门其他人员及未指定负责人 · {title}】", "【全部 · {title}】", "{title}（{n} 项）",
           "{name}：", "各位", "【质量期限提醒】{name}：{counts}",
           "【质量期限提醒·汇总】{name}：{counts}", "质量期限提醒 {now}",
           "……另有 {n} 项未列出，请运行 qmsdoc due 查看全部。", FOOTER, NO_OWNER)
EN = Words(" d", " h", " min", " min", "{span} late", "due today", "{span} left", "{n} overdue",
           "{n} due within {days}", " ", "{n} days", ", ",
           "As of {now}, these deadlines of quality records need action.", "Rule: ",
           "Source: ", "Due: ", "Link: ", " (owner: {who})", "[Yours · {title}]",
           "[Others of your department, or without an owner · {title}]", "[All · {title}]",
           "{title} ({n})", "Dear {name},", "all", "[Quality deadlines] {name}: {counts}",
           "[Quality deadlines · summary] {name}: {counts}", "Quality deadlines {now}",
           "… {n} more not listed: run qmsdoc due to see them all.",
           "— sent by qmsdoc; please do not reply. Enter the completion date in the record "
           "and commit it when done.", "(no owner)")
LANGUAGES = {"zh": ZH, "en": EN}


def span(delta: timedelta, w: Words = ZH) -> str:
    """3天4小时, 5小时20分, 45分钟 (3 d 4 h, 5 h 20 min, 45 min)."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return w.join.join([f"{days}{w.day}", f"{hours}{w.hour}"]) if hours \
            else f"{days}{w.day}"
    if hours:
        return w.join.join([f"{hours}{w.hour}", f"{mins}{w.minute}"]) if mins \
            else f"{hours}{w.hour}"
    return f"{mins}{w.minutes}"


def when(reminder: Reminder, w: Words = ZH) -> str:
    clock = reminder.clock
    if reminder.state == OVERDUE_STATE:
        return w.late.format(span=span(clock.late, w))
    if clock.left <= timedelta(0) or (clock.due.date_only and clock.left < timedelta(days=1)):
        return w.today
    return w.left.format(span=span(clock.left, w))


def owner_name(clock: Clock, config: Config, w: Words = ZH) -> str:
    person = config.roster.get(clock.owner)
    who = person.name if person else (clock.owner or w.no_owner)
    if w is ZH:
        department = config.departments.get(clock.department, clock.department)
        return f"{who}（{department}）" if department else who
    names = {d["key"]: d.get("name_en") or d["name"] for d in config.data.get("departments", [])}
    department = names.get(clock.department, clock.department)
    return f"{who} ({department})" if department else who


def _title(clock: Clock, w: Words) -> str:
    text = clock.rule.title if w is ZH else (clock.rule.title_en or clock.rule.title)
    if clock.item:
        text += f" · {clock.item}" + (f" {clock.subject}" if clock.subject else "")
    return text


def _days(value: float, w: Words) -> str:
    return w.days.format(n=f"{value:g}")


def _counts(items: Sequence[Reminder], within_days: float, w: Words) -> str:
    late = sum(1 for r in items if r.state == OVERDUE_STATE)
    soon = len(items) - late
    parts = [w.late_count.format(n=late)] if late else []
    if soon:
        parts.append(w.soon_count.format(n=soon, days=_days(within_days, w)))
    return w.sep.join(parts)


def _mail_items(items: Sequence[Reminder], config: Config, settings: Settings,
                with_owner: bool, w: Words) -> list[str]:
    lines = []
    gap = "　" if w is ZH else "  "
    for n, reminder in enumerate(items, start=1):
        clock = reminder.clock
        head = f"{n}. {clock.record} {_title(clock, w)}"
        if with_owner:
            head += w.owner.format(who=owner_name(clock, config, w))
        lines += [head,
                  f"   {w.rule}{clock.rule.id}{gap}{w.source}{clock.rule.source}",
                  f"   {w.due}{clock.due.text()}{gap}{when(reminder, w)}"]
        link = settings.link(clock.path)
        if link:
            lines.append(f"   {w.link}{link}")
    return lines


def _sections(items: Sequence[Reminder], within_days: float,
              w: Words) -> list[tuple[str, list[Reminder]]]:
    late = [r for r in items if r.state == OVERDUE_STATE]
    soon = [r for r in items if r.state != OVERDUE_STATE]
    found = []
    if late:
        title = "已逾期" if w is ZH else "overdue"
        found.append((w.section.format(title=title, n=len(late)), late))
    if soon:
        title = (f"{_days(within_days, w)}内到期" if w is ZH
                 else f"due within {_days(within_days, w)}")
        found.append((w.section.format(title=title, n=len(soon)), soon))
    return found


def mail(audience: Audience, config: Config, settings: Settings, now: datetime,
         within_days: float) -> Message:
    w = LANGUAGES[settings.language]
    company = str(config.company.get("name", ""))
    items = audience.reminders
    name = audience.name if audience.target != "email:summary" else w.group
    template = w.subject if audience.own else w.subject_summary
    subject = template.format(name=name, counts=_counts(items, within_days, w))
    lines = [w.salutation.format(name=name), "",
             w.intro.format(now=now.strftime("%Y-%m-%d %H:%M"))]
    for title, section in _sections(audience.own, within_days, w):
        lines += ["", w.mine.format(title=title),
                  *_mail_items(section, config, settings, False, w)]
    label = w.everyone if audience.target == "email:summary" else w.theirs
    for title, section in _sections(audience.others, within_days, w):
        lines += ["", label.format(title=title), *_mail_items(section, config, settings, True, w)]
    lines += ["", w.footer]
    if company:
        lines.append(company)
    return Message("email", audience.target, audience.recipient, audience.to, subject,
                   "\n".join(lines) + "\n", tuple(r.key for r in items))


def bot(audience: Audience, config: Config, settings: Settings, now: datetime,
        within_days: float, fmt: str, limit: int) -> Message:
    """The group bot's message: every reminder, grouped by owner, overdue first; markdown
    (WeCom, DingTalk, Feishu card) or plain text (Feishu text), cut at ``limit`` bytes."""
    w = LANGUAGES[settings.language]
    items = sorted(audience.reminders, key=lambda r: r.state != OVERDUE_STATE)
    title = w.title.format(now=now.strftime("%Y-%m-%d %H:%M"))
    markdown = fmt != "text"
    head = [f"### {title}" if markdown else title,
            _counts(items, within_days, w) + ("。" if w is ZH else "."), ""]
    groups: dict[str, list[Reminder]] = {}
    for reminder in items:
        groups.setdefault(owner_name(reminder.clock, config, w), []).append(reminder)
    body: list[str] = []
    for owner, group in groups.items():
        body.append(f"**{owner}**" if markdown else f"{owner}")
        for reminder in group:
            body.append(_bot_line(reminder, settings, markdown, w))
        body.append("")
    lines = _cut(head, body, [w.footer], limit, len(items), w)
    return Message(audience.channel, audience.target, audience.recipient, (), title,
                   "\n".join(lines), tuple(r.key for r in items))


def _bot_line(reminder: Reminder, settings: Settings, markdown: bool, w: Words) -> str:
    clock = reminder.clock
    record = clock.record
    link = settings.link(clock.path)
    if markdown and link:
        record = f"[{record}]({link})"
    state = when(reminder, w)
    if markdown and reminder.state == OVERDUE_STATE:
        state = f"**{state}**"
    if w is ZH:
        text = (f"- {record} {_title(clock, w)}：期限 {clock.due.text()}，{state}"
                f"（{clock.rule.id}，{clock.rule.source}）")
    else:
        text = (f"- {record} {_title(clock, w)}: due {clock.due.text()}, {state} "
                f"({clock.rule.id}, {clock.rule.source})")
    if link and not markdown:
        text += f" {link}"
    return text


def _cut(head: list[str], body: list[str], tail: list[str], limit: int, total: int,
         w: Words) -> list[str]:
    """As many body lines as fit in ``limit`` bytes (bots refuse longer messages)."""
    def size(lines: list[str]) -> int:
        return len("\n".join(lines).encode())

    if size([*head, *body, *tail]) <= limit:
        return [*head, *body, *tail]
    kept: list[str] = []
    for line in body:
        shown = sum(1 for k in kept if k.startswith("- "))
        note = w.more.format(n=total - shown)
        if size([*head, *kept, line, note, *tail]) > limit:
            return [*head, *kept, note, *tail]
        kept.append(line)
    return [*head, *kept, *tail]  # pragma: no cover - the whole body fitted after all
