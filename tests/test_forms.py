"""Every rule of the 填写说明: a passing frame and a failing frame each."""

from __future__ import annotations

from typing import Callable

import pandas as pd
import pytest

from sbk import forms
from sbk.forms import (
    LAYOUTS,
    RULES,
    TABLES,
    CardholderDbStage,
    ServiceChannel,
    ServiceItem,
    check_totals,
    column_labels,
    validate_table,
)


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
    ("period_monthly", "monthly_issuance", lambda d: d.assign(period="2015-01"), None),
    ("period_quarterly", "quarterly_work", lambda d: d.assign(period="2015-03"), None),
    ("province_code", "monthly_issuance", lambda d: d.assign(province_code="439900"), None),
    ("region_in_province", "monthly_issuance", lambda d: setv(d, 4, region_code="420100"), "B5"),
    ("region_name_matches_code", "monthly_issuance", lambda d: setv(d, 4, region_name="株洲市"), "C5"),
    ("region_order", "monthly_issuance", lambda d: setv(d, 4, region_code="433100", region_name="湘西州").pipe(
        lambda x: setv(x, 5, region_code="430100", region_name="长沙市")), "B6"),
    ("duplicate_region", "monthly_issuance", lambda d: setv(d, 5, region_code="430100", region_name="长沙市"), "B6"),
    ("monthly_cumulative_holders_10k_nonneg", "monthly_issuance", lambda d: setv(d, 4, cumulative_holders_10k=None), "D5"),
    ("monthly_cumulative_holders_10k_decimals", "monthly_issuance", lambda d: setv(d, 4, cumulative_holders_10k=310.123), "D5"),
    ("monthly_not_falling", "monthly_issuance", lambda d: setv(d, 4, cumulative_holders_10k=299.0), "D5"),
    ("q1_holders_total_10k_nonneg", "quarterly_work", lambda d: setv(d, 0, holders_total_10k=-1.0), "C4"),
    ("q1_holders_urban_employees_10k_nonneg", "quarterly_work", lambda d: setv(d, 0, holders_urban_employees_10k=-1.0), "D4"),
    ("q1_holders_residents_10k_nonneg", "quarterly_work", lambda d: setv(d, 0, holders_residents_10k=-1.0), "E4"),
    ("q1_holders_other_10k_nonneg", "quarterly_work", lambda d: setv(d, 0, holders_other_10k=-1.0), "F4"),
    ("q1_holders_total_10k_decimals", "quarterly_work", lambda d: setv(d, 0, holders_total_10k=12.501,
                                                                        holders_other_10k=0.001), "C4"),
    ("q1_holders_urban_employees_10k_decimals", "quarterly_work", lambda d: setv(d, 0, holders_urban_employees_10k=9.999,
                                                                                  holders_other_10k=0.001), "D4"),
    ("q1_holders_residents_10k_decimals", "quarterly_work", lambda d: setv(d, 0, holders_residents_10k=2.499,
                                                                            holders_other_10k=0.001), "E4"),
    ("q1_holders_other_10k_decimals", "quarterly_work", lambda d: setv(d, 1, holders_other_10k=5.004), "F5"),
    ("q1_total_equals_groups", "quarterly_work", lambda d: setv(d, 1, holders_total_10k=310.0), "C5"),
    ("q1_other_needs_note", "quarterly_work", lambda d: setv(d, 1, other_groups_note=""), "F5"),
    ("q1_terminals", "quarterly_work", lambda d: setv(d, 1, terminals=12.5), "G5"),
    ("q1_service_items_range", "quarterly_work", lambda d: setv(d, 1, service_items=[1, 12]), "H5"),
    ("q1_service_channels_range", "quarterly_work", lambda d: setv(d, 1, service_channels=[0]), "I5"),
    ("q1_service_items_other", "quarterly_work", lambda d: setv(d, 1, service_items_other=""), "H5"),
    ("q1_service_channels_other", "quarterly_work", lambda d: setv(d, 1, service_channels_other=None), "I5"),
    ("q1_progress_note", "quarterly_work", lambda d: setv(d, 1, progress_note=""), "J5"),
    ("q1_not_falling", "quarterly_work", lambda d: pd.concat([d, setv(d, 1, holders_total_10k=200.12,
        holders_residents_10k=None).assign(period="2015Q2", holders_residents_10k=[2.5, -4.88])]).reset_index(drop=True).pipe(
        lambda x: setv(x, 3, holders_residents_10k=0.0, holders_urban_employees_10k=195.12)), "C5"),
    ("q1_terminals_not_falling", "quarterly_work", lambda d: pd.concat([d, setv(d, 1, terminals=3000.0).assign(period="2015Q2")],
                                                                       ignore_index=True), "G5"),
    ("q2_catalog_open_rate_pct_range", "quarterly_application", lambda d: setv(d, 0, catalog_open_rate_pct=120.0), "C5"),
    ("q2_payment_coverage_pct_range", "quarterly_application", lambda d: setv(d, 0, payment_coverage_pct=-3.0), "D5"),
    ("q2_benefit_coverage_pct_range", "quarterly_application", lambda d: setv(d, 0, benefit_coverage_pct=101.0), "E5"),
    ("q2_open_rate_matches_items", "quarterly_application", lambda d: setv(d, 0, catalog_open_rate_pct=52.0), "C5"),
    ("q2_items_range", "quarterly_application", lambda d: setv(d, 0, local_items=[1, 103], catalog_open_rate_pct=1.96), "F5"),
    ("q2_cross_items_range", "quarterly_application", lambda d: setv(d, 0, cross_region_items=[0]), "H5"),
    ("q2_items_duplicated", "quarterly_application", lambda d: setv(d, 0, local_items=[1, 1, 2], catalog_open_rate_pct=1.96), "F5"),
    ("q2_scope_range", "quarterly_application", lambda d: setv(d, 0, cross_region_scope=[4]), "G5"),
    ("q2_scope_other", "quarterly_application", lambda d: setv(d, 0, cross_region_scope=[1, 3]), "G5"),
    ("q2_cross_items_need_scope", "quarterly_application", lambda d: setv(d, 0, cross_region_scope=[]), "G5"),
    ("q3_stage_range", "quarterly_cardholder_db", lambda d: setv(d, 1, stage=10), "C6"),
    ("q3_stage_other", "quarterly_cardholder_db", lambda d: setv(d, 1, stage=9), "C6"),
    ("q3_data_preparation", "quarterly_cardholder_db", lambda d: setv(d, 1, data_preparation=" "), "D6"),
    ("q3_system_integration", "quarterly_cardholder_db", lambda d: setv(d, 1, system_integration=None), "E6"),
    ("q3_next_quarter_plan", "quarterly_cardholder_db", lambda d: setv(d, 1, next_quarter_plan=""), "F6"),
    ("q3_stage_not_backwards", "quarterly_cardholder_db", lambda d: setv(d, 1, stage=1), "C6"),
    ("q3_duplicate", "quarterly_cardholder_db", lambda d: setv(d, 1, period="2015Q1"), "C6"),
    ("q4_bank_name", "quarterly_bank", lambda d: setv(d, 1, bank_name=""), "B6"),
    ("q4_fin_holders_10k_nonneg", "quarterly_bank", lambda d: setv(d, 1, fin_holders_10k=None), "C6"),
    ("q4_fin_activated_10k_nonneg", "quarterly_bank", lambda d: setv(d, 1, fin_activated_10k=-1.0), "D6"),
    ("q4_other_fin_holders_10k_nonneg", "quarterly_bank", lambda d: setv(d, 1, other_fin_holders_10k=-1.0), "G6"),
    ("q4_fin_holders_10k_decimals", "quarterly_bank", lambda d: setv(d, 1, fin_holders_10k=286.005), "C6"),
    ("q4_fin_activated_10k_decimals", "quarterly_bank", lambda d: setv(d, 1, fin_activated_10k=234.001), "D6"),
    ("q4_other_fin_holders_10k_decimals", "quarterly_bank", lambda d: setv(d, 1, other_fin_holders_10k=1.555), "G6"),
    ("q4_activated_le_holders", "quarterly_bank", lambda d: setv(d, 0, fin_activated_10k=600.0), "D5"),
    ("q4_partner_count", "quarterly_bank", lambda d: setv(d, 0, partner_city_count=3), "E5"),
    ("q4_duplicate_bank", "quarterly_bank", lambda d: setv(d, 1, bank_name="中国农业银行"), "B6"),
    ("q4_not_falling", "quarterly_bank", lambda d: pd.concat([d, setv(d, 0, fin_holders_10k=590.0, fin_activated_10k=500.0)
                                                             .assign(period="2015Q2")], ignore_index=True), "C5"),
    ("filing_form", "filings", lambda d: setv(d, 0, form="weekly"), None),
    ("filing_period", "filings", lambda d: setv(d, 1, period="2015-03"), None),
    ("new_cities_count", "filings", lambda d: setv(d, 0, new_issuing_cities_count=3), None),
    ("new_cities_known", "filings", lambda d: setv(d, 0, new_issuing_cities=["张家界市", "武汉市"]), None),
]


@pytest.mark.parametrize("table", sorted(VALID))
def test_valid_frames_pass_every_rule(table):
    assert validate_table(table, VALID[table]()) == []


@pytest.mark.parametrize("rule_id, table, mutate, cell", CASES, ids=[c[0] for c in CASES])
def test_each_rule_catches_its_failing_frame(rule_id, table, mutate, cell):
    rule = RULES[rule_id]
    found = validate_table(table, mutate(VALID[table]()))
    hits = [f for f in found if f.rule == rule.label and f.severity == rule.severity]
    assert hits, f"{rule_id} not reported; got {[f.format() for f in found]}"
    if cell:
        assert cell in {f.cell for f in hits}, [f.format() for f in hits]


def test_every_rule_has_a_failing_case():
    assert set(RULES) == {c[0] for c in CASES}


def test_every_rule_is_checked_by_a_model():
    assert set(forms.iter_rule_ids()) == set(RULES)


def test_findings_name_file_sheet_cell_rule_and_values():
    df = setv(monthly(), 4, cumulative_holders_10k=299.0)
    line = next(f.format() for f in validate_table("monthly_issuance", df) if "上期" in f.rule)
    assert line == ("data/raw/430000/2015-03.xlsx:Sheet1!D5: error 累计持卡人数不应低于上期: "
                    "累计持卡人数 299.00 低于上期 300.12（2015-02）")


def test_validation_is_lazy_and_reports_every_problem_at_once():
    df = setv(monthly(), 4, cumulative_holders_10k=299.0)
    df = setv(df, 5, region_name="株洲市", cumulative_holders_10k=80.001)
    rules = {f.rule for f in validate_table("monthly_issuance", df)}
    assert {"累计持卡人数不应低于上期", "地区", "数字统一保留小数点后两位"} <= rules


def test_total_row_must_equal_the_sum_of_rows():
    rows = monthly().iloc[3:]
    ok = check_totals("monthly_issuance", rows, {"cumulative_holders_10k": 403.85})
    assert ok == []
    bad = check_totals("monthly_issuance", rows, {"cumulative_holders_10k": 1234.56}, path="a.xlsx",
                       sheet="Sheet1", total_row=7)
    assert [f.format() for f in bad] == ["a.xlsx:Sheet1!D7: error 合计≠各行之和: 累计持卡人数 合计 1234.56 ≠ 403.85"]


def test_total_row_of_q1_is_called_quansheng():
    rows = q1()
    bad = check_totals("quarterly_work", rows, {"holders_total_10k": 300.0, "terminals": 3520.0}, total_row=6)
    assert [f.rule for f in bad] == ["全省≠各行之和"] and bad[0].cell == "C6"


def test_every_column_carries_its_official_label():
    for table in TABLES:
        labels = column_labels(table)
        for col, meta in labels.items():
            assert meta.get("label"), (table, col)
    assert column_labels("monthly_issuance")["cumulative_holders_10k"] == {"label": "累计持卡人数", "unit": "万人"}


def test_enumerations_carry_the_official_labels():
    assert ServiceItem(1).label == "申领（补换卡）" and ServiceItem.other() == ServiceItem.OTHER == 9
    assert ServiceChannel(6).label == "12333" and len(ServiceChannel) == 10
    assert CardholderDbStage(8).label == "系统正式上线运行"
    assert ServiceItem.legend().startswith("①申领（补换卡） ②信息变更")


def test_layouts_place_fields_on_the_official_columns():
    assert LAYOUTS["monthly"].letter("cumulative_holders_10k") == "D"
    assert LAYOUTS["q1"].letter("progress_note") == "J"
    assert LAYOUTS["q4"].title == "社会保障卡工作情况季调度表（四）"
    for layout in LAYOUTS.values():
        schema_cols = set(TABLES[layout.table].to_schema().columns)
        for field, _, _ in layout.columns:
            assert field in schema_cols or field in ("seq", "region_code", "region_name"), (layout.form, field)
