"""Tables for readers (sbk.analysis.tables): labels from the field specs, formatted cells, valid markup, text escaped."""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pandas as pd
import pytest
from conftest import REPO

from sbk.analysis import tables
from sbk.forms import LAYOUTS, TABLES


def _headings(out: str) -> list[str]:
    return re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', out)


def _cells(out: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", out.split("<tbody>")[1], re.DOTALL)
    return [re.findall(r"<td[^>]*>(.*?)</td>", r, re.DOTALL) for r in rows]


def test_a_form_column_is_headed_by_its_official_label_and_unit_from_the_field_spec():
    f = LAYOUTS["q1"].by_name["holders_total_10k"]
    assert tables.heading("holders_total_10k") == f"{f.title}（{f.unit}）" == "累计持卡人数·总数（万人）"
    assert tables.heading("fin_holders_10k") == "具有金融功能的社会保障卡·累计持卡人数（万人）"
    assert tables.heading("terminals") == "可受理社保卡读写终端累计数量（台）"
    assert tables.heading("catalog_open_rate_pct") == "应用目录开通率（%）"  # (%) is the unit, not repeated
    assert tables.heading("coverage_pct") == "持卡人口覆盖率（%）"  # computed: declared once in COMPUTED


def test_a_computed_column_never_redeclares_a_form_field():
    fields = {f.name for t in TABLES.values() for f in t.fields}
    # province_code alone: the forms' code is shown as the province's name, so it reads 省份.
    assert set(tables.COMPUTED) & fields == {"province_code"}


def test_the_table_a_column_comes_from_decides_between_two_meanings_of_one_name():
    assert tables.heading("note", "published_figures") == "说明"
    assert tables.heading("note", "quarterly_bank") == "备注"


def test_an_undeclared_column_is_refused_rather_than_shown_by_its_code_name():
    with pytest.raises(KeyError, match="no_such_measure"):
        tables.to_html(pd.DataFrame({"no_such_measure": [1.0]}))


def test_numbers_get_thousands_separators_and_the_forms_decimals_missing_is_a_dash_true_a_tick():
    df = pd.DataFrame({
        "province_code": ["430000", "110000"],
        "holders_total_10k": [5974.405, None],  # 万人: two decimals, half up
        "coverage_pct": [65.25, float("nan")],  # computed %: one decimal, half up as the bulletins print
        "terminals": pd.array([11952, None], dtype="Int64"),
        "met": [True, False],
        "population_year": pd.array([2015, None], dtype="Int64"),
        "months_slow": [float("inf"), 3.0],
    })
    out = tables.to_html(df)
    assert _headings(out) == ["省份", "累计持卡人数·总数（万人）", "持卡人口覆盖率（%）", "可受理社保卡读写终端累计数量（台）",
                              "已完成年度目标", "人口年份（年末）", "按最慢单月增速所需（月）"]
    assert _cells(out) == [["湖南省", "5,974.41", "65.3", "11,952", "✓", "2015", "∞"],
                           ["北京市", "—", "—", "—", "", "—", "3.0"]]


def test_option_numbers_read_as_circled_numbers_and_a_stage_with_its_label():
    df = pd.DataFrame({"service_channels": [[1, 10], []], "stage": pd.array([8, None], dtype="Int64"),
                       "partner_cities": [["长沙市", "株洲市"], None]})
    out = tables.to_html(df, table="quarterly_bank")
    assert _cells(out) == [["①⑩", "⑧系统正式上线运行", "长沙市、株洲市"], ["", "—", "—"]]


def test_text_from_a_workbook_is_escaped_in_cells_headings_and_captions():
    payload = '<script>alert(1)</script>"onerror=x'
    notes = pd.DataFrame({"region_name": ["长沙市"], "progress_note": [payload]})
    out = tables.to_html(notes, caption=f"标题{payload}")
    matrix = pd.DataFrame({payload: [True]}, index=["银行<b>"])
    out += tables.to_html(matrix, index="银行名称", values=tables.Column("", kind="flag"))
    assert "<script>" not in out and "<b>" not in out
    assert out.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 3 and "银行&lt;b&gt;" in out


def test_only_http_addresses_become_links():
    df = pd.DataFrame({"source": ["a.cn", "evil", ""], "source_url": ["https://a.cn/?a=1&b=2", "javascript:alert(1)", "seed:x"]})
    out = tables.to_html(df, links={"source": "source_url"}, table="published_figures")
    assert _cells(out) == [['<a href="https://a.cn/?a=1&amp;b=2" rel="noopener noreferrer">a.cn</a>'], ["evil"], ["seed:x"]]


class _Checker(HTMLParser):
    """Collects what a validator would object to in a fragment: unclosed or stray tags, forbidden ones."""

    VOID = frozenset({"br", "img", "meta", "col", "hr", "input", "link"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"stray </{tag}>")


def test_the_markup_is_plain_html5_headers_with_scope_no_style_element_no_index_and_long_tables_folded():
    df = pd.DataFrame({"region_name": [f"地区{i}" for i in range(tables.FOLD_ROWS + 1)],
                       "cumulative_holders_10k": [float(i) for i in range(tables.FOLD_ROWS + 1)]})
    out = tables.to_html(df.set_index(pd.RangeIndex(100, 100 + len(df))), caption="各地区累计持卡人数")
    checker = _Checker()
    checker.feed(out)
    assert not checker.problems and not checker.stack
    names = [t for t, _ in checker.tags]
    assert "style" not in names and not any("id" in a or "border" in a or "class" in a and t != "table"
                                            for t, a in checker.tags)
    assert all(a.get("scope") == "col" for t, a in checker.tags if t == "th")
    assert out.startswith(f"<details><summary>各地区累计持卡人数（{tables.FOLD_ROWS + 1} 行，点击展开）</summary>")
    assert ">100<" not in out  # no index column
    short = tables.to_html(df.head(tables.FOLD_ROWS))
    assert "<details>" not in short


def test_the_same_table_renders_to_the_same_bytes():
    df = pd.DataFrame({"province_code": ["430000"], "coverage_pct": [88.1]})
    assert tables.to_html(df) == tables.to_html(df.copy())


def test_an_empty_table_says_so():
    out = tables.to_html(pd.DataFrame({"coverage_pct": []}), caption="各省覆盖率")
    assert out == "<p>各省覆盖率：无数据 · No rows.</p>"


def _display_calls(source: str) -> list[ast.Call]:
    return [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name) and n.func.id == "display"]


@pytest.mark.parametrize("path", sorted((REPO / "notebooks").glob("*.ipynb")), ids=lambda p: p.name)
def test_notebooks_show_tables_only_as_readers_tables_and_name_the_province_in_titles(path: Path):
    """No bare DataFrame reaches a report (it would show code names, an index, NaN and True); no title names 430000."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for call in _display_calls(cell.source):
            for arg in call.args:
                inner = arg.body if isinstance(arg, ast.IfExp) else arg
                shown = [inner, arg.orelse] if isinstance(arg, ast.IfExp) else [inner]
                for node in shown:
                    assert isinstance(node, ast.Call), f"{path.name}: display({ast.unparse(arg)})"
                    name = ast.unparse(node.func)
                    assert name in ("Markdown", "HTML", "tables.show"), f"{path.name}: display({ast.unparse(arg)})"
        assert 'f"{province} ' not in cell.source, f"{path.name}: a title names the province by its code"
