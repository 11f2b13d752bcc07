"""Every rule of the 填写说明: a passing frame and a failing frame each."""

from __future__ import annotations

import math
from typing import Callable

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sbk.findings import RULES
from sbk.forms import LAYOUTS, TABLES, CardholderDbStage, ServiceChannel, ServiceItem, column_labels
from sbk.validate import check_totals, validate_table


def _src(n: int, file: str = "data/raw/430000/2015-03.xlsx", first_row: int = 4) -> dict:
    return {"source_file": [file] * n, "source_sheet": ["Sheet1"] * n, "source_row": list(range(first_row, first_row + n))}


def monthly() -> pd.DataFrame:
    a = pd.DataFrame({
        "period": ["2015-02"] * 3, "province_code": ["430000"] * 3,
        "region_code": ["430000", "430100", "433100"], "region_name": ["省本级", "长沙市", "湘西州"],
        "cumulative_holders_10k": [12.5, 300.12, 80.0], **_src(3, "data/raw/430000/2015-02.xlsx"),
    })
    b = a.assign(period="2015-03", cumulative_holders_10k=[12.6, 310.0, 81.25], **_src(3))
    return pd.concat([a, b], ignore_index=True)


def q1() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2015Q1", "2015Q1"], "province_code": ["430000"] * 2,
        "region_code": ["430000", "430100"], "region_name": ["省本级", "长沙市"],
        "holders_total_10k": [12.5, 300.12], "holders_urban_employees_10k": [10.0, 200.0],
        "holders_residents_10k": [2.5, 95.12], "holders_other_10k": [0.0, 5.0],
        "other_groups_note": ["", "离退休人员"], "terminals": [120.0, 3400.0],
        "service_items": [[1, 2, 3], [1, 2, 3, 9]], "service_items_other": ["", "年审"],
        "service_channels": [[1, 6], [1, 5, 10]], "service_channels_other": ["", "微信"],
        "progress_note": ["无", "召开推进会"], **_src(2),
    })


def q2() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2015Q1"], "province_code": ["430000"], "region_code": ["430100"], "region_name": ["长沙市"],
        "catalog_open_rate_pct": [round(51 / 102 * 100, 2)], "payment_coverage_pct": [40.0],
        "benefit_coverage_pct": [35.5], "local_items": [list(range(1, 52))], "cross_region_scope": [[1]],
        "cross_region_scope_other": [""], "cross_region_items": [[22, 23]], **_src(1, first_row=5),
    })


def q3() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2015Q1", "2015Q2"], "province_code": ["430000"] * 2, "stage": [2, 4],
        "stage_other": ["", ""], "data_preparation": ["已完成数据清洗"] * 2,
        "system_integration": ["接口改造中"] * 2, "next_quarter_plan": ["部署"] * 2, **_src(2, first_row=5),
    })


def q4() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2015Q1"] * 2, "province_code": ["430000"] * 2,
        "bank_name": ["中国农业银行", "中国邮政储蓄银行"], "fin_holders_10k": [598.0, 286.0],
        "fin_activated_10k": [511.0, 234.0], "partner_city_count": [2, 1],
        "partner_cities": [["长沙市", "株洲市"], ["省本级"]], "other_fin_holders_10k": [0.0, 1.5],
        "note": ["", ""], **_src(2, first_row=5),
    })


def filings() -> pd.DataFrame:
    return pd.DataFrame({
        "form": ["monthly", "q1"], "period": ["2015-03", "2015Q1"], "province_code": ["430000"] * 2,
        "source_file": ["data/raw/430000/2015-03.xlsx"] * 2, "sha256": ["0" * 64] * 2,
        "new_issuing_cities_count": [2, None], "new_issuing_cities": [["张家界市", "湘西州"], []],
    })


VALID: dict[str, Callable[[], pd.DataFrame]] = {
    "monthly_issuance": monthly, "quarterly_work": q1, "quarterly_application": q2,
    "quarterly_cardholder_db": q3, "quarterly_bank": q4, "filings": filings,
}


def setv(df: pd.DataFrame, row: int, **values) -> pd.DataFrame:
    df = df.copy()
    for col, value in values.items():
        if isinstance(value, (list, tuple)):
            df[col] = df[col].astype(object)
            df.at[row, col] = value
        else:
            df.loc[row, col] = value
    return df


# (rule id, table, mutation, expected cell or None)
CASES: list[tuple[str, str, Callable[[pd.DataFrame], pd.DataFrame], str | None]] = [
    ("period.monthly", "monthly_issuance", lambda d: d.assign(period="2015-01"), None),
    ("period.quarterly", "quarterly_work", lambda d: d.assign(period="2015-03"), None),
    ("province.valid", "monthly_issuance", lambda d: d.assign(province_code="439900"), None),
    ("region.in_province", "monthly_issuance", lambda d: setv(d, 4, region_code="420100"), "B5"),
    ("region.name_matches_code", "monthly_issuance", lambda d: setv(d, 4, region_name="株洲市"), "C5"),
    ("region.code_order", "monthly_issuance", lambda d: setv(d, 4, region_code="433100", region_name="湘西州").pipe(
        lambda x: setv(x, 5, region_code="430100", region_name="长沙市")), "B6"),
    ("monthly.duplicate_row", "monthly_issuance", lambda d: setv(d, 5, region_code="430100", region_name="长沙市"), "B6"),
    ("monthly.cumulative_holders_10k.non_negative", "monthly_issuance", lambda d: setv(d, 4, cumulative_holders_10k=None), "D5"),
    ("monthly.cumulative_holders_10k.two_decimals", "monthly_issuance", lambda d: setv(d, 4, cumulative_holders_10k=310.123), "D5"),
    ("monthly.cumulative_holders_10k.not_falling", "monthly_issuance", lambda d: setv(d, 4, cumulative_holders_10k=299.0), "D5"),
    ("q1.holders_total_10k.non_negative", "quarterly_work", lambda d: setv(d, 0, holders_total_10k=-1.0), "C4"),
    ("q1.holders_urban_employees_10k.non_negative", "quarterly_work", lambda d: setv(d, 0, holders_urban_employees_10k=-1.0), "D4"),
    ("q1.holders_residents_10k.non_negative", "quarterly_work", lambda d: setv(d, 0, holders_residents_10k=-1.0), "E4"),
    ("q1.holders_other_10k.non_negative", "quarterly_work", lambda d: setv(d, 0, holders_other_10k=-1.0), "F4"),
    ("q1.holders_total_10k.two_decimals", "quarterly_work", lambda d: setv(d, 0, holders_total_10k=12.501,
                                                                        holders_other_10k=0.001), "C4"),
    ("q1.holders_urban_employees_10k.two_decimals", "quarterly_work", lambda d: setv(d, 0, holders_urban_employees_10k=9.999,
                                                                                  holders_other_10k=0.001), "D4"),
    ("q1.holders_residents_10k.two_decimals", "quarterly_work", lambda d: setv(d, 0, holders_residents_10k=2.499,
                                                                            holders_other_10k=0.001), "E4"),
    ("q1.holders_other_10k.two_decimals", "quarterly_work", lambda d: setv(d, 1, holders_other_10k=5.004), "F5"),
    ("q1.total_equals_groups", "quarterly_work", lambda d: setv(d, 1, holders_total_10k=310.0), "C5"),
    ("q1.holders_other_10k.note_needed", "quarterly_work", lambda d: setv(d, 1, other_groups_note=""), "F5"),
    ("q1.terminals.whole_number", "quarterly_work", lambda d: setv(d, 1, terminals=12.5), "G5"),
    ("q1.service_items.options_range", "quarterly_work", lambda d: setv(d, 1, service_items=[1, 12]), "H5"),
    ("q1.service_channels.options_range", "quarterly_work", lambda d: setv(d, 1, service_channels=[0]), "I5"),
    ("q1.service_items.other_explained", "quarterly_work", lambda d: setv(d, 1, service_items_other=""), "H5"),
    ("q1.service_channels.other_explained", "quarterly_work", lambda d: setv(d, 1, service_channels_other=None), "I5"),
    ("q1.progress_note.filled", "quarterly_work", lambda d: setv(d, 1, progress_note=""), "J5"),
    ("q1.holders_total_10k.not_falling", "quarterly_work", lambda d: pd.concat([d, setv(d, 1, holders_total_10k=200.12,
        holders_residents_10k=None).assign(period="2015Q2", holders_residents_10k=[2.5, -4.88])]).reset_index(drop=True).pipe(
        lambda x: setv(x, 3, holders_residents_10k=0.0, holders_urban_employees_10k=195.12)), "C5"),
    ("q1.terminals.not_falling", "quarterly_work", lambda d: pd.concat([d, setv(d, 1, terminals=3000.0).assign(period="2015Q2")],
                                                                       ignore_index=True), "G5"),
    ("q2.catalog_open_rate_pct.percent_range", "quarterly_application", lambda d: setv(d, 0, catalog_open_rate_pct=120.0), "C5"),
    ("q2.payment_coverage_pct.percent_range", "quarterly_application", lambda d: setv(d, 0, payment_coverage_pct=-3.0), "D5"),
    ("q2.benefit_coverage_pct.percent_range", "quarterly_application", lambda d: setv(d, 0, benefit_coverage_pct=101.0), "E5"),
    ("q2.open_rate_matches_items", "quarterly_application", lambda d: setv(d, 0, catalog_open_rate_pct=52.0), "C5"),
    ("q2.local_items.options_range", "quarterly_application", lambda d: setv(d, 0, local_items=[1, 103], catalog_open_rate_pct=1.96), "F5"),
    ("q2.cross_region_items.options_range", "quarterly_application", lambda d: setv(d, 0, cross_region_items=[0]), "H5"),
    ("q2.local_items.repeated", "quarterly_application", lambda d: setv(d, 0, local_items=[1, 1, 2], catalog_open_rate_pct=1.96), "F5"),
    ("q2.cross_region_scope.options_range", "quarterly_application", lambda d: setv(d, 0, cross_region_scope=[4]), "G5"),
    ("q2.cross_region_scope.other_explained", "quarterly_application", lambda d: setv(d, 0, cross_region_scope=[1, 3]), "G5"),
    ("q2.cross_items_need_scope", "quarterly_application", lambda d: setv(d, 0, cross_region_scope=[]), "G5"),
    ("q3.stage.options_range", "quarterly_cardholder_db", lambda d: setv(d, 1, stage=10), "C6"),
    ("q3.stage.other_explained", "quarterly_cardholder_db", lambda d: setv(d, 1, stage=9), "C6"),
    ("q3.data_preparation.filled", "quarterly_cardholder_db", lambda d: setv(d, 1, data_preparation=" "), "D6"),
    ("q3.system_integration.filled", "quarterly_cardholder_db", lambda d: setv(d, 1, system_integration=None), "E6"),
    ("q3.next_quarter_plan.filled", "quarterly_cardholder_db", lambda d: setv(d, 1, next_quarter_plan=""), "F6"),
    ("q3.stage_not_backwards", "quarterly_cardholder_db", lambda d: setv(d, 1, stage=1), "C6"),
    ("q3.duplicate_row", "quarterly_cardholder_db", lambda d: setv(d, 1, period="2015Q1"), "C6"),
    ("q4.bank_name.filled", "quarterly_bank", lambda d: setv(d, 1, bank_name=""), "B6"),
    ("q4.fin_holders_10k.non_negative", "quarterly_bank", lambda d: setv(d, 1, fin_holders_10k=None), "C6"),
    ("q4.fin_activated_10k.non_negative", "quarterly_bank", lambda d: setv(d, 1, fin_activated_10k=-1.0), "D6"),
    ("q4.other_fin_holders_10k.non_negative", "quarterly_bank", lambda d: setv(d, 1, other_fin_holders_10k=-1.0), "G6"),
    ("q4.fin_holders_10k.two_decimals", "quarterly_bank", lambda d: setv(d, 1, fin_holders_10k=286.005), "C6"),
    ("q4.fin_activated_10k.two_decimals", "quarterly_bank", lambda d: setv(d, 1, fin_activated_10k=234.001), "D6"),
    ("q4.other_fin_holders_10k.two_decimals", "quarterly_bank", lambda d: setv(d, 1, other_fin_holders_10k=1.555), "G6"),
    ("q4.activated_le_holders", "quarterly_bank", lambda d: setv(d, 0, fin_activated_10k=600.0), "D5"),
    ("q4.partner_count_matches_names", "quarterly_bank", lambda d: setv(d, 0, partner_city_count=3), "E5"),
    ("q4.duplicate_row", "quarterly_bank", lambda d: setv(d, 1, bank_name="中国农业银行"), "B6"),
    ("q4.fin_holders_10k.not_falling", "quarterly_bank", lambda d: pd.concat([d, setv(d, 0, fin_holders_10k=590.0, fin_activated_10k=500.0)
                                                             .assign(period="2015Q2")], ignore_index=True), "C5"),
    ("q1.duplicate_row", "quarterly_work", lambda d: setv(d, 1, region_code="430000", region_name="省本级"), "A5"),
    ("q1.service_items.repeated", "quarterly_work", lambda d: setv(d, 0, service_items=[1, 1, 2]), "H4"),
    ("q1.service_channels.repeated", "quarterly_work", lambda d: setv(d, 0, service_channels=[6, 6]), "I4"),
    ("q2.duplicate_row", "quarterly_application", lambda d: pd.concat([d, d], ignore_index=True).pipe(
        lambda x: setv(x, 1, source_row=6)), "A6"),
    ("q2.cross_region_items.repeated", "quarterly_application", lambda d: setv(d, 0, cross_region_items=[22, 22]), "H5"),
    ("q2.cross_region_scope.repeated", "quarterly_application", lambda d: setv(d, 0, cross_region_scope=[1, 1]), "G5"),
    ("q4.partner_city_count.whole_number", "quarterly_bank", lambda d: setv(d.astype({"partner_city_count": float}), 0, partner_city_count=2.5), "E5"),
    ("filings.form", "filings", lambda d: setv(d, 0, form="weekly"), None),
    ("filings.period", "filings", lambda d: setv(d, 1, period="2015-03"), None),
    ("monthly.new_cities_count", "filings", lambda d: setv(d, 0, new_issuing_cities_count=3), None),
    ("monthly.new_cities_known", "filings", lambda d: setv(d, 0, new_issuing_cities=["张家界市", "武汉市"]), None),
]


@pytest.mark.parametrize("table", sorted(VALID))
def test_valid_frames_pass_every_rule(table):
    assert validate_table(table, VALID[table]()) == []


@pytest.mark.parametrize("code, table, mutate, cell", CASES, ids=[c[0] for c in CASES])
def test_each_rule_catches_its_failing_frame(code, table, mutate, cell):
    found = validate_table(table, mutate(VALID[table]()))
    hits = [f for f in found if f.code == code]
    assert hits, f"{code} not reported; got {[f.format() for f in found]}"
    assert all(f.severity == RULES[code].severity for f in hits)
    if cell:
        assert cell in {f.cell for f in hits}, [f.format() for f in hits]


def test_every_table_rule_has_a_failing_case():
    table_rules = {r.code for t in TABLES.values() for r in t.rules}
    assert table_rules == {c[0] for c in CASES}


def test_findings_name_file_sheet_cell_code_rule_and_values():
    df = setv(monthly(), 4, cumulative_holders_10k=299.0)
    line = next(f.format() for f in validate_table("monthly_issuance", df) if f.code.endswith("not_falling"))
    assert line == ("data/raw/430000/2015-03.xlsx:Sheet1!D5: error monthly.cumulative_holders_10k.not_falling "
                    "累计持卡人数不应低于上期: 长沙市（430100）：累计持卡人数 299.00 低于上期 300.12（2015-02）")


def test_validation_is_lazy_and_reports_every_problem_at_once():
    df = setv(monthly(), 4, cumulative_holders_10k=299.0)
    df = setv(df, 5, region_name="株洲市", cumulative_holders_10k=80.001)
    codes = {f.code for f in validate_table("monthly_issuance", df)}
    assert {"monthly.cumulative_holders_10k.not_falling", "region.name_matches_code",
            "monthly.cumulative_holders_10k.two_decimals"} <= codes


def test_a_blank_is_called_blank_only_where_the_form_requires_a_figure():
    required = validate_table("monthly_issuance", setv(monthly(), 4, cumulative_holders_10k=-1.0))
    optional = validate_table("quarterly_bank", setv(q4(), 1, fin_activated_10k=-1.0))
    assert [f.message for f in required if f.code.endswith("non_negative")] == ["长沙市（430100）：累计持卡人数 -1.00 为负数或未填写"]
    assert [f.message for f in optional if f.code.endswith("non_negative")] == [
        "湖南省（430000）：已激活金融功能的社会保障卡持卡人数 -1.00 为负数"]


def test_total_row_must_equal_the_sum_of_rows():
    rows = monthly().iloc[3:]
    ok = check_totals("monthly_issuance", rows, {"cumulative_holders_10k": 403.85})
    assert ok == []
    bad = check_totals("monthly_issuance", rows, {"cumulative_holders_10k": 1234.56}, path="a.xlsx",
                       sheet="Sheet1", total_row=7)
    assert [f.format() for f in bad] == [
        "a.xlsx:Sheet1!D7: error monthly.total_equals_sum 合计≠各行之和: 累计持卡人数 合计 1234.56 ≠ 403.85"]


@settings(max_examples=300, derandomize=True, deadline=None)
@given(st.lists(st.one_of(st.none(), st.just(math.nan), st.integers(-10**6, 10**6),
                          st.floats(-1e6, 1e6, allow_nan=False), st.floats(allow_nan=False, allow_infinity=True),
                          st.sampled_from(["12.5", "x", True])), max_size=30),
       st.floats(-1e-2, 1e-2), st.booleans())
def test_records_give_the_findings_the_frame_gives_whatever_their_values(values, off, integer):
    # The records' quick pass (sbk.validate._clearly_within) decides only totals clearly within the tolerance; every
    # other total is summed as pandas sums a frame. Totals are written at the sum, near the tolerance and beyond it.
    table, column = ("quarterly_work", "terminals") if integer else ("monthly_issuance", "cumulative_holders_10k")
    records = [{column: v, "source_row": i} for i, v in enumerate(values, 4)]
    frame = pd.DataFrame(records, columns=[column, "source_row"])
    exact = float(pd.to_numeric(frame[column], errors="coerce").fillna(0).sum())
    tol = 0.5 if integer else max(0.01, 0.005 * len(records))
    for written in (exact, exact + tol + off, exact - tol + off, exact + 10 * tol + off, 1e300):
        if math.isfinite(written):
            assert check_totals(table, records, {column: written}) == check_totals(table, frame, {column: written})


def test_total_row_of_q1_is_called_quansheng():
    rows = q1()
    bad = check_totals("quarterly_work", rows, {"holders_total_10k": 300.0, "terminals": 3520.0}, total_row=6)
    assert [(f.code, f.rule) for f in bad] == [("q1.total_equals_sum", "全省≠各行之和")] and bad[0].cell == "C6"


def test_every_column_carries_its_official_label():
    for table in TABLES:
        labels = column_labels(table)
        for col, meta in labels.items():
            assert meta.get("label"), (table, col)
    assert column_labels("monthly_issuance")["cumulative_holders_10k"] == {"label": "累计持卡人数", "unit": "万人"}
    assert column_labels("quarterly_work")["holders_total_10k"] == {"label": "累计持卡人数·总数", "unit": "万人"}


def test_enumerations_carry_the_official_labels():
    assert ServiceItem(1).label == "申领（补换卡）" and ServiceItem.other() == ServiceItem.OTHER == 9
    assert ServiceChannel(6).label == "12333" and len(ServiceChannel) == 10
    assert CardholderDbStage(8).label == "系统正式上线运行"
    assert ServiceItem.legend().startswith("①申领（补换卡） ②信息变更")


def test_layouts_place_fields_on_the_official_columns():
    assert LAYOUTS["monthly"].letter("cumulative_holders_10k") == "D"
    assert LAYOUTS["q1"].letter("progress_note") == "J"
    assert LAYOUTS["q4"].letter("note") == "H"
    assert LAYOUTS["q4"].title == "社会保障卡工作情况季调度表（四）"
    for layout in LAYOUTS.values():
        columns = set(TABLES[layout.table].columns)
        for f in layout.columns:
            assert f.name in columns or not f.stored or f.name == "seq", (layout.form, f.name)
