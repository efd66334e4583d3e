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


def span(delta: timedelta) -> str:
    """3天4小时, 5小时20分, 45分钟."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}天{hours}小时" if hours else f"{days}天"
    if hours:
        return f"{hours}小时{mins}分" if mins else f"{hours}小时"
    return f"{mins}分钟"


def when(reminder: Reminder) -> str:
    clock = reminder.clock
    if reminder.state == OVERDUE_STATE:
        return f"已逾期{span(clock.late)}"
    if clock.left <= timedelta(0) or (clock.due.date_only and clock.left < timedelta(days=1)):
        return "今日到期"
    return f"还剩{span(clock.left)}"


def owner_name(clock: Clock, config: Config) -> str:
    person = config.roster.get(clock.owner)
    who = person.name if person else (clock.owner or NO_OWNER)
    department = config.departments.get(clock.department, clock.department)
    return f"{who}（{department}）" if department else who


def _title(clock: Clock) -> str:
    text = clock.rule.title
    if clock.item:
        text += f" · {clock.item}" + (f" {clock.subject}" if clock.subject else "")
    return text


def _counts(items: Sequence[Reminder], within_days: float) -> str:
    late = sum(1 for r in items if r.state == OVERDUE_STATE)
    soon = len(items) - late
    parts = [f"{late} 项已逾期"] if late else []
    if soon:
        parts.append(f"{soon} 项{_days(within_days)}内到期")
    return "，".join(parts)


def _days(value: float) -> str:
    return f"{value:g}天"


def _mail_items(items: Sequence[Reminder], config: Config, settings: Settings,
                with_owner: bool) -> list[str]:
    lines = []
    for n, reminder in enumerate(items, start=1):
        clock = reminder.clock
        head = f"{n}. {clock.record} {_title(clock)}"
        if with_owner:
            head += f"（负责：{owner_name(clock, config)}）"
        lines += [head,
                  f"   规则：{clock.rule.id}　依据：{clock.rule.source}",
                  f"   期限：{clock.due.text()}　{when(reminder)}"]
        link = settings.link(clock.path)
        if link:
            lines.append(f"   链接：{link}")
    return lines


def _sections(items: Sequence[Reminder], within_days: float) -> list[tuple[str, list[Reminder]]]:
    late = [r for r in items if r.state == OVERDUE_STATE]
    soon = [r for r in items if r.state != OVERDUE_STATE]
    found = []
    if late:
        found.append((f"已逾期（{len(late)} 项）", late))
    if soon:
        found.append((f"{_days(within_days)}内到期（{len(soon)} 项）", soon))
    return found


def mail(audience: Audience, config: Config, settings: Settings, now: datetime,
         within_days: float) -> Message:
    company = str(config.company.get("name", ""))
    items = audience.reminders
    tag = "质量期限提醒" if audience.own else "质量期限提醒·汇总"
    subject = f"【{tag}】{audience.name}：{_counts(items, within_days)}"
    lines = [f"{audience.name}：", "",
             f"截至 {now.strftime('%Y-%m-%d %H:%M')}，以下质量记录的期限需要处理。"]
    for title, section in _sections(audience.own, within_days):
        lines += ["", f"【您负责的 · {title}】", *_mail_items(section, config, settings, False)]
    label = "本部门其他人员及未指定负责人" if audience.own or audience.target != "email:summary" \
        else "全部"
    for title, section in _sections(audience.others, within_days):
        lines += ["", f"【{label} · {title}】", *_mail_items(section, config, settings, True)]
    lines += ["", FOOTER]
    if company:
        lines.append(company)
    return Message("email", audience.target, audience.recipient, audience.to, subject,
                   "\n".join(lines) + "\n", tuple(r.key for r in items))


def bot(audience: Audience, config: Config, settings: Settings, now: datetime,
        within_days: float, fmt: str, limit: int) -> Message:
    """The group bot's message: every reminder, grouped by owner, overdue first; markdown
    (WeCom, DingTalk, Feishu card) or plain text (Feishu text), cut at ``limit`` bytes."""
    items = sorted(audience.reminders, key=lambda r: r.state != OVERDUE_STATE)
    title = f"质量期限提醒 {now.strftime('%Y-%m-%d %H:%M')}"
    markdown = fmt != "text"
    head = [f"### {title}" if markdown else title,
            f"{_counts(items, within_days)}。", ""]
    groups: dict[str, list[Reminder]] = {}
    for reminder in items:
        groups.setdefault(owner_name(reminder.clock, config), []).append(reminder)
    body: list[str] = []
    for owner, group in groups.items():
        body.append(f"**{owner}**" if markdown else f"{owner}")
        for reminder in group:
            body.append(_bot_line(reminder, settings, markdown))
        body.append("")
    tail = [FOOTER]
    lines = _cut([*head], body, tail, limit, len(items))
    return Message(audience.channel, audience.target, audience.recipient, (), title,
                   "\n".join(lines), tuple(r.key for r in items))


def _bot_line(reminder: Reminder, settings: Settings, markdown: bool) -> str:
    clock = reminder.clock
    record = clock.record
    link = settings.link(clock.path)
    if markdown and link:
        record = f"[{record}]({link})"
    state = when(reminder)
    if markdown and reminder.state == OVERDUE_STATE:
        state = f"**{state}**"
    text = (f"- {record} {_title(clock)}：期限 {clock.due.text()}，{state}"
            f"（{clock.rule.id}，{clock.rule.source}）")
    if link and not markdown:
        text += f" {link}"
    return text


def _cut(head: list[str], body: list[str], tail: list[str], limit: int, total: int) -> list[str]:
    """As many body lines as fit in ``limit`` bytes (bots refuse longer messages)."""
    def size(lines: list[str]) -> int:
        return len("\n".join(lines).encode())

    if size([*head, *body, *tail]) <= limit:
        return [*head, *body, *tail]
    kept: list[str] = []
    for line in body:
        shown = sum(1 for k in kept if k.startswith("- "))
        note = f"……另有 {total - shown} 项未列出，请运行 qmsdoc due 查看全部。"
        if size([*head, *kept, line, note, *tail]) > limit:
            return [*head, *kept, note, *tail]
        kept.append(line)
    return [*head, *kept, *tail]  # pragma: no cover - the whole body fitted after all
