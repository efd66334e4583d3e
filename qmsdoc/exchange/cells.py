"""Cell values of a hand-kept log turned into record values: Excel dates and dates typed as
text (2026.3.5, 2026年3月5日, 2026/3/5), amounts with 元 or commas, counts with units, yes/no
marks, multi-line text. Each converter returns the value or raises ``CellError`` saying
what the cell should have held."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from ..i18n import _


class CellError(ValueError):
    """A cell whose value cannot be the field's type; the message names what it holds."""


_DATE_TEXT = re.compile(
    r"^\s*(\d{4})\s*(?:[./\-年])\s*(\d{1,2})\s*(?:[./\-月])\s*(\d{1,2})\s*日?"
    r"(?:\s*[T ]?\s*(\d{1,2})[:：](\d{2})(?:[:：](\d{2}))?)?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_UNITS = re.compile(r"(?:人民币|rmb|cny|元整|元|块|¥|￥|pcs|件|个|只|套|箱|支|片|台|kg|千克|米)",
                    re.IGNORECASE)
_TRUE = {"是", "有", "y", "yes", "true", "√", "✓", "✔", "1", "在保", "是的"}
_FALSE = {"否", "无", "n", "no", "false", "×", "✗", "x", "0", "不在保", "没有"}
EXCEL_EPOCH = datetime(1899, 12, 30)


def shown(value: Any) -> str:
    """The cell as a message quotes it."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != time() else \
            value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\n", "⏎")


def text(value: Any) -> str:
    """Text as the log shows it: numbers without a trailing .0, lines trimmed, CR LF → LF."""
    if isinstance(value, datetime | date):
        return to_date(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    lines = str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.strip() for line in lines).strip()


def _excel_serial(value: float) -> datetime:
    if not 1 <= value < 2958466:  # 1900-01-01 … 9999-12-31
        raise CellError(_("{value} is not a date").format(value=shown(value)))
    return EXCEL_EPOCH + timedelta(days=value)


def _moment(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime.combine(value, time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(float(value))  # a date column formatted as a number
    raw = text(value)
    match = _DATE_TEXT.match(raw) or _COMPACT_DATE.match(raw)
    if raw and _NUMBER.match(raw) and not _COMPACT_DATE.match(raw):
        return _excel_serial(float(raw))
    if not match:
        raise CellError(_("'{value}' is not a date (write it as 2026-03-05, 2026.3.5, "
                          "2026/3/5 or 2026年3月5日)").format(value=shown(value)))
    parts = [int(p) if p else 0 for p in match.groups()]
    parts += [0] * (6 - len(parts))
    try:
        return datetime(parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])
    except ValueError:
        raise CellError(_("'{value}' is not a date of the calendar")
                        .format(value=shown(value))) from None


def to_date(value: Any) -> str:
    return _moment(value).date().isoformat()


def to_datetime(value: Any, tz: timezone) -> str:
    moment = _moment(value).replace(second=0, microsecond=0)
    return moment.replace(tzinfo=tz).isoformat()


def _number_text(value: Any) -> str:
    raw = text(value).replace(",", "").replace("，", "").replace(" ", "")
    factor = 1.0
    if raw.endswith("万元") or raw.endswith("万"):
        raw, factor = raw.removesuffix("元").removesuffix("万"), 10000.0
    raw = _UNITS.sub("", raw)
    if not _NUMBER.match(raw):
        raise CellError(_("'{value}' is not a number").format(value=shown(value)))
    return str(float(raw) * factor)


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise CellError(_("'{value}' is not a number").format(value=shown(value)))
    number = float(value) if isinstance(value, int | float) else float(_number_text(value))
    return int(number) if number.is_integer() else number


def to_integer(value: Any) -> int:
    number = to_number(value)
    if isinstance(number, float):
        raise CellError(_("'{value}' is not a whole number").format(value=shown(value)))
    return number


def to_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raw = text(value).lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise CellError(_("'{value}' is not yes or no (是/否, Y/N, √/×)").format(value=shown(value)))


def split_list(value: Any) -> list[str]:
    """A cell listing several values: one per line or separated by 、,，;；/."""
    return [p.strip() for p in re.split(r"[\n、,，;；/]", text(value)) if p.strip()]
