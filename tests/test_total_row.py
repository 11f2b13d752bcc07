"""The total row by its label and place: the province's own name is the total, 省本级 only when it says so."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import edit, write_monthly

from sbk.cli import main
from sbk.template import new_workbook, save_workbook, write_sheet
from sbk.workbooks import read_workbook

CITIES = {"430100": 300.12, "430200": 80.0}


def _ingest(raw, out, capsys) -> tuple[int, list[str]]:
    code = main(["ingest", str(raw), "--out", str(out)])
    return code, capsys.readouterr().out.splitlines()


@pytest.mark.parametrize("label, code", [("湖南省", None), ("湖南", None), ("湖南省合计", None), ("湖南省", "430000"),
                                         ("全省", None), ("总计", None)])
def test_with_no_provincial_row_a_total_labelled_with_the_province_is_not_stored_as_data(raw, tmp_path, capsys, label, code):
    write_monthly(raw / "m.xlsx", "2016-03", CITIES)  # rows 4–5, 合计 on row 6
    edit(raw / "m.xlsx", "Sheet1", A6=None, B6=code, C6=label)
    out = tmp_path / "p"
    status, lines = _ingest(raw, out, capsys)
    assert status == 0, lines
    df = pd.read_parquet(out / "monthly_issuance.parquet")
    assert list(df["region_code"]) == ["430100", "430200"] and df["cumulative_holders_10k"].sum() == pytest.approx(380.12)


def test_the_province_named_first_is_the_total(raw):
    write_monthly(raw / "m.xlsx", "2016-03", {"": 380.12, **CITIES}, total=None)
    edit(raw / "m.xlsx", "Sheet1", C4="湖南省")
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not findings, [f.format() for f in findings]
    assert sheets[0].total_row == 4 and sheets[0].total["cumulative_holders_10k"] == 380.12
    assert list(sheets[0].rows["region_code"]) == ["430100", "430200"]


def test_two_total_rows_that_disagree_are_refused(raw, tmp_path, capsys):
    # 湖南省 on the first row holds 12.50: 省本级 written with the province's name, or a total? Nobody can tell.
    write_monthly(raw / "m.xlsx", "2016-03", {"": 12.5, **CITIES})
    edit(raw / "m.xlsx", "Sheet1", C4="湖南省")
    status, lines = _ingest(raw, tmp_path / "p", capsys)
    assert status == 1 and not (tmp_path / "p").exists()
    assert any("m.xlsx:Sheet1!C4: error read.total_row_ambiguous 合计行: 第 7 行“合计”与第 4 行“湖南省”都像合计行" in line
               for line in lines), lines


def test_two_total_rows_that_agree_are_one_total(raw):
    write_monthly(raw / "m.xlsx", "2016-03", {"": 380.12, **CITIES}, total=380.12)
    edit(raw / "m.xlsx", "Sheet1", C4="湖南")
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not findings and sheets[0].total_row == 7 and len(sheets[0].rows) == 2


def test_the_province_named_in_the_middle_is_refused(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", {"": 12.5, **CITIES})
    edit(raw / "m.xlsx", "Sheet1", B5=None, C5="湖南省")
    status, lines = _ingest(raw, tmp_path / "p", capsys)
    assert status == 1
    assert any("m.xlsx:Sheet1!C5: error read.total_row_ambiguous 合计行: “湖南省”行既不在表首也不在表尾" in line
               for line in lines), lines


@pytest.mark.parametrize("label", ["省本级", "省级", "省直", "本级"])
def test_provincial_level_only_when_the_row_says_so(raw, label):
    write_monthly(raw / "m.xlsx", "2016-03", {"": 12.5, **CITIES})
    edit(raw / "m.xlsx", "Sheet1", C4=label)
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not findings and list(sheets[0].rows["region_code"]) == ["430000", "430100", "430200"]


def test_another_provinces_name_as_the_total_is_refused(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", CITIES)
    edit(raw / "m.xlsx", "Sheet1", A6=None, C6="湖北省")
    status, lines = _ingest(raw, tmp_path / "p", capsys)
    assert status == 1
    assert any("m.xlsx:Sheet1!C6: error read.province_mismatch" in line for line in lines), lines


def test_whole_city_is_a_total_only_in_a_municipality(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", CITIES)
    edit(raw / "m.xlsx", "Sheet1", A6=None, C6="全市")
    status, lines = _ingest(raw, tmp_path / "p", capsys)
    assert status == 1
    assert any("m.xlsx:Sheet1!C6: error read.total_row_ambiguous 合计行: “全市”只用于直辖市的全市合计" in line
               for line in lines), lines


def test_whole_region_is_the_total_of_an_autonomous_region(raw):
    wb = new_workbook()
    rows = [{"seq": 1, "region_code": "450100", "region_name": "南宁市", "cumulative_holders_10k": 200.0},
            {"seq": 2, "region_code": "450200", "region_name": "柳州市", "cumulative_holders_10k": 100.5}]
    ws = write_sheet(wb, "monthly", "广西壮族自治区", "2016-03", rows, total={"cumulative_holders_10k": 300.5},
                     title="Sheet1")
    ws["A6"], ws["C6"] = None, "全区"
    save_workbook(wb, raw / "gx.xlsx")
    sheets, findings = read_workbook(raw / "gx.xlsx")
    assert not findings and sheets[0].province_code == "450000" and sheets[0].total_row == 6
    assert list(sheets[0].rows["region_code"]) == ["450100", "450200"]


@pytest.mark.parametrize("label", ["湖南省本级", "湖南省省本级", "省本级（含省直单位）", "湖南省级"])
def test_provincial_level_written_with_the_provinces_name_or_a_note(raw, label):
    write_monthly(raw / "m.xlsx", "2016-03", {"": 12.5, **CITIES})
    edit(raw / "m.xlsx", "Sheet1", C4=label)
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not findings and list(sheets[0].rows["region_code"]) == ["430000", "430100", "430200"]


def test_a_city_with_the_provinces_short_name_and_its_own_code_is_data(raw):
    # 吉林市 (220200) written 吉林, its short name, in 吉林省's form: the code says it is a city.
    wb = new_workbook()
    rows = [{"seq": 1, "region_code": "220100", "region_name": "长春市", "cumulative_holders_10k": 200.0},
            {"seq": 2, "region_code": "220200", "region_name": "吉林", "cumulative_holders_10k": 100.5},
            {"seq": 3, "region_code": "220300", "region_name": "四平市", "cumulative_holders_10k": 50.0}]
    write_sheet(wb, "monthly", "吉林省", "2016-03", rows, total={"cumulative_holders_10k": 350.5}, title="Sheet1")
    save_workbook(wb, raw / "jl.xlsx")
    sheets, findings = read_workbook(raw / "jl.xlsx")
    assert not [f for f in findings if f.severity == "error"], [f.format() for f in findings]
    assert list(sheets[0].rows["region_code"]) == ["220100", "220200", "220300"]


# Labels as people vary them: spaces, brackets of either width, punctuation, 合计/小计/累计 before or after.
@pytest.mark.parametrize("label", ["全省（合计）", "全省(合计)", "合计（全省）", "湖南省（合计）", "全 省", "全省：", "省合计",
                                   "全省累计", "全省小计", "湖南省（含省本级）"])
def test_a_total_label_written_with_brackets_spaces_or_a_suffix_is_the_total_not_data(raw, tmp_path, capsys, label):
    write_monthly(raw / "m.xlsx", "2016-03", CITIES)  # rows 4–5, the total on row 6
    edit(raw / "m.xlsx", "Sheet1", A6=None, C6=label)
    out = tmp_path / "p"
    status, lines = _ingest(raw, out, capsys)
    assert status == 0 and not [line for line in lines if "warning" in line or "error" in line], lines
    df = pd.read_parquet(out / "monthly_issuance.parquet")
    assert list(df["region_code"]) == ["430100", "430200"] and df["cumulative_holders_10k"].sum() == pytest.approx(380.12)


@pytest.mark.parametrize("label", ["", "湖南省", "合计", "全省合计"])
def test_a_row_with_the_provinces_own_code_is_the_total_unless_it_says_provincial_level(raw, tmp_path, capsys, label):
    write_monthly(raw / "m.xlsx", "2016-03", CITIES)
    edit(raw / "m.xlsx", "Sheet1", A6=None, B6="430000", C6=label or None)
    out = tmp_path / "p"
    status, lines = _ingest(raw, out, capsys)
    assert status == 0, lines
    df = pd.read_parquet(out / "monthly_issuance.parquet")
    assert list(df["region_code"]) == ["430100", "430200"] and df["cumulative_holders_10k"].sum() == pytest.approx(380.12)


def test_the_provinces_code_with_a_blank_label_in_the_middle_is_refused(raw, tmp_path, capsys):
    # 430000 with no name between two cities: 省本级 or a total? Nobody can tell.
    write_monthly(raw / "m.xlsx", "2016-03", {"430100": 300.12, "": 12.5, "430200": 80.0})
    edit(raw / "m.xlsx", "Sheet1", B5="430000", C5=None)
    out = tmp_path / "p"
    status, lines = _ingest(raw, out, capsys)
    assert status == 1 and not out.exists()
    assert any("m.xlsx:Sheet1!C5: error read.total_row_ambiguous 合计行: （地区空白，代码 430000）行既不在表首也不在表尾" in line
               for line in lines), lines


def test_the_provinces_code_with_a_citys_name_is_refused_never_stored_as_either(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", CITIES)
    edit(raw / "m.xlsx", "Sheet1", B4="430000")  # 长沙市 with the province's code
    out = tmp_path / "p"
    status, lines = _ingest(raw, out, capsys)
    assert status == 1 and not out.exists()
    assert any("m.xlsx:Sheet1!B4: error read.total_row_ambiguous 合计行: 行政区划代码 430000 是省级代码，但地区写作“长沙市”"
               in line for line in lines), lines


def test_a_subtotal_alone_is_refused_not_taken_as_the_total(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", CITIES)
    edit(raw / "m.xlsx", "Sheet1", A6=None, C6="小计")
    out = tmp_path / "p"
    status, lines = _ingest(raw, out, capsys)
    assert status == 1 and not out.exists()
    assert any("m.xlsx:Sheet1!C6: error read.total_row_ambiguous 合计行: “小计”行是小计，不是合计" in line for line in lines), lines


def test_another_provinces_code_on_the_total_row_is_refused(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", CITIES)
    edit(raw / "m.xlsx", "Sheet1", A6=None, B6="420000", C6=None)
    out = tmp_path / "p"
    status, lines = _ingest(raw, out, capsys)
    assert status == 1 and not out.exists()
    assert any("m.xlsx:Sheet1!C6: error read.province_mismatch" in line for line in lines), lines
