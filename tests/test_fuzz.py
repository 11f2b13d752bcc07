"""Fuzz: mutated official-layout workbooks always end in findings or success, never a traceback or a half-written output."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from conftest import VALUES_SAMPLE, write_monthly
from sbk.cli import main
from sbk.findings import RULES
from sbk.ingest import ingest

FUZZ_CASES = int(os.environ.get("SBK_FUZZ_CASES", "60"))  # 60 in CI; recorded in SECURITY.md
# CI replays the same derandomised cases so a red build is always reproducible; `make fuzz` explores new ones.
EXPLORE = os.environ.get("SBK_FUZZ_EXPLORE") == "1"

CELL_VALUES = st.one_of(
    st.none(), st.integers(-10**6, 10**9), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40), st.sampled_from(["合计", "全省", "省本级", "备注：新增发卡城市9个，即", "=SUM(D4:D6)", "填报人：",
                                           "社会保障卡发行情况月调度表", "2015 年 13 月", "①⑩其他：", "430100", "１，３"]),
)
MUTATION = st.one_of(
    st.tuples(st.just("cell"), st.integers(1, 12), st.integers(1, 8), CELL_VALUES),
    st.tuples(st.just("delete_rows"), st.integers(1, 12), st.integers(1, 3)),
    st.tuples(st.just("insert_rows"), st.integers(1, 12), st.integers(1, 3)),
    st.tuples(st.just("delete_cols"), st.integers(1, 5), st.integers(1, 2)),
    st.tuples(st.just("merge"), st.integers(1, 10), st.integers(1, 4)),
    st.tuples(st.just("new_sheet"), st.text(max_size=10)),
    st.tuples(st.just("remove_sheet")),
    st.tuples(st.just("bytes"), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6)),
    # Inside the compressed parts: a part decompressed, changed and recompressed (valid zip, broken XML) ...
    st.tuples(st.just("member_byte"), st.integers(0, 20), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("member_cut"), st.integers(0, 20), st.integers(0, 10**6)),
    st.tuples(st.just("member_insert"), st.integers(0, 20), st.integers(0, 10**6),
              st.sampled_from([b'<c r="XFD1048576"><v>1</v></c>', b'<row r="1048576"><c><v>1</v></c></row>', b"<", b"&",
                               b'<c r="A0"><v>1</v></c>', b'<c r="ZZZZ1"/>', b"\x00", b'<!DOCTYPE x [<!ENTITY a "b">]>',
                               b'<dimension ref="A1:XFD1048576"/>', b'<row r="3" hidden="1">'])),
    # ... one value far out in the grid, the way a 6 KB file once asked calamine for 512 GB ...
    st.tuples(st.just("far_cell"), st.sampled_from(["XFD1048576", "IV65536", "A5001", "CW1", "XFD1"])),
    # ... and raw bytes flipped inside a part's deflate stream (the zip's own check must catch it).
    st.tuples(st.just("member_flip"), st.integers(0, 20), st.integers(0, 10**6), st.integers(1, 255)),
)
_MEMBER_OPS = ("member_byte", "member_cut", "member_insert", "far_cell")
SHEET1 = 8  # xl/worksheets/sheet1.xml among the parts of the template workbook, in name order


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*"))} if folder.exists() else {}


def _mutate(data: bytes, mutations: list[tuple]) -> bytes:
    wb = load_workbook(io.BytesIO(data))
    raw_ops = []
    for m in mutations:
        ws = wb.worksheets[0] if wb.worksheets else wb.create_sheet("x")
        kind = m[0]
        if kind == "cell":
            cell = ws.cell(row=m[1], column=m[2])
            try:
                cell.value = m[3]
            except Exception:  # noqa: BLE001
                # openpyxl refuses some values (illegal characters, merged cells): not a file a province could send.
                # It has already switched the cell's type to text by then, so clear the cell or it cannot save.
                try:
                    cell.value = None
                except Exception:  # noqa: BLE001  (merged cells are read-only)
                    pass
        elif kind == "delete_rows":
            ws.delete_rows(m[1], m[2])
        elif kind == "insert_rows":
            ws.insert_rows(m[1], m[2])
        elif kind == "delete_cols":
            ws.delete_cols(m[1], m[2])
        elif kind == "merge":
            ws.merge_cells(start_row=m[1], start_column=m[2], end_row=m[1] + 1, end_column=m[2] + 1)
        elif kind == "new_sheet":
            try:
                wb.create_sheet(m[1] or "Sheet9")
            except ValueError:
                pass
        elif kind == "remove_sheet" and len(wb.worksheets) > 1:
            wb.remove(wb.worksheets[-1])
        else:
            raw_ops.append(m)
    buf = io.BytesIO()
    wb.save(buf)
    out = bytearray(_mutate_members(buf.getvalue(), [m for m in raw_ops if m[0] in _MEMBER_OPS]))
    for m in raw_ops:
        if m[0] == "member_flip":
            out = bytearray(_flip_in_member(bytes(out), m[1], m[2], m[3]))
        elif m[0] == "bytes" and out:
            out[m[1] % len(out)] ^= m[2]
        elif m[0] == "truncate":
            out = out[: m[1] % (len(out) + 1)]
    return bytes(out)


def _mutate_members(data: bytes, ops: list[tuple]) -> bytes:
    """Decompress parts, change their bytes, recompress: the zip is sound, what is inside is not."""
    if not ops:
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    names = sorted(members)
    for op in ops:
        if op[0] == "far_cell":
            sheet = next((n for n in names if n.startswith("xl/worksheets/")), names[0])
            members[sheet] = members[sheet].replace(
                b"</sheetData>", f'<row r="{op[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}"><c r="{op[1]}"><v>1</v></c></row></sheetData>'
                .encode(), 1)
            continue
        name = names[op[1] % len(names)]
        body = bytearray(members[name])
        at = op[2] % (len(body) + 1)
        if op[0] == "member_byte" and body:
            body[at % len(body)] ^= op[3]
        elif op[0] == "member_cut":
            body = body[:at]
        elif op[0] == "member_insert":
            body[at:at] = op[3]
        members[name] = bytes(body)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def member_span(data: bytes, index: int) -> tuple[int, int] | None:
    """Where the compressed bytes of the index-th part (in name order) lie in the file."""
    try:
        infos = sorted(zipfile.ZipFile(io.BytesIO(data)).infolist(), key=lambda i: i.filename)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if not infos:
        return None
    info = infos[index % len(infos)]
    head = info.header_offset
    start = head + 30 + int.from_bytes(data[head + 26:head + 28], "little") + int.from_bytes(data[head + 28:head + 30], "little")
    return (start, start + info.compress_size) if info.compress_size else None


def _flip_in_member(data: bytes, index: int, offset: int, xor: int) -> bytes:
    span = member_span(data, index)
    if span is None or span[1] > len(data):
        return data
    out = bytearray(data)
    out[span[0] + offset % (span[1] - span[0])] ^= xor
    return bytes(out)


# Cases that once failed, replayed in every run besides the generated ones (issue 13: both ended in a crash).
@example(mutations=[("far_cell", "XFD1048576")])  # calamine allocated 512 GB and aborted (exit 134)
@example(mutations=[("far_cell", "A5001"), ("member_flip", SHEET1, 7, 0x55)])
@example(mutations=[("member_flip", SHEET1, 10, 0x55)])  # a flipped byte in the deflate stream: zlib.error
@example(mutations=[("member_flip", SHEET1, 200, 0x01)])
@example(mutations=[("member_byte", SHEET1, 40, 0x55)])  # recompressed, broken XML
@settings(max_examples=FUZZ_CASES, deadline=None, derandomize=not EXPLORE,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(mutations=st.lists(MUTATION, min_size=1, max_size=5))
def test_mutated_workbooks_end_in_findings_or_success_never_a_crash(tmp_path_factory, mutations):
    base = tmp_path_factory.mktemp("fuzz")
    raw, out = base / "raw", base / "processed"
    write_monthly(raw / "good.xlsx", "2015-02", VALUES_SAMPLE)
    assert ingest(raw, out).ok
    before = _digest(out)
    template = base / "t.xlsx"
    write_monthly(template, "2015-03", {"": 12.6, "430100": 310.0, "430200": 81.0})
    (raw / "mutated.xlsx").write_bytes(_mutate(template.read_bytes(), mutations))
    result = ingest(raw, out)  # any exception here fails the test
    if not result.ok:
        assert _digest(out) == before, "an error must leave data/processed as it was"
    for f in result.findings:
        assert "\n" not in f.format() and f.code in RULES, f  # one line, naming a known rule


def test_a_zip_whose_directory_points_before_the_file_start_is_a_finding(tmp_path):
    """Regression (found by the fuzz test): a central-directory offset too large makes zipfile seek to a
    negative position (OSError EINVAL) instead of raising BadZipFile; it must be a finding, not a crash."""
    raw = tmp_path / "raw"
    raw.mkdir()
    data = bytearray(write_monthly(tmp_path / "t.xlsx", "2015-03", VALUES_SAMPLE).read_bytes())
    eocd = data.rindex(b"PK\x05\x06")
    offset = int.from_bytes(data[eocd + 16:eocd + 20], "little")
    data[eocd + 16:eocd + 20] = (offset + 100_000).to_bytes(4, "little")
    (raw / "broken.xlsx").write_bytes(bytes(data))
    result = ingest(raw, tmp_path / "out")
    assert [(f.code, f.path.endswith("broken.xlsx")) for f in result.findings] == [("read.corrupt_zip", True)]


OFFICE = Path(__file__).parent / "fixtures" / "office"
OFFICE_MUTATION = st.one_of(
    st.tuples(st.just("bytes"), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 10**6)),
    st.tuples(st.just("member_byte"), st.integers(0, 20), st.integers(0, 10**6), st.integers(1, 255)),
    st.tuples(st.just("member_cut"), st.integers(0, 20), st.integers(0, 10**6)),
    st.tuples(st.just("member_flip"), st.integers(0, 20), st.integers(0, 10**6), st.integers(1, 255)),
)


def _mutate_bytes(data: bytes, mutations: list[tuple]) -> bytes:
    """Mutations at the byte and zip-part level only: for files no Python library writes (.xls, .ods)."""
    out = _mutate_members(data, [m for m in mutations if m[0] in _MEMBER_OPS]) if data[:2] == b"PK" else data
    for m in mutations:
        if m[0] == "member_flip":
            out = _flip_in_member(out, m[1], m[2], m[3])
        elif m[0] == "bytes" and out:
            flipped = bytearray(out)
            flipped[m[1] % len(flipped)] ^= m[2]
            out = bytes(flipped)
        elif m[0] == "truncate":
            out = out[: m[1] % (len(out) + 1)]
    return out


@settings(max_examples=max(FUZZ_CASES // 2, 1), deadline=None, derandomize=not EXPLORE,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.sampled_from(["official.xls", "official.ods", "official.xlsx", "encrypted.xlsx"]),
       mutations=st.lists(OFFICE_MUTATION, min_size=1, max_size=3))
def test_mutated_office_suite_files_are_read_or_refused_never_a_crash(tmp_path_factory, name, mutations):
    """The same, for the files LibreOffice wrote (.xls compound files, .ods zips): read, validate and scan."""
    from sbk.privacy import scan_paths
    from sbk.workbooks import read_workbook

    raw = tmp_path_factory.mktemp("office")
    path = raw / name
    path.write_bytes(_mutate_bytes((OFFICE / name).read_bytes(), mutations))
    _, findings = read_workbook(path)  # any exception here fails the test
    findings += scan_paths([raw])
    for f in findings:
        assert "\n" not in f.format() and f.code in RULES, f


FUZZ_FIXTURES = Path(__file__).parent / "fixtures" / "fuzz"


@pytest.mark.parametrize("case", sorted(p.name for p in FUZZ_FIXTURES.iterdir()), ids=str)
def test_files_that_once_crashed_the_reader_are_findings(tmp_path, capsys, case):
    """Every file a fuzz run ever found crashing, kept (tests/fixtures/fuzz/): ingest, validate and scan end in
    an error finding naming it, exit 1, nothing written."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / case).write_bytes((FUZZ_FIXTURES / case).read_bytes())
    for args in (["ingest", str(raw), "--out", str(tmp_path / "out")], ["validate", str(raw)], ["scan", str(raw)]):
        assert main(args) == 1
        assert f"{case}: error" in capsys.readouterr().out
    assert not (tmp_path / "out").exists()
