"""Magnitudes and units: a form filled in 人 instead of 万人, or with a unit that contradicts its column, is refused."""

from __future__ import annotations

import csv
import re

import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from conftest import REPO, edit, write_monthly

from sbk.cli import main
from sbk.demo import _Model, _quarterly
from sbk.plausibility import CHINA_POPULATION_MAX_10K
from sbk.workbooks import read_workbook

VALUES = {"": 12.5, "430100": 300.12, "430200": 80.0}


def _ingest(raw, out, capsys) -> tuple[int, list[str]]:
    code = main(["ingest", str(raw), "--out", str(out)])
    return code, capsys.readouterr().out.splitlines()


def _population_csv(path, rows: dict[str, tuple[str, float]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["province_code", "region_code", "region_name", "year_end", "population_10k", "source"])
        for code, (name, pop) in rows.items():
            w.writerow(["430000", code, name, 2015, pop, "test figures"])


def test_a_form_filled_in_people_not_10k_is_refused(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", {"": 125000, "430100": 3560000, "430200": 800000})
    out = tmp_path / "p"
    code, lines = _ingest(raw, out, capsys)
    assert code == 1 and not out.exists()
    want = ("m.xlsx:Sheet1!D5: error plausibility.looks_filled_in_people 数量级不合理: 长沙市（430100） 累计持卡人数 "
            "3560000.00 万人，超过全国总人口 141260 万人：看起来按“人”填报，本表单位为万人：请除以 10000 后重新填报")
    assert any(line.endswith(want) for line in lines), lines
    assert any("Sheet1!D7: error plausibility.looks_filled_in_people" in line for line in lines)  # the 合计 row too


def test_a_region_above_ten_times_its_population_is_refused(raw, tmp_path, capsys):
    _population_csv(raw / "region_population_430000.csv", {"430100": ("长沙市", 743.0), "430200": ("株洲市", 400.0)})
    write_monthly(raw / "m.xlsx", "2016-03", {"": 12.5, "430100": 300.12, "430200": 80000})  # 株洲 in 人 (8万)
    code, lines = _ingest(raw, tmp_path / "p", capsys)
    assert code == 1 and not (tmp_path / "p").exists()
    assert any("m.xlsx:Sheet1!D6: error plausibility.looks_filled_in_people" in line
               and "株洲市（430200）" in line and "超过该地区人口 400.00 万人（test figures）的 10 倍" in line
               for line in lines), lines


def test_a_region_a_little_above_its_population_is_a_warning_only(raw, tmp_path, capsys):
    # Holders are counted where cards were issued, population where people live: 1×–10× is worth a look, not wrong.
    _population_csv(raw / "region_population_430000.csv", {"430200": ("株洲市", 400.0)})
    write_monthly(raw / "m.xlsx", "2016-03", {"": 12.5, "430100": 300.12, "430200": 412.0})
    code, lines = _ingest(raw, tmp_path / "p", capsys)
    assert code == 0
    assert any("m.xlsx:Sheet1!D6: warning plausibility.above_population" in line for line in lines), lines


def test_ten_thousand_times_last_month_is_refused(raw, tmp_path, capsys):
    # 省本级 filed in 人 (12.5万 = 125000): below China's population, so only the previous month shows it.
    write_monthly(raw / "m02.xlsx", "2016-02", {"": 12.5, "430100": 300.12, "430200": 80.0})
    write_monthly(raw / "m03.xlsx", "2016-03", {"": 125500, "430100": 301.0, "430200": 81.0})
    code, lines = _ingest(raw, tmp_path / "p", capsys)
    assert code == 1 and not (tmp_path / "p").exists()
    want = ("m03.xlsx:Sheet1!D4: error plausibility.looks_filled_in_people 数量级不合理: 省本级（430000） 累计持卡人数 "
            "125500.00 万人，是上期 12.50 万人（2016-02）的 10040 倍")
    assert any(want in line for line in lines), lines


def test_real_growth_from_a_small_start_is_not_flagged(raw, tmp_path, capsys):
    write_monthly(raw / "m02.xlsx", "2016-02", {"": 12.5, "430100": 0.5, "430200": 80.0})
    write_monthly(raw / "m03.xlsx", "2016-03", {"": 12.5, "430100": 40.0, "430200": 80.0})  # 80×: a city starting
    code, lines = _ingest(raw, tmp_path / "p", capsys)
    assert code == 0 and not [line for line in lines if "plausibility" in line]


@pytest.mark.parametrize("text, why", [("3560000人", "看起来按“人”填报"), ("85%", "本列填以万人为单位的人数"),
                                       ("356户", "本列填以万人为单位的人数"), ("1.2亿", "本列填以万人为单位的人数")])
def test_a_unit_that_contradicts_the_10k_column_is_refused_not_stripped(raw, tmp_path, capsys, text, why):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES, total=None)
    edit(raw / "m.xlsx", "Sheet1", D5=text)
    code, lines = _ingest(raw, tmp_path / "p", capsys)
    assert code == 1 and not (tmp_path / "p").exists()
    hit = [line for line in lines if "m.xlsx:Sheet1!D5: error read.unit_suffix 单位与本列不符:" in line]
    assert hit and why in hit[0], lines


@pytest.mark.parametrize("text", ["300.12万人", "300.12万", "300.12"])
def test_the_columns_own_unit_is_tolerated(raw, text):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES)
    edit(raw / "m.xlsx", "Sheet1", D5=text)
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not findings and sheets[0].rows["cumulative_holders_10k"].iloc[1] == 300.12


def _q_cell(path, sheet: str, field_header: str, region: str) -> str:
    from openpyxl import load_workbook

    ws = load_workbook(path)[sheet]
    col = next(c.column_letter for r in ws.iter_rows(max_row=6) for c in r if c.value == field_header)
    row = next(c.row for c in ws["B"] if c.value == region)
    return f"{col}{row}"


@pytest.mark.parametrize("field_header, text", [("可受理社保卡读写终端累计数量", "1.2万"),
                                                ("应用目录开通率 (%)", "35万人")])
def test_a_unit_that_contradicts_a_count_or_percent_column_is_refused(raw, tmp_path, capsys, field_header, text):
    _quarterly(_Model(), "2015Q1", raw / "q.xlsx")
    sheet = "季调度表（一）" if "终端" in field_header else "季调度表（二）"
    from openpyxl import load_workbook

    names = load_workbook(raw / "q.xlsx").sheetnames
    sheet = next(n for n in names if n.endswith(sheet[-4:]))
    cell = _q_cell(raw / "q.xlsx", sheet, field_header, "长沙市")
    edit(raw / "q.xlsx", sheet, **{cell: text})
    code, lines = _ingest(raw, tmp_path / "p", capsys)
    assert code == 1
    assert any(f"q.xlsx:{sheet}!{cell}: error read.unit_suffix" in line for line in lines), lines


def test_the_bound_is_chinas_largest_population_in_the_published_record():
    with (REPO / "data" / "raw" / "published" / "population.csv").open(encoding="utf-8") as fh:
        assert CHINA_POPULATION_MAX_10K == max(float(r["population_10k"]) for r in csv.DictReader(fh))


def test_the_embedded_data_raises_no_magnitude_finding(processed_dir):
    findings = pd.read_parquet(processed_dir / "findings.parquet")
    assert not [c for c in findings["code"] if c.startswith("plausibility.") or c == "read.unit_suffix"]


@pytest.mark.parametrize("header, unit", [("累计持卡人数（人）", "人"), ("累计持卡人数(人)", "人"), ("累计持卡人数（单位：人）", "人"),
                                          ("累计持卡人数（千人）", "千人"), ("累计持卡人数（%）", "%")])
def test_a_header_unit_that_contradicts_the_column_is_refused_at_the_header_cell(raw, tmp_path, capsys, header, unit):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES)
    edit(raw / "m.xlsx", "Sheet1", D3=header)
    out = tmp_path / "p"
    code, lines = _ingest(raw, out, capsys)
    assert code == 1 and not out.exists()
    hit = [line for line in lines if "m.xlsx:Sheet1!D3: error read.header_unit 表头单位与本表不符:" in line]
    assert hit and f"注明单位“{unit}”，本表累计持卡人数的单位是“万人”" in hit[0], lines


def test_a_header_read_before_names_each_file_and_sheet_of_its_own(raw, tmp_path):
    # What a header says is remembered by its cells (sbk.workbooks._header_units): the same wrong unit in a second
    # file is named at that file, and a third file whose header is right gets nothing from the others.
    from sbk.workbooks import read_batch

    for name in ("a.xlsx", "b.xlsx", "c.xlsx"):
        write_monthly(raw / name, "2016-03", VALUES)
    for name in ("a.xlsx", "b.xlsx"):
        edit(raw / name, "Sheet1", D3="累计持卡人数（人）")
    got, _, _ = read_batch([(raw / n, n) for n in ("a.xlsx", "b.xlsx", "c.xlsx", "a.xlsx")])
    places = [[(f.path, f.sheet, f.cell, f.code) for f in findings] for _, findings in got]
    assert places == [[("a.xlsx", "Sheet1", "D3", "read.header_unit")], [("b.xlsx", "Sheet1", "D3", "read.header_unit")],
                      [], [("a.xlsx", "Sheet1", "D3", "read.header_unit")]]
    assert got[0][1][0].message == got[1][1][0].message


@pytest.mark.parametrize("header", ["累计持卡人数（万人）", "累计持卡人数（万）", "累计持卡人数", "累计持卡人数（截至月末）"])
def test_a_header_unit_that_agrees_or_no_unit_is_read(raw, header):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES)
    edit(raw / "m.xlsx", "Sheet1", D3=header)
    sheets, findings = read_workbook(raw / "m.xlsx")
    assert not findings and list(sheets[0].rows["cumulative_holders_10k"]) == [12.5, 300.12, 80.0]


def test_a_sheet_unit_above_the_table_that_contradicts_the_form_is_refused(raw, tmp_path, capsys):
    write_monthly(raw / "m.xlsx", "2016-03", VALUES)
    edit(raw / "m.xlsx", "Sheet1", E2="单位：人")
    out = tmp_path / "p"
    code, lines = _ingest(raw, out, capsys)
    assert code == 1 and not out.exists()
    assert any("m.xlsx:Sheet1!E2: error read.header_unit 表头单位与本表不符: 表头上方写明单位“人”" in line for line in lines), lines
    edit(raw / "m.xlsx", "Sheet1", E2="单位：万人")
    assert not read_workbook(raw / "m.xlsx")[1]


def test_a_header_unit_contradicting_a_two_level_header_names_the_merged_cell(raw, tmp_path, capsys):
    _quarterly(_Model(), "2015Q1", raw / "q.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(raw / "q.xlsx")
    sheet = next(n for n in wb.sheetnames if n.endswith("（一）"))
    ws = wb[sheet]
    cell = next(c.coordinate for r in ws.iter_rows(max_row=6) for c in r if c.value == "累计持卡人数（万人）")
    ws[cell] = "累计持卡人数（人）"  # the top of 总数 / 城镇职工 / 城乡居民 / 其他
    wb.save(raw / "q.xlsx")
    code, lines = _ingest(raw, tmp_path / "p", capsys)
    assert code == 1 and not (tmp_path / "p").exists()
    hits = [line for line in lines if "error read.header_unit" in line]
    assert len(hits) == 1 and f"q.xlsx:{sheet}!{cell}:" in hits[0], lines


@pytest.mark.parametrize("value, shown", [(1e308, "1e+308"), (-1e308, "-1e+308"), (1.5e15, "1.5e+15"), ("1e308", "1e308")])
def test_an_absurd_number_is_a_finding_shown_compactly_with_no_warning(raw, tmp_path, capsys, value, shown):
    import warnings

    write_monthly(raw / "m.xlsx", "2016-03", VALUES)
    edit(raw / "m.xlsx", "Sheet1", D5=value)
    out = tmp_path / "p"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's overflow RuntimeWarning (from numpy, not sbk) fails the test too
        code = main(["ingest", str(raw), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 1 and not out.exists() and "Warning" not in captured.err
    hit = [line for line in captured.out.splitlines() if "m.xlsx:Sheet1!D5: error read.cell_unreadable" in line]
    assert hit and f"“{shown}”" in hit[0], captured.out
    assert not any(re.search(r"\d{20}", line) for line in captured.out.splitlines())


# The row-by-row check as it was before issue 18 vectorised it: the oracle the numpy version is held to.
def _growth_row_by_row(sheets, flagged):
    from collections import defaultdict
    from itertools import pairwise

    from sbk.forms import LAYOUTS
    from sbk.plausibility import _ADVICE, _FIGURES, GROWTH_LIMIT, LOOKS_FILLED_IN_PEOPLE, _number, _who

    out, series = [], defaultdict(list)
    for s in sheets:
        if not s.records or not s.period:
            continue
        layout = LAYOUTS[s.form]
        for rec in s.records:
            key_values = tuple([str(rec.get(k) or "") for k in layout.row_key])
            for name in _FIGURES[s.form]:
                value = _number(rec.get(name))
                if value is not None:
                    series[(s.form, s.province_code, key_values, name)].append((str(s.period), value, s, rec))
    for (form, _, _, name), points in series.items():
        points.sort(key=lambda p: p[0])
        layout = LAYOUTS[form]
        for (prev_period, prev, _, _), (period, value, s, rec) in pairwise(points):
            if prev <= 0 or value < GROWTH_LIMIT * prev or period == prev_period:
                continue
            cell = f"{s.letters.get(name, '')}{int(rec['source_row'])}"
            if (s.path, s.sheet, cell) in flagged:
                continue
            out.append(LOOKS_FILLED_IN_PEOPLE.finding(
                s.path, s.sheet, cell, f"{_who(layout, rec)} {layout.by_name[name].title} {value:.2f} 万人，是上期 "
                                       f"{prev:.2f} 万人（{prev_period}）的 {value / prev:.0f} 倍：{_ADVICE}"))
    return out


# Around the limit (1 → 5000 is exactly 5000 times), zero, negative, missing and text.
_FIGURE_VALUES = [None, 0.0, -1.0, 1.0, 4999.0, 5000.0, 1e6, float("nan"), "7", "x"]


@settings(max_examples=300, deadline=None)
@example([("monthly", "430000", "2015-02", [("430100", "长沙", [1.0] * 6)]),
          ("monthly", "430000", "2015-03", [("430100", "长沙", [5000.0] * 6)])], False)  # exactly 5000 times
@example([("q4", "430000", "2015Q2", [("", "工商银行", [5000.0, None, 1e6, 0, 0, 0])]),
          ("q4", "430000", "2015Q1", [("", "工商银行", [1.0, 1.0, 1.0, 0, 0, 0])]),
          ("q4", "430000", "2015Q1", [("", "工商银行", [0.0, 4999.0, 1.0, 0, 0, 0])])], True)
@example([("q1", "430000", "2015Q1", [("430100", "长沙", [1.0] * 6), ("430200", "长沙", [1.0] * 6)]),
          ("q1", "430000", "2015Q2", [("430100", "长沙", [1.0, 5000.0, 1, 1, 1, 1]),
                                      ("430200", "长沙", [5000.0, 1, 1, 1, 1, 1])])], False)  # findings in row order
@given(st.lists(st.tuples(st.sampled_from(["monthly", "q1", "q4"]), st.sampled_from(["430000", "110000"]),
                          st.sampled_from(["2015-02", "2015-03", "2016-01", "2015Q1", "2015Q2", None]),
                          st.lists(st.tuples(st.sampled_from(["430100", "430200", ""]),
                                             st.sampled_from(["长沙", "工商银行"]),
                                             st.lists(st.sampled_from(_FIGURE_VALUES), min_size=6, max_size=6)),
                                   max_size=4)),
                max_size=8),
       st.booleans())
def test_the_growth_check_flags_exactly_what_the_row_by_row_check_did(sheets, flag_some):
    from sbk.forms import LAYOUTS
    from sbk.plausibility import _FIGURES, _growth_findings
    from sbk.workbooks import SheetData

    made = []
    for i, (form, province, period, rows) in enumerate(sheets):
        figures = _FIGURES[form]
        records = [{"region_code": code, "region_name": name, "bank_name": name, "source_row": 5 + r,
                    **dict(zip(figures, values))} for r, (code, name, values) in enumerate(rows)]
        letters = {name: chr(ord("C") + j) for j, name in enumerate(figures)}
        made.append(SheetData(f"f{i % 3}.xlsx", f"s{i}", form, period, province, records, list(LAYOUTS[form].by_name),
                              letters))
    expected = _growth_row_by_row(made, set())
    flagged = {(f.path, f.sheet, f.cell) for f in expected[::2]} if flag_some else set()
    assert _growth_findings(made, flagged, [s.records for s in made]) == _growth_row_by_row(made, flagged)
