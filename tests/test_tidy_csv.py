"""Tidy CSVs (a processed table's columns) are inputs like workbooks: same rules, same privacy check, added rows."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import VALUES_SAMPLE, write_monthly

from sbk.cli import main
from sbk.ingest import ingest
from sbk.template import new_workbook, save_workbook, write_sheet

FAKE_ID = "11010519491231002X"  # made up, with a valid check digit (as in test_privacy)
MONTHLY_HEADER = "period,province_code,region_code,region_name,cumulative_holders_10k\n"
# The sample workbook's rows (conftest.VALUES_SAMPLE) as a tidy CSV.
SAMPLE_ROWS = "{p},430000,430000,省本级,12.5\n{p},430000,430100,长沙市,300.12\n{p},430000,430200,株洲市,80.0\n"
Q1_HEADER = ("period,province_code,region_code,region_name,holders_total_10k,holders_urban_employees_10k,"
             "holders_residents_10k,holders_other_10k,terminals,service_items,service_channels,progress_note\n")


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))
    return path


def _codes(findings, code: str) -> set[tuple[str, str]]:
    return {(f.path.rsplit("/", 1)[-1], f.cell) for f in findings if f.code == code}


def test_a_tidy_csv_adds_rows_next_to_the_workbook_rows_of_its_table(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2016-05", VALUES_SAMPLE)
    _csv(raw / "june.csv", MONTHLY_HEADER + SAMPLE_ROWS.format(p="2016-06").replace("300.12", "301.00"))
    result = ingest(raw, tmp_path / "p")
    assert result.ok, [f.format() for f in result.findings]
    # No total row in a tidy table: the total rules do not apply to it, so no 合计行 warning either.
    assert [f.format() for f in result.findings] == []
    monthly = pd.read_parquet(tmp_path / "p" / "monthly_issuance.parquet")
    assert sorted(set(monthly["period"])) == ["2016-05", "2016-06"] and len(monthly) == 6
    june = monthly[monthly["period"] == "2016-06"].set_index("region_code")
    assert june.loc["430100", "cumulative_holders_10k"] == 301.0
    assert set(june["source_file"].str.rsplit("/", n=1).str[-1]) == {"june.csv"}
    assert sorted(june["source_row"]) == [2, 3, 4]
    filings = pd.read_parquet(tmp_path / "p" / "filings.parquet")
    assert list(filings["period"]) == ["2016-05", "2016-06"]


def test_a_negative_figure_or_a_code_outside_the_province_in_a_csv_gets_the_workbook_cells_code(raw, tmp_path):
    write_monthly(raw / "wb" / "m.xlsx", "2016-05", {"": 12.5, "430100": -1.0, "430200": 80.0})
    _csv(raw / "csv" / "m.csv", MONTHLY_HEADER + "2016-06,430000,430100,长沙市,-1\n2016-06,430000,420200,黄石市,3\n")
    result = ingest(raw, tmp_path / "p")
    code = "monthly.cumulative_holders_10k.non_negative"
    assert _codes(result.findings, code) == {("m.xlsx", "D5"), ("m.csv", "E2")}
    assert _codes(result.findings, "region.in_province") == {("m.csv", "C3")}
    assert not result.ok and not (tmp_path / "p").exists()


def _q1_row(items: str) -> dict:
    return {"region_code": "430100", "region_name": "长沙市", "holders_total_10k": 10.0,
            "holders_urban_employees_10k": 6.0, "holders_residents_10k": 4.0, "holders_other_10k": 0.0,
            "terminals": 5, "service_items": items, "service_channels": "1", "progress_note": "无"}


def test_an_option_out_of_range_in_a_csv_gets_the_same_code_as_in_a_workbook(raw, tmp_path):
    wb = new_workbook()
    write_sheet(wb, "q1", "湖南省", "2016Q1", [_q1_row("1，12")], total=None, title="Sheet1")
    save_workbook(wb, raw / "q1.xlsx")
    _csv(raw / "q1.csv", Q1_HEADER + "2016Q2,430000,430100,长沙市,10,6,4,0,5,\"1,12\",1,无\n")
    result = ingest(raw, tmp_path / "p")
    workbook = {(f.code, f.cell) for f in result.findings if f.path.endswith("q1.xlsx")}
    csv = {(f.code, f.cell) for f in result.findings if f.path.endswith("q1.csv")}
    assert ("read.cell_unreadable", "H5") in workbook and csv == {("read.cell_unreadable", "J2")}


def test_an_exported_table_with_lists_reads_back_as_the_same_options(raw, tmp_path):
    _csv(raw / "q1.csv", Q1_HEADER + "2016Q2,430000,430100,长沙市,10,6,4,0,5,\"[1, 2, 9]\",\"[1, 5]\",无\n"
         + "2016Q2,430000,430200,株洲市,10,6,4,0,5,\"[1, 12]\",[],无\n")
    result = ingest(raw, tmp_path / "p")
    assert _codes(result.findings, "read.cell_unreadable") == {("q1.csv", "J3")}
    assert {(f.code, f.cell) for f in result.findings if f.code.startswith("q1.service_items")} == {
        ("q1.service_items.other_explained", "J2")}


def test_the_same_filing_in_a_csv_and_a_workbook_is_a_duplicate_filing(raw, tmp_path):
    write_monthly(raw / "a.xlsx", "2016-06", VALUES_SAMPLE)
    _csv(raw / "b.csv", MONTHLY_HEADER + SAMPLE_ROWS.format(p="2016-06"))
    same = ingest(raw, tmp_path / "p", write=False)
    assert _codes(same.findings, "filing.duplicate_identical") == {("b.csv", "")} and same.ok
    _csv(raw / "b.csv", MONTHLY_HEADER + SAMPLE_ROWS.format(p="2016-06").replace("80.0", "81.0"))
    different = ingest(raw, tmp_path / "p", write=False)
    dup = [f for f in different.findings if f.code == "filing.duplicate_different"]
    assert [(f.path.rsplit("/", 1)[-1], f.cell) for f in dup] == [("b.csv", "")] and not different.ok
    assert "a.xlsx" in dup[0].message and "湖南省（430000）" in dup[0].message


def test_the_same_filing_in_two_csvs_is_a_duplicate_filing(raw, tmp_path, capsys):
    _csv(raw / "a.csv", MONTHLY_HEADER + SAMPLE_ROWS.format(p="2016-06"))
    _csv(raw / "b.csv", MONTHLY_HEADER + SAMPLE_ROWS.format(p="2016-06").replace("12.5", "13.5"))
    assert main(["ingest", str(raw), "--out", str(tmp_path / "p")]) == 1
    out = capsys.readouterr().out
    assert "b.csv: error filing.duplicate_different" in out and not (tmp_path / "p").exists()


def test_a_tidy_csv_with_an_id_number_is_refused_and_the_number_never_shown(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-05", VALUES_SAMPLE)
    _csv(raw / "m.csv", MONTHLY_HEADER + SAMPLE_ROWS.format(p="2016-06").replace("株洲市", f"株洲市 {FAKE_ID}"))
    for fmt in ("text", "json", "csv"):
        assert main(["ingest", str(raw), "--out", str(tmp_path / "p"), "--format", fmt]) == 1
        out, err = capsys.readouterr()
        assert FAKE_ID not in out + err and "privacy.personal_data" in out
    result = ingest(raw, tmp_path / "p")
    assert _codes(result.findings, "privacy.personal_data") == {("m.csv", "D4")}
    # The file is refused whole: none of its rows was read, so no other finding comes from it.
    assert {f.code for f in result.findings if f.path.endswith("m.csv")} == {"privacy.personal_data"}
    assert not (tmp_path / "p").exists()


def test_a_csv_finding_names_file_and_cell_like_a_spreadsheet(raw, tmp_path, capsys):
    _csv(raw / "m.csv", MONTHLY_HEADER + "2016-06,430000,430100,长沙市,-1\n")
    assert main(["validate", str(raw)]) == 1
    line = next(x for x in capsys.readouterr().out.splitlines() if "non_negative" in x)
    assert line.startswith(f"{(raw / 'm.csv').as_posix()}:E2: error monthly.cumulative_holders_10k.non_negative")
    assert "长沙市（430100）：" in line


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_a_tidy_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(raw, tmp_path, encoding):
    _csv(raw / "m.csv", MONTHLY_HEADER + SAMPLE_ROWS.format(p="2016-06"), encoding)
    result = ingest(raw, tmp_path / "p")
    assert result.ok, [f.format() for f in result.findings]
    monthly = pd.read_parquet(tmp_path / "p" / "monthly_issuance.parquet")
    assert list(monthly["region_name"]) == ["省本级", "长沙市", "株洲市"]


def test_a_csv_in_neither_encoding_is_a_finding(raw, tmp_path):
    _csv(raw / "m.csv", MONTHLY_HEADER).write_bytes(MONTHLY_HEADER.encode() + b"2016-06,430000,430100,\xff\xfe\x80,1\n")
    result = ingest(raw, tmp_path / "p")
    assert _codes(result.findings, "read.csv_encoding") == {("m.csv", "")} and not result.ok


def test_a_csv_meant_as_a_table_but_missing_a_column_is_refused_naming_it(raw, tmp_path):
    _csv(raw / "m.csv", "period,province_code,region_code,cumulative_holders_10k\n2016-06,430000,430100,1\n")
    result = ingest(raw, tmp_path / "p")
    missing = [f for f in result.findings if f.code == "read.columns_missing"]
    assert [f.cell for f in missing] == ["1"] and "region_name" in missing[0].message and not result.ok


def test_a_row_whose_period_cannot_be_read_is_a_finding_not_dropped(raw, tmp_path):
    _csv(raw / "m.csv", MONTHLY_HEADER + "2016-13,430000,430100,长沙市,1\n2016Q2,430000,430100,长沙市,1\n"
         + ",430000,430100,长沙市,1\n2016-06,,430100,长沙市,1\n")
    result = ingest(raw, tmp_path / "p")
    assert _codes(result.findings, "period.monthly") == {("m.csv", "A2"), ("m.csv", "A3"), ("m.csv", "A4")}
    assert _codes(result.findings, "province.valid") == {("m.csv", "B5")} and not result.ok


def test_reference_csvs_get_their_schema_check(raw, tmp_path):
    _csv(raw / "region_population_x.csv", "province_code,region_code,region_name,year_end,population_10k,source\n"
         "430000,430100,长沙市,2014,743.0,x\n430000,4301,株洲市,2014,很多,x\n")
    # A plan target may be qualitative (no value, no unit), but a value written must be a number.
    _csv(raw / "targets.csv", "target_year,measure,value,unit,scope,document,source_url,quote\n"
         "2025,yikatong,,,全国,某通知,http://x.invalid/a,基本实现一卡通\n2020,holders,约10,亿人,全国,某规划,http://x.invalid/b,10亿\n")
    result = ingest(raw, tmp_path / "p")
    got = {(f.path.rsplit("/", 1)[-1], f.cell, f.message) for f in result.findings if f.code == "table.column_type"}
    assert got == {("region_population_x.csv", "B3", "region_code：格式不符，实为 “4301”"),
                   ("region_population_x.csv", "E3", "population_10k：不是数字，实为 “很多”"),
                   ("targets.csv", "C3", "value：不是数字，实为 “约10”")}
    assert not result.ok


def test_a_decreasing_cumulative_figure_names_the_region(raw, tmp_path):
    for period, value in (("2016-05", 50.0), ("2016-06", 49.0)):
        wb = new_workbook()
        rows = [{"seq": 1, "region_code": "420100", "region_name": "武汉市", "cumulative_holders_10k": 100.0},
                {"seq": 2, "region_code": "420200", "region_name": "黄石市", "cumulative_holders_10k": value}]
        write_sheet(wb, "monthly", "湖北省", period, rows, total={"cumulative_holders_10k": 100.0 + value},
                    title="Sheet1")
        save_workbook(wb, raw / f"{period}.xlsx")
    result = ingest(raw, tmp_path / "p")
    falling = [f for f in result.findings if f.code == "monthly.cumulative_holders_10k.not_falling"]
    assert [(f.path.rsplit("/", 1)[-1], f.cell) for f in falling] == [("2016-06.xlsx", "D5")]
    assert falling[0].message == "黄石市（420200）：累计持卡人数 49.00 低于上期 50.00（2016-05）"


def test_a_total_that_does_not_add_up_names_the_province(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2016-06", VALUES_SAMPLE, total=1.0)
    result = ingest(raw, tmp_path / "p")
    total = [f for f in result.findings if f.code == "monthly.total_equals_sum"]
    assert [f.cell for f in total] == ["D7"] and total[0].message.startswith("湖南省（430000）：")


@pytest.mark.parametrize(("text", "cell"), [
    (MONTHLY_HEADER + "2016-06,430000,430100,长沙市,1,999\n", "2"),  # one field too many: never shifted silently
    ("period,period,region_code,region_name,cumulative_holders_10k\n2016-06,430000,430100,长沙市,1\n", "1"),
    ("", ""),
])
def test_a_csv_whose_rows_do_not_fit_its_header_is_a_finding(raw, tmp_path, text, cell):
    _csv(raw / "m.csv", text)
    result = ingest(raw, tmp_path / "p")
    assert _codes(result.findings, "published.unreadable_csv") == {("m.csv", cell)} and not result.ok


def test_a_receipts_csv_with_a_mobile_number_is_refused(raw, tmp_path):
    _csv(raw / "receipts_x.csv", "form,period,province,received_on,channel\n"
         "monthly,2016-01,430000,2016-02-01,电话 138-1234-5678\nmonthly,2016-02,430000,2016-03-01,13812345678\n")
    result = ingest(raw, tmp_path / "p")
    assert ("receipts_x.csv", "E3") in _codes(result.findings, "privacy.personal_data") and not result.ok
    assert all("13812345678" not in f.format() for f in result.findings)


def test_processed_tables_exported_to_csv_read_back_to_the_same_values(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2016-06", VALUES_SAMPLE)
    wb = new_workbook()
    write_sheet(wb, "q1", "湖南省", "2016Q2", [_q1_row("1，2，9其他：开通短信提醒")], total=None, title="q1")
    write_sheet(wb, "q4", "湖南省", "2016Q2", [
        {"seq": 1, "bank_name": "中国工商银行", "fin_holders_10k": 8.5, "fin_activated_10k": 5.25,
         "partner_city_count": 2, "partner_cities": "长沙市，株洲市", "other_fin_holders_10k": 0.0, "note": ""}],
        total={"fin_holders_10k": 8.5, "fin_activated_10k": 5.25, "other_fin_holders_10k": 0.0}, title="q4")
    save_workbook(wb, raw / "q.xlsx")
    assert ingest(raw, tmp_path / "p").ok
    tables = ["monthly_issuance", "quarterly_work", "quarterly_bank"]
    exported = tmp_path / "exported"
    exported.mkdir()
    for t in tables:
        pd.read_parquet(tmp_path / "p" / f"{t}.parquet").to_csv(exported / f"{t}.csv", index=False)
    again = ingest(exported, tmp_path / "p2")
    assert again.ok, [f.format() for f in again.findings]
    for t in tables:
        first, second = (pd.read_parquet(d / f"{t}.parquet").drop(columns=["source_file", "source_sheet", "source_row"])
                         for d in (tmp_path / "p", tmp_path / "p2"))
        assert first.astype(str).equals(second[first.columns].astype(str)), t


@pytest.mark.parametrize("label", ["合计", "全省", "湖南省", "湖南"])
def test_a_total_row_in_a_tidy_csv_is_refused_not_counted_as_a_region(raw, tmp_path, label):
    _csv(raw / "m.csv", MONTHLY_HEADER + SAMPLE_ROWS.format(p="2016-06") + f"2016-06,430000,430000,{label},392.62\n")
    result = ingest(raw, tmp_path / "p")
    assert _codes(result.findings, "read.tidy_total_row") == {("m.csv", "D5")} and not result.ok


@pytest.mark.parametrize("label, cell", [("全省(合计)", "D5"), ("合计（全省）", "D5"), ("湖南省（合计）", "D5"), ("全 省", "D5"),
                                         ("", "C5")])
def test_a_total_written_loosely_or_the_provinces_code_unnamed_in_a_tidy_csv_is_refused(raw, tmp_path, capsys, label, cell):
    # 430000 is 省本级 in a tidy table only when the row says so; otherwise it would count the province twice.
    _csv(raw / "m.csv", MONTHLY_HEADER + SAMPLE_ROWS.format(p="2016-06") + f"2016-06,430000,430000,{label},392.62\n")
    out = tmp_path / "p"
    assert main(["ingest", str(raw), "--out", str(out)]) == 1 and not out.exists()
    assert f"m.csv:{cell}: error read.tidy_total_row" in capsys.readouterr().out
