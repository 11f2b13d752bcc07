"""The region rules ask once per (code, code revision), and answer exactly as a lookup per row would."""

from __future__ import annotations

import math

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from sbk.calendar import PeriodError
from sbk.findings import RULES
from sbk.regions import RegionError, lookup
from sbk.validate import validate_table


def _turpan(rows: list[tuple[str, str, str]]) -> pd.DataFrame:
    """Monthly rows of 新疆 (650000), one filed sheet per period: (period, region_code, region_name)."""
    return pd.DataFrame({
        "period": [p for p, _, _ in rows], "province_code": ["650000"] * len(rows),
        "region_code": [c for _, c, _ in rows], "region_name": [n for _, _, n in rows],
        "cumulative_holders_10k": [10.0] * len(rows),
        "source_file": [f"data/raw/650000/{p}.xlsx" for p, _, _ in rows], "source_sheet": ["Sheet1"] * len(rows),
        "source_row": [5] * len(rows),
    })


def test_a_code_valid_in_one_revision_is_refused_in_a_later_one_of_the_same_table():
    # 吐鲁番地区 (652100) became 吐鲁番市 (650400) in the 2015-03 revision; 2019-05 and 2024-06 share
    # the newest revision the package carries, so they are asked once, and must both be refused.
    df = _turpan([("2015-02", "650400", "吐鲁番市"), ("2015-02", "652100", "吐鲁番地区"),
                  ("2015-03", "652100", "吐鲁番地区"), ("2019-05", "652100", "吐鲁番地区"),
                  ("2024-06", "652100", "吐鲁番地区"), ("2016-06", "650400", "吐鲁番市"),
                  ("2016-07", "650400", "吐鲁番地区")])
    got = {(f.code, f.path.rsplit("/", 1)[-1], f.cell) for f in validate_table("monthly_issuance", df)}
    assert got == {
        ("region.in_province", "2015-03.xlsx", "B5"), ("region.in_province", "2019-05.xlsx", "B5"),
        ("region.in_province", "2024-06.xlsx", "B5"), ("region.in_province", "2015-02.xlsx", "B5"),
        ("region.name_matches_code", "2016-07.xlsx", "C5"),
    }


def _row_by_row(code: str, province: str, period: str) -> bool:
    """region.in_province as one lookup per row, the way the rule read before it grouped rows."""
    if code == province:
        return True
    if code[:2] != province[:2]:
        return False
    try:
        lookup(code, period, quiet=True)
        return True
    except (RegionError, PeriodError):
        return False


def _name_row_by_row(name: str, code: str, period: str) -> bool:
    if name.strip() in ("省本级", "全省", ""):
        return True
    try:
        r = lookup(code, period, quiet=True)
    except (RegionError, PeriodError):
        return True
    return name.strip() in (r.name, r.short_name)


def test_region_rules_answer_every_row_as_a_lookup_of_that_row_would():
    periods = ["2014-12", "2015-02", "2015-03", "2015Q1", "2015Q2", "2016-06", "2019-04", "2019-05", "2023Q4",
               "2016-13", "2015Q5", "1980-01", " 2016-06 ", "2016/06"]
    codes = [("650000", "省本级"), ("652100", "吐鲁番地区"), ("650400", "吐鲁番市"), ("650400", "吐鲁番"),
             ("430100", "长沙市"), ("659999", "某地"), ("652100", "吐鲁番市"), ("650400", "吐鲁番地区"), ("6504", "吐鲁番市"), ("吐鲁番市", "吐鲁番市")]
    rows = [(p, c, n) for p in periods for c, n in codes]
    df = _turpan(rows)
    in_province = RULES["region.in_province"].check(df)
    name_matches = RULES["region.name_matches_code"].check(df)
    assert list(in_province.index) == list(df.index) and list(name_matches.index) == list(df.index)
    assert list(in_province) == [_row_by_row(c, "650000", p) for p, c, _ in rows]
    assert list(name_matches) == [_name_row_by_row(n, c, p) for p, c, n in rows]
    # The set is not trivially all-pass or all-fail.
    assert 0 < sum(in_province) < len(rows) and 0 < sum(name_matches) < len(rows)


def test_province_rule_refuses_a_province_code_only_in_the_periods_it_is_invalid():
    df = _turpan([("2015-02", "652100", "吐鲁番地区"), ("2016-13", "650400", "吐鲁番市")])
    df.loc[0, "province_code"] = "660000"  # 兵团: not in GB/T 2260
    assert list(RULES["province.valid"].check(df)) == [False, False]
    assert list(RULES["province.valid"].check(df.assign(province_code="650000"))) == [True, False]


def _province_row_by_row(code: str, period: str) -> bool:
    try:
        return code.endswith("0000") and lookup(code, period, quiet=True).is_province
    except (RegionError, PeriodError):
        return False


def test_region_rules_asked_once_per_part_of_the_code_table_answer_as_a_lookup_per_row_would():
    # Codes of provinces whose units changed within the decade (莱芜 into 济南 2019, 吐鲁番/哈密 2015-16, 儋州 2015,
    # 海东 2013) and of some that did not, municipalities' districts, 省直辖 units, province lines, written with spaces,
    # in full-width digits, malformed or as names; every month of the regime's decade and beyond, and periods refused.
    codes = ["371200", "370100", "370000", "650400", "652100", "652200", "650500", "460400", "469003", "630200",
             "632100", "430100", "430000", "110101", "110000", "429004", "429000", " 430100 ", "４３０１００",
             "6504", "4301000", "长沙市", "吐鲁番市", "660000", "710000", "000000", "nan"]
    periods = [f"{y}-{m:02d}" for y in range(2014, 2026) for m in (1, 3, 6, 12)] + [
        f"{y}Q{q}" for y in (2015, 2019, 2024) for q in (1, 4)] + ["2016-13", "2015Q5", "1980-01", " 2016-06 "]
    rows = [(p, c, n) for p in periods for c in codes for n in ("长沙市", "莱芜市", "吐鲁番地区", "省本级")]
    df = pd.DataFrame({
        "period": [p for p, _, _ in rows], "province_code": [c[:2] + "0000" if c[:2].isdigit() else "430000"
                                                              for _, c, _ in rows],
        "region_code": [c for _, c, _ in rows], "region_name": [n for _, _, n in rows],
        "cumulative_holders_10k": [10.0] * len(rows), "source_file": ["a.xlsx"] * len(rows),
        "source_sheet": ["Sheet1"] * len(rows), "source_row": [5] * len(rows),
    })
    in_province = RULES["region.in_province"].check(df)
    name_matches = RULES["region.name_matches_code"].check(df)
    province_valid = RULES["province.valid"].check(df.assign(province_code=df["region_code"]))
    assert list(in_province) == [_row_by_row(c, c[:2] + "0000" if c[:2].isdigit() else "430000", p) for p, c, _ in rows]
    assert list(name_matches) == [_name_row_by_row(n, c, p) for p, c, n in rows]
    assert list(province_valid) == [_province_row_by_row(c, p) for p, c, _ in rows]
    assert 0 < sum(in_province) < len(rows) and 0 < sum(name_matches) < len(rows) and 0 < sum(province_valid) < len(rows)


_CODES = st.sampled_from(["430100", "430200", "433100", "430000", "", "x", "99999999999999999999",
                          "99999999999999999998", "1e3", "-5", "430100.0"])


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["a.xlsx", "b.xlsx"]), st.sampled_from(["Sheet1", "表一"]),
                          st.sampled_from(["2016-03", "2016-04"]), _CODES,
                          st.one_of(st.integers(1, 8), st.just(math.nan))), max_size=25),
       st.sampled_from(["int", "float", "Int64"]))
def test_code_order_walked_row_by_row_answers_as_pandas_grouping_does(rows, dtype):
    # The walk (sbk.forms.rules._in_code_order) against the grouping it replaced, kept for row numbers that are
    # not numbers: shared and blank row numbers, codes that are not numbers or too long for a float, two sheets.
    from sbk.forms.rules import _in_code_order, _in_code_order_frame

    df = pd.DataFrame(rows, columns=["source_file", "source_sheet", "period", "region_code", "source_row"])
    df["province_code"] = "430000"
    if dtype == "int":
        df["source_row"] = df["source_row"].fillna(0).astype(int)
    elif dtype == "Int64":
        df["source_row"] = df["source_row"].astype("Int64")
    keys = ["source_file", "source_sheet", "period", "province_code"]
    expected = _in_code_order_frame(df, keys) if len(df) else pd.Series(True, index=df.index)
    assert _in_code_order(df).tolist() == expected.tolist()
