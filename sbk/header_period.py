"""The period a form is for, read from the lines above its table (填报单位 …, 统计期 …).

Offices write more than one date there: the period in the form's own slot
(``填报单位：湖南省 2016年3月``), a filing date (``填报日期：2016年4月5日``), a
``截至…`` date, sometimes a date in the title. The first date is not the period.
What counts, in order:

1. A date labelled as a filing date (填报日期, 报送日期/时间, 填表日期, 报出日期,
   制表日期, 上报日期, 打印日期, 日期 …) is never the period.
2. A date labelled as the period (统计期, 报告期, 所属期, 统计时间, 截至/截止 …)
   comes first; two such dates that disagree: the period is in doubt.
3. Otherwise the date in the form's slot (after ``填报单位：<unit>``, with no
   other label in between) or an unlabelled one; two that disagree: in doubt.
   The slot does not outrank another unlabelled date: in ``填报单位：湖南省
   2016年3月 2016年4月`` nothing says which is the period and which the day it
   was sent, so the form is refused rather than filed under the first.
4. A date to the day (2016年4月5日) is a filing date unless it is the last day
   of a month (2016年3月31日, 2016年3月底: the 截至 date of that month).
5. A range (2016年1月—3月, 2016年1-3月) is in doubt on a monthly form. On a
   quarterly form a range that is exactly one calendar quarter is that quarter.
6. Quarterly forms: ``2016年第一季度``, ``2016年1季度``, ``2016年一季度``,
   ``2016年度第1季度``, ``2016Q1``. A month counts only when labelled as the
   period (统计期/截至 …, not the bare slot) and is a quarter's last month
   (``截至2016年3月底`` → 2016Q1; the forms are cumulative to the quarter's end,
   填写说明 2); any other labelled month is in doubt. An unlabelled month on a
   quarterly form is not read as a quarter: it may be the filing month.
   A quarter written out counts as labelled (a filing date is never a
   quarter), so ``2016年第2季度 截至2016年3月31日`` is in doubt.

When the period is in doubt the form is refused with a finding saying what was
found; it is never filed under a guessed month.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass

from sbk.findings import ERROR, Rule, rule

__all__ = ["PERIOD_AMBIGUOUS", "PERIOD_FILING_DATE_ONLY", "PERIOD_RANGE", "PeriodInDoubt", "period_in_header"]

_SLOT = "填报单位：_____年__月 / _____年 第__季度"
PERIOD_FILING_DATE_ONLY = rule("read.period_filing_date_only", "期别", ERROR, "all forms", _SLOT)
PERIOD_AMBIGUOUS = rule("read.period_ambiguous", "期别", ERROR, "all forms", _SLOT)
PERIOD_RANGE = rule("read.period_range", "期别", ERROR, "all forms", _SLOT)


class PeriodInDoubt(ValueError):
    """The header's dates do not say one period: the finding's rule and its message."""

    def __init__(self, rule_: Rule, message: str):
        self.rule = rule_
        super().__init__(message)


# Labels, longest first so that 截止日期 is one label (a period one), not 日期 after 截止.
_PERIOD_LABELS = ("统计截止日期", "统计截至日期", "数据截止日期", "数据截至日期", "统计期间", "统计时间", "统计日期",
                  "统计期", "报告期", "报表期", "所属期间", "所属时间", "所属年月", "所属期", "截止日期", "截止时间",
                  "截至日期", "截止到", "截至到", "截止", "截至", "期别")
_FILING_LABELS = ("填报日期", "填报时间", "填表日期", "填表时间", "报送日期", "报送时间", "报出日期", "报出时间",
                  "制表日期", "制表时间", "上报日期", "上报时间", "打印日期", "打印时间", "报告日期", "编制日期", "日期")
_SLOT_LABEL = "填报单位"
_LABEL = re.compile("|".join(sorted((*_PERIOD_LABELS, *_FILING_LABELS, _SLOT_LABEL), key=len, reverse=True)))
# What may stand between a label and its date: 统计期：2016年3月, 截至 2016年3月, 报送时间为2016年4月.
_GAP = re.compile(r"^[\s:：=为是(（\[【]*$")

_Y = r"((?:19|20)\d{2})"
_CN_Q = {"一": 1, "二": 2, "三": 3, "四": 4}
_DASH = r"\s*(?:-|~|—+|–|至|到)\s*"
_RANGE = re.compile(rf"{_Y}\s*年\s*(\d{{1,2}})\s*月?{_DASH}(?:{_Y}\s*年\s*)?(\d{{1,2}})\s*月"
                    rf"|(?<!\d){_Y}[./](\d{{1,2}}){_DASH}(?:{_Y}[./])?(\d{{1,2}})(?![\d./])")
_QUARTER = re.compile(rf"{_Y}\s*年\s*度?\s*第?\s*([1-4一二三四])\s*季|(?<!\d){_Y}\s*[Qq]\s*([1-4])(?!\d)")
_HAS_DASH = re.compile(r"-|~|—|–|至|到")  # what _DASH needs
_DAY_OR_MONTH = re.compile(rf"{_Y}\s*年\s*(\d{{1,2}})\s*月\s*(?:份)?\s*(?:(\d{{1,2}})\s*[日号]|(底|末))?"
                           rf"|(?<!\d){_Y}[-./](\d{{1,2}})(?:[-./](\d{{1,2}}))?(?![\d])")


@dataclass(frozen=True)
class _Date:
    start: int
    end: int
    text: str
    kind: str  # "month" | "quarter" | "range"
    year: int
    month: int = 0  # month, or the range's last month
    first_month: int = 0  # a range's first month
    quarter: int = 0
    day: int = 0  # 0: a month; else the day written (month end: the last day)
    label: str = ""  # "period" | "slot" | "filing" | ""
    label_text: str = ""

    @property
    def month_end(self) -> bool:
        return not self.day or self.day == calendar.monthrange(self.year, self.month)[1]


def _dates(text: str) -> list[_Date]:
    """Every date written in ``text``, ranges first (their months are not read again on their own)."""
    out: list[_Date] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    # Each pattern is tried only when the text has what it cannot match without (a dash; 季 or Q; 年 or a separator):
    # a header is read on every sheet, and these patterns are most of its cost.
    for m in (_RANGE.finditer(text) if _HAS_DASH.search(text) else ()):
        g = m.groups()
        y1, m1, y2, m2 = (g[0], g[1], g[2], g[3]) if g[0] else (g[4], g[5], g[6], g[7])
        y1i, m1i, m2i = int(y1), int(m1), int(m2)
        y2i = int(y2) if y2 else y1i
        if not (1 <= m1i <= 12 and 1 <= m2i <= 12):
            continue
        taken.append(m.span())
        if (y1i, m1i) == (y2i, m2i):
            out.append(_Date(*m.span(), m.group(0), "month", y1i, m1i))
        else:
            out.append(_Date(*m.span(), m.group(0), "range", y2i, m2i, first_month=m1i if y1i == y2i else 0))
    for m in (_QUARTER.finditer(text) if "季" in text or "Q" in text or "q" in text else ()):
        if not free(*m.span()):
            continue
        y, q = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        taken.append(m.span())
        out.append(_Date(*m.span(), m.group(0), "quarter", int(y), quarter=_CN_Q.get(q) or int(q)))
    for m in _DAY_OR_MONTH.finditer(text):
        if not free(*m.span()):
            continue
        if m.group(1):
            y, mo, day, end_word = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
        else:
            y, mo, day, end_word = int(m.group(5)), int(m.group(6)), m.group(7), None
        if not 1 <= mo <= 12:
            continue
        d = int(day) if day else 0
        if d and not 1 <= d <= calendar.monthrange(y, mo)[1]:
            continue
        if end_word:
            d = calendar.monthrange(y, mo)[1]
        taken.append(m.span())
        out.append(_Date(*m.span(), m.group(0).strip(), "month", y, mo, day=d))
    return sorted(out, key=lambda d: d.start)


def _labelled(text: str, dates: list[_Date]) -> list[_Date]:
    """Each date with the label in front of it, if any (the nearest label, with no other date in between)."""
    labels = [(m.start(), m.end(), m.group(0)) for m in _LABEL.finditer(text)]
    out = []
    previous_end = 0
    for d in dates:
        before = [lab for lab in labels if previous_end <= lab[0] and lab[1] <= d.start]
        label, label_text = "", ""
        if before:
            _, end, word = before[-1]
            gap = text[end:d.start]
            if word == _SLOT_LABEL:
                # The form's own slot: 填报单位：<the unit's name> 2016年3月 (the name may be long).
                label, label_text = "slot", word
            elif _GAP.match(gap):
                label, label_text = ("filing" if word in _FILING_LABELS else "period"), word
        out.append(_Date(**{**d.__dict__, "label": label, "label_text": label_text}))
        previous_end = d.end
    return out


def _as_period(d: _Date, monthly: bool) -> str | None:
    """What ``d`` says the period is on this form, or None when it does not name one."""
    if monthly:
        return f"{d.year:04d}-{d.month:02d}" if d.kind == "month" else None
    if d.kind == "quarter":
        return f"{d.year:04d}Q{d.quarter}"
    if d.kind == "range" and d.first_month and d.month % 3 == 0 and d.first_month == d.month - 2:
        return f"{d.year:04d}Q{d.month // 3}"
    if d.kind == "month" and d.label == "period" and d.month % 3 == 0:
        return f"{d.year:04d}Q{d.month // 3}"
    return None


_INNER_SPACES = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_SPACES = re.compile(r"\s+")


def _normalise(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    # Spaces inside words (填 报 日 期, 统 计 期) are layout, not meaning.
    t = _INNER_SPACES.sub("", t)
    return _SPACES.sub(" ", t)


def period_in_header(text: str, form_kind: str) -> str | None:
    """The period ('YYYY-MM' or 'YYYYQn') the header text says, None when it has no date at all.

    ``form_kind`` is "monthly" or "quarterly". Raises PeriodInDoubt when the
    dates found do not say one period (see the module's rules).
    """
    monthly = form_kind == "monthly"
    t = _normalise(text)
    dates = _labelled(t, _dates(t))
    candidates = [d for d in dates if d.label != "filing"]
    ranges = [d for d in candidates if d.kind == "range" and _as_period(d, monthly) is None]
    if ranges:
        what = "月调度表只填一个月" if monthly else "季调度表填一个季度（如 2016年 第1季度）"
        raise PeriodInDoubt(PERIOD_RANGE, f"表头写的是一个时段 {ranges[0].text}，{what}：请写明所属"
                                          f"{'年月（如 填报单位：湖南省 2016年3月）' if monthly else '年度和季度'}")
    # A date to the day that is not a month's end is when the form was made, not what it is for.
    by_day = [d for d in candidates if d.kind == "month" and not d.month_end]
    candidates = [d for d in candidates if d not in by_day]
    if not monthly:
        off_quarter = [d for d in candidates if d.kind == "month" and d.label == "period" and _as_period(d, False) is None]
        if off_quarter:
            d = off_quarter[0]
            raise PeriodInDoubt(PERIOD_AMBIGUOUS, f"表头的{d.label_text} {d.text} 不是季度末：季调度表填截至季度末的累计数，"
                                                  "请写明年度和季度（如 2016年 第1季度）")
    def strong(d: _Date) -> bool:
        # A quarter is never a filing date: on a quarterly form it says the period as plainly as a label does.
        return d.label == "period" or (not monthly and d.kind in ("quarter", "range"))

    for want_strong in (True, False):
        found = {p: d for d in candidates if strong(d) == want_strong and (p := _as_period(d, monthly))}
        if len(found) > 1:
            listed = "、".join(f"{d.label_text + '：' if d.label == 'period' else ''}{d.text}（{p}）" for p, d in found.items())
            raise PeriodInDoubt(PERIOD_AMBIGUOUS, f"表头有不一致的期别：{listed}，无法确定本表所属期别：请只保留一个"
                                                  f"（如 填报单位：湖南省 {'2016年3月' if monthly else '2016年 第1季度'}）")
        if found:
            return next(iter(found))
    filing = [d for d in dates if d.label == "filing"] + by_day
    if filing:
        raise PeriodInDoubt(PERIOD_FILING_DATE_ONLY,
                            f"表头只找到填报日期 {'、'.join(f'“{d.text}”' for d in filing)}"
                            f"{'（具体到日、又不是月末的日期视为填报日期）' if by_day else ''}，"
                            f"没有统计期：请在填报单位行写明所属{'年月（如 2016年3月）' if monthly else '年度和季度（如 2016年 第1季度）'}")
    return None
