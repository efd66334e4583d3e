"""The working-day calendar: weekends, State Council holidays, make-up days, overrides."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from qmsdoc import config
from qmsdoc.deadlines import workcal
from qmsdoc.errors import ConfigError

D = date.fromisoformat
CN = workcal.from_config(None)


def test_holidays_and_make_up_days_of_2026() -> None:
    assert not CN.is_working_day(D("2026-10-01"))  # 国庆节
    assert not CN.is_working_day(D("2026-02-16"))  # 春节 (a Monday)
    assert CN.is_working_day(D("2026-10-10"))  # a Saturday, 国庆节调休上班
    assert CN.is_working_day(D("2026-02-14"))  # a Saturday, 春节调休上班
    assert not CN.is_working_day(D("2026-11-21"))  # an ordinary Saturday
    assert CN.is_working_day(D("2026-11-20"))  # an ordinary Friday
    assert CN.name(D("2026-10-10")) == "国庆节调休"
    assert CN.name(D("2026-05-05")) == "劳动节"


def test_adding_working_days_skips_holidays_and_counts_make_up_days() -> None:
    assert CN.add_working_days(D("2026-09-30"), 1) == D("2026-10-08")  # over 国庆节
    assert CN.add_working_days(D("2026-10-09"), 1) == D("2026-10-10")  # the make-up Saturday
    assert CN.add_working_days(D("2026-02-13"), 1) == D("2026-02-14")
    assert CN.add_working_days(D("2026-02-14"), 1) == D("2026-02-24")  # over 春节
    # IATF 7.5.3.2.2: a spec change received on Tuesday 27 October is due on 10 November
    assert CN.add_working_days(D("2026-10-27"), 10) == D("2026-11-10")
    assert CN.add_working_days(D("2026-10-27"), 0) == D("2026-10-27")


def test_working_days_between() -> None:
    assert CN.working_days_between(D("2026-10-27"), D("2026-11-05")) == 7
    assert CN.working_days_between(D("2026-09-30"), D("2026-10-10")) == 3  # 8, 9, 10 Oct
    assert CN.working_days_between(D("2026-10-10"), D("2026-09-30")) == -3


def test_coverage_and_provisional_years() -> None:
    assert CN.covers(D("2026-06-01")) and CN.covers(D("2027-06-01"))
    assert not CN.covers(D("2028-01-03"))
    assert 2027 in CN.provisional and 2026 not in CN.provisional
    assert not CN.is_working_day(D("2027-02-08"))  # 春节 2027, statutory
    assert CN.is_working_day(D("2028-01-03"))  # no data: weekdays work


def test_company_days_win_over_the_built_in_ones() -> None:
    cal = workcal.from_config({
        "holidays": ["2026-02-24..2026-02-27", {"name": "年休", "days": "2026-12-31"}],
        "workdays": [{"name": "加班", "days": "2026-10-07"}],
        "weekend": ["sun"],
    })
    assert not cal.is_working_day(D("2026-02-25"))
    assert cal.name(D("2026-12-31")) == "年休"
    assert cal.is_working_day(D("2026-10-07")) and cal.name(D("2026-10-07")) == "加班"
    assert cal.is_working_day(D("2026-11-21"))  # Saturdays are worked
    assert not cal.is_working_day(D("2026-11-22"))


def test_without_built_in_data_only_weekends_are_off() -> None:
    cal = workcal.from_config({"builtin": "none"})
    assert cal.is_working_day(D("2026-10-01"))
    assert not cal.is_working_day(D("2026-10-10"))
    assert cal.years == frozenset()


def test_bad_days_are_one_line_errors() -> None:
    with pytest.raises(ConfigError, match="'2026-13-01' is not a date"):
        workcal.from_config({"holidays": ["2026-13-01"]})
    with pytest.raises(ConfigError, match="not a range of at most a year"):
        workcal.from_config({"holidays": ["2026-03-01..2026-02-01"]})
    with pytest.raises(ConfigError, match="unknown calendar 'us'"):
        workcal.from_config({"builtin": "us"})


def test_calendar_section_of_qmsdoc_yaml_is_schema_checked(tmp_path: Path) -> None:
    (tmp_path / "qmsdoc.yaml").write_text(
        "calendar:\n  holidays: [2026-12-31]\n  weekend: [sun]\n", encoding="utf-8")
    cfg = config.load(tmp_path)
    assert cfg.data["calendar"]["builtin"] == "cn"  # merged with the defaults
    (tmp_path / "qmsdoc.yaml").write_text("calendar:\n  weekend: [saturday]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="/calendar/weekend/0"):
        config.load(tmp_path)
