"""The clock facts ``qmsdoc due`` derives (deadlines.facts) equal the Clock path's
(``to_facts(data, record_facts(...))``): on the samples, on records mutated at random, under
odd calendars, time zones, customer durations and rules, one deriver for many records."""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from qmsdoc import config
from qmsdoc.config import Config
from qmsdoc.deadlines import due
from qmsdoc.deadlines import rules as clockrules
from qmsdoc.deadlines.clocks import (
    OVERDUE,
    Clock,
    from_facts,
    record_clocks,
    record_facts,
    to_facts,
    verdict,
)
from qmsdoc.deadlines.clocktime import Duration, Moment
from qmsdoc.deadlines.facts import Deriver, running
from qmsdoc.records.yamlload import parse

EXAMPLE = Path(__file__).resolve().parent.parent / "qmsdoc" / "builtin" / "example"
PEOPLE = {"zhao.lei": "sales", "li.ming": "quality", "liu.yang": "engineering",
          "chen.jun": "production"}
RULE_IDS = ["complaint-reply", "complaint-contact", "complaint-action", "8d-d3", "8d-d8",
            "csr-item", "extra-last", "extra-each"]

ODD = {
    "deadlines": {
        "timezone": "-05:00",
        "customers": {
            "LDEV": {"8d-d3": "2 working days", "complaint-reply": "off",
                     "complaint-contact": "3 working days"},
            "HXAUTO": {"complaint-follow-up": "2 months", "complaint-gm-report": "40 wd"},
        },
        "rules": {
            "extra-last": {
                "kind": "complaint", "title": "t", "source": "s",
                "start": "last:communications[].at", "within": "4 working days",
                "stop_when": [{"status": "closed"}, {"closure.customer.date": "*"}],
                "owner": ["verification.verified_by", "received_by"],
                "department": "responsibility.department",
            },
            "extra-each": {
                "kind": "complaint", "title": "t", "source": "s",
                "each": ["actions.long_term", "actions.short_term"],
                "start": ["first:/communications[type=reply|contact].at", "/received_at"],
                "within": "1 working day", "due": "all:/verification.opinions[].date",
                "stop": "done", "owner": "owner",
                "unless": [{"/status": "rejected"}, {"department": "*", "owner": "li.ming"}],
            },
            "extra-ref": {
                "kind": "complaint", "title": "t", "source": "s",
                "start": "verification.opinions[department=@responsibility.department].date",
                "within": "6 hours", "stop": "closure.internal.date",
                "when": {"responsibility.party": ["internal", "supplier"]},
                "owner": ["verification.opinions[department=quality|gm_office].by",
                          "received_by"],
                "department": "/verification.opinions[by=@received_by].department",
            },
        },
    },
    "calendar": {
        "weekend": ["fri", "sat"],
        "holidays": [{"name": "停电", "days": "2026-03-02..2026-03-20"}, "2027-01-05",
                     "2026-12-31"],
        "workdays": [{"name": "补班", "days": "2026-10-10"}, "2026-12-05", "2026-10-01"],
    },
}
NO_BUILTIN = {"calendar": {"builtin": "none", "weekend": ["sun"]},
              "deadlines": {"timezone": "+14:00"}}


def _config(override: dict[str, Any]) -> Config:
    return Config(data=config.merge(config.defaults(), override))


def _samples() -> list[dict[str, Any]]:
    return [parse(p.read_bytes()).data for p in sorted((EXAMPLE / "records").rglob("*.yaml"))]


def _shift(value: str, rng: random.Random) -> Any:
    r = rng.random()
    if r < 0.1:
        return value[:10]  # a date only
    if r < 0.15 and len(value) > 10:
        return value[:19]  # no offset
    if r < 0.2 and len(value) > 10:
        return value[:19] + "-05:00"
    if r < 0.23:
        return "2026-02-30"  # not a date
    if r < 0.25:
        return rng.choice([7, True, None, ["2026-11-02"]])
    if r < 0.5:
        day = rng.choice(["2025-12-31", "2026-01-01", "2026-02-15", "2026-03-05", "2026-09-27",
                          "2026-10-01", "2026-10-09", "2026-12-04", "2026-12-31", "2027-01-04",
                          "2030-06-01", "9990-01-01"])
        return day + value[10:]
    return value


def _mutate(value: Any, rng: random.Random, depth: int = 0) -> Any:
    if isinstance(value, dict):
        for key in list(value):
            r = rng.random()
            if r < 0.04 and depth:
                del value[key]
            elif r < 0.06:
                value[key] = None
            else:
                value[key] = _mutate(value[key], rng, depth + 1)
        return value
    if isinstance(value, list):
        if value and rng.random() < 0.1:
            value.pop(rng.randrange(len(value)))
        if value and rng.random() < 0.1:
            value.append(copy.deepcopy(rng.choice(value)))
        return [_mutate(v, rng, depth + 1) for v in value]
    if isinstance(value, str) and len(value) >= 10 and value[:4].isdigit() and value[4] == "-":
        return _shift(value, rng)
    return value


def _mutants(count: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    samples = _samples()
    found = []
    for index in range(count):
        data = _mutate(copy.deepcopy(rng.choice(samples)), rng)
        if rng.random() < 0.3:
            data["customer"] = rng.choice(["HXAUTO", "LDEV", "NONGFENG", "OTHER", 7, None])
        if rng.random() < 0.15:
            data["status"] = rng.choice(["rejected", "closed", "actions", True])
        if rng.random() < 0.15:
            data["deadline_exceptions"] = [
                {"rule": rng.choice(RULE_IDS), "reason": "x",
                 **({"item": f"actions.long_term[{rng.randrange(3)}]"} if rng.random() < 0.5
                    else {})}
                for _ in range(rng.randrange(1, 3))] + rng.choice([[], ["text"], [None]])
        if rng.random() < 0.05:
            data["received_by"] = rng.choice(["li.ming", "nobody", "", 5])
        if rng.random() < 0.05:
            data["kind"] = rng.choice(["8d", "complaint", 3, None, "unknown"])
        if rng.random() < 0.05:
            data["id"] = rng.choice([None, "", 0, ["x"]])
        data.setdefault("id", f"R-{index}")
        found.append(data)
    return found


def _slow(data: Any, deadlines: clockrules.Deadlines) -> Any:
    return to_facts(data, record_facts(data, "r.yaml", deadlines, PEOPLE))


@pytest.mark.parametrize("override", [{}, ODD, NO_BUILTIN], ids=["default", "odd", "no-builtin"])
def test_equal_to_the_clock_path(override: dict[str, Any]) -> None:
    deadlines = clockrules.load(_config(override))
    derive = Deriver(deadlines, PEOPLE)  # one for all: what it remembers must not leak
    records = _samples() + _mutants(600, seed=15)
    clocks = 0
    for data in records:
        expected = _slow(data, deadlines)
        assert derive(data) == expected, data.get("id")
        clocks += len(expected[3])
    assert clocks > 2000  # the records hold clocks of every kind of rule
    again = Deriver(deadlines, PEOPLE)
    assert [again(d) for d in reversed(records)] == [_slow(d, deadlines)
                                                    for d in reversed(records)]


@pytest.mark.parametrize("override", [{}, ODD, NO_BUILTIN], ids=["default", "odd", "no-builtin"])
def test_running_only_equal_to_the_running_clocks(override: dict[str, Any]) -> None:
    deadlines = clockrules.load(_config(override))
    derive = Deriver(deadlines, PEOPLE, running_only=True)
    kept = dropped = 0
    for data in _samples() + _mutants(600, seed=16):
        expected = running(_slow(data, deadlines))
        assert derive(data) == expected, data.get("id")
        kept += len(expected[3])
        dropped += len(_slow(data, deadlines)[3]) - len(expected[3])
    assert kept > 300 and dropped > 1000


def test_notes_and_working_days_as_the_clock_path() -> None:
    deadlines = clockrules.load(_config(ODD))
    derive = Deriver(deadlines, PEOPLE)
    seen = set()
    for day in ("2026-03-01", "2026-09-30", "2026-12-03", "2027-12-30", "2099-01-01"):
        data = {"kind": "complaint", "id": "CC-1", "customer": "LDEV", "status": "actions",
                "received_at": f"{day}T23:30:00+08:00", "received_by": "zhao.lei",
                "communications": [{"type": "reply", "at": f"{day}T08:00:00-05:00"}]}
        facts = derive(data)
        assert facts == _slow(data, deadlines)
        seen.update(row[14] for row in facts[3])
    assert "no holiday data for 2099: weekends only" in seen


def test_not_a_mapping_and_no_rules() -> None:
    deadlines = clockrules.load(_config({}))
    derive = Deriver(deadlines, PEOPLE)
    for data in (None, [], "text", {"kind": 5}, {"kind": "unknown", "id": "X"},
                 {"id": "Y", "customer": "LDEV"}):
        assert derive(data) == _slow(data, deadlines)


def test_an_odd_exceptions_value_fails_as_the_clock_path() -> None:
    deadlines = clockrules.load(_config({}))
    data = {"kind": "complaint", "id": "CC-1", "received_at": "2026-11-02T09:00:00+08:00",
            "deadline_exceptions": 5}
    with pytest.raises(TypeError):
        _slow(data, deadlines)
    with pytest.raises(TypeError):
        Deriver(deadlines, PEOPLE)(data)


def _reference_clocks(facts: Any, path: str, rules: dict[str, Any], now: datetime,
                      open_only: bool) -> list[Clock]:
    """from_facts as it was: each moment read, each clock judged and made by Clock()."""
    def back(text: str | None, date_only: bool) -> Moment | None:
        return Moment(datetime.fromisoformat(text), date_only) if text is not None else None

    record, kind, customer, rows = facts
    found = []
    for row in rows:
        rule = rules.get(row[0])
        if rule is None or (open_only and row[7]):
            continue
        due_at = Moment(datetime.fromisoformat(row[1]), row[2])
        stop = back(row[5], row[6])
        state, late, left = verdict(due_at, stop, row[7], now)
        found.append(Clock(record=record, path=path, kind=kind, rule=rule, due=due_at,
                           state=state, late=late, left=left, start=back(row[3], row[4]),
                           stop=stop,
                           within=Duration(row[8], row[9]) if row[8] is not None else None,
                           owner=row[10], department=row[11], item=row[12], subject=row[13],
                           customer=customer, calendar_note=row[14], stopped=row[7]))
    return found


def _reference_order(clocks: list[Clock], cfg: Config) -> list[Clock]:
    """due's order as it was: by the due time's aware datetime itself."""
    rank = {key: i for i, key in enumerate(cfg.departments)}
    return sorted(clocks, key=lambda c: (c.state != OVERDUE, rank.get(c.department, len(rank)),
                                         c.department, c.owner or "\uffff", c.due.deadline,
                                         c.record, c.item))


@pytest.mark.parametrize("override", [{}, ODD, NO_BUILTIN], ids=["default", "odd", "no-builtin"])
def test_clocks_from_the_facts_as_the_clock_path(override: dict[str, Any]) -> None:
    """from_facts with one memo for a run (each moment text read, each running verdict
    judged once; Clocks made without the dataclass's __init__) gives the Clocks it gave
    with a Clock() each: every field, equality and hash; and record_clocks' verdicts. due's
    order, comparing due times as whole microseconds, is the order of their datetimes
    (zones and dates only mixed)."""
    cfg = _config(override)
    deadlines = clockrules.load(cfg)
    rules = {rule.id: rule for rule in deadlines.rules}
    records = _samples() + _mutants(400, seed=17)
    for now in (datetime(2026, 11, 21, 9, tzinfo=deadlines.tz),
                datetime(2027, 3, 1, 23, 59, tzinfo=timezone(timedelta(hours=-7)))):
        for open_only in (False, True):
            memo: dict[Any, Any] = {}
            made: list[Clock] = []
            expected: list[Clock] = []
            for data in records:
                facts = to_facts(data, record_facts(data, "r.yaml", deadlines, PEOPLE))
                mine = list(from_facts(facts, "r.yaml", rules, now, open_only=open_only,
                                       memo=memo))
                made += mine
                expected += _reference_clocks(facts, "r.yaml", rules, now, open_only)
                if not open_only:  # judged as the Clock path judges (customer aside: the
                    # facts keep a text customer only)
                    assert [(c.rule.id, c.item, c.state, c.late, c.left) for c in mine] == \
                        [(c.rule.id, c.item, c.state, c.late, c.left) for c in
                         record_clocks(data, "r.yaml", deadlines, now, PEOPLE)]
            assert len(expected) > 300
            assert [vars(c) for c in made] == [vars(c) for c in expected]
            assert made == expected and {hash(c) for c in made} == {hash(c) for c in expected}
            assert due._ordered(made, cfg) == _reference_order(expected, cfg)
            assert due._ordered(reversed(made), cfg) == _reference_order(expected[::-1], cfg)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_what_due_prints_of_a_clock_once_per_due_time_and_verdict(language: str) -> None:
    """as_text makes the due column once per due moment and the verdict column once per
    (state, late, left, date only): nothing else of a clock may change them."""
    from qmsdoc import i18n
    from qmsdoc.views import due as view

    deadlines = clockrules.load(_config(ODD))
    before = i18n.language()
    i18n.use(language)
    try:
        columns: dict[Any, set[str]] = {}
        for now in (datetime(2026, 11, 21, 9, tzinfo=deadlines.tz),
                    datetime(2026, 12, 31, 18, 30, tzinfo=UTC)):
            for data in _samples() + _mutants(300, seed=18):
                for c in record_clocks(data, "r.yaml", deadlines, now, PEOPLE):
                    columns.setdefault(("due", c.due, c.due.at.utcoffset()), set()).add(
                        c.due.text())
                    columns.setdefault(("when", c.state, c.late, c.left, c.due.date_only),
                                       set()).add(view._when(c))
    finally:
        i18n.use(before)
    assert len(columns) > 200
    assert all(len(texts) == 1 for texts in columns.values())


def test_the_same_due_instant_in_another_zone_is_printed_in_its_own() -> None:
    from qmsdoc.views import due as view

    cfg = _config({})
    now = datetime(2026, 11, 21, 9, tzinfo=timezone(timedelta(hours=8)))
    at = Moment(datetime(2026, 11, 22, 10, tzinfo=timezone(timedelta(hours=8))), False)
    rule = clockrules.load(cfg).rules[0]
    clocks = [Clock(record=f"CC-{i}", path="r.yaml", kind=rule.kind, rule=rule, due=due_at,
                    state="open", late=timedelta(0), left=due_at.at - now)
              for i, due_at in enumerate((at, Moment(at.at.astimezone(UTC), False)))]
    assert clocks[0].due == clocks[1].due
    text = view.as_text(due.DueList(now, clocks, 2, []), cfg)
    assert "due 2026-11-22 10:00" in text and "due 2026-11-22 02:00" in text
