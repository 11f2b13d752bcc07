"""Ingest: workbooks as provinces file them, findings that point at the cell, safe output."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import edit, write_monthly

from sbk.analysis.common import load
from sbk.cli import main
from sbk.ingest import ingest
from sbk.template import new_workbook, save_workbook, write_sheet
from sbk.workbooks import parse_header, read_workbook, recognise_form

VALUES = {"": 12.5, "430100": 300.12, "430200": 80.0}


def _lines(findings) -> list[str]:
    return [f.format() for f in findings]


def _tree_digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*"))} if folder.exists() else {}


# --- reading what provinces send -------------------------------------------------------


def test_a_clean_monthly_form_becomes_tidy_rows(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES)
    out = tmp_path / "processed"
    result = ingest(raw, out)
    assert result.ok and not result.findings, _lines(result.findings)
    df = pd.read_parquet(out / "monthly_issuance.parquet")
    assert list(df["region_code"]) == ["430000", "430100", "430200"]  # blank 省本级 code → province code
    assert list(df["cumulative_holders_10k"]) == [12.5, 300.12, 80.0]
    assert set(df["period"]) == {"2015-03"} and list(df["source_row"]) == [4, 5, 6]
    assert "合计" not in set(df["region_name"])


@pytest.mark.parametrize("text, value", [("1,234.56", 1234.56), ("１２３．４５", 123.45), ("80.00  ", 80.0),
                                         ("80万人", 80.0), (" 80 ", 80.0)])
def test_numbers_stored_as_text_are_read(raw, tmp_path, text, value):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, total=None)
    edit(raw / "m.xlsx", "Sheet1", D6=text)
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not [f for f in findings if f.severity == "error"]
    assert sheets[0].rows["cumulative_holders_10k"].iloc[2] == value


def test_unreadable_number_points_at_its_cell(raw):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, total=None)
    edit(raw / "m.xlsx", "Sheet1", D5="三百")
    _, findings = read_workbook(raw / "m.xlsx", "m.xlsx")
    assert "m.xlsx:Sheet1!D5: error read.cell_unreadable 无法读取单元格: “三百” 不是数字" in _lines(findings)


@pytest.mark.parametrize("line, period", [
    ("填报单位：湖南省人力资源和社会保障厅    2015 年 3 月", "2015-03"),
    ("填报单位：湖南省人社厅 2015年3月", "2015-03"),
    ("填报单位：湖南省 ２０１５年３月", "2015-03"),
])
def test_header_line_as_people_fill_it(raw, line, period):
    write_monthly(raw / "m.xlsx", period, VALUES, header=[line])
    sheets, _ = read_workbook(raw / "m.xlsx")
    assert sheets[0].period == period and sheets[0].province_code == "430000"


@pytest.mark.parametrize("text, period", [("2015年 第1季度", "2015Q1"), ("2015年第一季度", "2015Q1"),
                                          ("2016 年 第 4 季度", "2016Q4")])
def test_quarter_written_in_words_or_digits(text, period):
    assert parse_header(text, "q1") == period


def test_form_is_recognised_from_the_title_not_the_file_name(raw):
    wb = new_workbook()
    write_sheet(wb, "q3", "湖南省", "2015Q1", [{"region_code": "430000", "region_name": "全省", "stage": "④",
                                                "data_preparation": "x", "system_integration": "y", "next_quarter_plan": "z"}],
                title="Sheet3")
    save_workbook(wb, raw / "monthly_report.xlsx")
    sheets, findings = read_workbook(raw / "monthly_report.xlsx")
    assert [s.form for s in sheets] == ["q3"] and sheets[0].rows["stage"].iloc[0] == 4
    assert recognise_form([["社会保障卡工作情况季调度表（二）"]]) == ("q2", 0)


def test_short_region_names_and_empty_trailing_rows_and_columns(raw):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, total=None)
    edit(raw / "m.xlsx", "Sheet1", C5="长沙", F40="", A60=None)
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not findings and list(sheets[0].rows["region_name"]) == ["省本级", "长沙", "株洲市"]


def test_remark_row_lists_new_issuing_cities(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, remark="备注：新增发卡城市2个，即张家界市、湘西州")
    out = tmp_path / "p"
    assert ingest(raw, out).ok
    f = load(out, "filings")
    assert f["new_issuing_cities"].iloc[0] == ["张家界市", "湘西州"] and f["new_issuing_cities_count"].iloc[0] == 2


def test_remark_count_must_match_the_names(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, remark="备注：新增发卡城市3个，即张家界市、湘西州")
    result = ingest(raw, tmp_path / "p")
    assert any(f.code == "monthly.new_cities_count" and f.cell == "A8" and f.severity == "error" for f in result.findings)


def test_contact_names_and_phone_numbers_never_reach_processed_data(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, footer={"填报人": "王某某", "联系电话": "0731-84899999", "负责人签名": "李某"})
    out = tmp_path / "p"
    assert ingest(raw, out).ok
    for p in out.iterdir():
        data = p.read_bytes()
        for secret in ("王某某", "84899999", "李某"):
            assert secret.encode() not in data, (p.name, secret)


def test_a_workbook_with_several_forms_one_per_sheet(raw):
    from sbk.demo import (  # the demo writes all four quarterly forms in one file
        _Model,
        _quarterly,
    )

    _quarterly(_Model(), "2015Q1", raw / "q.xlsx")
    sheets, findings = read_workbook(raw / "q.xlsx")
    assert [s.form for s in sheets] == ["q1", "q2", "q3", "q4"]
    assert not [f for f in findings if f.severity == "error"]
    q1 = sheets[0].rows
    assert q1["holders_other_10k"].notna().all() and (q1["other_groups_note"] == "离退休及其他人员").any()


# --- validation that people can act on ----------------------------------------------------


def test_total_row_that_is_not_the_sum_points_at_the_total_cell(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, total=1234.56)
    result = ingest(raw, tmp_path / "p")
    line = next(f for f in result.findings if f.code == "monthly.total_equals_sum")
    assert line.cell == "D7" and line.message == "湖南省（430000）：累计持卡人数 合计 1234.56 ≠ 392.62"


def test_a_region_filed_twice_in_one_form(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, total=None)
    edit(raw / "m.xlsx", "Sheet1", B6="430100", C6="长沙市")
    result = ingest(raw, tmp_path / "p")
    assert any(f.code == "monthly.duplicate_row" and f.cell == "B6" for f in result.findings)


def test_cumulative_figure_falling_between_months_points_at_the_later_cell(raw, tmp_path):
    write_monthly(raw / "2015-03.xlsx", "2015-03", VALUES)
    write_monthly(raw / "2015-04.xlsx", "2015-04", {"": 12.6, "430100": 299.0, "430200": 81.0})
    result = ingest(raw, tmp_path / "p")
    hit = next(f for f in result.findings if f.code == "monthly.cumulative_holders_10k.not_falling")
    assert hit.path.endswith("2015-04.xlsx") and hit.cell == "D5" and "300.12（2015-03）" in hit.message


def test_the_same_period_filed_twice_with_different_numbers_is_an_error_naming_both(raw, tmp_path):
    write_monthly(raw / "a.xlsx", "2015-03", VALUES)
    write_monthly(raw / "b.xlsx", "2015-03", {**VALUES, "430200": 81.0})
    result = ingest(raw, tmp_path / "p")
    hit = next(f for f in result.findings if f.code == "filing.duplicate_different")
    assert hit.severity == "error" and hit.path.endswith("b.xlsx") and "a.xlsx" in hit.message


def test_the_same_period_filed_twice_identically_is_a_warning(raw, tmp_path):
    write_monthly(raw / "a.xlsx", "2015-03", VALUES)
    write_monthly(raw / "b.xlsx", "2015-03", VALUES)
    result = ingest(raw, tmp_path / "p")
    assert result.ok and [f.code for f in result.findings] == ["filing.duplicate_identical"]
    assert len(pd.read_parquet(tmp_path / "p" / "monthly_issuance.parquet")) == 3


def _quarter_files(raw: Path, q1_total_shift: float = 0.0, bank_scale: float = 1.0) -> None:
    from sbk import demo

    model = demo._Model()
    demo._quarterly(model, "2015Q1", raw / "q.xlsx")
    demo._monthly(model, "2015-03", raw / "m.xlsx")
    if q1_total_shift or bank_scale != 1.0:
        from openpyxl import load_workbook

        wb = load_workbook(raw / "q.xlsx")
        if q1_total_shift:
            ws = wb["工作情况季调度表（一）"]
            for row in ws.iter_rows(min_row=5):
                if row[1].value == "全省":
                    row[2].value = round(row[2].value + q1_total_shift, 2)
                    row[4].value = round(row[4].value + q1_total_shift, 2)
        if bank_scale != 1.0:
            ws = wb["工作情况季调度表（四）"]
            for row in ws.iter_rows(min_row=5):
                if isinstance(row[2].value, float):
                    row[2].value = round(row[2].value * bank_scale, 2)
                    row[3].value = round(row[3].value * 0.1, 2)
        wb.save(raw / "q.xlsx")


def test_q1_total_against_the_monthly_form_of_the_quarters_last_month(raw, tmp_path):
    _quarter_files(raw, q1_total_shift=10.0)
    result = ingest(raw, tmp_path / "p")
    hits = [f for f in result.findings if f.code == "cross.q1_total_equals_monthly"]
    assert hits and hits[0].severity == "warning" and hits[0].cell.startswith("C")


def test_bank_totals_cannot_exceed_q1_holders(raw, tmp_path):
    _quarter_files(raw, bank_scale=2.0)
    result = ingest(raw, tmp_path / "p")
    hits = [f for f in result.findings if f.code == "cross.q4_banks_le_q1_holders"]
    assert hits and hits[0].severity == "error"


def test_consistent_quarter_passes_the_cross_form_checks(raw, tmp_path):
    _quarter_files(raw)
    result = ingest(raw, tmp_path / "p")
    assert result.ok and not result.findings, _lines(result.findings)


# --- broken files and safe output ------------------------------------------------------------


def _broken(raw: Path, kind: str) -> Path:
    p = raw / ("old.xls" if kind == "xls" else "broken.xlsx")
    if kind == "text":
        p.write_text("not a workbook", encoding="utf-8")
    elif kind == "truncated":
        write_monthly(p, "2015-03", VALUES)
        p.write_bytes(p.read_bytes()[:300])
    elif kind == "encrypted":
        p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    elif kind == "xls":
        p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    elif kind == "bomb":
        with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("xl/big.xml", b"0" * (50 * 1024 * 1024))
    return p


@pytest.mark.parametrize("kind", ["text", "truncated", "encrypted", "xls", "bomb"])
def test_a_file_that_cannot_be_opened_is_a_finding_and_nothing_changes(raw, tmp_path, kind, capsys):
    out = tmp_path / "processed"
    write_monthly(raw / "good.xlsx", "2015-03", VALUES)
    assert main(["ingest", str(raw), "--out", str(out)]) == 0
    before = _tree_digest(out)
    bad = _broken(raw, kind)
    capsys.readouterr()
    assert main(["ingest", str(raw), "--out", str(out)]) == 1
    text = capsys.readouterr()
    assert bad.name in text.out and "error" in text.out and "Traceback" not in text.err
    assert _tree_digest(out) == before


def test_a_remark_naming_a_city_outside_the_province_is_flagged(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, remark="备注：新增发卡城市__个，即<b>湘江新区</b>")
    result = ingest(raw, tmp_path / "p")
    hits = [f for f in result.findings if f.code == "monthly.new_cities_known" and f.cell == "A8"]
    assert hits and "不属于 430000" in hits[0].message, _lines(result.findings)


def _with_cached_value(path: Path, value: str) -> None:
    """Give every formula in the workbook a cached result, as Excel does when it saves."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    for name, data in members.items():
        if name.startswith("xl/worksheets/"):
            members[name] = re.sub(rb"(<f>[^<]*</f>)(<v\s*/>|<v></v>)?", rb"\1<v>" + value.encode() + rb"</v>", data)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_a_formula_without_a_saved_result_is_named_not_evaluated(raw):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, total=None)
    edit(raw / "m.xlsx", "Sheet1", D6="=300+0.12")  # openpyxl saves formulas without a result, as some tools do
    sheets, findings = read_workbook(raw / "m.xlsx", "m.xlsx")
    hits = [f for f in findings if f.code == "read.formula_without_value"]
    assert [(f.sheet, f.cell, f.severity) for f in hits] == [("Sheet1", "D6", "error")]
    assert "=300+0.12" in hits[0].message and "重新计算并保存" in hits[0].message
    assert pd.isna(sheets[0].rows["cumulative_holders_10k"].iloc[2])  # never computed by us


def test_a_formula_with_a_saved_result_reads_the_saved_result(raw):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES, total=None)
    edit(raw / "m.xlsx", "Sheet1", D6="=1+1")
    _with_cached_value(raw / "m.xlsx", "80")  # the saved result deliberately differs from the formula's arithmetic
    sheets, findings = read_workbook(raw / "m.xlsx", "m.xlsx")
    assert not [f for f in findings if f.code == "read.formula_without_value"], _lines(findings)
    assert sheets[0].rows["cumulative_holders_10k"].iloc[2] == 80.0


def test_raw_folder_is_never_written(raw, tmp_path):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES)
    before = _tree_digest(raw)
    ingest(raw, tmp_path / "p")
    assert _tree_digest(raw) == before


def test_rerun_is_up_to_date_and_outputs_are_byte_identical(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES)
    out1, out2 = tmp_path / "p1", tmp_path / "p2"
    assert main(["ingest", str(raw), "--out", str(out1)]) == 0
    capsys.readouterr()
    assert main(["ingest", str(raw), "--out", str(out1)]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["ingest", str(raw), "--out", str(out2)]) == 0
    a, b = _tree_digest(out1), _tree_digest(out2)
    assert a.pop("datapackage.json") and b.pop("datapackage.json")  # it names its own folder's files only
    assert a == b


def test_every_file_read_or_refused_has_the_sha256_of_its_bytes_whoever_hashed_it(raw):
    # The readers hash the bytes they read; a file refused before it is read (an .et, a damaged zip) is hashed as it
    # is. Either way the hash is the file's own, as the up-to-date check hashes it before reading.
    from sbk.ingest import _hashed, read_all
    from sbk.workbooks import discover

    write_monthly(raw / "m.xlsx", "2015-03", VALUES)
    (raw / "wps.et").write_bytes(b"WPS table")
    (raw / "broken.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    (raw / "notes.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    found = discover(raw)
    _, _, shas, _, _ = read_all(raw, found=found, jobs=1)
    expected, _ = _hashed(found)
    assert shas == expected and len(shas) == 4
    assert shas[next(n for p, n in found.names.items() if p.name == "m.xlsx")] == \
        hashlib.sha256((raw / "m.xlsx").read_bytes()).hexdigest()


def test_warnings_only_exit_0_and_json_gives_the_same_findings(raw, capsys):
    write_monthly(raw / "m.xlsx", "2015-03", {"": 12.5, "430100": 300.123, "430200": 80.0}, total=392.62)
    assert main(["validate", str(raw)]) == 0
    text = capsys.readouterr().out.strip().splitlines()
    assert main(["validate", "--format", "json", str(raw)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data) == len(text) == 1 and data[0]["cell"] == "D5" and data[0]["severity"] == "warning"


def test_validate_writes_nothing(raw, tmp_path, monkeypatch):
    write_monthly(raw / "m.xlsx", "2015-03", VALUES)
    monkeypatch.chdir(tmp_path)
    assert main(["validate", str(raw)]) == 0
    assert not (tmp_path / "data").exists()


# --- the template ----------------------------------------------------------------------------


def test_a_filled_template_ingests(tmp_path):
    raw = tmp_path / "raw"
    path = raw / "t.xlsx"
    assert main(["template", "--form", "monthly", "--province", "430000", "--period", "2015-03", "-o", str(path)]) == 0
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    assert ws["A1"].value == "社会保障卡发行情况月调度表" and "湖南省" in ws["A2"].value and "2015 年 3 月" in ws["A2"].value
    names = [ws.cell(row=r, column=3).value for r in range(4, 19)]
    assert names[0] == "省本级" and names[1] == "长沙市" and names[-1] == "湘西土家族苗族自治州"
    total = 0.0
    for r in range(4, 19):
        ws.cell(row=r, column=4).value = 10.0 + r
        total += 10.0 + r
    ws.cell(row=19, column=4).value = total
    wb.save(path)
    result = ingest(raw, tmp_path / "p")
    assert result.ok and not result.findings, _lines(result.findings)
    assert len(pd.read_parquet(tmp_path / "p" / "monthly_issuance.parquet")) == 15


def test_template_refuses_a_period_of_the_wrong_kind(tmp_path):
    assert main(["template", "--form", "q1", "--province", "430000", "--period", "2015-03", "-o", str(tmp_path / "x.xlsx")]) == 2


# --- the embedded data ---------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def test_embedded_data_ingests_without_errors_and_is_labelled_synthetic(tmp_path):
    result = ingest(ROOT / "data" / "raw", tmp_path / "p")
    assert result.ok, _lines([f for f in result.findings if f.severity == "error"])
    assert not result.findings, _lines(result.findings)
    dp = json.loads((tmp_path / "p" / "datapackage.json").read_text(encoding="utf-8"))
    assert dp["synthetic"] is True and "NOT official statistics" in dp["description"]
    demo = [s for s in dp["sources"] if "/demo/" in s["path"] and s["path"].endswith(".xlsx")]
    assert demo and all(s["synthetic"] and "synthetic" in s["path"] for s in demo)
    published = [s for s in dp["sources"] if "/published/" in s["path"]]
    assert published and not any(s["synthetic"] for s in published)
    fields = {r["name"]: r for r in dp["resources"]}
    holders = next(f for f in fields["monthly_issuance"]["schema"]["fields"] if f["name"] == "cumulative_holders_10k")
    assert holders == {"name": "cumulative_holders_10k", "type": "number", "title": "累计持卡人数", "unit": "万人"}
    f = pd.read_parquet(tmp_path / "p" / "filings.parquet")
    hunan = f[f["province_code"] == "430000"]
    assert f["synthetic"].all() and len(hunan) == 22 + 4 * 8  # 2016-11 is deliberately missing
    # The other 30 provinces: 12 monthly and 16 quarterly forms each in 2016, less the three never filed.
    assert len(f) - len(hunan) == 30 * (12 + 16) - 3 and f["province_code"].nunique() == 31


def test_published_figures_keep_their_sources(tmp_path):
    result = ingest(ROOT / "data" / "raw" / "published", tmp_path / "p")
    assert result.ok
    pf = pd.read_parquet(tmp_path / "p" / "published_figures.parquet")
    assert {"source", "source_url", "quote", "reliability"} <= set(pf.columns)
    row = pf[(pf["date"] == dt.date(2015, 12, 31)) & (pf["measure"] == "holders")].iloc[0]
    assert row["value"] == 8.84 and row["value_10k"] == 88400 and row["source"] == "www.gov.cn"
    assert pf.loc[pf["note"].str.contains("lower bound"), "lower_bound"].all()
    pop = pd.read_parquet(tmp_path / "p" / "population.parquet")
    derived = pop[pop["derived"]]
    assert set(derived["year_end"]) == {2010, 2012, 2014, 2020}
    assert pop.loc[pop["year_end"] == 2014, "population_10k"].item() == 136782


def test_demo_generation_is_deterministic(tmp_path):
    from sbk.demo import generate

    a = generate(tmp_path / "a")
    b = generate(tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    committed = ROOT / "data" / "raw" / "demo" / a[0].name
    assert committed.read_bytes() == a[0].read_bytes()
