"""Each default deadline rule on records with fixed dates, and the rule machinery."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from qmsdoc import config
from qmsdoc.config import Config
from qmsdoc.deadlines import rules as clockrules
from qmsdoc.deadlines.clocks import MET, MET_LATE, OPEN, OVERDUE, Clock, record_clocks
from qmsdoc.deadlines.clocktime import Duration, Moment, add, moment, span, zone
from qmsdoc.deadlines.fieldpath import Condition, FieldPath
from qmsdoc.errors import ConfigError

TZ = zone("+08:00")
PEOPLE = {"zhao.lei": "sales", "li.ming": "quality", "liu.yang": "engineering"}


def now(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def cfg(override: dict[str, Any] | None = None) -> Config:
    return Config(data=config.merge(config.defaults(), override or {}))


def clocks(data: dict[str, Any], at: str = "2026-11-21T00:00", *,
           override: dict[str, Any] | None = None) -> dict[str, Clock]:
    found = record_clocks(data, "r.yaml", clockrules.load(cfg(override)), now(at), PEOPLE)
    return {(f"{c.rule.id}:{c.item}" if c.item else c.rule.id): c for c in found}


def complaint(**fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "complaint", "id": "CC-2026-0009", "customer": "HXAUTO",
                            "status": "investigating", "severity": "general",
                            "received_at": "2026-11-02T09:00:00+08:00",
                            "received_by": "zhao.lei", "communications": []}
    data.update(fields)
    return data


def talk(kind: str, at: str) -> dict[str, str]:
    return {"type": kind, "at": at, "by": "zhao.lei", "summary": "."}


# --- complaint rules ------------------------------------------------------------------------


def test_first_reply_within_two_hours() -> None:
    on_time = clocks(complaint(communications=[talk("reply", "2026-11-02T10:59:00+08:00")]))
    assert on_time["complaint-reply"].state == MET
    assert on_time["complaint-reply"].due.text() == "2026-11-02 11:00"
    late = clocks(complaint(communications=[talk("reply", "2026-11-02T11:30:00+08:00")]))
    assert (late["complaint-reply"].state, late["complaint-reply"].late) == \
        (MET_LATE, timedelta(minutes=30))
    open_ = clocks(complaint(), at="2026-11-02T10:00")["complaint-reply"]
    assert (open_.state, open_.left, open_.owner, open_.department) == \
        (OPEN, timedelta(hours=1), "zhao.lei", "sales")
    assert clocks(complaint(), at="2026-11-02T12:00")["complaint-reply"].late == timedelta(hours=1)


def test_contact_24_hours_and_solution_48_hours() -> None:
    data = complaint(communications=[talk("reply", "2026-11-02T09:30:00+08:00"),
                                     talk("contact", "2026-11-03T08:00:00+08:00"),
                                     talk("solution", "2026-11-04T10:00:00+08:00")])
    found = clocks(data)
    assert found["complaint-contact"].state == MET
    assert found["complaint-solution"].state == MET_LATE
    assert found["complaint-solution"].late == timedelta(hours=1)
    assert found["complaint-solution"].rule.source == "003 客户投诉处理制度 五.2"


def test_return_visit_72_hours_after_every_short_term_action_is_done() -> None:
    actions = {"short_term": [{"description": "挑选", "owner": "li.ming", "due": "2026-11-04",
                               "done": "2026-11-03"},
                              {"description": "补货", "owner": "li.ming", "due": "2026-11-05"}]}
    assert "complaint-return-visit" not in clocks(complaint(actions=actions))
    actions["short_term"][1]["done"] = "2026-11-05"
    visit = clocks(complaint(actions=actions))["complaint-return-visit"]
    assert (visit.due.text(), visit.state, visit.late) == ("2026-11-08", OVERDUE,
                                                           timedelta(days=13))
    data = complaint(actions=actions,
                     communications=[talk("return_visit", "2026-11-08T17:00:00+08:00")])
    assert clocks(data)["complaint-return-visit"].state == MET


def test_gm_report_unit_reply_and_8d_after_the_investigation() -> None:
    data = complaint(
        severity="major",
        verification={"verified_at": "2026-11-04", "verified_by": "li.ming", "opinions": [
            {"department": "production", "opinion": ".", "date": "2026-11-08"},
            {"department": "gm_office", "opinion": ".", "date": "2026-11-07"}]},
        responsibility={"party": "internal", "department": "production"},
        communications=[talk("eightd_sent", "2026-11-12T09:00:00+08:00")])
    found = clocks(data)
    assert (found["complaint-gm-report"].due.text(), found["complaint-gm-report"].state) == \
        ("2026-11-07", MET)
    unit = found["complaint-unit-reply"]
    assert (unit.state, unit.late, unit.department, unit.owner) == \
        (MET_LATE, timedelta(days=1), "production", "")
    eightd = found["complaint-eightd"]  # 3 days after the responsible unit's reply
    assert (eightd.start.text(), eightd.due.text(), eightd.state) == \
        ("2026-11-08", "2026-11-11", MET_LATE)


def test_8d_clock_only_for_major_complaints_or_those_with_an_8d() -> None:
    data = complaint(verification={"verified_at": "2026-11-04"})
    assert "complaint-eightd" not in clocks(data)
    data["eightd"] = "8D-2026-0009"
    assert clocks(data)["complaint-eightd"].due.text() == "2026-11-07"


def test_unit_reply_only_when_the_company_is_responsible() -> None:
    data = complaint(verification={"verified_at": "2026-11-04"},
                     responsibility={"party": "customer"})
    assert "complaint-unit-reply" not in clocks(data)


def test_each_corrective_action_by_its_due_date() -> None:
    actions = {"short_term": [{"description": "挑选", "owner": "li.ming", "due": "2026-11-04",
                               "done": "2026-11-06"}],
               "long_term": [{"description": "修订作业指导书", "owner": "liu.yang",
                              "department": "production", "due": "2026-11-30"}]}
    found = clocks(complaint(actions=actions))
    short = found["complaint-action:actions.short_term[0]"]
    assert (short.state, short.late, short.department, short.subject) == \
        (MET_LATE, timedelta(days=2), "quality", "挑选")
    long = found["complaint-action:actions.long_term[0]"]
    assert (long.state, long.left, long.department) == (OPEN, timedelta(days=9), "production")


def test_customer_follow_up_three_months_after_internal_closure() -> None:
    data = complaint(status="closed_internal", closure={"internal": {"date": "2026-08-31"}})
    follow = clocks(data)["complaint-follow-up"]
    assert (follow.due.text(), follow.state) == ("2026-11-30", OPEN)  # 31 Nov does not exist
    data["closure"]["customer"] = {"date": "2026-12-02"}
    assert clocks(data)["complaint-follow-up"].late == timedelta(days=2)


def test_rejected_complaint_keeps_only_the_reply_clocks() -> None:
    found = clocks(complaint(status="rejected", verification={"verified_at": "2026-11-04"}))
    assert sorted(found) == ["complaint-contact", "complaint-reply"]


# --- 8D, contract review, special requirements ----------------------------------------------


def eightd(**steps: Any) -> dict[str, Any]:
    data = {"kind": "8d", "id": "8D-2026-0009", "customer": "HXAUTO", "opened_at": "2026-11-03",
            "status": "open", "d1": {"owner": "li.ming", "due": "2026-11-04", "leader": "li.ming",
                                     "completed": "2026-11-03"}}
    data.update(steps)
    return data


def test_8d_steps_due_by_the_rule_or_the_stated_date_whichever_is_earlier() -> None:
    found = clocks(eightd(d3={"owner": "li.ming", "due": "2026-11-10", "completed": "2026-11-05"}))
    assert (found["8d-d3"].due.text(), found["8d-d3"].state) == ("2026-11-04", MET_LATE)
    assert found["8d-d1"].state == MET
    expected = {"8d-d4": "2026-11-10", "8d-d5": "2026-11-17", "8d-d6": "2026-11-17",
                "8d-d7": "2026-11-28", "8d-d8": "2026-12-03"}
    assert {k: found[k].due.text() for k in expected} == expected
    assert found["8d-d4"].owner == "li.ming"  # no D4 yet: the team leader owns it
    assert found["8d-d4"].state == OVERDUE
    stated = clocks(eightd(d4={"owner": "liu.yang", "due": "2026-11-06"}))["8d-d4"]
    assert (stated.due.text(), stated.owner, stated.department) == \
        ("2026-11-06", "liu.yang", "engineering")


def test_per_customer_durations_and_switching_a_rule_off() -> None:
    override = {"deadlines": {"customers": {"HXAUTO": {"8d-d3": "12 hours", "8d-d8": "10 days",
                                                       "8d-d7": "off"}}}}
    found = clocks(eightd(), override=override)
    assert found["8d-d8"].due.text() == "2026-11-13"
    assert found["8d-d3"].due.text() == "2026-11-04"  # hours after a date count whole days
    assert "8d-d7" not in found
    other = clocks(eightd(customer="LDEV"), override=override)
    assert other["8d-d8"].due.text() == "2026-12-03"
    off = {"deadlines": {"rules": {"8d-d8": {"enabled": False}}}}
    assert "8d-d8" not in clocks(eightd(), override=off)


def test_contract_feedback_within_48_hours() -> None:
    data = {"kind": "contract-review", "id": "CR-2026-0009", "sales_rep": "zhao.lei",
            "received_at": "2026-11-02T14:15:00+08:00",
            "customer_feedback_at": "2026-11-04T15:00:00+08:00"}
    found = clocks(data)["contract-feedback"]
    assert (found.state, found.late, found.owner) == \
        (MET_LATE, timedelta(minutes=45), "zhao.lei")


def test_spec_change_review_within_10_working_days() -> None:
    review = {"identifying_department": "quality", "received_at": "2026-09-25",
              "identified_at": "2026-09-28", "trigger": "spec_change",
              "reviewers": [{"department": "quality", "date": "2026-10-09"},
                            {"department": "engineering", "date": "2026-10-15"}]}
    data = {"kind": "special-requirements", "id": "CSR-HXAUTO",
            "reviews": [review, {**review, "trigger": "new_product"}]}
    found = clocks(data)
    assert list(found) == ["csr-spec-change-review:reviews[0]"]
    clock = found["csr-spec-change-review:reviews[0]"]
    # 25 Sep (Fri) + 10 working days: 28-30 Sep, 8-10 Oct (Sat 10 Oct is a make-up day), 12-15
    assert (clock.due.text(), clock.state) == ("2026-10-15", MET)
    review["reviewers"].append({"department": "production"})  # not reviewed yet
    assert clocks(data)["csr-spec-change-review:reviews[0]"].state == OVERDUE


def test_csr_items_by_their_due_date_stopped_by_status() -> None:
    data = {"kind": "special-requirements", "id": "CSR-HXAUTO", "items": [
        {"item_id": "HX-01", "department": "quality", "due": "2026-10-30", "status": "done"},
        {"item_id": "HX-02", "department": "logistics", "due": "2026-11-20",
         "status": "in_progress"},
        {"item_id": "HX-03", "department": "quality", "status": "open"}]}
    found = clocks(data)
    assert found["csr-item:items[0]"].state == MET
    assert (found["csr-item:items[1]"].state, found["csr-item:items[1]"].subject) == \
        (OVERDUE, "HX-02")
    assert "csr-item:items[2]" not in found  # no due date: no clock


def test_provisional_calendar_years_are_noted() -> None:
    data = {"kind": "special-requirements", "id": "CSR-HXAUTO", "reviews": [
        {"identifying_department": "quality", "received_at": "2027-03-01",
         "trigger": "spec_change", "reviewers": []}]}
    clock = clocks(data)["csr-spec-change-review:reviews[0]"]
    assert clock.calendar_note == "2027 holidays are provisional"


# --- the machinery --------------------------------------------------------------------------


def test_moments_durations_and_spans() -> None:
    cal = clockrules.load(cfg()).calendar
    start = moment("2026-11-30", TZ)
    assert start is not None and start.date_only
    assert add(start, Duration.parse("3 months"), cal).text() == "2027-02-28"
    stamp = moment("2026-11-03T09:40:00+08:00", TZ)
    assert isinstance(stamp, Moment) and add(stamp, Duration(2, "hours"), cal).text() == \
        "2026-11-03 11:40"
    assert moment("2026-11-03T09:40:00", TZ) == stamp  # no offset: the configured zone
    assert moment("tomorrow", TZ) is None and moment(20261103, TZ) is None
    assert [str(Duration.parse(t)) for t in ("1 h", "10 working days", "3 mo")] == \
        ["1 hour", "10 working days", "3 months"]
    assert [span(timedelta(minutes=m)) for m in (45, 60, 125, 1440, 1560)] == \
        ["45 min", "1 h", "2 h 5 min", "1 d", "1 d 2 h"]
    with pytest.raises(ConfigError, match="'2 weeks' is not a duration"):
        Duration.parse("2 weeks")


def test_field_paths_and_conditions() -> None:
    data = {"a": {"b": [{"t": "x", "v": 1}, {"t": "y", "v": 2}, {"t": "x", "v": 3}]},
            "pick": "y", "flag": True}
    assert FieldPath.parse("a.b[].v").values(data, data) == [1, 2, 3]
    assert FieldPath.parse("a.b[t=x].v").values(data, data) == [1, 3]
    assert FieldPath.parse("a.b[t=@pick].v").values(data, data) == [2]
    assert FieldPath.parse("last:a.b[t=x|y].v").pick == "last"
    item = data["a"]["b"][0]  # type: ignore[index]
    assert FieldPath.parse("/pick").values(item, data) == ["y"]
    cond = Condition.parse([{"flag": True, "pick": ["z"]}, {"a.b[t=y].v": "*"}], "test")
    assert cond is not None and cond.holds(data, data)
    assert not Condition.parse({"missing": "*"}, "test").holds(data, data)  # type: ignore[union-attr]
    with pytest.raises(ConfigError, match=r"write a filter as \[field=value\]"):
        FieldPath.parse("a.b[t].v")


def test_rules_are_checked_when_loaded(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="give start and within, or due"):
        clockrules.load(cfg({"deadlines": {"rules": {"x": {"kind": "complaint", "stop": "a"}}}}))
    with pytest.raises(ConfigError, match="no enabled rule 'nope'"):
        clockrules.load(cfg({"deadlines": {"customers": {"HXAUTO": {"nope": "1 day"}}}}))
    (tmp_path / "qmsdoc.yaml").write_text(
        "deadlines:\n  rules:\n    complaint-reply:\n      within: 2 weeks\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="/deadlines/rules/complaint-reply/within"):
        config.load(tmp_path)


def test_every_default_rule_cites_its_source() -> None:
    rules = clockrules.load(cfg()).rules
    assert len(rules) == 21
    assert all(r.source and r.title and r.title_en for r in rules)
    by_id = {r.id: r for r in rules}
    assert by_id["complaint-reply"].source == "001 顾客投诉和售后服务管理程序 §5.3.2"
    assert by_id["csr-spec-change-review"].within == Duration(10, "working_days")
    assert by_id["contract-feedback"].source == "002 合同评审控制程序 3.d"


def test_a_misspelt_field_in_a_rule_is_a_config_error(run_cli: Any, repo: Path) -> None:
    (repo / "qmsdoc.yaml").write_text(
        "deadlines:\n  rules:\n    complaint-reply: {start: recieved_at}\n"
        "    complaint-contact: {stop: \"comunications[type=contact].at\"}\n"
        "    complaint-action: {stop: donee}\n", encoding="utf-8")
    for command in (("validate",), ("due",), ("report", "complaints", "--month", "2026-11")):
        result = run_cli(*command, repo=repo)
        assert result.exit_code == 2, command
        assert result.stderr.splitlines() == [
            "qmsdoc: qmsdoc.yaml: deadlines.rules.complaint-reply.start: 'recieved_at' is not "
            "a field of a complaint record",
            "qmsdoc.yaml: deadlines.rules.complaint-contact.stop: "
            "'comunications[type=contact].at' is not a field of a complaint record",
            "qmsdoc.yaml: deadlines.rules.complaint-action.stop: 'donee' is not a field of the "
            "items of 'actions.short_term' in a complaint record",
            "qmsdoc.yaml: deadlines.rules.complaint-action.stop: 'donee' is not a field of the "
            "items of 'actions.long_term' in a complaint record"]


def test_the_built_in_rules_name_real_fields() -> None:
    from qmsdoc.deadlines import rulepaths
    from qmsdoc.deadlines import rules as clockrules
    from qmsdoc.schema import SchemaStore

    rulepaths.check(clockrules.load(config.load(Path("/nonexistent"))), SchemaStore())
