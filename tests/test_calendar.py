import datetime as dt

import pytest

from sbk.calendar import CalendarWarning, PeriodError, deadlines, due_date, parse_period


def d(s: str) -> dt.date:
    return dt.date.fromisoformat(s)


@pytest.mark.parametrize(
    "period, due, why",
    [
        ("2015-02", "2015-03-03", "first report under the 2015 notice"),
        ("2015Q3", "2015-10-08", "National Day 2015: Oct 1-7"),
        ("2016-09", "2016-10-08", "National Day 2016; Oct 8 is a Saturday make-up working day"),
        ("2022-01", "2022-02-07", "Spring Festival 2022: Jan 31 - Feb 6"),
        ("2025-01", "2025-02-05", "Spring Festival 2025: Jan 28 - Feb 4"),
        ("2019-01", "2019-02-03", "Spring Festival 2019: Feb 3 is a Sunday make-up working day"),
        ("2016Q1", "2016-04-05", "Qingming 2016: Apr 2-4"),
        ("2021-03", "2021-04-06", "Qingming 2021: Apr 3-5"),
        ("2020-04", "2020-05-06", "Labour Day 2020: May 1-5"),
        ("2019-04", "2019-05-05", "Labour Day 2019: May 1-4; May 5 is a Sunday make-up working day"),
        ("2016-05", "2016-06-03", "an ordinary Friday"),
    ],
)
def test_due_date_moves_to_the_next_working_day_across_holidays(period, due, why):
    assert due_date(period) == d(due), why


def test_periods_before_the_2015_regime_are_refused_with_a_reason():
    with pytest.raises(PeriodError, match="2015"):
        due_date("2015-01")
    with pytest.raises(PeriodError, match="2015"):
        due_date("2014Q4")


@pytest.mark.parametrize("bad", ["2015-13", "2015/03", "2015Q5", "15-03", ""])
def test_malformed_periods_are_refused(bad):
    with pytest.raises(PeriodError):
        parse_period(bad)


def test_outside_the_holiday_calendar_weekends_only_with_a_warning():
    with pytest.warns(CalendarWarning):
        # 2030-02-03 is a Sunday.
        assert due_date("2030-01") == d("2030-02-04")


def test_period_arithmetic():
    p = parse_period("2016Q1")
    assert p.months() == ["2016-01", "2016-02", "2016-03"]
    assert p.previous().label == "2015Q4"
    assert parse_period("2016-01").previous().label == "2015-12"
    assert parse_period("2016q2").label_zh == "2016年第2季度"


def test_deadlines_of_a_year_list_every_monthly_and_quarterly_form_due_in_it():
    rows = deadlines(2016)
    assert len(rows) == 12 + 4
    assert rows[0]["期别"] == "2015-12" and rows[0]["截止日"] == "2016-01-04"
    q3 = next(r for r in rows if r["期别"] == "2016Q3")
    assert q3["截止日"] == "2016-10-08" and "国庆" in q3["顺延原因"]


def test_deadlines_of_2015_start_with_the_first_report_of_the_new_regime():
    rows = deadlines(2015)
    assert rows[0]["期别"] == "2015-02"


def test_a_refused_period_is_refused_on_every_call_and_a_parsed_one_is_the_same_period():
    # parse_period remembers its answers; a refusal must not turn into a success the second time.
    for _ in range(2):
        with pytest.raises(PeriodError, match="2016-13"):
            parse_period("2016-13")
        with pytest.raises(PeriodError, match="早于 2015-02"):
            parse_period("2015-01")
    assert parse_period("2015-01", check_regime=False).label == "2015-01"
    assert parse_period(" 2016q2 ") == parse_period("2016Q2")
