"""The rules of the 填写说明, each with a stable code, and the tidy tables' pandera schemas.

Regular rules are derived from the field specs (``sbk.forms.layouts``): a 万人
figure is non-negative and has two decimals, a rate lies in 0–100, a count is
a whole number, an option list stays in its range and explains 其他, a
cumulative figure does not fall, a column that must be filled is filled, a
row is not filed twice. Rules specific to one form are written out below.
Each rule's ``check`` takes the whole table (all files and periods) and
returns a boolean per row; ``sbk.validate`` turns failures into findings.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sbk.calendar import PeriodError, parse_period
from sbk.findings import ERROR, WARNING, Rule, rule
from sbk.forms.layouts import LAYOUTS
from sbk.forms.options import CATALOG_SIZE, CardholderDbStage
from sbk.forms.spec import PROVENANCE, Field, Kind, Layout

__all__ = ["TABLES", "Table", "column_labels", "fmt", "table_columns"]

Check = Callable[[pd.DataFrame], pd.Series]


def fmt(x: object) -> str:
    if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x)):
        return "（空）"
    if isinstance(x, float):
        return f"{x:.2f}" if round(x, 2) == x else str(float(x))
    return str(x)


def _nonblank(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.strip() != ""


def _len(v: object) -> int:
    return len(v) if isinstance(v, (list, tuple)) else 0


def _has(s: pd.Series, option: int) -> pd.Series:
    return s.map(lambda v: isinstance(v, (list, tuple)) and option in v)


def _circled(n: int) -> str:
    return chr(0x2460 + n - 1)


# --------------------------------------------------------------------------
# Checks shared by every form with region rows.


def _row_groups(columns: list[pd.Series]) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group among the distinct combinations of ``columns`` (numbered in order of first
    appearance, NaN a value like any other) and the position of each group's first row."""
    group = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        # Renumbered after each column, so the combined number stays below the row count.
        group = pd.factorize(group * len(uniques) + codes)[0]
    return group, np.unique(group, return_index=True)[1]


def _per_unique(df: pd.DataFrame, columns: list[str], ok: Callable[..., bool], code: str) -> pd.Series:
    """Evaluate a region check once per distinct combination of ``columns`` and map the answers back.

    The period enters the combination only through what a lookup of the row's ``code`` reads
    (``sbk.regions.part_key``): for a six-digit code, its province's part of the code table in force; for anything
    else (a name), the revision in force (``sbk.regions.revision_key``); a period the lookup refuses stays a
    combination of its own. Ten years of monthly filings of a province whose units never changed ask once per
    region, not once per month or revision. ``ok`` receives the first row's values of each combination.
    """
    from sbk.regions import code_prefix, part_key, revision_key

    if not len(df):
        return pd.Series(dtype=bool)
    keys = df[columns].astype(str)
    period_at, periods = pd.factorize(keys["period"], use_na_sentinel=False)
    code_at, codes = pd.factorize(keys[code], use_na_sentinel=False)
    revisions = [revision_key(p) if isinstance(p, str) else None for p in periods]
    prefixes = [code_prefix(c) for c in codes]
    revision_no = {r: i for i, r in enumerate(dict.fromkeys(r for r in revisions if r))}
    prefix_no = {p: i for i, p in enumerate(dict.fromkeys(p for p in prefixes if p is not None))}
    rev = np.array([revision_no[r] if r else -1 for r in revisions], dtype=np.int64)[period_at]
    pre = np.array([prefix_no[p] if p is not None else -1 for p in prefixes], dtype=np.int64)[code_at]
    parts = np.array([[part_key(r, p) for p in prefix_no] for r in revision_no], dtype=np.int64).reshape(
        len(revision_no), len(prefix_no))
    part = parts[np.maximum(rev, 0), np.maximum(pre, 0)] if parts.size else np.zeros(len(df), dtype=np.int64)
    # Three kinds of class, kept apart: a part (even), a revision (odd), a refused period (negative).
    cls = np.where(rev < 0, -1 - period_at.astype(np.int64), np.where(pre >= 0, 2 * part, 2 * rev + 1))
    group, first = _row_groups([*(keys[c] for c in columns if c != "period"), pd.Series(cls)])
    firsts = keys.iloc[first]
    # Column by column into Python values: iterating the frame's rows boxes every cell through pandas.
    answers = np.array([bool(ok(*k)) for k in zip(*(firsts[c].tolist() for c in columns))], dtype=bool)
    return pd.Series(answers[group], index=df.index, dtype=bool)


def _province_ok(df: pd.DataFrame) -> pd.Series:
    from sbk.regions import RegionError, lookup

    def ok(code: str, period: str) -> bool:
        try:
            return code.endswith("0000") and lookup(code, period, quiet=True).is_province
        except (RegionError, PeriodError):
            return False

    return _per_unique(df, ["province_code", "period"], ok, code="province_code")


def _region_ok(df: pd.DataFrame) -> pd.Series:
    """region_code is the province itself (省本级) or one of its units, in that period."""
    from sbk.regions import RegionError, lookup

    def ok(code: str, province: str, period: str) -> bool:
        if code == province:
            return True
        if code[:2] != province[:2]:
            return False
        try:
            lookup(code, period, quiet=True)
            return True
        except (RegionError, PeriodError):
            return False

    return _per_unique(df, ["region_code", "province_code", "period"], ok, code="region_code")


def _region_name_ok(df: pd.DataFrame) -> pd.Series:
    from sbk.regions import RegionError, lookup

    def ok(name: str, code: str, period: str) -> bool:
        name = name.strip()
        if name in ("省本级", "全省", ""):
            return True
        try:
            r = lookup(code, period, quiet=True)
        except (RegionError, PeriodError):
            return True  # the code itself is reported by region.in_province
        return name in (r.name, r.short_name)

    return _per_unique(df, ["region_name", "region_code", "period"], ok, code="region_code")


def _source_keys(df: pd.DataFrame) -> list[str]:
    return [c for c in ("source_file", "source_sheet") if c in df.columns]


def _in_code_order(df: pd.DataFrame) -> pd.Series:
    """Rows of one filed sheet appear in division-code order (地市顺序按照行政区划代码排列): a row fails when a row
    above it in the same sheet (by ``source_row``) has a larger code (a code that is not a number counts as 0)."""
    if "source_row" not in df.columns or not len(df):
        return pd.Series(True, index=df.index)
    keys = _source_keys(df) + ["period", "province_code"]
    if df["source_row"].dtype.kind in "iuf":
        # Each sheet's rows in row order, walked once (issue 18): grouping, sorting and shifting with pandas cost
        # ~5 ms a table however few its rows, and the checks run on each group of provinces read. Ties keep the
        # frame's order (a stable sort), a blank row number comes last, as ``_in_code_order_frame`` sorts them.
        group, _ = _row_groups([df[k].astype(str) for k in keys])
        # Each distinct code read as a number once (a national decade: a few hundred codes in a hundred thousand rows):
        # the same distinct values, so the same type as reading the whole column gives.
        code_at, codes = pd.factorize(df["region_code"].astype(str), use_na_sentinel=False)
        num = pd.to_numeric(pd.Series(codes, dtype=object), errors="coerce").fillna(0).to_numpy()[code_at]
        order = np.lexsort((df["source_row"].to_numpy(dtype=float, na_value=np.nan), group))
        ok = np.ones(len(df), dtype=bool)
        # (to_numeric with errors="coerce" gives numbers only.) Codes as their ranks, each sheet's above the last
        # one's: one running maximum over all sheets then holds each sheet's own (the sheets come in group order),
        # and a row fails below its sheet's maximum so far.
        rank = np.unique(num, return_inverse=True)[1].reshape(-1)
        in_group = group[order]
        key = in_group.astype(np.int64) * (int(rank.max()) + 1) + rank[order]
        highest_before = np.concatenate(([-1], np.maximum.accumulate(key)[:-1]))
        first = np.concatenate(([True], in_group[1:] != in_group[:-1]))
        ok[order[~first & (key < highest_before)]] = False
        return pd.Series(ok, index=df.index, dtype=bool)
    return _in_code_order_frame(df, keys)


def _in_code_order_frame(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """``_in_code_order`` by pandas' grouping, for row numbers that are not numbers (a tidy CSV's, as written)."""
    d = df[keys + ["source_row"]].astype({k: str for k in keys}).assign(code=df["region_code"].astype(str))
    d = d.sort_values(keys + ["source_row"], kind="stable")
    # A row is out of order when a row above it in the same sheet has a larger code.
    d["num"] = pd.to_numeric(d["code"], errors="coerce").fillna(0)
    group = d.groupby(keys, sort=False).ngroup()
    before = d["num"].groupby(group).cummax().groupby(group).shift()
    return (~(d["num"] < before).fillna(False)).reindex(df.index).astype(bool)


def _valid_period(kind: str) -> Check:
    def check(df: pd.DataFrame) -> pd.Series:
        def ok(v: object) -> bool:
            try:
                return parse_period(str(v)).kind == kind
            except PeriodError:
                return False

        # Once per distinct period (a few hundred) rather than per row.
        codes, uniques = pd.factorize(df["period"], use_na_sentinel=False)
        answers = np.array([ok(v) for v in uniques], dtype=bool)
        return pd.Series(answers[codes], index=df.index, dtype=bool)

    return check


def _not_duplicated(keys: list[str]) -> Check:
    return lambda df: ~df.duplicated(subset=_source_keys(df) + keys, keep="first")


def not_falling(value: str, keys: list[str]) -> Check:
    """A cumulative figure is never below the same unit's figure for the previous period."""

    def check(df: pd.DataFrame) -> pd.Series:
        if not len(df):
            return pd.Series(True, index=df.index)
        d = df[keys].astype(str).assign(
            _period=df["period"].astype(str), _v=pd.to_numeric(df[value], errors="coerce").astype(float)
        ).sort_values([*keys, "_period"], kind="stable")
        group = d.groupby(keys, sort=False).ngroup()
        prev = d["_v"].groupby(group).ffill().groupby(group).shift()
        return (~(d["_v"] < prev - 1e-9).fillna(False)).reindex(df.index).astype(bool)

    return check


PERIOD_MONTHLY = rule("period.monthly", "期别", ERROR, "monthly", column="period", check=_valid_period("monthly"),
                      explain=lambda r: f"月调度表期别应为 YYYY-MM 且不早于 2015-02，实为 “{r['period']}”")
PERIOD_QUARTERLY = rule("period.quarterly", "期别", ERROR, "q1–q4", column="period", check=_valid_period("quarterly"),
                        explain=lambda r: f"季调度表期别应为 YYYYQn 且不早于 2015Q1，实为 “{r['period']}”")
PROVINCE = rule("province.valid", "行政区划代码", ERROR, "all forms", column="province_code", check=_province_ok,
                explain=lambda r: f"填报单位 {r['province_code']} 不是 {r['period']} 有效的省级行政区划代码")
REGION_RULES = (
    rule("region.in_province", "行政区划代码", ERROR, "monthly, q1, q2", column="region_code", check=_region_ok,
         explain=lambda r: f"行政区划代码 {r['region_code']} 在 {r['period']} 不是 {r['province_code']} 所辖地市"),
    rule("region.name_matches_code", "地区", WARNING, "monthly, q1, q2", column="region_name", check=_region_name_ok,
         explain=lambda r: f"地区 “{r['region_name']}” 与行政区划代码 {r['region_code']} 的名称不符"),
    rule("region.code_order", "地市顺序按照行政区划代码排列", WARNING, "monthly, q1, q2", "地市顺序按照行政区划代码排列。",
         column="region_code", check=_in_code_order,
         explain=lambda r: "排在代码更大的地市之后"),
)


# --------------------------------------------------------------------------
# Regular rules, derived from a layout's field specs.


def _row_name(layout: Layout, r: Any) -> str:
    """The bank a 表四 row is about (the region of any row is named by ``sbk.validate.region_label``)."""
    name = "bank_name" if "bank_name" in layout.by_name else None
    return f"{r[name]} " if name and str(r[name] or "").strip() else ""


def _blank_ok(s: pd.Series, ok: pd.Series, required: bool) -> pd.Series:
    """A check's answer where a blank passes unless the form requires the figure."""
    return (s.notna() & ok) if required else (s.isna() | ok)


def _per_list(s: pd.Series, ok: Callable[[Any], bool]) -> pd.Series:
    """``s.map(ok)`` for a column of option lists, asking once per distinct list (filings repeat a few)."""
    memo: dict[Any, bool] = {}
    out = []
    for v in s:
        key = tuple(v) if isinstance(v, list) else v
        try:
            answer = memo.get(key)
        except TypeError:  # an unhashable element: ask directly
            out.append(bool(ok(v)))
            continue
        if answer is None:
            answer = memo[key] = bool(ok(v))
        out.append(answer)
    return pd.Series(out, index=s.index, dtype=bool)


def _options_ok(c: str, hi: int) -> Check:
    return lambda df: _per_list(df[c], lambda v: not isinstance(v, (list, tuple)) or all(1 <= int(i) <= hi for i in v))


def _no_repeats(c: str) -> Check:
    return lambda df: _per_list(df[c], lambda v: not isinstance(v, (list, tuple)) or len(set(v)) == len(v))


def _chosen(f: Field, option: int) -> Check:
    if f.kind is Kind.OPTIONS:
        return lambda df: _has(df[f.name], option)
    return lambda df: (df[f.name] == option).fillna(False).astype(bool)


def _regular_checks(f: Field) -> list[tuple[str, str, Any, Check, Callable[[Any], str]]]:
    """(check name, label, severity, check, message) for each regular rule a field's kind implies."""
    c, t, required = f.name, f.title, f.blank == ERROR
    out: list[tuple[str, str, Any, Check, Callable[[Any], str]]] = []
    if f.kind is Kind.FIGURE_10K:
        blank = "为负数或未填写" if required else "为负数"
        out.append(("non_negative", f"{t}不能为负", ERROR,
                    lambda df: _blank_ok(df[c], df[c] >= 0, required), lambda r: f"{t} {fmt(r[c])} {blank}"))
        # Floats read from Excel carry binary noise: two decimals within 1e-6 of a hundredth.
        out.append(("two_decimals", "数字统一保留小数点后两位", WARNING,
                    lambda df: df[c].isna() | (((df[c] * 100).round() - df[c] * 100).abs() < 1e-6),
                    lambda r: f"{t} {fmt(r[c])} 超过两位小数"))
    elif f.kind is Kind.PERCENT:
        out.append(("percent_range", f"{t}（%）", ERROR, lambda df: _blank_ok(df[c], df[c].between(0, 100), required),
                    lambda r: f"{t} {fmt(r[c])} 不在 0–100 之间"))
    elif f.kind is Kind.COUNT:
        out.append(("whole_number", t, ERROR,
                    lambda df: _blank_ok(df[c], (df[c] >= 0) & ((df[c] - df[c].round()).abs() < 1e-9), required),
                    lambda r: f"{t}应为非负整数，实为 {fmt(r[c])}"))
    elif f.kind in (Kind.OPTIONS, Kind.OPTION):
        hi = f.max_option or 0
        legend = f.options.legend() if isinstance(f.options, type) else ""
        if f.kind is Kind.OPTIONS:
            where = f"超出 ①–{_circled(hi)}：{legend}" if legend else f"应在 1–{hi} 之间"
            out.append(("options_range", t, ERROR, _options_ok(c, hi), lambda r: f"{t} {r[c]} {where}"))
            out.append(("repeated", t, WARNING, _no_repeats(c), lambda r: f"{t}中有重复的序号：{r[c]}"))
        else:
            where = f"应按 {legend} 填写" if legend else f"应在 1–{hi} 之间"
            out.append(("options_range", t, ERROR, lambda df: _blank_ok(df[c], df[c].between(1, hi), required),
                        lambda r: f"{where}，实为 {fmt(r[c])}"))
    elif f.kind in (Kind.TEXT, Kind.NAME) and f.blank:
        hint = f"（{f.hint}）" if f.hint else ""
        out.append(("filled", t, f.blank, lambda df: _nonblank(df[c]), lambda r: f"{t}未填写{hint}"))
    if f.note and f.other_option is not None:
        other, note, chosen = f.other_option, f.note, _chosen(f, f.other_option)
        out.append(("other_explained", f"{f.levels[-1]} {_circled(other)}其他____", WARNING,
                    lambda df: ~chosen(df) | _nonblank(df[note]),
                    lambda r: f"选了 {_circled(other)}其他，未注明{f.note_label}"))
    elif f.note and f.kind.numeric:
        note = f.note
        out.append(("note_needed", f"{f.levels[-1]}：请说明{f.note_label}", WARNING,
                    lambda df: ~(df[c].fillna(0) > 0) | _nonblank(df[note]),
                    lambda r: f"{t} {fmt(r[c])} {f.unit or ''}，未说明{f.note_label}"))
    return out


def _field_rules(layout: Layout) -> list[Rule]:
    out: list[Rule] = []
    form, period_word = layout.form, "上期" if layout.kind == "monthly" else "上季度"
    for f in layout.stored_fields:
        for check, label, severity, test, explain in _regular_checks(f):
            quote = "其他：请说明其他人群类别。" if check == "note_needed" else f.quote
            out.append(rule(f"{form}.{f.name}.{check}", label, severity, form, quote, column=f.name,
                            check=test, explain=explain))
        if f.never_falls:
            out.append(_falling_rule(layout, f, period_word))
    if layout.row_key or layout.total_label is None:
        out.append(_duplicate_rule(layout))
    return out


def _falling_rule(layout: Layout, f: Field, period_word: str) -> Rule:
    quote = ("本表中的各项指标均为截至季度末的累计数量，而非本季度的新增数量。" if layout.kind == "quarterly"
             else "累计持卡人数：截至某月末本地区实际持有社会保障卡的人数")
    return rule(f"{layout.form}.{f.name}.not_falling", f"{f.title}不应低于{period_word}", f.never_falls or ERROR,
                layout.form, quote, column=f.name, check=not_falling(f.name, ["province_code", *layout.row_key]),
                explain=lambda r: f"{_row_name(layout, r)}{f.title} {fmt(r[f.name])} 低于{period_word}")


def _duplicate_rule(layout: Layout) -> Rule:
    """One row per region (or bank) per filing; 表三 is one row per province."""
    key = layout.row_key
    what = "同一银行重复填报" if "bank_name" in key else "同一地区重复填报"
    cell = key[0] if key else layout.stored_fields[0].name

    def explain(r: Any) -> str:
        # The region (or the province, for 表三) leads the message; a bank is named here.
        return f"{_row_name(layout, r)}在 {r['period']} 已填报过{'一行' if key else '本表'}"

    return rule(f"{layout.form}.duplicate_row", what, ERROR, layout.form, column=cell,
                check=_not_duplicated(["period", "province_code", *key]), explain=explain)


# --------------------------------------------------------------------------
# Rules specific to one form.

_Q1_PARTS = ["holders_urban_employees_10k", "holders_residents_10k", "holders_other_10k"]
_SPECIFIC: dict[str, tuple[Rule, ...]] = {
    "q1": (
        rule("q1.total_equals_groups", "总数=城镇职工+城乡居民+其他", ERROR, "q1", column="holders_total_10k",
             # A blank 总数 is reported by the non-negative rule; not again here.
             check=lambda df: df["holders_total_10k"].isna()
             | ((df["holders_total_10k"] - df[_Q1_PARTS].fillna(0).sum(axis=1)).abs() < 0.005 + 1e-9),
             explain=lambda r: f"总数 {fmt(r['holders_total_10k'])} ≠ " + " + ".join(fmt(r[c]) for c in _Q1_PARTS)),
    ),
    "q2": (
        rule("q2.open_rate_matches_items", "应用目录开通率=已开通应用项目数/102*100%", ERROR, "q2",
             "业务领域……总数量应与“应用目录开通率”保持一致。", column="catalog_open_rate_pct",
             # The item count the rate implies must match the items listed (within rounding of the rate to 0.1%).
             check=lambda df: df["catalog_open_rate_pct"].isna()
             | ((df["catalog_open_rate_pct"] * CATALOG_SIZE / 100
                 - df["local_items"].map(lambda v: len(set(v)) if isinstance(v, (list, tuple)) else 0)).abs() <= 0.06),
             explain=lambda r: f"开通率 {fmt(r['catalog_open_rate_pct'])}% 与所填业务领域 {_len(r['local_items'])} 项"
                               f"（{_len(r['local_items']) / CATALOG_SIZE * 100:.2f}%）不一致"),
        rule("q2.cross_items_need_scope", "跨地区应用情况", WARNING, "q2",
             "跨地市范围的应用，纳入跨地区应用情况填写。", column="cross_region_scope",
             check=lambda df: (df["cross_region_items"].map(_len) == 0) | (df["cross_region_scope"].map(_len) > 0),
             explain=lambda r: "填了跨地区应用的业务领域，未填使用地域"),
    ),
    "q3": (
        rule("q3.stage_not_backwards", "省级持卡库建设总体进度", WARNING, "q3", column="stage",
             # ⑨其他 is not a stage on the ladder, so it is left out of the comparison.
             check=lambda df: not_falling("stage", ["province_code"])(
                 df.assign(stage=df["stage"].where(df["stage"] != CardholderDbStage.OTHER))),
             explain=lambda r: f"建设进度 {fmt(r['stage'])} 比上季度倒退"),
    ),
    "q4": (
        rule("q4.activated_le_holders", "已激活≤累计持卡", ERROR, "q4", column="fin_activated_10k",
             check=lambda df: ~(df["fin_activated_10k"] > df["fin_holders_10k"] + 1e-9),
             explain=lambda r: f"已激活 {fmt(r['fin_activated_10k'])} 万人 > 累计持卡 {fmt(r['fin_holders_10k'])} 万人"),
        rule("q4.partner_count_matches_names", "合作地市数量=合作地市名称个数", ERROR, "q4", column="partner_city_count",
             check=lambda df: df["partner_city_count"].isna()
             | (df["partner_city_count"] == df["partner_cities"].map(_len)),
             explain=lambda r: f"合作地市数量 {fmt(r['partner_city_count'])} ≠ 所列名称 {_len(r['partner_cities'])} 个"),
    ),
}


# filings: one row per filed form ------------------------------------------

def _filing_period_ok(df: pd.DataFrame) -> pd.Series:
    def ok(p: object, form: object) -> bool:
        try:
            return parse_period(str(p)).kind == ("monthly" if form == "monthly" else "quarterly")
        except PeriodError:
            return False

    return pd.Series([ok(p, f) for p, f in zip(df["period"], df["form"])], index=df.index, dtype=bool)


def _new_cities_known(df: pd.DataFrame) -> pd.Series:
    from sbk.regions import RegionError, lookup

    def ok(names: object, period: object, province: object) -> bool:
        for name in names if isinstance(names, (list, tuple)) else ():
            try:
                lookup(name, str(period), province=str(province), quiet=True)
            except (RegionError, PeriodError):
                return False
        return True

    if not len(df):
        return pd.Series(dtype=bool)
    answers = [ok(*row) for row in zip(df["new_issuing_cities"], df["period"], df["province_code"])]
    return pd.Series(answers, index=df.index, dtype=bool)


_FILING_RULES = (
    rule("filings.form", "报表", ERROR, "filings", column="form", check=lambda df: df["form"].isin(list(LAYOUTS)),
         explain=lambda r: f"报表 “{r['form']}” 不是 {'、'.join(LAYOUTS)} 之一"),
    rule("filings.period", "期别", ERROR, "filings", column="period", check=_filing_period_ok,
         explain=lambda r: f"{r['form']} 的期别 “{r['period']}” 格式不符"),
    PROVINCE,
    rule("monthly.new_cities_count", "新增发卡城市__个，即_____", ERROR, "monthly",
         "新增发卡城市：本月如有新增的发卡城市，请在备注中注明。", column="new_issuing_cities",
         check=lambda df: df["new_issuing_cities_count"].isna()
         | (df["new_issuing_cities_count"] == df["new_issuing_cities"].map(_len)),
         explain=lambda r: f"备注写新增发卡城市 {fmt(r['new_issuing_cities_count'])} 个，"
                           f"列出 {_len(r['new_issuing_cities'])} 个名称"),
    rule("monthly.new_cities_known", "新增发卡城市", WARNING, "monthly", column="new_issuing_cities",
         check=_new_cities_known,
         explain=lambda r: f"备注中的城市 {'、'.join(r['new_issuing_cities'] or [])} 有不属于 {r['province_code']} 的名称"),
)


# --------------------------------------------------------------------------
# The tidy tables.

_PERIOD_LABEL = {"monthly": "期别（年月）", "quarterly": "期别（年季度）"}
_PROVINCE_FIELD = Field("province_code", Kind.CODE, label="填报单位（省级行政区划代码）")
_PROVENANCE_FIELDS = (Field("source_file", Kind.TEXT, label="来源文件"), Field("source_sheet", Kind.TEXT, label="来源工作表"),
                      Field("source_row", Kind.COUNT, label="来源行号"))
_FILINGS_FIELDS = (
    Field("form", Kind.TEXT, label="报表"), Field("period", Kind.TEXT, label="期别"), _PROVINCE_FIELD,
    Field("source_file", Kind.TEXT, label="来源文件"), Field("sha256", Kind.TEXT, label="文件 SHA-256"),
    Field("new_issuing_cities_count", Kind.COUNT, label="新增发卡城市数量", unit="个"),
    Field("new_issuing_cities", Kind.NAMES, label="新增发卡城市（备注）"),
    Field("synthetic", Kind.FLAG, label="合成示例数据（非官方统计）"),
    Field("source_sheet", Kind.TEXT, label="来源工作表"),
)
# Columns that identify a row: never blank.
_KEYS = {"period", "province_code", "region_code", "region_name", "form", "sha256", "synthetic", "source_file"}


@dataclass(frozen=True)
class Table:
    name: str
    fields: tuple[Field, ...]  # the table's own columns in order (provenance excluded)
    rules: tuple[Rule, ...]
    layout: Layout | None = None
    optional: frozenset[str] = frozenset()  # columns a frame may leave out

    @property
    def columns(self) -> list[str]:
        """Column order of the tidy table: its own columns, then provenance."""
        own = [f.name for f in self.fields if f.name not in PROVENANCE]
        return own + list(PROVENANCE)

    @property
    def labels(self) -> dict[str, dict[str, str | None]]:
        fields = {f.name: f for f in (*_PROVENANCE_FIELDS, *self.fields)}
        return {n: {"label": f.title, "unit": f.unit} for n, f in fields.items()}

    def schema(self) -> pa.DataFrameSchema:
        return _schema(self.name)


def _text_dtype() -> Any:
    """pandera's text type, as ``str`` gives it, passing a column of exactly that type at once.

    After coercion a text column is of pandas' string type; pandera's own check then still answers for each value
    (all true) and formats the empty list of failures into a message nobody reads: half the time of checking a text
    column (~1 ms each, 43 columns in all; issue 18). A column of any other type is checked by pandera's own check,
    value by value, as before."""
    from pandera.dtypes import immutable
    from pandera.engines import pandas_engine

    text = pandas_engine.Engine.dtype(str)

    @immutable(init=True)  # as pandera declares its string type: the storage is a field
    class Text(type(text)):  # type: ignore[misc]
        def check(self, pandera_dtype: Any, data_container: Any = None) -> Any:
            try:
                if pandas_engine.Engine.dtype(pandera_dtype).type == self.type:
                    return True
            except TypeError:
                pass
            return super().check(pandera_dtype, data_container)

    return Text(getattr(text, "storage", None))


_TEXT = _text_dtype()


def _dtype(f: Field) -> Any:
    if f.kind is Kind.FLAG:
        return bool
    if f.kind is Kind.OPTION:
        return pd.Int64Dtype()
    if f.kind.numeric:
        return float  # counts too: 12.5 gets the form's own message, then it is stored as an integer
    if f.kind.is_list:
        return object
    return _TEXT


@cache
def _schema(table: str) -> pa.DataFrameSchema:
    t = TABLES[table]
    columns = {
        f.name: pa.Column(_dtype(f), nullable=f.name not in _KEYS, required=f.name not in t.optional,
                          metadata={"label": f.title, "unit": f.unit})
        for f in t.fields
    }
    for f in _PROVENANCE_FIELDS:
        columns.setdefault(f.name, pa.Column(_dtype(f), nullable=True, required=False,
                                             metadata={"label": f.title, "unit": f.unit}))
    checks = []
    for r in t.rules:
        if r.check is None:  # a table rule is its check; one without is a programming error
            raise ValueError(f"table rule {r.code} has no check")
        # ignore_na=False: pandera's default passes a row whose every column is blank, finding it by a blank test of
        # the whole frame after each check (an eighth of the checking time of a national set). No row sbk builds is
        # wholly blank: every record carries its period, province and source file (and such a row would fail the
        # keys' not-null checks whatever this says).
        checks.append(pa.Check(r.check, name=r.code, ignore_na=False))
    return pa.DataFrameSchema(columns, checks=checks, coerce=True, strict=False, name=table)


def _form_table(layout: Layout) -> Table:
    fields = (Field("period", Kind.TEXT, label=_PERIOD_LABEL[layout.kind]), _PROVINCE_FIELD, *layout.stored_fields)
    regional = "region_code" in {f.name for f in layout.stored_fields}
    rules = (PERIOD_MONTHLY if layout.kind == "monthly" else PERIOD_QUARTERLY, PROVINCE,
             *(REGION_RULES if regional else ()), *_field_rules(layout), *_SPECIFIC.get(layout.form, ()))
    return Table(layout.table, fields, rules, layout)


TABLES: dict[str, Table] = {layout.table: _form_table(layout) for layout in LAYOUTS.values()}
TABLES["filings"] = Table("filings", _FILINGS_FIELDS, _FILING_RULES, optional=frozenset({"synthetic", "source_sheet"}))


def column_labels(table: str) -> dict[str, dict[str, str | None]]:
    """{column: {'label': 官方名称, 'unit': 单位}} for a tidy table."""
    return TABLES[table].labels


def table_columns(table: str) -> list[str]:
    return TABLES[table].columns
