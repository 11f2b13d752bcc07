"""Reading what offices send: every format, every file accounted for, reading bounded before any grid is built.

The office-suite files under ``tests/fixtures/office/`` were written by LibreOffice from workbooks made with the
test helpers (``make office-fixtures`` regenerates them), so these tests read what a real office suite writes.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import VALUES_SAMPLE, write_monthly
from openpyxl import load_workbook

from sbk.analysis.common import load
from sbk.cli import main
from sbk.ingest import ingest
from sbk.privacy import scan_paths
from sbk.workbooks import LIMITS, discover, read_workbook

OFFICE = Path(__file__).parent / "fixtures" / "office"
FAKE_ID = "11010519491231002X"  # made up, valid check digit


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*"))} if folder.exists() else {}


def _codes(findings) -> list[tuple[str, str, str, str]]:
    return sorted((Path(f.path).name, f.sheet, f.cell, f.code) for f in findings)


def _monthly_rows(out: Path) -> pd.DataFrame:
    df = pd.read_parquet(out / "monthly_issuance.parquet")
    return df.drop(columns=["source_file", "source_sheet"])


def _copy(name: str, raw: Path, as_name: str | None = None) -> Path:
    raw.mkdir(parents=True, exist_ok=True)
    return Path(shutil.copy(OFFICE / name, raw / (as_name or name)))


# --- formats --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["official.xls", "official.ods", "official.csv", "libreoffice.xlsx"])
def test_xls_and_ods_written_by_libreoffice_ingest_to_the_same_rows_as_the_xlsx(tmp_path, name):
    _copy("official.xlsx", tmp_path / "a")
    _copy(name, tmp_path / "b")
    first, second = ingest(tmp_path / "a", tmp_path / "pa"), ingest(tmp_path / "b", tmp_path / "pb")
    assert first.ok and second.ok and not second.findings, [f.format() for f in second.findings]
    pd.testing.assert_frame_equal(_monthly_rows(tmp_path / "pa"), _monthly_rows(tmp_path / "pb"))
    filings = load(tmp_path / "pb", "filings")
    assert filings["new_issuing_cities"].iloc[0] == ["株洲市"]  # the merged 备注 row read too


def test_an_old_xls_is_read_not_mistaken_for_an_encrypted_file(tmp_path, capsys):
    _copy("official.xls", tmp_path / "raw")
    assert main(["validate", str(tmp_path / "raw")]) == 0
    assert "1 forms checked: 0 error(s), 0 warning(s)" in capsys.readouterr().err


def test_an_xlsm_is_read_for_its_values_and_its_macros_are_never_run(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    with zipfile.ZipFile(OFFICE / "official.xlsx") as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
    members["xl/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 not a real VBA project: never opened"
    with zipfile.ZipFile(raw / "m.xlsm", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    sheets, findings = read_workbook(raw / "m.xlsm")
    assert not findings and sheets[0].rows["cumulative_holders_10k"].tolist() == [12.5, 300.12, 80.0]


@pytest.mark.parametrize("name", ["月报.et", "月报.ett", "月报.wps", "模板.xltx"])
def test_a_wps_or_template_file_is_refused_with_advice_to_resave_as_xlsx(tmp_path, capsys, name):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _copy("official.xlsx", raw, name)
    assert main(["ingest", str(raw), "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert f"{name}: error read.resave_needed" in text and "另存为 Excel 工作簿（.xlsx）" in text
    assert not out.exists()


def test_an_encrypted_workbook_is_refused_with_advice_to_remove_the_password(tmp_path, capsys):
    _copy("encrypted.xlsx", tmp_path / "raw")
    assert main(["validate", str(tmp_path / "raw")]) == 1
    out = capsys.readouterr().out
    assert "encrypted.xlsx: error read.encrypted" in out and "去掉密码" in out
    assert main(["scan", str(tmp_path / "raw")]) == 1  # cannot be looked into: an error, not "no personal data"
    assert "error privacy.unscannable" in capsys.readouterr().out


def test_a_web_page_saved_as_xls_is_refused_with_advice_to_resave(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "导出.xls").write_text("<html><table><tr><td>社会保障卡发行情况月调度表</td></tr></table></html>", encoding="utf-8")
    result = ingest(raw, tmp_path / "out")
    assert _codes(result.findings) == [("导出.xls", "", "", "read.not_a_workbook")]
    assert "另存为 Excel 工作簿（.xlsx）" in result.findings[0].message and not (tmp_path / "out").exists()


# --- CSV in the official layout --------------------------------------------------------------------------


def _official_csv(path: Path, encoding: str) -> Path:
    """The official workbook exported to CSV as Excel does ('Save as CSV'): the sheet's rows, cell by cell."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(OFFICE / "official.xlsx")).get_sheet_by_name("Sheet1").to_python()
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(
        [["" if v == "" else (int(v) if isinstance(v, float) and v.is_integer() else v) for v in r] for r in rows])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_an_official_layout_csv_is_read_like_the_workbook_in_utf8_or_gb18030(tmp_path, encoding):
    _copy("official.xlsx", tmp_path / "a")
    _official_csv(tmp_path / "b" / "湖南_2015-03.csv", encoding)
    assert ingest(tmp_path / "a", tmp_path / "pa").ok
    result = ingest(tmp_path / "b", tmp_path / "pb")
    assert result.ok and not result.findings, [f.format() for f in result.findings]
    pd.testing.assert_frame_equal(_monthly_rows(tmp_path / "pa"), _monthly_rows(tmp_path / "pb"))
    assert set(pd.read_parquet(tmp_path / "pb" / "monthly_issuance.parquet")["source_sheet"]) == {"湖南_2015-03"}


def test_a_csv_in_neither_utf8_nor_gb18030_is_refused_naming_the_encodings(tmp_path, capsys):
    path = _official_csv(tmp_path / "raw" / "m.csv", "utf-16")  # Excel's "Unicode text" export
    assert main(["ingest", str(path.parent), "--out", str(tmp_path / "out")]) == 1
    out = capsys.readouterr().out
    assert "m.csv: error read.csv_encoding" in out and "UTF-8" in out and "GB18030" in out
    assert not (tmp_path / "out").exists()


def test_a_csv_is_tried_as_a_form_then_as_published_figures_then_as_a_tidy_table(tmp_path):
    raw = tmp_path / "raw"
    form = _official_csv(raw / "form.csv", "gb18030")
    published = raw / "published_figures.csv"
    shutil.copy(Path(__file__).parents[1] / "data" / "raw" / "published" / "published_figures.csv", published)
    (raw / "other.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    result = ingest(raw, tmp_path / "out")
    assert result.ok and result.sheets == 1 and form.exists()
    assert [(Path(f.path).name, f.code) for f in result.findings] == [("other.csv", "read.unknown_csv")]
    assert len(pd.read_parquet(tmp_path / "out" / "published_figures.parquet")) > 100
    assert len(pd.read_parquet(tmp_path / "out" / "monthly_issuance.parquet")) == 3


# --- every file accounted for ------------------------------------------------------------------------------


def _mixed_folder(raw: Path) -> None:
    _copy("official.xlsx", raw / "湖南")
    (raw / "湖南" / "~$official.xlsx").write_bytes(b"\x0bsomebody")
    (raw / "湖南" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (raw / "湖南" / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    (raw / "湖南" / "说明.docx").write_bytes(b"PK\x03\x04")
    (raw / "湖南" / "扫描件.pdf").write_bytes(b"%PDF-1.4")
    _copy("official.ods", raw / "湖南" / ".old", "2015-02.ods")
    _copy("official.xlsx", raw, ".备份.xlsx")


EXPECTED_WALK = [(".old", "", "", "read.hidden_file"), (".备份.xlsx", "", "", "read.hidden_file"),
                 ("~$official.xlsx", "", "", "read.office_lock_file")]


def test_every_file_is_read_or_named_and_ingest_validate_and_scan_agree(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _mixed_folder(raw)
    result = ingest(raw, out)
    assert result.ok and result.sheets == 1
    assert _codes(result.findings) == sorted([*EXPECTED_WALK, ("扫描件.pdf", "", "", "read.unsupported_file"),
                                              ("说明.docx", "", "", "read.unsupported_file")])
    assert main(["validate", str(raw)]) == 0
    assert "1 forms checked: 0 error(s), 5 warning(s)" in capsys.readouterr().err
    scanned = scan_paths([raw])
    assert _codes(scanned) == sorted([*EXPECTED_WALK, ("扫描件.pdf", "", "", "privacy.not_scanned"),
                                      ("说明.docx", "", "", "privacy.not_scanned")])
    assert main(["scan", str(raw)]) == 0
    assert "5 file(s) not scanned" in capsys.readouterr().err


def test_validate_given_an_unsupported_file_names_it_instead_of_saying_zero_errors(tmp_path, capsys):
    (tmp_path / "说明.docx").write_bytes(b"PK\x03\x04")
    assert main(["validate", str(tmp_path / "说明.docx")]) == 0
    captured = capsys.readouterr()
    assert "说明.docx: warning read.unsupported_file" in captured.out and "0 error(s), 1 warning(s)" in captured.err


def test_a_symlink_out_of_the_raw_folder_is_not_followed(tmp_path, capsys):
    raw, out, outside = tmp_path / "raw", tmp_path / "out", tmp_path / "elsewhere"
    _copy("official.xlsx", raw)
    write_monthly(outside / "roster.xlsx", "2015-04", VALUES_SAMPLE, remark=f"备注：{FAKE_ID}")
    (raw / "roster.xlsx").symlink_to(outside / "roster.xlsx")
    (raw / "more").symlink_to(outside, target_is_directory=True)
    (raw / "same.xlsx").symlink_to(raw / "official.xlsx")  # inside: read once, under its own name
    assert main(["ingest", str(raw), "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert "more: error read.symlink_outside" in text and "roster.xlsx: error read.symlink_outside" in text
    assert "same.xlsx" not in text and not out.exists()
    assert [f.code for f in discover(raw).findings] == ["read.symlink_outside"] * 2
    assert [f.code for f in scan_paths([raw])] == ["read.symlink_outside"] * 2  # the ID outside is never read
    assert main(["scan", str(raw)]) == 1


def test_a_broken_link_and_a_folder_that_cannot_be_listed_are_errors(tmp_path, monkeypatch):
    raw = tmp_path / "raw"
    _copy("official.xlsx", raw / "ok")
    (raw / "gone.xlsx").symlink_to(tmp_path / "deleted.xlsx")
    (raw / "locked").mkdir()
    # Tests run as root, which ignores permission bits, so the refusal os.scandir gives other users is simulated.
    real = os.scandir

    def scandir(path):
        if Path(path).name == "locked":
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = ingest(raw, tmp_path / "out")
    assert _codes(result.findings) == [("gone.xlsx", "", "", "read.unreadable_path"), ("locked", "", "", "read.unreadable_path")]
    assert not result.ok and not (tmp_path / "out").exists()


def test_a_problem_found_while_listing_is_reported_on_every_run_never_up_to_date(tmp_path, capsys):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _copy("official.xlsx", raw)
    assert main(["ingest", str(raw), "--out", str(out)]) == 0
    (raw / "link.xlsx").symlink_to(OFFICE / "official.ods")
    capsys.readouterr()
    assert main(["ingest", str(raw), "--out", str(out)]) == 1
    assert "read.symlink_outside" in capsys.readouterr().out


# --- hidden sheets and rows ------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_hidden_sheet_holding_another_month_is_refused_never_ingested_silently(tmp_path, capsys, suffix):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _copy(f"hidden_sheet.{suffix}", raw)
    assert main(["ingest", str(raw), "--out", str(out)]) == 1
    assert f"hidden_sheet.{suffix}:2月!A1: error read.hidden_sheet" in capsys.readouterr().out
    assert not out.exists()


def test_a_hidden_sheet_that_is_not_a_form_is_skipped_with_a_warning(tmp_path):
    raw = tmp_path / "raw"
    path = _copy("official.xlsx", raw)
    wb = load_workbook(path)
    ws = wb.create_sheet("下拉选项")
    ws["A1"] = "长沙市"
    ws.sheet_state = "hidden"
    wb.save(path)
    result = ingest(raw, tmp_path / "out")
    assert result.ok and _codes(result.findings) == [("official.xlsx", "下拉选项", "A1", "read.hidden_sheet_skipped")]


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_hidden_row_with_data_is_refused_naming_the_row(tmp_path, capsys, suffix):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _copy(f"hidden_row.{suffix}", raw)
    assert main(["ingest", str(raw), "--out", str(out)]) == 1
    assert f"hidden_row.{suffix}:Sheet1!A6: error read.hidden_row" in capsys.readouterr().out
    assert not out.exists()


@pytest.mark.parametrize("suffix", ["xlsx", "xls", "ods"])
def test_a_hidden_column_with_data_is_refused_naming_its_first_cell(tmp_path, capsys, suffix):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _copy(f"hidden_column.{suffix}", raw)  # the 万人 column D hidden, as LibreOffice saves it
    assert main(["ingest", str(raw), "--out", str(out)]) == 1
    assert f"hidden_column.{suffix}:Sheet1!D3: error read.hidden_column 隐藏的列: 第 D 列已隐藏" in capsys.readouterr().out
    assert not out.exists()


def _edit_xml(path: Path, member: str, edit) -> None:
    """Rewrite one part of a zip package (a sheet's XML, content.xml), keeping the others as they are."""
    with zipfile.ZipFile(path) as zf:
        parts = [(info, zf.read(info)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w") as zf:
        for info, data in parts:
            zf.writestr(info, edit(data) if info.filename == member else data)


@pytest.mark.parametrize("how", ["width 0", "note in a hidden column outside the form"])
def test_a_column_of_width_zero_or_a_hidden_note_beside_the_form_is_refused(tmp_path, how):
    raw = tmp_path / "raw"
    path = write_monthly(raw / "m.xlsx", "2015-03", VALUES_SAMPLE)
    wb = load_workbook(path)
    if how == "width 0":
        wb.active.column_dimensions["D"].width = 0.1
        cell = "D3"
    else:
        wb.active["F5"] = "长沙市实为 300"
        wb.active.column_dimensions["F"].hidden = True
        cell = "F5"
    wb.save(path)
    result = ingest(raw, tmp_path / "out")
    assert not result.ok and not (tmp_path / "out").exists()
    assert ("m.xlsx", "Sheet1", cell, "read.hidden_column") in _codes(result.findings)


@pytest.mark.parametrize("how", ["ht 0", "ht 0.5", "rows hidden by default"])
def test_a_row_of_height_zero_is_refused_like_a_hidden_row(tmp_path, how):
    raw = tmp_path / "raw"
    path = write_monthly(raw / "m.xlsx", "2015-03", VALUES_SAMPLE)
    if how == "rows hidden by default":
        # <sheetFormatPr zeroHeight="1">: only rows given a height of their own show; the others are hidden.
        def edit(xml: bytes) -> bytes:
            xml = re.sub(rb"<sheetFormatPr ", b'<sheetFormatPr zeroHeight="1" ', xml)
            return re.sub(rb'<row r="(?!6")(\d+)"', rb'<row r="\1" ht="15" customHeight="1"', xml)
    else:
        # openpyxl leaves out a height of 0, so the sheet XML is written as Excel writes it.
        height = b"0" if how == "ht 0" else b"0.5"
        def edit(xml: bytes) -> bytes:
            return re.sub(rb'<row r="6"', b'<row r="6" ht="' + height + b'" customHeight="1"', xml)
    _edit_xml(path, "xl/worksheets/sheet1.xml", edit)
    result = ingest(raw, tmp_path / "out")
    assert not result.ok and not (tmp_path / "out").exists()
    assert [c for c in _codes(result.findings) if c[3] == "read.hidden_row"] == [("m.xlsx", "Sheet1", "A6", "read.hidden_row")]


def test_an_ods_row_styled_to_height_zero_is_refused(tmp_path):
    raw = tmp_path / "raw"
    path = _copy("official.ods", raw)

    def edit(xml: bytes) -> bytes:
        # A row style of height 0 given to the sixth row (株洲市).
        style = (b'<style:style style:name="sbk0" style:family="table-row"><style:table-row-properties '
                 b'style:row-height="0cm"/></style:style>')
        xml = xml.replace(b"</office:automatic-styles>", style + b"</office:automatic-styles>", 1)
        rows = [m.start() for m in re.finditer(rb"<table:table-row ", xml)]
        at = rows[5]
        end = xml.index(b">", at)
        row = re.sub(rb'table:style-name="[^"]*"', b'table:style-name="sbk0"', xml[at:end])
        return xml[:at] + row + xml[end:]

    _edit_xml(path, "content.xml", edit)
    result = ingest(raw, tmp_path / "out")
    assert not result.ok
    assert [c for c in _codes(result.findings) if c[3] == "read.hidden_row"] == [("official.ods", "Sheet1", "A6", "read.hidden_row")]


# --- bounded reading --------------------------------------------------------------------------------------


def _far_cell_xlsx(path: Path) -> Path:
    write_monthly(path, "2015-03", VALUES_SAMPLE)
    wb = load_workbook(path)
    wb.active["XFD1048576"] = 1
    wb.save(path)
    assert path.stat().st_size < 8000
    return path


@pytest.mark.parametrize("command", ["ingest", "validate", "scan"])
def test_a_value_in_the_last_cell_of_the_grid_is_a_finding_not_a_512_gb_allocation(tmp_path, capsys, command):
    raw, out = tmp_path / "raw", tmp_path / "out"
    _far_cell_xlsx(raw / "far.xlsx")
    _copy("encrypted.xlsx", raw)  # another file's finding still comes
    args = {"ingest": ["ingest", str(raw), "--out", str(out)], "validate": ["validate", str(raw)], "scan": ["scan", str(raw)]}
    assert main(args[command]) == 1
    text = capsys.readouterr().out
    if command == "scan":
        assert "far.xlsx: error privacy.unscannable" in text and "XFD1048576" in text
    else:
        assert "far.xlsx:Sheet1: error read.sheet_too_large" in text and "XFD1048576" in text
        assert f"超过上限 {LIMITS['rows']} 行 × {LIMITS['columns']} 列" in text and "read.encrypted" in text
    assert not out.exists()


@pytest.mark.parametrize("suffix", ["xls", "ods"])
def test_a_value_in_the_last_cell_of_an_xls_or_ods_grid_is_a_finding(tmp_path, suffix):
    _copy(f"far_cell.{suffix}", tmp_path / "raw")
    result = ingest(tmp_path / "raw", tmp_path / "out")
    assert _codes(result.findings) == [(f"far_cell.{suffix}", "Sheet1", "", "read.sheet_too_large")]
    assert "IV65536" in result.findings[0].message


def test_a_declared_dimension_beyond_the_limits_is_a_finding(tmp_path):
    path = write_monthly(tmp_path / "raw" / "m.xlsx", "2015-03", VALUES_SAMPLE)
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    start = sheet.index(b'<dimension ref="') + len(b'<dimension ref="')
    members["xl/worksheets/sheet1.xml"] = sheet[:start] + b"A1:XFD1048576" + sheet[sheet.index(b'"', start):]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    _, findings = read_workbook(path)
    assert _codes(findings) == [("m.xlsx", "Sheet1", "", "read.sheet_too_large")] and "声明的范围" in findings[0].message


def test_a_shared_string_count_beyond_what_the_file_holds_is_a_finding_not_a_51_gb_reservation(tmp_path):
    """calamine reserves room for the declared number of shared strings before reading one."""
    raw = tmp_path / "raw"
    raw.mkdir()
    with zipfile.ZipFile(OFFICE / "libreoffice.xlsx") as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    members["xl/sharedStrings.xml"] = re.sub(rb'uniqueCount="\d+"', b'uniqueCount="2147483647"', members["xl/sharedStrings.xml"])
    with zipfile.ZipFile(raw / "m.xlsx", "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    result = ingest(raw, tmp_path / "out")
    assert _codes(result.findings) == [("m.xlsx", "", "", "read.corrupt_zip")]
    assert "2147483647" in result.findings[0].message


def _xlsb_record(rtype: int, payload: bytes) -> bytes:
    head = bytes([rtype]) if rtype < 0x80 else bytes([(rtype & 0x7F) | 0x80, rtype >> 7])
    return head + bytes([len(payload)]) + payload


def test_an_xlsb_sheet_is_measured_from_its_records_before_it_is_read(tmp_path):
    """No office suite at hand writes .xlsb (LibreOffice only imports it), so the sheet part is built from its
    records (MS-XLSB): a row header for the last row and a number in the last column of the grid."""
    import struct

    sheet = (_xlsb_record(0x94, struct.pack("<IIII", 0, 3, 0, 3))  # BrtWsDim: A1:D4, as declared
             + _xlsb_record(0, struct.pack("<I", 1048575) + b"\0" * 8)  # BrtRowHdr, row 1048576
             + _xlsb_record(5, struct.pack("<I", 16383) + b"\0" * 4 + struct.pack("<d", 1.0)))  # BrtCellReal, XFD
    raw = tmp_path / "raw"
    raw.mkdir()
    with zipfile.ZipFile(raw / "m.xlsb", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.bin", b"")
        zf.writestr("xl/worksheets/sheet1.bin", sheet)
    result = ingest(raw, tmp_path / "out")
    assert _codes(result.findings) == [("m.xlsb", "xl/worksheets/sheet1.bin", "", "read.sheet_too_large")]
    assert "XFD1048576" in result.findings[0].message


def _member_span(data: bytes, name: str) -> tuple[int, int]:
    """Where a zip member's compressed bytes lie in the file."""
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    name_len, extra_len = int.from_bytes(data[info.header_offset + 26:info.header_offset + 28], "little"), \
        int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    return start, start + info.compress_size


def test_a_flipped_byte_inside_the_compressed_worksheet_is_a_finding_never_a_zlib_traceback(tmp_path, capsys):
    data = (OFFICE / "official.xlsx").read_bytes()
    start, end = _member_span(data, "xl/worksheets/sheet1.xml")
    raw = tmp_path / "raw"
    raw.mkdir()
    codes = set()
    for offset in range(start, end, max(1, (end - start) // 40)):  # 40 places across the deflate stream
        flipped = bytearray(data)
        flipped[offset] ^= 0x55
        (raw / "m.xlsx").write_bytes(bytes(flipped))
        _, findings = read_workbook(raw / "m.xlsx")
        codes.update(f.code for f in findings)
    assert codes <= {"read.corrupt_zip", "read.unreadable_workbook"} and "read.corrupt_zip" in codes
    flipped = bytearray(data)
    flipped[start + 10] ^= 0x55
    (raw / "m.xlsx").write_bytes(bytes(flipped))
    for args in (["ingest", str(raw), "--out", str(tmp_path / "out")], ["validate", str(raw)], ["scan", str(raw)]):
        assert main(args) == 1
        text = capsys.readouterr().out
        assert "m.xlsx: error" in text and "Traceback" not in text
    assert not (tmp_path / "out").exists()


def test_an_empty_or_unparsable_csv_is_named_never_a_traceback(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.csv").write_bytes(b"")
    (raw / "quote.csv").write_text('a,b\n"1,2\n', encoding="utf-8")
    assert main(["validate", str(raw)]) == 1
    out = capsys.readouterr().out
    assert "empty.csv: error published.unreadable_csv" in out and "quote.csv: warning read.unknown_csv" in out
