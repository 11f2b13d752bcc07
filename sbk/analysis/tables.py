"""Tables for readers: every table a report shows, with official labels and units, formatted numbers, valid HTML.

One place decides how a column reads. A column of a form takes its label and unit from the field specs
(``sbk.forms``: 累计持卡人数·总数（万人）), a column of the published record from its schema
(``sbk.published.PublishedFigures``), and a column an analysis computes (``coverage_pct``,
``terminals_per_10k_holders`` …) from ``COMPUTED`` below, declared once. A table then shows:

- the label with its unit as the heading (持卡人口覆盖率（%）), never the column's code name;
- no index column (a meaningful index, such as the region of a region × option matrix, becomes the first column);
- numbers with thousands separators and the column's decimals (a 万人 figure two, as the 填写说明 ask);
- missing as —, a boolean as ✓ (false: blank), option numbers as ①③, lists joined with 、;
- a province by its name (湖南省), never its code;
- every text escaped (a 工作进展 note is shown as typed, never run as markup), only http(s) addresses as links;
- more than ``FOLD_ROWS`` rows folded in ``<details>``, its ``<summary>`` naming the table and its size.

The markup is pandas' Styler with a template of our own (``_TEMPLATE``): no ``<style>`` element, no ids, no
``border`` attribute, headers as ``<th scope="col">``; text cells are aligned left with a ``style`` attribute (the
report page's own CSS aligns every cell right), which the pages' Content-Security-Policy allows.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Any

import jinja2
import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from sbk.forms import LAYOUTS, TABLES, Field, Kind

__all__ = ["COMPUTED", "FOLD_ROWS", "FORM_NAMES", "Column", "column", "heading", "province_name", "show", "to_html"]

FOLD_ROWS = 15  # more rows than this and the table is folded (<details>), the summary saying how many
MISSING = "—"
TRUE = "✓"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"


@dataclass(frozen=True)
class Column:
    """How a column reads: its label and unit, and what its values are.

    ``kind``: ``text``, ``number`` (``decimals`` places, thousands separated), ``year`` (a year, no separator),
    ``flag`` (✓), ``options`` (option numbers as ①③), ``option`` (one option with its label), ``names``
    (a list joined with 、), ``province`` (a province code shown as its name), ``date``.
    ``values``: codes shown as words (error → 错误).
    """

    label: str
    unit: str | None = None
    kind: str = "text"
    decimals: int = 0
    values: Mapping[Any, str] = field(default_factory=dict)
    options: type | None = None

    @property
    def heading(self) -> str:
        if not self.unit or self.label.endswith((f"（{self.unit}）", f"({self.unit})")):
            return self.label
        return f"{self.label}（{self.unit}）"

    @property
    def numeric(self) -> bool:
        return self.kind in ("number", "year")


def _pct(label: str, decimals: int = 1) -> Column:
    return Column(label, "%", "number", decimals)


def _wan(label: str) -> Column:
    return Column(label, "万人", "number", 2)


def _count(label: str, unit: str | None = None) -> Column:
    return Column(label, unit, "number", 0)


# The form names as a reader says them: 月调度表, 季调度表（一）… (the printed titles without 社会保障卡…情况).
FORM_NAMES = {form: layout.title.replace("社会保障卡", "").replace("发行情况", "").replace("工作情况", "")
              for form, layout in LAYOUTS.items()}

# Columns the analyses compute (sbk.analysis.*), each declared once. Percentages computed here are rounded once
# to one decimal (sbk.analysis.bulletin.round_pct); 万人 figures keep the forms' two.
COMPUTED: dict[str, Column] = {
    # places and status
    "province_code": Column("省份", kind="province"),  # the code files use, shown as the name a reader looks for
    "province_name": Column("省份"),
    "province": Column("省份"),
    "status": Column("报送状态"),
    "previous_status": Column("上月报送状态"),
    "rank": _count("排名"),
    "as_of": Column("数据截至"),
    # holders and population
    "holders_10k": _wan("累计持卡人数"),
    "previous_10k": _wan("上月累计持卡人数"),
    "increase_10k": _wan("月度新增持卡人数"),
    "increment_10k": _wan("月度新增持卡人数"),
    "growth_pct": _pct("环比增长"),
    "year_earlier_10k": _wan("上年同月累计持卡人数"),
    "yoy_pct": _pct("同比增长"),
    "population_10k": _wan("人口"),
    "population_year": Column("人口年份（年末）", kind="year"),
    "coverage_pct": _pct("持卡人口覆盖率"),
    "stated_coverage_pct": _pct("来源所述覆盖率"),
    "target_pct": _pct("目标覆盖率"),
    "months_central": Column("按近6个月平均增速所需", "月", "number", 1),
    "months_fast": Column("按最快单月增速所需", "月", "number", 1),
    "months_slow": Column("按最慢单月增速所需", "月", "number", 1),
    # 表一 by group, terminals, services
    "urban_share_pct": _pct("城镇职工占比"),
    "residents_share_pct": _pct("城乡居民占比"),
    "other_share_pct": _pct("其他人群占比"),
    "terminals_per_10k_holders": Column("每万名持卡人可受理读写终端数", "台", "number", 1),
    "service_items_count": _count("已开展服务事项数", "项"),
    "service_channels_count": _count("已开通服务渠道数", "个"),
    # 表二
    "items_opened": _count("已开通应用项目数（全省合并）", "项"),
    "unit_open_rate_pct": _pct("应用目录开通率（按持卡人加权）"),
    "weighted_by_holders": Column("按持卡人加权", kind="flag"),
    "regions": _count("填报地区数", "个"),
    "mean_local_items": Column("平均本地开通应用项目数", "项", "number", 1),
    "mean_cross_region_items": Column("平均跨地区应用项目数", "项", "number", 1),
    "regions_with_cross_region_use": _count("有跨地区应用的地区数", "个"),
    # 表三
    "stage_label": Column("省级持卡库建设总体进度"),
    # 表四
    "activation_pct": _pct("金融功能激活率"),
    "share_pct": _pct("市场份额"),
    "banks": _count("合作银行数", "家"),
    "largest_bank": Column("持卡人数最多的银行"),
    "largest_share_pct": _pct("最大银行份额"),
    "hhi": _count("市场集中度（HHI，0–10,000）"),
    "fin_share_of_holders_pct": _pct("具有金融功能的卡占持卡人数比例"),
    "fin_share_pct": _pct("具有金融功能的卡占持卡人数比例"),
    "other_loading_share_pct": _pct("其他方式加载金融功能的卡占持卡人数比例", 2),
    # bulletin: targets, filing quality
    "target": _wan("年度目标"),
    "completion_pct": _pct("目标完成率"),
    "completion_printed": _pct("目标完成率（通报口径）"),
    "met": Column("已完成年度目标", kind="flag"),
    "remaining": _wan("距年度目标尚差"),
    "months_left": _count("年内剩余月数", "月"),
    "monthly_pace_needed": _wan("每月还需新增"),
    "due": Column("报送截止日期", kind="date"),
    "received_on": Column("收文日期", kind="date"),
    "days_late": _count("迟报天数", "天"),
    "expected": _count("应报表数", "份"),
    "filed": _count("已报送", "份"),
    "on_time": _count("按时", "份"),
    "late": _count("迟报", "份"),
    "not_filed": _count("未报送", "份"),
    "unknown": _count("报送时间未知", "份"),
    "warnings": _count("校验警告", "条"),
    "warning_codes": Column("警告（规则代码 × 条数）"),
    "on_time_pct": _pct("按时报送率"),
    "complete_pct": _pct("报送完整率"),
    "accuracy_points": Column("准确性得分", "分", "number", 1),
    "score": Column("质量得分", "分", "number", 1),
    "severity": Column("严重程度", values={"error": "错误", "warning": "警告"}),
    "code": Column("规则代码"),
    "rule": Column("规则"),
    "count": _count("条数", "条"),
    # the national reconciliation
    "provinces_filed": Column("报送省份"),
    "published_date": Column("公开数日期", kind="date"),
    "published_10k": _wan("公开数"),
    "difference_10k": _wan("差额"),
    "difference_pct": _pct("差额"),
    "days_apart": _count("相隔天数", "天"),
    # the published record as the national reports show it (sbk.analysis.published_series)
    "label": Column("指标"),
    "printed": Column("数值（原文单位）"),
    "conflict": Column("来源不一致", kind="flag"),
    "target_year": Column("目标年份", kind="year"),
    "words": Column("目标"),
    "document": Column("文件"),
    "population_basis": Column("人口口径"),
}


def _from_field(f: Field) -> Column:
    """A form field's column: its official label and unit; a 万人 figure with two decimals (数字统一保留小数点后两位)."""
    if f.kind is Kind.FIGURE_10K or f.kind is Kind.PERCENT:
        return Column(f.title, f.unit, "number", 2)
    if f.kind is Kind.COUNT:
        return Column(f.title, f.unit, "number", 0)
    if f.kind is Kind.OPTIONS:
        return Column(f.title, f.unit, "options", options=f.options if isinstance(f.options, type) else None)
    if f.kind is Kind.OPTION:
        return Column(f.title, f.unit, "option", options=f.options if isinstance(f.options, type) else None)
    if f.kind is Kind.NAMES:
        return Column(f.title, f.unit, "names")
    if f.kind is Kind.FLAG:
        return Column(f.title, f.unit, "flag")
    return Column(f.title, f.unit)


@cache
def _declared() -> dict[str | None, dict[str, Column]]:
    """Columns by the table that declares them (None: the columns the analyses compute)."""
    from sbk.published import PublishedFigures

    out: dict[str | None, dict[str, Column]] = {}
    for name, table in TABLES.items():
        out[name] = {f.name: _from_field(f) for f in table.fields}
        # A period of any form reads 期别 (a table's heading need not say 年月 / 年季度: the values do).
        out[name]["period"] = Column("期别")
        if "form" in out[name]:
            out[name]["form"] = replace(out[name]["form"], values=FORM_NAMES)
    schema = PublishedFigures.to_schema()
    out["published_figures"] = {
        n: Column(c.metadata["label"], c.metadata.get("unit"),
                  "flag" if n == "lower_bound" else "number" if n in ("value", "value_10k") else "text",
                  2 if n == "value_10k" else 0)
        for n, c in schema.columns.items() if c.metadata and c.metadata.get("label")}
    out["published_figures"]["value"] = Column("数值", kind="text")  # as printed: 13.8 stays 13.8, not 13.80
    out[None] = COMPUTED
    return out


def column(name: str, table: str | None = None) -> Column:
    """How column ``name`` reads: declared by ``table`` first (a form's or the published record's), then the
    columns the analyses compute, then the forms in order; KeyError when nothing declares it."""
    declared = _declared()
    for source in (table, None, *TABLES, "published_figures"):
        if source in declared and name in declared[source]:
            return declared[source][name]
    raise KeyError(f"column {name!r} has no label: declare it in sbk.analysis.tables.COMPUTED")


def heading(name: str, table: str | None = None) -> str:
    """The heading a reader sees: label （unit）."""
    return column(name, table).heading


@cache
def _province_names() -> dict[str, str]:
    from sbk.regions import provinces

    # Province codes and names have not changed since the card began; the newest revision the package carries.
    return {p.code: p.name for p in provinces("2019-04", quiet=True)}


def province_name(code: object) -> str:
    """湖南省 for 430000, 全国 for national; a code no revision knows is shown as it is."""
    text = str(code)
    if text in ("national", "全国"):
        return "全国"
    return _province_names().get(text, text)


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def _number(value: object, decimals: int) -> str:
    """Thousands separated, rounded half up as the bulletins print (65.25 → 65.3, not Python's 65.2)."""
    v = float(value)  # type: ignore[arg-type]
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    q = Decimal(repr(v)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return format(abs(q) if q == 0 else q, f",.{decimals}f")  # -0.001 reads 0.00, not -0.00


def cell(value: object, col: Column) -> str:
    """One value as the table shows it, HTML-escaped."""
    if isinstance(value, (list, tuple, np.ndarray)):
        items = list(value)
        if not items:
            return ""
        if col.kind == "options":
            return "".join(_CIRCLED[int(i) - 1] if 1 <= int(i) <= len(_CIRCLED) else f"({int(i)})" for i in items) \
                if col.options is not None else "、".join(str(int(i)) for i in items)
        return html.escape("、".join(str(i) for i in items), quote=False)
    if _missing(value):
        return MISSING
    if col.values and value in col.values:
        return html.escape(col.values[value], quote=False)
    if col.kind == "flag" or isinstance(value, (bool, np.bool_)):
        return TRUE if bool(value) else ""
    if col.kind == "province":
        return html.escape(province_name(value), quote=False)
    if col.kind == "option" and col.options is not None:
        try:
            member = col.options(int(value))  # type: ignore[call-overload]
            return html.escape(f"{_CIRCLED[member.value - 1]}{member.label}", quote=False)
        except (ValueError, TypeError):
            return html.escape(str(value), quote=False)
    if isinstance(value, (dt.date, pd.Timestamp)):
        return value.date().isoformat() if isinstance(value, pd.Timestamp) else value.isoformat()
    if col.kind == "year":
        try:
            return str(int(value))  # type: ignore[call-overload]
        except (TypeError, ValueError):
            return html.escape(str(value), quote=False)
    if col.kind == "number" and isinstance(value, (int, float, np.integer, np.floating)):
        return _number(value, col.decimals)
    if isinstance(value, float):  # a number in a text column (a value as printed): as short as it reads
        return html.escape(f"{value:,.2f}".rstrip("0").rstrip("."), quote=False)
    return html.escape(str(value), quote=False)


def _link(text: str, address: object) -> str:
    """An http(s) address as a link on its text; anything else (seed:…, javascript:…) only named."""
    url = "" if _missing(address) else str(address)
    label = text if text and text != MISSING else html.escape(url, quote=False)
    if url.startswith(("http://", "https://")):
        return f'<a href="{html.escape(url, quote=True)}" rel="noopener noreferrer">{label}</a>'
    return label


# Headers with scope, text cells left-aligned, numbers right-aligned and on one line; nothing else.
_TEMPLATE = """{% extends "html_table.tpl" %}
{% block table %}
<table class="sbk-table">
{% if caption %}
<caption>{{ caption }}</caption>
{% endif %}
<thead>
{% for r in head %}
<tr>{% for c in r %}{% if c.is_visible != False %}<th scope="col"{{ head_align[loop.index0 - 1] }}>{{ c.display_value }}</th>{% endif %}{% endfor %}</tr>
{% endfor %}
</thead>
<tbody>
{% for r in body %}
<tr>{% for c in r %}{% if c.is_visible != False %}<td{{ align[loop.index0 - 1] }}>{{ c.display_value }}</td>{% endif %}{% endfor %}</tr>
{% endfor %}
</tbody>
</table>
{% endblock table %}
"""


class _ReaderStyler(Styler):
    env = jinja2.Environment(loader=jinja2.ChoiceLoader([jinja2.DictLoader({"sbk_table.tpl": _TEMPLATE}), Styler.loader]),
                             trim_blocks=True, autoescape=False)  # cells are escaped by ``cell`` before they get here
    template_html_table = env.get_template("sbk_table.tpl")


_LEFT = ' style="text-align:left"'
_RIGHT = ' style="text-align:right"'
_NUMBER = ' style="text-align:right;white-space:nowrap"'  # 1,234.56 on one line; its heading may wrap
_NAME = ' style="text-align:left;white-space:nowrap"'  # short texts (names: 内蒙古自治区, 中国邮政储蓄银行) unbroken
_SHORT = 12  # characters: a text column whose every cell is this short is kept on one line


def to_html(frame: pd.DataFrame, columns: Sequence[str] | None = None, *, caption: str | None = None,
            table: str | None = None, index: str | None = None, values: Column | None = None,
            links: Mapping[str, str] | None = None, fold: int | None = FOLD_ROWS) -> str:
    """``frame`` as a reader's table (HTML).

    ``columns``: which to show, in order (default: all). ``table``: the processed table the columns come from,
    whose labels take precedence (a ``note`` of the published record is 说明, of 表四 备注). ``index``: the
    heading of a meaningful index (region, period), shown as the first column; a plain 0..n index is dropped.
    ``values``: how the columns nothing declares read (the regions or options of a wide table); without it an
    undeclared column is an error, so that no table shows a code name. ``links``: text column → address
    column (http(s) only). ``fold``: fold tables of more rows than this (None: never).
    """
    d = frame
    if index is not None:
        d = d.rename_axis("__index__").reset_index()
    addresses = set((links or {}).values())  # by default an address is the link, not a column of its own
    shown = list(columns) if columns is not None else [c for c in d.columns if c not in addresses]
    if index is not None:
        shown = ["__index__", *[c for c in shown if c != "__index__"]]
    specs: dict[Any, Column] = {}  # keyed by the frame's own column names (a wide table's may be numbers)
    for name in shown:
        if name == "__index__":
            specs[name] = Column(str(index))
        elif _known(str(name), table):
            specs[name] = column(name, table)
        elif values is not None:
            specs[name] = replace(values, label=str(name))
        else:
            column(str(name), table)  # raises: every column a reader sees is declared
    urls = {name: (d[address].tolist() if address in d else [None] * len(d)) for name, address in (links or {}).items()}
    d = d[shown].reset_index(drop=True)
    if d.columns.duplicated().any():
        raise ValueError(f"a table shows each column once: {list(d.columns)}")
    caption_html = html.escape(caption, quote=False) if caption else None
    if d.empty:
        text = f"{caption_html}：无数据" if caption_html else "无数据"
        return f"<p>{text} · No rows.</p>"
    formats: dict[Any, Any] = {}
    for name, spec in specs.items():
        if links and name in links:
            d[name] = [_link(cell(v, spec), u) for v, u in zip(d[name], urls[name])]
            formats[name] = str
        else:
            formats[name] = lambda v, spec=spec: cell(v, spec)
    styler = _ReaderStyler(d)
    styler.format(formats, na_rep=MISSING)
    styler.format_index(lambda name: html.escape(specs[name].heading, quote=False), axis=1)
    styler.hide(axis="index")
    numeric = [specs[name].numeric for name in d.columns]
    short = [not n and d[name].map(lambda v: len(str(v)) <= _SHORT).all() for name, n in zip(d.columns, numeric)]
    out = styler.to_html(caption=caption_html, exclude_styles=True,
                         align=[_NUMBER if n else _NAME if s else _LEFT for n, s in zip(numeric, short)],
                         head_align=[_RIGHT if n else _LEFT for n in numeric])
    rows = len(d)
    if fold is not None and rows > fold:
        summary = f"{caption_html or '表格'}（{rows} 行，点击展开）"
        out = f"<details><summary>{summary}</summary>\n{out}</details>\n"
    return out


def _known(name: str, table: str | None) -> bool:
    try:
        column(name, table)
    except KeyError:
        return False
    return True


def show(frame: pd.DataFrame, columns: Sequence[str] | None = None, **kwargs: Any) -> Any:
    """``to_html`` as an ``IPython.display.HTML`` for a notebook's ``display``."""
    from IPython.display import HTML

    return HTML(to_html(frame, columns, **kwargs))

