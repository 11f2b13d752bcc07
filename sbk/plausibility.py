"""Plausibility: figures checked against what is possible, not only against the form's syntax.

A 万人 column filled in 人 (长沙市 3560000 where 356.00 is meant) is a number,
non-negative, with two decimals: every rule of the 填写说明 passes, and a
ten-thousand-fold error would reach the reports. Two facts catch it:

- **Population.** No region has more card holders than ten times its
  population, and none more than China's. The population of a region comes
  from the ``region_population`` table when one is read (``region_population*.csv``
  under ``data/raw``; the demo's is synthetic), for prefecture-level rows;
  省本级, the total row, banks and regions without a figure are bounded by
  China's population. Why ten times, not the population itself: holders are
  counted where the card was issued and population where people live, so a
  region that sends people away can hold more cards than its 常住 residents
  (coverage near 98% nationally, published_figures.csv); a figure filled in 人
  is 10000× too large, so a margin of 10 refuses every such figure above 0.1%
  coverage and never a real one. Between 1× and 10× the population is a
  warning.
- **Last period.** A cumulative figure filled in 人 after a month filled in
  万人 is at least 10000× the previous figure (it cannot fall); rounding of a
  previous figure as small as 0.01 万人 keeps the ratio above 5000. Real growth of
  5000× in one period would need a region going from a pilot of tens of
  people to a whole city at once, so ≥ 5000× the same region's (or bank's)
  previous figure is an error.

Both errors say what to do: divide by 10000 and file again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from sbk.findings import ERROR, WARNING, Finding, rule
from sbk.forms import LAYOUTS, Kind, Layout
from sbk.workbooks import SheetData

__all__ = ["CHINA_POPULATION_MAX_10K", "GROWTH_LIMIT", "POPULATION_MARGIN", "check_magnitudes", "region_populations"]

# The largest year-end population of China in data/raw/published/population.csv: 141,260万 at the end of 2021
# (NBS communique, as reprinted; the row carries its source and quote). No region can have more holders.
# tests/test_plausibility.py checks this equals the file's maximum, so the fact lives in one place.
CHINA_POPULATION_MAX_10K = 141260.0
POPULATION_MARGIN = 10
GROWTH_LIMIT = 5000

_SCOPE = ", ".join(form for form, layout in LAYOUTS.items() if any(f.kind is Kind.FIGURE_10K for f in layout.fields))
LOOKS_FILLED_IN_PEOPLE = rule("plausibility.looks_filled_in_people", "数量级不合理", ERROR, _SCOPE,
                              "累计持卡人数（万人）")
ABOVE_POPULATION = rule("plausibility.above_population", "超过地区人口", WARNING, _SCOPE, "累计持卡人数（万人）")

_ADVICE = "看起来按“人”填报，本表单位为万人：请除以 10000 后重新填报"


def region_populations(table: pd.DataFrame | None) -> dict[str, tuple[float, str]]:
    """Region code → (largest population in 万人 over the years given, its source), from a ``region_population`` table.

    Rows without a positive figure are left out (the demo gives 省本级 0: it has no population of its own).
    """
    out: dict[str, tuple[float, str]] = {}
    if table is None or table.empty or not {"region_code", "population_10k"} <= set(table.columns):
        return out
    for rec in table.to_dict("records"):
        code = str(rec.get("region_code") or "")
        value = _number(rec.get("population_10k"))
        if value is None or value <= 0 or code.endswith("0000"):
            continue
        if code not in out or value > out[code][0]:
            out[code] = (value, str(rec.get("source") or "region_population"))
    return out


def _number(v: Any) -> float | None:
    if v is None or v is pd.NA:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) else f


def _who(layout: Layout, rec: Mapping[Any, Any]) -> str:
    if "bank_name" in layout.by_name:
        return str(rec.get("bank_name") or "")
    name, code = str(rec.get("region_name") or ""), str(rec.get("region_code") or "")
    return f"{name}（{code}）" if code else name


def _figures(layout: Layout) -> list[str]:
    return _FIGURES[layout.form]


_FIGURES = {form: [f.name for f in layout.fields if f.kind is Kind.FIGURE_10K] for form, layout in LAYOUTS.items()}


def _population_findings(s: SheetData, populations: Mapping[str, tuple[float, str]],
                         sheet_rows: list[dict[str, Any]]) -> list[Finding]:
    layout = LAYOUTS[s.form]
    out: list[Finding] = []
    rows: list[Mapping[Any, Any]] = list(sheet_rows)
    if s.total is not None and s.total_row:
        rows.append({**s.total, "source_row": s.total_row, "region_name": layout.total_label, "bank_name": layout.total_label})
    for rec in rows:
        code = str(rec.get("region_code") or "")
        own = populations.get(code) if code != s.province_code else None
        for name in _figures(layout):
            v = rec.get(name)
            value = v if type(v) is float else _number(v)  # a float needs no conversion (NaN fails both tests below)
            if value is None:
                continue
            if not ((own and value > own[0]) or value > CHINA_POPULATION_MAX_10K):
                continue  # the common case, decided before any message is written
            cell = f"{s.letters.get(name, '')}{int(rec['source_row'])}"
            title = layout.by_name[name].title
            if own and value > POPULATION_MARGIN * own[0]:
                out.append(LOOKS_FILLED_IN_PEOPLE.finding(
                    s.path, s.sheet, cell, f"{_who(layout, rec)} {title} {value:.2f} 万人，超过该地区人口 {own[0]:.2f} 万人"
                                           f"（{own[1]}）的 {POPULATION_MARGIN} 倍：{_ADVICE}"))
            elif value > CHINA_POPULATION_MAX_10K:
                out.append(LOOKS_FILLED_IN_PEOPLE.finding(
                    s.path, s.sheet, cell, f"{_who(layout, rec)} {title} {value:.2f} 万人，超过全国总人口 "
                                           f"{CHINA_POPULATION_MAX_10K:.0f} 万人：{_ADVICE}"))
            elif own and value > own[0]:
                out.append(ABOVE_POPULATION.finding(
                    s.path, s.sheet, cell, f"{_who(layout, rec)} {title} {value:.2f} 万人，超过该地区人口 {own[0]:.2f} 万人"
                                           f"（{own[1]}）：请核实（单位为万人）"))
    return out


def _growth_findings(sheets: list[SheetData], flagged: set[tuple[str, str, str]],
                     sheet_rows: list[list[dict[str, Any]]]) -> list[Finding]:
    """≥ GROWTH_LIMIT × the same region's (bank's) figure in the previous filing of the same form.

    A series is one (form, province, row key, figure); its points are ordered by period (as filed, for one
    period). The points of every series are compared at once with numpy: ten years of national filings hold
    hundreds of thousands of figures and a jump is rare, so only the jumps come back to Python (issue 18)."""
    import numpy as np

    row_keys: dict[tuple[Any, ...], int] = {}
    places: list[tuple[SheetData, Mapping[Any, Any]]] = []  # every row read, in order
    row_key: list[int] = []  # each row's series key (form, province, row key)
    row_period: list[int] = []
    # Each slot's figure of every row, NaN where a row has none: one array for all rows, not one a sheet, filled a
    # column of a sheet at a time.
    slot_values: list[list[float]] = [[] for _ in range(_SLOTS)]
    periods: dict[str, int] = {}
    for s, rows in zip(sheets, sheet_rows):
        if not s.records or not s.period or not rows:
            continue
        layout = LAYOUTS[s.form]
        figures, keys, base = _figures(layout), layout.row_key, (s.form, s.province_code)
        places.extend((s, rec) for rec in rows)
        if len(keys) == 1:
            key = keys[0]
            row_key.extend([row_keys.setdefault((base, (str(row.get(key) or ""),)), len(row_keys)) for row in rows])
        else:
            row_key.extend([row_keys.setdefault((base, tuple([str(row.get(k) or "") for k in keys])), len(row_keys))
                            for row in rows])
        for j, column in enumerate(slot_values):
            if j < len(figures):
                name = figures[j]
                column.extend([v if type(v) is float else _missing(_number(v)) for v in [row.get(name) for row in rows]])
            else:
                column.extend([math.nan] * len(rows))
        row_period.extend([periods.setdefault(str(s.period), len(periods))] * len(rows))
    if not row_key:
        return []
    values = np.array(slot_values, dtype=float).T
    keep = ~np.isnan(values)
    slots = np.arange(_SLOTS, dtype=np.int64)
    # Row by row, slot by slot: a series' points (one slot of one row key) come in the order they were read.
    sid = (np.array(row_key, dtype=np.int64)[:, None] * _SLOTS + slots)[keep]
    # A row's position among all rows read, times the slots, plus the slot: the order the series first appear in.
    order = (np.arange(len(row_key), dtype=np.int64)[:, None] * _SLOTS + slots)[keep]
    value = values[keep]
    # Periods compared as the text they are (YYYY-MM and YYYYQn each sort as written).
    names_of = sorted(periods)
    rank_of_period = np.empty(len(names_of), dtype=np.int64)
    for rank, text in enumerate(names_of):
        rank_of_period[periods[text]] = rank
    period = np.broadcast_to(rank_of_period[np.array(row_period, dtype=np.int64)][:, None], values.shape)[keep]
    # Series in order of first appearance, points by period, ties as read (a stable sort of each series).
    unique, first_at = np.unique(sid, return_index=True)
    series_rank = np.empty(len(unique), dtype=np.int64)
    series_rank[np.argsort(order[first_at], kind="stable")] = np.arange(len(unique))
    series = series_rank[np.searchsorted(unique, sid)]
    ranked = np.lexsort((order, period, series))
    series, period, value, order = series[ranked], period[ranked], value[ranked], order[ranked]
    prev = value[:-1]
    jump = ((series[1:] == series[:-1]) & (prev > 0) & ~(value[1:] < GROWTH_LIMIT * prev)
            & (period[1:] != period[:-1]))
    out: list[Finding] = []
    for i in np.flatnonzero(jump) + 1:
        s, rec = places[int(order[i]) // _SLOTS]
        layout = LAYOUTS[s.form]
        name = _figures(layout)[int(order[i]) % _SLOTS]
        cell = f"{s.letters.get(name, '')}{int(rec['source_row'])}"
        if (s.path, s.sheet, cell) in flagged:
            continue
        before, now = float(value[i - 1]), float(value[i])
        out.append(LOOKS_FILLED_IN_PEOPLE.finding(
            s.path, s.sheet, cell, f"{_who(layout, rec)} {layout.by_name[name].title} {now:.2f} 万人，是上期 "
                                   f"{before:.2f} 万人（{names_of[int(period[i - 1])]}）的 {now / before:.0f} 倍：{_ADVICE}"))
    return out


# More than any form's number of 万人 figures: a row's figures are told apart by slot.
_SLOTS = max(len(fs) for fs in _FIGURES.values()) + 1


def _missing(value: float | None) -> float:
    return math.nan if value is None else value


def check_magnitudes(sheets: list[SheetData], region_population: pd.DataFrame | None = None) -> list[Finding]:
    """Every 万人 figure of every sheet against the population bound, and against the previous period."""
    populations = region_populations(region_population)
    out: list[Finding] = []
    sheet_rows = [s.records for s in sheets]
    for s, rows in zip(sheets, sheet_rows):
        out.extend(_population_findings(s, populations, rows))
    flagged = {(f.path, f.sheet, f.cell) for f in out if f.severity == ERROR}
    out.extend(_growth_findings(sheets, flagged, sheet_rows))
    return out
