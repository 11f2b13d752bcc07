"""The period a form is for: labelled dates first, filing dates never, ranges and disagreements refused."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from conftest import edit, write_monthly

from sbk.cli import main
from sbk.header_period import PeriodInDoubt, period_in_header
from sbk.template import new_workbook, save_workbook, write_sheet
from sbk.workbooks import read_workbook

VALUES = {"": 12.5, "430100": 300.12, "430200": 80.0}


def _ingest(raw, out, capsys) -> tuple[int, str]:
    code = main(["ingest", str(raw), "--out", str(out)])
    return code, capsys.readouterr().out


@pytest.mark.parametrize("line", [
    "填报单位：湖南省   填报日期：2016年4月5日   统计期：2016年3月",
    "填报单位：湖南省 报送时间 2016年4月 2016年3月",
    "填报单位：湖南省人社厅 2016年3月   填表日期：2016-04-05",
    "报出日期：2016.4.5  所属期：2016.03  填报单位：湖南省",
    "填报单位：湖南省 截止日期：2016年3月31日 填报日期：2016年4月1日",
    "填报单位：湖南省 2016年4月 统计期：2016年3月",  # a date labelled as the period outranks the slot
])
def test_a_filing_date_written_first_is_never_taken_as_the_period(raw, tmp_path, capsys, line):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=[line])
    out = tmp_path / "p"
    code, _ = _ingest(raw, out, capsys)
    assert code == 0
    assert set(pd.read_parquet(out / "monthly_issuance.parquet")["period"]) == {"2016-03"}


@pytest.mark.parametrize("line", ["填报单位：湖南省 填报日期：2016年4月5日", "填报单位：湖南省 报送时间 2016年4月",
                                  "填报单位：湖南省人社厅 2016年4月5日"])
def test_a_header_with_only_a_filing_date_is_refused_and_nothing_is_written(raw, tmp_path, capsys, line):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=[line])
    out = tmp_path / "p"
    code, printed = _ingest(raw, out, capsys)
    assert code == 1 and not out.exists()
    assert "m.xlsx:Sheet1!A2: error read.period_filing_date_only 期别: 表头只找到填报日期" in printed


@pytest.mark.parametrize("line", ["填报单位：湖南省 2016年3月   2016年4月",
                                  "填报单位：湖南省 统计期：2016年3月 截至2016年4月底",
                                  "2016年4月社会保障卡发行情况 填报单位：湖南省 2016年3月"])
def test_two_dates_that_disagree_are_refused(raw, tmp_path, capsys, line):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=[line])
    code, printed = _ingest(raw, tmp_path / "p", capsys)
    assert code == 1 and not (tmp_path / "p").exists()
    assert "m.xlsx:Sheet1!A2: error read.period_ambiguous 期别: 表头有不一致的期别" in printed


@pytest.mark.parametrize("line", ["填报单位：湖南省 2016年1月—3月", "填报单位：湖南省 2016年1-3月",
                                  "填报单位：湖南省 2016年1月至2016年3月"])
def test_a_range_on_a_monthly_form_is_refused(raw, tmp_path, capsys, line):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=[line])
    code, printed = _ingest(raw, tmp_path / "p", capsys)
    assert code == 1 and not (tmp_path / "p").exists()
    assert "m.xlsx:Sheet1!A2: error read.period_range 期别: 表头写的是一个时段" in printed


def test_the_period_in_doubt_is_refused_by_validate_too(raw, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=["填报单位：湖南省 2016年3月 2016年4月"])
    assert main(["validate", str(raw)]) == 1
    assert "read.period_ambiguous" in capsys.readouterr().out


@pytest.mark.parametrize("text, period", [
    ("2016年第一季度", "2016Q1"), ("2016年1季度", "2016Q1"), ("2016年一季度", "2016Q1"), ("2016年度第2季度", "2016Q2"),
    ("2016 年 第 4 季度", "2016Q4"), ("2016Q3", "2016Q3"),
    ("2016年1-3月", "2016Q1"), ("2016年4月—6月", "2016Q2"),  # exactly one calendar quarter
    ("统计期：2016年6月", "2016Q2"), ("截至2016年9月底", "2016Q3"), ("截至2016年12月31日", "2016Q4"),
    ("填报日期：2016年4月5日  2016年第一季度", "2016Q1"),
])
def test_a_quarter_as_people_write_it(text, period):
    assert period_in_header(f"填报单位：湖南省 {text}", "quarterly") == period


@pytest.mark.parametrize("text, code", [
    ("截至2016年2月底", "read.period_ambiguous"),  # a 截至 month that ends no quarter
    ("2016年1-6月", "read.period_range"),
    ("2016年第一季度 2016年第二季度", "read.period_ambiguous"),
    ("2016年第2季度 截至2016年3月31日", "read.period_ambiguous"),
    ("填报日期：2016年4月5日", "read.period_filing_date_only"),
])
def test_a_quarter_in_doubt_is_refused(text, code):
    with pytest.raises(PeriodInDoubt) as exc:
        period_in_header(f"填报单位：湖南省 {text}", "quarterly")
    assert exc.value.rule.code == code


def test_an_unlabelled_month_on_a_quarterly_form_is_not_read_as_a_quarter():
    # 2016年3月 in the slot of a quarterly form may be when it was filed: the quarter must be written.
    assert period_in_header("填报单位：湖南省 2016年3月", "quarterly") is None


def test_a_month_typed_into_excel_becomes_a_date_and_still_reads_as_that_month(raw):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=["填报单位：湖南省", "统计期："])
    edit(raw / "m.xlsx", "Sheet1", B3=dt.datetime(2016, 3, 1))  # Excel stores “2016年3月” as 2016-03-01
    wb_sheets, findings = read_workbook(raw / "m.xlsx")
    assert not [f for f in findings if f.severity == "error"], [f.format() for f in findings]
    assert wb_sheets[0].period == "2016-03"


def test_a_quarterly_form_with_a_filing_date_before_its_quarter_is_filed_under_the_quarter(raw):
    wb = new_workbook()
    write_sheet(wb, "q3", "湖南省", "2016Q1", [{"region_code": "430000", "region_name": "全省", "stage": "④",
                                                "data_preparation": "x", "system_integration": "y", "next_quarter_plan": "z"}],
                title="Sheet3", header_lines=["填报单位：湖南省人社厅  填报日期：2016年4月5日", "2016年 第一季度"])
    save_workbook(wb, raw / "q.xlsx")
    sheets, findings = read_workbook(raw / "q.xlsx")
    assert not findings and sheets[0].period == "2016Q1"


def test_year_and_month_typed_as_numbers_into_the_blanks_are_read(raw):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=["填报单位：湖南省人社厅"])
    edit(raw / "m.xlsx", "Sheet1", B2=2016, C2="年", D2=3)
    edit(raw / "m.xlsx", "Sheet1", E2="月")
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not findings and sheets[0].period == "2016-03"


def test_a_fractional_number_is_never_read_as_a_month(raw):
    # 2016.1 is January, or October typed as 2016.10 with the 0 lost: the form is refused, not guessed.
    write_monthly(raw / "m.xlsx", "2016-10", VALUES, header=["填报单位：湖南省人社厅"])
    edit(raw / "m.xlsx", "Sheet1", B2=2016.1)
    _, findings = read_workbook(raw / "m.xlsx", "m.xlsx")
    assert [(f.code, f.cell) for f in findings] == [("read.period_missing", "A2")]


@pytest.mark.parametrize("line", ["报送时间 2016.4.5 湖南省人力资源和社会保障厅 2016年3月", "湖南省人社厅 统计期：2016年3月"])
def test_the_province_named_in_the_header_without_the_filing_unit_label_is_read(raw, line):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=[line])
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not findings, [f.format() for f in findings]  # no read.province_from_codes
    assert sheets[0].province_code == "430000" and sheets[0].period == "2016-03"


def test_a_header_naming_two_provinces_leaves_the_province_to_the_codes_with_a_warning(raw):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=["湖南省人社厅 报湖北省 统计期：2016年3月"])
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert [(f.code, f.cell) for f in findings] == [("read.province_from_codes", "A2")]
    assert sheets[0].province_code == "430000"


def test_a_header_naming_another_province_than_the_codes_is_refused(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, header=["湖北省人社厅 统计期：2016年3月"])
    out = tmp_path / "p"
    code, text = _ingest(raw, out, capsys)
    assert code == 1 and not out.exists()
    assert "m.xlsx:Sheet1!A2: error read.province_mismatch" in text
