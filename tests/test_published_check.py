"""`sbk published check`: the committed record passes; each planted fault is reported with its rule and line."""

from __future__ import annotations

import csv
import datetime as dt
import shutil
from pathlib import Path

import pytest

from conftest import REPO
from sbk.cli import main
from sbk.published_check import COLUMNS, check_published, numbers_in

CSV = REPO / "data" / "raw" / "published" / "published_figures.csv"
TODAY = dt.date(2026, 12, 2)
GOOD = {"date": "2023-12-31", "measure": "holders", "value": "13.79", "unit": "亿人", "scope": "全国",
        "source_url": "https://example.org/a", "quote": "截至2023年底,全国社保卡持卡人数达13.79亿人",
        "reliability": "reprint", "note": ""}


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def planted(tmp_path: Path, **fields) -> tuple[Path, int]:
    """A copy of the committed CSV with one row appended; returns the copy and the new row's line."""
    path = tmp_path / "published_figures.csv"
    shutil.copy(CSV, path)
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow([{**GOOD, **fields}[c] for c in COLUMNS])
    return path, _lines(path)


def rules_at(path: Path) -> set[tuple[str, str, int]]:
    """(severity, rule code without its published. prefix, line) of every finding."""
    return {(f.severity, f.code.removeprefix("published."), f.line) for f in check_published(path, today=TODAY)}


def test_the_committed_record_has_no_errors():
    findings = check_published(CSV)
    assert [f.format() for f in findings if f.severity == "error"] == []


def test_cli_check_of_the_committed_record_exits_0(capsys):
    assert main(["published", "check"]) == 0
    assert "published figures ok" in capsys.readouterr().err


def test_a_correct_row_adds_no_finding(tmp_path):
    path, _ = planted(tmp_path, date="2023-06-30", quote="截至6月末,全国社保卡持卡人数13.74亿人", value="13.74")
    assert {f.code for f in check_published(path, today=TODAY)} == {f.code for f in check_published(CSV, today=TODAY)}


@pytest.mark.parametrize("fields, severity, rule", [
    ({"date": "2023-02-30"}, "error", "date_format"),
    ({"date": "2023/12/31"}, "error", "date_format"),
    ({"date": "2010-12-31"}, "error", "date_range"),
    ({"date": "2027-01-01"}, "error", "date_range"),
    ({"measure": "cardholders"}, "error", "measure_unknown"),
    ({"unit": "亿個"}, "error", "unit_unknown"),
    ({"unit": "%"}, "error", "unit_mismatch"),
    ({"value": "13,79"}, "error", "value"),
    ({"value": "-1"}, "error", "value"),
    ({"measure": "population_coverage_pct", "unit": "%", "value": "137.9", "quote": "覆盖137.9%的人口"}, "error", "pct_range"),
    ({"scope": "海南省"}, "error", "scope"),
    ({"scope": "990000"}, "error", "scope"),
    ({"reliability": "official"}, "error", "reliability"),
    ({"source_url": "www.example.org"}, "error", "source_url"),
    ({"quote": ""}, "error", "schema"),
    ({"value": "13.8"}, "error", "quote_number"),
    ({"value": "13.8", "quote": "全国社保卡持卡人数已超过13.8亿人"}, "warning", "lower_bound_unmarked"),
    ({"value": "98", "unit": "%", "measure": "population_coverage_pct", "quote": "覆盖98%以上人口"}, "warning", "lower_bound_unmarked"),
    ({"value": "1.25", "quote": "广东省社保卡持卡人数约1.25亿", "scope": "440000"}, "warning", "approximate_unmarked"),
])
def test_each_planted_fault_is_reported_with_its_rule_and_line(tmp_path, fields, severity, rule):
    path, line = planted(tmp_path, **fields)
    assert (severity, rule, line) in rules_at(path)


def test_a_marked_lower_bound_is_not_flagged(tmp_path):
    path, line = planted(tmp_path, date="2022-06-30", value="13.8", quote="全国社保卡持卡人数已超过13.8亿人",
                         note="lower bound (超过)")
    assert not {r for r in rules_at(path) if r[2] == line}


def test_an_exact_duplicate_row_is_an_error_naming_the_first_line(tmp_path):
    path = tmp_path / "published_figures.csv"
    lines = CSV.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[5]]) + "\n", encoding="utf-8")
    findings = [f for f in check_published(path, today=TODAY) if f.code == "published.duplicate"]
    assert [(f.severity, f.line) for f in findings] == [("error", len(lines) + 1)]
    assert "line 6" in findings[0].message


def test_different_values_for_the_same_measure_scope_and_date_are_a_warning_naming_both_sources(tmp_path):
    path, line = planted(tmp_path, date="2020-10-31", value="13.3", source_url="https://example.org/other",
                         quote="截至10月底,全国社保卡持卡人数13.3亿人")
    conflicts = [f for f in check_published(path, today=TODAY) if f.code == "published.conflict" and f.line == line]
    assert conflicts and conflicts[0].severity == "warning"
    assert "https://example.org/other" in conflicts[0].message and "chinaweekly.cn" in conflicts[0].message


def test_the_same_amount_in_another_unit_is_not_a_conflict(tmp_path):
    path, line = planted(tmp_path, date="2020-10-31", value="132900", unit="万人", source_url="https://example.org/x",
                         quote="持卡人数132900万人")
    assert not [f for f in check_published(path, today=TODAY) if f.code == "published.conflict" and f.line == line]


def test_a_lower_bound_below_the_stated_value_is_not_a_conflict(tmp_path):
    path, line = planted(tmp_path, date="2020-10-31", value="13", source_url="https://example.org/x",
                         quote="持卡人数超过13亿人", note="lower bound")
    assert not [f for f in check_published(path, today=TODAY) if f.code == "published.conflict" and f.line == line]


def test_a_header_without_a_required_column_is_a_schema_error_on_line_1(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("date,measure,value,unit,scope,quote,reliability,note\n", encoding="utf-8")
    assert ("error", "schema", 1) in rules_at(path)


def test_a_row_with_missing_fields_is_a_schema_error(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(",".join(COLUMNS) + "\n2023-12-31,holders,13.79\n", encoding="utf-8")
    assert ("error", "schema", 2) in rules_at(path)


def test_a_quoted_field_spanning_lines_reports_the_line_the_record_starts_on(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(",".join(COLUMNS) + '\n2023-12-31,holders,13.79,亿人,全国,https://e.org,"持卡人数\n13.79亿人",reprint,\n'
                    "2023-12-31,holders,9,亿人,全国,https://e.org/2,持卡人数13.79亿人,reprint,\n", encoding="utf-8")
    assert ("error", "quote_number", 4) in rules_at(path)


@pytest.mark.parametrize("quote, value, unit", [
    ("社保卡持卡人数超十三亿", 13, "亿人"),
    ("持卡人数1.3亿", 1.3, "亿人"),
    ("持卡人数13.35亿人", 13.35, "亿人"),
    ("覆盖百分之九十的人口", 90, "%"),
    ("累计签发量5000万", 0.5, "亿张"),
    ("more than 1.2 billion social security card holders", 12, "亿人"),
    ("exceeded 58.8 million", 5880, "万人"),
    ("全省社會保障卡持卡人數(shù)達到1002萬人", 1002, "万人"),
    ("海南1,002万人持卡", 1002, "万人"),
])
def test_a_quote_states_the_number_as_printed_or_in_other_words(tmp_path, quote, value, unit):
    path, line = planted(tmp_path, quote=quote, value=str(value), unit=unit,
                         measure="population_coverage_pct" if unit == "%" else "ecard_signed" if unit == "亿张" else "holders",
                         note="lower bound")
    assert ("error", "quote_number", line) not in rules_at(path)


def test_years_and_other_numbers_in_a_quote_do_not_stand_for_the_value():
    assert [n[0] for n in numbers_in("2019年达1亿,2020年达3亿")] == [2019, 1, 2020, 3]


def test_cli_prints_path_line_rule_and_exits_1_on_errors(tmp_path, capsys):
    path, line = planted(tmp_path, measure="cardholders")
    assert main(["published", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:{line}: error published.measure_unknown measure_unknown:" in out


def test_every_measure_of_the_vocabulary_is_documented_in_the_readme():
    from sbk.published_check import MEASURES

    readme = (REPO / "data" / "raw" / "published" / "README.md").read_text(encoding="utf-8")
    assert [m for m in MEASURES if f"| `{m}` |" not in readme] == []


def test_the_readme_states_the_records_size_and_latest_date():
    from sbk.published_check import summary

    s = summary(CSV)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    line = (f"- Published record: {s['rows']} figures ({s['national']} national, {s['rows'] - s['national']} provincial or city "
            f"in {s['provinces']} provinces), {s['measures']} measures; latest figure dated {s['latest']}.")
    assert line in readme
