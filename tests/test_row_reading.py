"""The row loop's short cuts (issue 18) read every row as the long way does.

A row is normalised and joined only when it may be a footer or the 备注 (a colon or 备 somewhere in its text, or a
cell that is neither text nor number); a float figure is taken as it is. These tests pin the cases at the edge of
those short cuts: colons that only NFKC turns into ':', a 备注 split over two cells, floats at the limit, and a
batch of workbooks (one bank catalog for the batch) read as each workbook alone is.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from conftest import VALUES_SAMPLE, edit, write_monthly

from sbk.template import new_workbook, save_workbook, write_sheet
from sbk.workbooks import read_batch, read_workbook


def _rows(path: Path) -> list[dict]:
    sheets, _ = read_workbook(path)
    return sheets[0].records


@pytest.mark.parametrize("colon", ["﹕", "︓", "："])  # U+FE55, U+FE13, U+FF1A: NFKC makes each a ':'
def test_a_footer_written_with_any_colon_nfkc_folds_is_never_read_as_a_row(tmp_path, colon):
    path = write_monthly(tmp_path / "m.xlsx", "2015-03", VALUES_SAMPLE)
    edit(path, "Sheet1", A12=f"联系电话{colon}", B12=5.0)  # a figure beside it: read as data, it would be a row
    sheets, findings = read_workbook(path)
    assert [r["source_row"] for r in sheets[0].records] == [4, 5, 6]
    assert not [f for f in findings if f.cell.endswith("12")]


def test_a_footer_label_and_its_colon_in_two_cells_is_never_read_as_a_row(tmp_path):
    path = write_monthly(tmp_path / "m.xlsx", "2015-03", VALUES_SAMPLE)
    edit(path, "Sheet1", A12="填报人", B12="：", C12="株洲市", D12=1.0)
    assert [r["source_row"] for r in _rows(path)] == [4, 5, 6]


def test_a_remark_split_over_two_cells_is_read_as_the_remark(tmp_path):
    path = write_monthly(tmp_path / "m.xlsx", "2015-03", VALUES_SAMPLE)
    edit(path, "Sheet1", A12="备", B12="注：新增发卡城市1个，即湘潭市")
    sheets, findings = read_workbook(path)
    assert (sheets[0].remark_cell, sheets[0].new_cities_count, sheets[0].new_cities) == ("A12", 1, ["湘潭市"])
    assert [r["source_row"] for r in sheets[0].records] == [4, 5, 6]
    assert not [f for f in findings if f.code == "monthly.remark_format"]


def test_a_row_of_spaces_of_any_kind_is_blank(tmp_path):
    path = write_monthly(tmp_path / "m.xlsx", "2015-03", VALUES_SAMPLE)
    edit(path, "Sheet1", A12="\u3000", B12=" \t", C12="\u00a0")  # spaces of three kinds: a blank row
    assert [r["source_row"] for r in _rows(path)] == [4, 5, 6]


def test_a_float_figure_is_read_as_parse_number_reads_it_to_the_limit(tmp_path):
    path = write_monthly(tmp_path / "m.xlsx", "2015-03", {"": 12.5, "430100": 300.12, "430200": 80.0})
    edit(path, "Sheet1", D4=-0.0, D5=999999999999.99, D6=1e12)
    sheets, findings = read_workbook(path)
    figures = [r["cumulative_holders_10k"] for r in sheets[0].records]
    assert figures[:2] == [0.0, 999999999999.99] and str(figures[0]) == "0.0"  # -0 is 0
    assert figures[2] is None
    refused = [(f.code, f.cell) for f in findings if f.code == "read.cell_unreadable"]
    assert refused == [("read.cell_unreadable", "D6")]


def _q4(path: Path, banks: list[str]) -> Path:
    records = [{"seq": i, "bank_name": name, "fin_holders_10k": 10.0, "fin_activated_10k": 5.0, "partner_city_count": 1,
                "partner_cities": ["省本级"], "other_fin_holders_10k": 0.0, "note": ""} for i, name in enumerate(banks, 1)]
    wb = new_workbook()
    write_sheet(wb, "q4", "湖南省", "2016Q2", records, title="Sheet1",
                total={"fin_holders_10k": 10.0 * len(banks), "fin_activated_10k": 5.0 * len(banks),
                       "other_fin_holders_10k": 0.0})
    return save_workbook(wb, path)


def test_a_batch_of_workbooks_reads_each_as_it_reads_alone(tmp_path):
    files = [_q4(tmp_path / "a.xlsx", ["建行", "华融湘江银行", "中国农业银行"]),
             _q4(tmp_path / "b.xlsx", ["建行", "中国工商银行股份有限公司湖南省分行"]),
             write_monthly(tmp_path / "m.xlsx", "2015-03", VALUES_SAMPLE, remark="备注：新增发卡城市1个，即湘潭市")]
    batch, _, digests = read_batch([(f, f.as_posix()) for f in files])
    alone = [read_workbook(f, f.as_posix()) for f in files]
    assert digests == {f.as_posix(): hashlib.sha256(f.read_bytes()).hexdigest() for f in files}
    assert [([s.records for s in sheets], findings) for sheets, findings in batch] == \
           [([s.records for s in sheets], findings) for sheets, findings in alone]
    codes = [(f.code, f.cell) for f in batch[0][1] + batch[1][1] if f.code.startswith("q4.")]
    assert codes == [("q4.bank_short_name", "B6"), ("q4.bank_unknown", "B7"), ("q4.bank_short_name", "B6")]
    assert [r["bank_name"] for r in batch[1][0][0].records] == ["中国建设银行", "中国工商银行"]
