"""Reporting periods and deadlines of the dispatch system (调度制度).

The 2015 notice: 月调度报送时间为次月3日，季调度报送时间为每年1、4、7、10月的3日，
如遇节假日向后顺延; the new system starts with the 2015-02 monthly form, due
2015-03-03. Working days come from ``chinesecalendar``, which carries the State
Council's yearly holiday and make-up working day (调休) arrangements.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass
from functools import lru_cache

import chinese_calendar

__all__ = [
    "REGIME_START",
    "CalendarWarning",
    "Period",
    "PeriodError",
    "deadlines",
    "due_date",
    "parse_period",
]

REGIME_START = "2015-02"  # first monthly period filed under the 2015 notice
_REGIME_YM = (int(REGIME_START[:4]), int(REGIME_START[5:]))

_MONTHLY = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTERLY = re.compile(r"^(\d{4})Q([1-4])$")


class PeriodError(ValueError):
    """A period that is malformed or outside the dispatch regime."""


class CalendarWarning(UserWarning):
    """The holiday calendar does not cover a year; weekends only were used."""


@dataclass(frozen=True, order=True)
class Period:
    year: int
    end_month: int
    kind: str  # 'monthly' | 'quarterly'

    @property
    def quarter(self) -> int:
        return (self.end_month - 1) // 3 + 1

    @property
    def label(self) -> str:
        if self.kind == "monthly":
            return f"{self.year:04d}-{self.end_month:02d}"
        return f"{self.year:04d}Q{self.quarter}"

    @property
    def label_zh(self) -> str:
        if self.kind == "monthly":
            return f"{self.year}年{self.end_month}月"
        return f"{self.year}年第{self.quarter}季度"

    def months(self) -> list[str]:
        """The 'YYYY-MM' months the period covers."""
        first = self.end_month if self.kind == "monthly" else self.end_month - 2
        return [f"{self.year:04d}-{m:02d}" for m in range(first, self.end_month + 1)]

    def previous(self) -> Period:
        step = 1 if self.kind == "monthly" else 3
        y, m = self.year, self.end_month - step
        if m < 1:
            y, m = y - 1, m + 12
        return Period(y, m, self.kind)

    def __str__(self) -> str:
        return self.label


def parse_period(text: str, check_regime: bool = True) -> Period:
    """Parse 'YYYY-MM' (monthly) or 'YYYYQn' (quarterly).

    With ``check_regime``, periods before the 2015 notice's start raise.
    """
    found = _parse(str(text), check_regime)
    if isinstance(found, str):
        raise PeriodError(found)  # a fresh exception each time: a shared one would grow its traceback
    return found


# Every row of every table names its period, and there are a few hundred distinct ones; bounded,
# since the text comes from files people filled in.
@lru_cache(maxsize=4096)
def _parse(text: str, check_regime: bool) -> Period | str:
    """The period ``text`` names, or the message of the PeriodError that refuses it."""
    s = text.strip()
    m = _MONTHLY.match(s)
    if m:
        year, month = int(m.group(1)), int(m.group(2))
        if not 1 <= month <= 12:
            return f"期别 “{text}” 的月份不在 1–12 之间"
        p = Period(year, month, "monthly")
    else:
        q = _QUARTERLY.match(s.upper())
        if not q:
            return f"期别 “{text}” 无法识别：月报写作 'YYYY-MM'（如 2016-06），季报写作 'YYYYQn'（如 2016Q2）"
        p = Period(int(q.group(1)), int(q.group(2)) * 3, "quarterly")
    if check_regime and (p.year, p.end_month) < _REGIME_YM:
        return (
            f"期别 {p.label} 早于 {REGIME_START}：新调度制度自 2015 年 3 月开始执行（首报 2015 年 2 月月调度表），"
            "此前适用人社信息函〔2011〕37号、〔2013〕63号（已废止），不在本工具的调度口径内"
        )
    return p


def _nominal_due(p: Period) -> dt.date:
    # Monthly: the 3rd of the next month. Quarterly: the 3rd of Jan/Apr/Jul/Oct,
    # which is also the month after the quarter's last month.
    y, m = (p.year + 1, 1) if p.end_month == 12 else (p.year, p.end_month + 1)
    return dt.date(y, m, 3)


def _is_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        warnings.warn(
            f"chinesecalendar 不含 {day.year} 年的节假日安排，{day} 仅按周末判断",
            CalendarWarning,
            stacklevel=3,
        )
        return day.weekday() < 5


def _holiday_name(day: dt.date) -> str:
    try:
        on_holiday, name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return "周末" if day.weekday() >= 5 else ""
    for holiday in chinese_calendar.Holiday:
        if name and holiday.value == name:
            return holiday.chinese
    return "周末" if on_holiday else ""


def due_date(period: str) -> dt.date:
    """The filing deadline of a monthly ('YYYY-MM') or quarterly ('YYYYQn') form.

    The 3rd of the month after the period; when that is not a working day in
    China, the next working day (如遇节假日向后顺延). 2015Q3 → 2015-10-08.
    """
    p = parse_period(period)
    day = _nominal_due(p)
    while not _is_workday(day):
        day += dt.timedelta(days=1)
    return day


_WEEKDAYS = "一二三四五六日"


def deadlines(year: int) -> list[dict[str, str]]:
    """Every deadline falling in ``year``: one row per form and period, in date order."""
    rows: list[dict[str, str]] = []
    for month in range(1, 13):
        prev = Period(year - 1, 12, "monthly") if month == 1 else Period(year, month - 1, "monthly")
        candidates = [prev]
        if month in (1, 4, 7, 10):
            candidates.append(Period(prev.year, prev.end_month, "quarterly"))
        for p in candidates:
            if (p.year, p.end_month) < _REGIME_YM:
                continue
            nominal = _nominal_due(p)
            due = due_date(p.label)
            skipped = [nominal + dt.timedelta(days=i) for i in range((due - nominal).days)]
            reason = "、".join(dict.fromkeys(_holiday_name(d) or "非工作日" for d in skipped))
            rows.append(
                {
                    "报表": "月调度表" if p.kind == "monthly" else "季调度表",
                    "期别": p.label,
                    "规定报送日": nominal.isoformat(),
                    "截止日": due.isoformat(),
                    "星期": "周" + _WEEKDAYS[due.weekday()],
                    "顺延原因": reason,
                }
            )
    return rows
