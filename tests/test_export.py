"""Formula injection: every CSV and Excel file the project writes keeps hostile text as text."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from conftest import VALUES_SAMPLE, edit, write_monthly
from sbk.cli import main
from sbk.export import csv_bytes, neutralise
from sbk.findings import ERROR, Finding, findings_csv
from sbk.workbooks import read_workbook

HOSTILE = ["=HYPERLINK(\"http://example.invalid\",\"点此\")", "+1+1", "-2+3", "@SUM(1)", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_a_formula_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["长沙市", "备注：新增发卡城市2个", "", "a=b", 12.5, -3, None])
def test_ordinary_text_and_numbers_are_left_alone(value):
    assert neutralise(value) == value


def test_csv_cells_are_neutralised_but_numbers_stay_numbers():
    data = csv_bytes(["name", "value"], [[t, -1.5] for t in HOSTILE])
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[0] == ["name", "value"]
    assert [r[0] for r in rows[1:]] == ["'" + t for t in HOSTILE]
    assert {r[1] for r in rows[1:]} == {"-1.5"}


def test_findings_csv_neutralises_text_from_the_workbook_and_opens_in_excel():
    f = Finding("=cmd.xlsx", "@SUM(1)", "D5", ERROR, "无法读取单元格", "“三百” 不是数字")
    data = findings_csv([f])
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel opens UTF-8 Chinese correctly
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1][:3] == ["'=cmd.xlsx", "'@SUM(1)", "D5"]


def test_sbk_validate_csv_names_a_hostile_sheet_without_running_it(tmp_path, capsysbinary):
    p = write_monthly(tmp_path / "m.xlsx", "2015-03", VALUES_SAMPLE, total=None)
    edit(p, "Sheet1", D5="三百")
    wb = load_workbook(p)
    wb["Sheet1"].title = "@SUM(1)"
    wb.save(p)
    assert main(["validate", str(p), "--format", "csv"]) == 1
    out = capsysbinary.readouterr().out.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    hit = [r for r in rows if r["cell"] == "D5"]
    assert hit and hit[0]["sheet"] == "'@SUM(1)" and hit[0]["severity"] == "error"
    assert all(not v.startswith(("=", "+", "-", "@")) for r in rows for v in r.values())


def test_a_hostile_remark_in_a_written_workbook_is_text_not_a_formula(tmp_path: Path):
    remark = "=HYPERLINK(\"http://example.invalid\",\"备注\")"
    p = write_monthly(tmp_path / "m.xlsx", "2015-03", VALUES_SAMPLE, remark=remark)
    with zipfile.ZipFile(p) as zf:
        sheet_xml = zf.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml and b"<f " not in sheet_xml  # no formula anywhere in the file
    cell = next(c for row in load_workbook(p)["Sheet1"].iter_rows() for c in row if c.value == remark)
    assert cell.data_type == "s" and cell.quotePrefix  # shown as typed; Excel keeps it text when edited
    from python_calamine import CalamineWorkbook

    cells = CalamineWorkbook.from_path(str(p)).get_sheet_by_name("Sheet1").to_python()
    assert [remark] in [[v for v in row if v != ""] for row in cells]  # read back as the text it is
    _, findings = read_workbook(p)
    assert not [f for f in findings if f.code == "read.formula_without_value"]


def test_sbk_template_output_has_no_formula_cells(tmp_path: Path):
    out = tmp_path / "t.xlsx"
    assert main(["template", "--form", "monthly", "--province", "430000", "--period", "2016-06", "-o", str(out)]) == 0
    with zipfile.ZipFile(out) as zf:
        assert not any(b"<f>" in zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/"))
