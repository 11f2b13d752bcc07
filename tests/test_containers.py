"""The container probe's fast readings (issue 18) answer exactly as the reference readings do: the same sheet shape,
the same members, the same error, on ordinary files and on odd ones."""

from __future__ import annotations

import io
import zipfile
from functools import partial
from pathlib import Path

import pytest
from conftest import VALUES_SAMPLE, write_monthly
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sbk import containers
from sbk.containers import ContainerError, SheetShape, probe, read_package
from sbk.workbooks import LIMITS

OFFICE = Path(__file__).parent / "fixtures" / "office"
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _outcome(read) -> tuple:
    """What a reading gives: the shape, cell count and formula flag, or the error it raises (type and text)."""
    try:
        target = read()
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return ("error", type(exc).__name__, str(exc))
    s = target.shape
    return (s.rows, s.cols, s.declared_rows, s.declared_cols, sorted(s.hidden_rows), sorted(s.hidden_cols),
            target.cells, target.formulas)


def _reference(data: bytes) -> tuple:
    def read():
        target = containers._SheetShapeTarget(SheetShape("s"))
        containers._parse_with(target, data)
        return target
    return _outcome(read)


def _readings(data: bytes) -> dict[str, tuple]:
    """Each reading that accepts the part (the whole-sheet one, the tag-by-tag one), and what the probe keeps."""
    out = {"reference": _reference(data), "kept": _outcome(lambda: containers._read_xml(
        lambda: containers._SheetShapeTarget(SheetShape("s")), data, containers._SHEET_TAGS,
        containers._SHEET_ATTRIBUTES, containers._sheet_whole))}
    if containers._plain(data):
        for name, fast in (("whole", lambda t: containers._sheet_whole(t, data)),
                           ("tags", lambda t: containers._feed(t, data, containers._SHEET_TAGS,
                                                               containers._SHEET_ATTRIBUTES))):
            target = containers._SheetShapeTarget(SheetShape("s"))
            try:
                fast(target)
            except Exception:  # noqa: BLE001 - a fast reading may decline; the kept answer is then the reference's
                continue
            out[name] = _outcome(lambda target=target: target)
    return out


def _sheet(rows: str, before: str = "", head: str = "") -> bytes:
    return f'{head}<worksheet {NS}>{before}<sheetData>{rows}</sheetData></worksheet>'.encode()


ODD_SHEETS = {
    "plain": _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"/></row><row r="2"><c r="C2"><v>1</v></c></row>'),
    "declaration_and_newlines": _sheet('<row r="1">\n  <c r="B1"><v>2</v></c>\n</row>',
                                       head='<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n'),
    "cells_without_r": _sheet('<row r="3"><c><v>1</v></c><c/><c><v>2</v></c></row><row><c><v>3</v></c></row>'),
    "rows_without_r_after_cells": _sheet('<row><c r="B5"><v>1</v></c></row><row hidden="1"><c><v>1</v></c></row>'),
    "prefixed_elements": (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                          b'<x:sheetData><x:row r="2" hidden="1"><x:c r="D2"><x:v>1</x:v></x:c></x:row>'
                          b'</x:sheetData></x:worksheet>'),
    "huge_refs": _sheet('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>',
                        before='<dimension ref="A1:XFD1048576"/>'),
    "inline_strings_and_rich_text": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is>'
                                           '</c><c r="E1" t="inlineStr"><is/></c></row>'),
    "formula_without_value": _sheet('<row r="1"><c r="A1"><f>SUM(B1:B2)</f></c><c r="B1"><f>1+1</f><v>2</v></c></row>'),
    "formula_only_in_an_extension": _sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                                           before='<extLst><ext><f>x</f></ext></extLst>'),
    "hidden_rows_and_columns": _sheet('<row r="2" hidden="1"><c r="A2"><v>1</v></c></row>'
                                      '<row r="3" ht="0.5" customHeight="1"><c r="B3"><v>1</v></c></row>',
                                      before='<cols><col min="2" max="3" hidden="1"/><col min="5" max="5" width="0.1"/>'
                                             '<col min="6" max="99999" hidden="true"/></cols>'),
    "rows_hidden_by_default": _sheet('<row r="1"><c r="A1"><v>1</v></c></row>'
                                     '<row r="2" ht="15" customHeight="1"><c r="A2"><v>1</v></c></row>',
                                     before='<sheetFormatPr defaultRowHeight="15" zeroHeight="1"/>'),
    "single_quotes_and_spaces": _sheet("<row r = '4' ><c r='B4'  s='1' ><v>1</v></c ></row>"),
    "value_outside_a_cell": _sheet('<row r="1"><c r="A1"/><v>1</v><c r="B1"></c></row>'),
    "cell_in_a_cell": _sheet('<row r="1"><c r="A1"><c r="C9"><v>1</v></c></c></row>'),
    "row_in_a_cell": _sheet('<row r="1"><c r="A1"><row r="7"/><v>1</v></c></row>'),
    "cell_with_only_an_extension": _sheet('<row r="1"><c r="A1"><extLst/></c><c r="B1"><foo/><v>1</v></c></row>'),
    "character_reference_in_a_reference": _sheet('<row r="1"><c r="&#66;1"><v>1</v></c></row>'),
    "tab_in_an_attribute": _sheet('<row r="2\t"><c r="A2"><v>1</v></c></row>'),
    "full_width_row_number": _sheet('<row r="２"><c><v>1</v></c></row>'),
    "lowercase_and_absolute_refs": _sheet('<row r="1"><c r="b1"><v>1</v></c><c r="$C$1"><v>1</v></c></row>'),
    "row_zero": _sheet('<row r="3"><c r="A0"><v>1</v></c></row>'),
    "unreadable_reference": _sheet('<row r="1"><c r="1A"><v>1</v></c></row>'),
    "unreadable_row_number": _sheet('<row r="x"><c r="A1"><v>1</v></c></row>'),
    "comment": _sheet('<!-- <c r="Z99"><v>1</v></c> --><row r="1"><c r="A1"><v>1</v></c></row>'),
    "cdata": _sheet('<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[<c r="Z99"><v>1</v></c>]]></t></is></c></row>'),
    "doctype_with_entity": b'<!DOCTYPE x [<!ENTITY a "b">]>' + _sheet('<row r="1"><c r="A1"><v>&a;</v></c></row>'),
    "undefined_entity": _sheet('<row r="1"><c r="A1"><v>&a;</v></c></row>'),
    "not_well_formed": _sheet('<row r="1"><c r="A1"><v>1</v></row>'),
    "unbound_prefix": _sheet('<row r="1"><y:c r="A1"><v>1</v></y:c></row>'),
    "utf16": _sheet('<row r="2"><c r="B2"><v>1</v></c></row>',
                    head='<?xml version="1.0" encoding="UTF-16"?>').decode().replace("UTF-16", "UTF-16").encode("utf-16"),
    "latin1_declared": _sheet('<row r="1"><c r="A1"><v>\xe9</v></c></row>', head='<?xml version="1.0" encoding="ISO-8859-1"?>'),
    "processing_instruction": _sheet('<?x <c r="Z9"><v>1</v></c> ?><row r="1"><c r="A1"><v>1</v></c></row>'),
    "angle_bracket_in_a_value": _sheet('<row r="1" spans="1:2" x="a>b"><c r="A1" t="str"><v>a>b</v></c></row>'),
    "layout_elements_with_children": _sheet('<row><x hidden="1"/><c r="A1"><v>1</v></c></row>',
                                            before='<cols><col><x hidden="1" min="1"/></col></cols>'),
    "column_widths": _sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
                            before='<cols><col min="1" max="1" width="0.3"/><col min="2" max="2" width="1e-3"/>'
                                   '<col min="3" max="3" width="abc"/><col min="4" max="4" width=" 5"/>'
                                   '<col xmlns:x="u" x:width="0" width="16" min="5" max="5"/>'
                                   '<col min="6" max="6" width="0.5" hidden="0"/><col min="7" width="0"/></cols>'),
    "nul_byte": _sheet('<row r="1"><c r="A1"><v>1</v></c></row>') + b"\x00",
}


@pytest.mark.parametrize("name", list(ODD_SHEETS))
def test_every_fast_reading_of_a_sheet_gives_the_reference_shape_or_error(name):
    readings = _readings(ODD_SHEETS[name])
    assert {k: v for k, v in readings.items()} == {k: readings["reference"] for k in readings}


def test_an_ordinary_sheet_is_read_by_the_whole_sheet_reading_not_the_parser():
    # Without this the test above could pass with every fast reading declining.
    readings = _readings(ODD_SHEETS["plain"])
    assert set(readings) == {"reference", "kept", "whole", "tags"}
    assert readings["whole"] == (2, 3, 0, 0, [], [], 2, False)


def _sheet_parts(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        return [zf.read(n) for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]


@pytest.mark.parametrize("name", sorted(p.name for p in OFFICE.glob("*.xlsx") if p.name != "encrypted.xlsx"))
def test_sheets_written_by_libreoffice_read_fast_as_the_parser_reads_them(name):
    for data in _sheet_parts(OFFICE / name):
        readings = _readings(data)
        assert "whole" in readings or "tags" in readings
        assert all(v == readings["reference"] for v in readings.values()), name


def test_sheets_written_by_openpyxl_read_fast_as_the_parser_reads_them(tmp_path):
    path = tmp_path / "m.xlsx"
    write_monthly(path, "2016-06", VALUES_SAMPLE)
    for data in _sheet_parts(path):
        readings = _readings(data)
        assert "whole" in readings
        assert all(v == readings["reference"] for v in readings.values())


_ATTR = st.sampled_from(['', ' s="1"', ' t="inlineStr"', " t='n'", ' s="2"  t="str"', '\n s="3"'])
_REF = st.one_of(st.builds(lambda c, r: f"{c}{r}", st.sampled_from(["A", "B", "Z", "AA", "XFD", "a", "$C"]),
                           st.sampled_from(["1", "2", "7", "0", "1048576", "01"])), st.sampled_from(["", "1A", "A 1"]))
_CONTENT = st.sampled_from(["", "<v>1</v>", "<v></v>", "<is><t>x</t></is>", "<f>A1</f>", "<f>A1</f><v>2</v>", "<extLst/>",
                            "<is><r><t>1</t></r></is>", "<x:v xmlns:x='u'>1</x:v>"])
_CELL = st.builds(lambda ref, attr, content, empty: (
    f'<c{f" r={chr(34)}{ref}{chr(34)}" if ref else ""}{attr}' + ("/>" if empty else f">{content}</c>")),
    _REF, _ATTR, _CONTENT, st.booleans())
_ROW_ATTR = st.sampled_from(['', ' hidden="1"', ' ht="0"', ' ht="15" customHeight="1"', ' hidden="true" ht="20"', ' spans="1:3"'])
_ROW = st.builds(lambda r, attr, cells: f'<row{f" r={chr(34)}{r}{chr(34)}" if r else ""}{attr}>{"".join(cells)}</row>',
                 st.sampled_from(["", "1", "2", "3", "10", "5000"]), _ROW_ATTR, st.lists(_CELL, max_size=4))
_BEFORE = st.lists(st.sampled_from(['<dimension ref="A1:C3"/>', '<sheetFormatPr zeroHeight="1"/>',
                                    '<cols><col min="1" max="2" width="0"/></cols>', '<dimension ref="B2"/>',
                                    '<cols><col min="3" hidden="1"/></cols>']), max_size=3)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ROW, max_size=6), _BEFORE)
def test_generated_sheets_read_fast_as_the_parser_reads_them(rows, before):
    readings = _readings(_sheet("".join(rows), "".join(before)))
    assert all(v == readings["reference"] for v in readings.values())


# --- the zip, read once ---

def _old_members(path: Path) -> dict[str, bytes] | tuple[str, str]:
    """The members as the probe read them before issue 18 (zipfile on the file, member by member), or its error."""
    try:
        with zipfile.ZipFile(path) as zf:
            return containers._read_members(zf, LIMITS)
    except ContainerError as exc:
        return ("ContainerError", exc.kind)
    except containers._ZIP_ERRORS as exc:
        return ("corrupt", containers._name(exc))


def _new_members(path: Path) -> dict[str, bytes] | tuple[str, str]:
    try:
        probe(path, LIMITS)
    except ContainerError as exc:
        if exc.kind == "corrupt" and not exc.detail.startswith(("xml", "单元格")):
            return ("corrupt", exc.detail)
        if exc.kind != "corrupt":
            return ("ContainerError", exc.kind)
    return read_package(path.read_bytes(), LIMITS)


def test_a_workbook_is_decompressed_once_and_its_members_are_those_zipfile_reads(tmp_path):
    path = tmp_path / "m.xlsx"
    write_monthly(path, "2016-06", VALUES_SAMPLE)
    found = probe(path, LIMITS)
    assert found.content == path.read_bytes()
    members = read_package(path.read_bytes(), LIMITS)
    assert members == _old_members(path)
    assert read_package(path.read_bytes(), LIMITS) is not members  # a copy: the next reader cannot change it


def test_a_changed_file_is_never_answered_from_the_package_read_before(tmp_path):
    path = tmp_path / "m.xlsx"
    write_monthly(path, "2016-06", VALUES_SAMPLE)
    probe(path, LIMITS)
    buffer = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info) + (b" " if info.filename.endswith("sheet1.xml") else b""))
    changed = read_package(buffer.getvalue(), LIMITS)
    assert changed["xl/worksheets/sheet1.xml"].endswith(b" ")


def _damaged(data: bytes, seed: int) -> bytes:
    import random

    rng = random.Random(seed)
    if seed % 3 == 0:
        return data[:rng.randrange(len(data))]
    out = bytearray(data)
    for _ in range(rng.randint(1, 3)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def test_a_damaged_zip_gives_the_same_members_or_error_as_zipfile_reading_the_file(tmp_path):
    source = tmp_path / "m.xlsx"
    write_monthly(source, "2016-06", VALUES_SAMPLE)
    data = source.read_bytes()
    path = tmp_path / "damaged.xlsx"
    differences = []
    for seed in range(300):
        path.write_bytes(_damaged(data, seed))
        old, new = _old_members(path), _new_members(path)
        if old != new:
            differences.append((seed, old if isinstance(old, tuple) else "members", new if isinstance(new, tuple) else "members"))
    assert differences == []


def test_a_member_whose_sizes_lie_is_read_by_zipfile_and_refused_as_before(tmp_path):
    # The central directory says 10 bytes; the deflate stream holds more: zipfile's own check decides.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", b"<workbook/>" * 50)
    data = bytearray(buffer.getvalue())
    at = data.rfind(b"PK\x01\x02")
    data[at + 24:at + 28] = (10).to_bytes(4, "little")  # uncompressed size in the central directory
    path = tmp_path / "lies.xlsx"
    path.write_bytes(bytes(data))
    assert _new_members(path) == _old_members(path)


def test_a_member_inflated_before_is_still_checked_against_its_own_crc_and_size(tmp_path):
    # The same compressed bytes as a member read before (remembered), but the directory's CRC or size changed: the
    # remembered member must not answer for it; zipfile's refusal is the one kept, as before.
    source = tmp_path / "m.xlsx"
    write_monthly(source, "2016-06", VALUES_SAMPLE)
    probe(source, LIMITS)
    data = source.read_bytes()
    name = b"xl/styles.xml"
    for offset in (16, 24):  # in the local header then the central directory: CRC-32 (16/14), uncompressed size
        changed = bytearray(data)
        local, central = data.find(b"PK\x03\x04"), data.find(b"PK\x01\x02")
        while not data.startswith(name, local + 30):
            local = data.find(b"PK\x03\x04", local + 4)
        while not data.startswith(name, central + 46):
            central = data.find(b"PK\x01\x02", central + 4)
        field = {16: (14, 16), 24: (22, 24)}[offset]
        for at in (local + field[0], central + field[1]):
            changed[at] ^= 0x01
        path = tmp_path / f"changed{offset}.xlsx"
        path.write_bytes(bytes(changed))
        old, new = _old_members(path), _new_members(path)
        assert old == new
        if offset == 16:
            assert new == ("corrupt", "zipfile.BadZipFile"), "a CRC that does not match is refused, not remembered"


# --- with the reading limits: a bound within them, or the extent measured ---

SMALL = {"rows": 3, "columns": 2}


def _limited(data: bytes, limits: dict[str, int]) -> tuple:
    return _outcome(lambda: containers._read_xml(lambda: containers._SheetShapeTarget(SheetShape("s")), data,
                                                  containers._SHEET_TAGS, containers._SHEET_ATTRIBUTES,
                                                  partial(containers._sheet_whole, limits=limits)))


def _agrees_on_the_limits(data: bytes, limits: dict[str, int]) -> None:
    """What the readers ask of the extent (within the limits or not) and everything else are the reference's; a
    bound is never below the extent nor beyond the limits, and an extent beyond them is the reference's own."""
    reference, kept = _reference(data), _limited(data, limits)
    if reference[0] == "error" or reference[0] > limits["rows"] or reference[1] > limits["columns"]:
        assert kept == reference
    else:
        assert kept[2:6] == reference[2:6] and kept[7] == reference[7]
        assert reference[0] <= kept[0] <= limits["rows"] and reference[1] <= kept[1] <= limits["columns"]


@pytest.mark.parametrize("name", list(ODD_SHEETS))
@pytest.mark.parametrize("limits", [SMALL, LIMITS], ids=["small", "reading"])
def test_with_limits_every_odd_sheet_is_within_them_or_beyond_them_as_the_reference_says(name, limits):
    _agrees_on_the_limits(ODD_SHEETS[name], limits)


@settings(max_examples=400, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ROW, max_size=6), _BEFORE, st.sampled_from([SMALL, {"rows": 10, "columns": 26}, LIMITS]))
def test_with_limits_generated_sheets_are_within_them_or_beyond_them_as_the_reference_says(rows, before, limits):
    _agrees_on_the_limits(_sheet("".join(rows), "".join(before)), limits)


def test_an_office_sheet_within_the_limits_is_bounded_without_reading_its_cells(tmp_path):
    # Without this the tests above could pass with the bound never taken.
    path = tmp_path / "m.xlsx"
    write_monthly(path, "2016-06", VALUES_SAMPLE)
    for data in _sheet_parts(path):
        target = containers._SheetShapeTarget(SheetShape("s"))
        containers._sheet_whole(target, data, LIMITS)
        assert target.bounded
        _agrees_on_the_limits(data, LIMITS)
    beyond = _sheet('<row r="1"><c r="A1"><v>1</v></c><c r="C1"/></row><row r="9"><c r="B9"><v>1</v></c></row>')
    target = containers._SheetShapeTarget(SheetShape("s"))
    containers._sheet_whole(target, beyond, SMALL)
    assert not target.bounded and (target.shape.rows, target.shape.cols) == (9, 2)  # measured: the reference's


def _package(sheet: bytes, strings: bytes | None) -> dict[str, bytes]:
    members = {"xl/workbook.xml": f'<workbook {NS} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
                                  'relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
                                  .encode(),
               "xl/_rels/workbook.xml.rels": b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                                             b'relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" '
                                             b'Type="t"/></Relationships>',
               "xl/worksheets/sheet1.xml": sheet}
    if strings is not None:
        members["xl/sharedStrings.xml"] = strings
    return members


def test_a_string_table_declaring_more_than_it_holds_is_judged_on_the_cells_counted_exactly():
    sheet = _sheet('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1"><v>1</v></c><c r="C1"/><c r="D1"/></row>')
    table = f'<sst {NS} count="{{}}" uniqueCount="1"><si><t>x</t></si></sst>'
    # Two cells hold a value: a declared count of 2 is within them, 3 is not (the empty cells do not count).
    assert containers._probe_xlsx(_package(sheet, table.format(2).encode()), LIMITS).sheets[0].rows == 1
    with pytest.raises(ContainerError):
        containers._probe_xlsx(_package(sheet, table.format(3).encode()), LIMITS)
    for count in (2, 3):
        with_limits, without = [_outcome_of_probe(_package(sheet, table.format(count).encode()), limits)
                                for limits in (LIMITS, None)]
        assert with_limits == without


def test_a_broken_string_table_is_reported_after_the_sheets_as_before():
    broken_sheet = _sheet('<row r="1"><c r="1A"><v>1</v></c></row>')
    broken_table = b"<sst><si></sst>"
    for sheet in (broken_sheet, _sheet('<row r="1"><c r="A1"><v>1</v></c></row>')):
        assert _outcome_of_probe(_package(sheet, broken_table), LIMITS) == _outcome_of_probe(_package(sheet, broken_table), None)
    assert _outcome_of_probe(_package(broken_sheet, broken_table), LIMITS)[1] == "ContainerError"  # the sheet's


def _outcome_of_probe(members: dict[str, bytes], limits: dict[str, int] | None) -> tuple:
    try:
        found = containers._probe_xlsx(members, limits)
    except Exception as exc:  # noqa: BLE001 - the error itself is what is compared
        return ("error", type(exc).__name__, str(exc))
    return tuple((s.rows, s.cols, s.declared_rows, s.declared_cols) for s in found.sheets) + (found.has_formulas,)
