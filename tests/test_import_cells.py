"""The values of a hand-kept log: dates typed every way, amounts with units, yes/no marks."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from qmsdoc.exchange import cells

CHINA = timezone(timedelta(hours=8))


@pytest.mark.parametrize("value", [
    "2026.3.5", "2026年3月5日", "2026/3/5", "2026-03-05", "2026-3-5", " 2026 年 3 月 5 日 ",
    "20260305", datetime(2026, 3, 5), 46086, 46086.0, "46086",
])
def test_dates(value: object) -> None:
    assert cells.to_date(value) == "2026-03-05"


def test_date_and_time() -> None:
    assert cells.to_datetime("2026/3/5 14:30", CHINA) == "2026-03-05T14:30:00+08:00"
    assert cells.to_datetime(46086.5, CHINA) == "2026-03-05T12:00:00+08:00"
    assert cells.to_datetime("2026年3月5日", CHINA) == "2026-03-05T00:00:00+08:00"


@pytest.mark.parametrize(("value", "message"), [
    ("下周", "'下周' is not a date (write it as 2026-03-05, 2026.3.5, 2026/3/5 or 2026年3月5日)"),
    ("2026.2.30", "'2026.2.30' is not a date of the calendar"),
    (-3, "-3 is not a date"),
])
def test_not_a_date(value: object, message: str) -> None:
    with pytest.raises(cells.CellError) as caught:
        cells.to_date(value)
    assert str(caught.value) == message


@pytest.mark.parametrize(("value", "number"), [
    ("1,200元", 1200), ("15,000.50元", 15000.5), ("￥800", 800), ("1.2万", 12000),
    ("RMB 300", 300), (1200.0, 1200), (99.5, 99.5), ("1，500 元", 1500),
])
def test_amounts(value: object, number: float) -> None:
    assert cells.to_number(value) == number


def test_counts_and_their_errors() -> None:
    assert cells.to_integer("30件") == 30
    assert cells.to_integer(12.0) == 12
    with pytest.raises(cells.CellError, match=r"^'2.5' is not a whole number$"):
        cells.to_integer("2.5")
    with pytest.raises(cells.CellError, match=r"^'若干' is not a number$"):
        cells.to_number("若干")


def test_yes_no_and_text() -> None:
    assert [cells.to_boolean(v) for v in ("是", "否", "√", "×", "Y", "n")] == \
        [True, False, True, False, True, False]
    with pytest.raises(cells.CellError):
        cells.to_boolean("待定")
    assert cells.text("  支架开裂 \r\n 客户来料检验  ") == "支架开裂\n客户来料检验"
    assert cells.text(88001.0) == "88001"
    assert cells.split_list("MY-ST-2107L、MY-ST-2107R\nMY-ST-2108") == \
        ["MY-ST-2107L", "MY-ST-2107R", "MY-ST-2108"]
