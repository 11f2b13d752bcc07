"""Running the rules over everything read: within each table and across files.

Pure: sheets in, tables and findings out. Nothing is printed or written here.
Every rule runs lazily (all failures of all rules in one pass) and each
failure becomes a finding pointing at its file, sheet and cell.

Across files:
- the same form, period and province filed twice: identical → warning, the
  first file (by path) is kept; different numbers → error naming both files
  (which file wins is never decided silently);
- a cumulative figure falling from one period to the next (the table rules,
  run on all periods together);
- the 合计 / 全省 row against the sum of the rows above it;
- 万人 figures against the region's population and the same region's
  previous figure (a form filled in 人, ``sbk.plausibility``);
- 表一's 全省 total against the monthly form for the quarter's last month;
- 表四's bank totals against 表一's holders;
- 表二 “无新拓展领域” resolved from the same region's previous quarter.

Tidy CSVs (a processed table's columns, one row per region or bank) join as
``TidySheet``s, one per (period, province) they hold: the same cell rules, the
same duplicate-filing rule and the same cross-period rules as workbook rows.
They have no 合计 / 全省 row, so the total rules do not apply to them.
The reference tables (targets, receipts, population…) get their schema check
in ``validate_reference``.

Every row-level finding names the region next to the cell (``region_label``:
黄石市（420200）; rows about the whole province name the province).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, partial
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from sbk.bulk import collector_paused
from sbk.calendar import PeriodError, parse_period
from sbk.findings import ERROR, RULES, WARNING, Finding, Rule, rule
from sbk.forms import LAYOUTS, TABLES, Layout, fmt, table_columns
from sbk.plausibility import check_magnitudes
from sbk.workbooks import SheetData, _letter

__all__ = [
    "TABLE_COLUMNS",
    "Assembly",
    "TidySheet",
    "assemble",
    "check_totals",
    "region_label",
    "validate_reference",
    "validate_table",
]

TABLE_COLUMNS = {t: table_columns(t) for t in TABLES}
_PROVENANCE = ["source_file", "source_sheet", "source_row"]
_TABLE_LAYOUT = {layout.table: layout for layout in LAYOUTS.values()}

SCHEMA_TYPE = rule("table.column_type", "数据格式", ERROR, "all tables",
                   quote="(pandera: a column missing, of the wrong type, or blank where it may not be)")
TOTAL_RULES = {
    layout.form: rule(f"{layout.form}.total_equals_sum", f"{layout.total_label}≠各行之和", ERROR, layout.form,
                      f"本表填报省内全部地市情况及{layout.total_label}总体情况。" if layout.form == "q1" else "")
    for layout in LAYOUTS.values() if layout.summed
}
TOTAL_MISSING = {
    form: rule(f"{form}.total_row_missing", f"{LAYOUTS[form].total_label}行", WARNING, form)
    for form in TOTAL_RULES
}
DUPLICATE_SAME = rule("filing.duplicate_identical", "重复报送", WARNING, "all forms")
DUPLICATE_DIFFERENT = rule("filing.duplicate_different", "同期重复报送且数字不同", ERROR, "all forms")
UNCHANGED_WITHOUT_PREVIOUS = rule("q2.local_items.unchanged_without_previous", "业务领域", ERROR, "q2",
                                  "如对比上季度无新进展，可填写“无新拓展领域”。")
Q1_VS_MONTHLY = rule("cross.q1_total_equals_monthly", "表一全省≠月调度表合计", WARNING, "q1, monthly")
Q4_VS_Q1 = rule("cross.q4_banks_le_q1_holders", "金融功能卡合计>表一累计持卡人数", ERROR, "q4, q1")


@dataclass
class TidySheet(SheetData):
    """One filing (form, period, province) read from a tidy CSV: no 合计 row, cells named by the CSV's columns."""


@cache
def _region_name(code: str, period: str) -> str | None:
    from sbk.regions import RegionError, lookup

    if not (len(code) == 6 and code.isdigit()):
        return None  # lookup would search names; a code column holds codes
    try:
        return lookup(code, period, quiet=True).name
    except (RegionError, PeriodError, ValueError):
        return None


def region_label(row: Mapping[str, Any] | pd.Series | None) -> str:
    """The region a record is about, as people name it: 黄石市（420200）.

    The official name for the code in the record's period (the name written on
    the form when the code is not valid then); 省本级 for the province's own row;
    the province itself for rows about the whole province (表三, 表四, totals).
    """
    if row is None:
        return ""
    code, province = _str(row.get("region_code")).strip(), _str(row.get("province_code")).strip()
    written, period = _str(row.get("region_name")).strip(), _str(row.get("period")).strip()
    if code and code == province:
        return f"省本级（{code}）"
    if code:
        name = _region_name(code, period) if period else None
        name = name or written
        return f"{name}（{code}）" if name else code
    if province:
        name = _region_name(province, period) if period else None
        return f"{name}（{province}）" if name else province
    return written


def _located(where: str, message: str) -> str:
    """A message led by the region it is about."""
    return f"{where}：{message}" if where else message


def _str(v: object) -> str:
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return ""
    return str(v)


def _cell(layout: Layout | None, field: str | None, row: Mapping[str, Any] | None,
          letters: Mapping[Any, Any] | None) -> str:
    """The cell a finding points at: the field's column letter (as read, else the official layout's) and the row."""
    if row is None:
        return ""
    source_row = row.get("source_row")
    if source_row is None or source_row is pd.NA or (isinstance(source_row, float) and math.isnan(source_row)):
        return ""
    if letters and isinstance(next(iter(letters.values()), None), Mapping):
        # {(source_file, source_sheet): {field: letter}} from ingest.
        letters = letters.get((_str(row.get("source_file")), _str(row.get("source_sheet"))))
    letter = None
    if field:
        if not (letters and field in letters) and layout:
            field = layout.cell_of.get(field, field)
        if letters and field in letters:
            letter = letters[field]
        elif layout:
            letter = layout.letter(field)
    return f"{letter}{int(source_row)}" if letter else f"行{int(source_row)}"


def _previous_value(df: pd.DataFrame, value: str, keys: list[str], row: pd.Series) -> str:
    earlier = df
    for k in keys:
        earlier = earlier[earlier[k] == row[k]]
    earlier = earlier[earlier["period"].astype(str) < str(row["period"])]
    if not len(earlier):
        return "?"
    last = earlier.sort_values("period").iloc[-1]
    return f"{fmt(last[value])}（{last['period']}）"


def _message(r: Rule, table: str, df: pd.DataFrame, row: pd.Series) -> str:
    message = r.explain(row) if r.explain else r.label
    layout = _TABLE_LAYOUT.get(table)
    if r.code.endswith(".not_falling") and layout and r.column:
        message += f" {_previous_value(df, r.column, ['province_code', *layout.row_key], row)}"
    return _located(region_label(row), message)


def validate_table(table: str, df: pd.DataFrame, letters: Mapping[Any, Any] | None = None) -> list[Finding]:
    """Run every rule of ``table`` over ``df`` (lazily) and return all findings.

    ``df`` may carry ``source_file``, ``source_sheet`` and ``source_row``; findings
    then point at the cell, using ``letters`` ({field: column letter}) or the
    official layout's columns; ``letters`` may also be keyed by
    (source_file, source_sheet) when columns differ from sheet to sheet.
    """
    try:
        TABLES[table].schema().validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    layout = _TABLE_LAYOUT.get(table)
    findings: list[Finding] = []
    for case in cases.to_dict("records"):
        check = str(case.get("check") or "")
        index = case.get("index")
        row = df.loc[index] if index is not None and not pd.isna(index) and index in df.index else None
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        path = _str(row.get("source_file")) if row is not None else ""
        sheet = _str(row.get("source_sheet")) if row is not None else ""
        r = RULES.get(check)
        if r is None or r.check is None:
            # pandera's own checks: missing columns, wrong types, nulls.
            column = case.get("column")
            label = TABLES[table].labels.get(str(column), {}).get("label") or str(column)
            findings.append(SCHEMA_TYPE.finding(path, sheet, _cell(layout, str(column), row, letters), _located(
                region_label(row), f"{label}：{check} 未通过（值 {case.get('failure_case')!r}）")))
            continue
        try:
            message = _message(r, table, df, row) if row is not None else r.label
        except Exception:  # noqa: BLE001 - a message must never hide the finding itself
            message = _located(region_label(row), r.label) if row is not None else r.label
        findings.append(r.finding(path, sheet, _cell(layout, r.column, row, letters), message))
    return sorted(set(findings))


def _column_sum(rows: pd.DataFrame | Sequence[Mapping[str, Any]], column: str) -> float | None:
    """A column's sum with blanks and text as 0 (``pd.to_numeric(errors="coerce").fillna(0).sum()``); None when the
    rows have no such column. Records are summed with numpy's pairwise sum, as pandas sums, so the figure is the
    same to the last bit: a frame per sheet only to sum it cost more than the sheet's reading (issue 18)."""
    if isinstance(rows, pd.DataFrame):
        if column not in rows.columns:
            return None
        return float(pd.to_numeric(rows[column], errors="coerce").fillna(0).sum())
    values = [rec.get(column) for rec in rows]
    if not any(column in rec for rec in rows):
        return None
    if any(isinstance(v, str) for v in values):  # text that may read as a number: pandas' own coercion
        return float(pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").fillna(0).sum())
    numbers = [0.0 if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values]
    return float(np.array(numbers, dtype=np.float64).sum())


# A float's unit roundoff: a sum of n floats, added in any order, lies within (n - 1) × this × the sum of their
# magnitudes of the exact sum (Higham, Accuracy and Stability of Numerical Algorithms, §4.2).
_ROUNDOFF = 2.0 ** -53


def _clearly_within(rows: Sequence[Mapping[str, Any]], column: str, written: float, tol: float) -> bool:
    """Is ``written`` so near the sum of the column's numbers (blanks as 0) that ``_column_sum``'s figure, added in
    another order, is within ``tol`` of it too? Only when every value is a float or an int (anything else: False, and
    the total is compared exactly). One pass, no array: most totals are right, and this is asked of every
    summed column of every sheet (issue 18)."""
    near = magnitude = 0.0
    for rec in rows:
        v: Any = rec.get(column)
        kind = type(v)
        if kind is float or kind is int:
            if v == v:  # not NaN (a blank)
                near += v
                magnitude += abs(v)
        elif v is not None:
            return False
    # Both sums are within (n - 1) u Σ|v| of the exact one; twice that, with room to spare, bounds their difference.
    slack = 4.0 * len(rows) * _ROUNDOFF * magnitude + 1e-12
    return abs(written - near) < tol - slack


def check_totals(
    table: str,
    rows: pd.DataFrame | Sequence[Mapping[str, Any]],
    total: Mapping[str, float | None],
    *,
    path: str = "",
    sheet: str = "",
    total_row: int | None = None,
    letters: Mapping[str, str] | None = None,
    region: str | Callable[[], str] = "",
) -> list[Finding]:
    """合计 / 全省 row = sum of the rows above it, for each summed column.

    ``total`` maps columns to the figure written on the total row. Rows are
    rounded to two decimals each, so the tolerance grows with their number;
    whole-number columns are compared at half a unit. ``region`` (the province, 湖南省（430000）, or a function giving
    it) leads each message.
    """
    layout = _TABLE_LAYOUT[table]
    label = layout.total_label or "合计"
    tolerance = max(0.01, 0.005 * len(rows)) + 1e-9
    out: list[Finding] = []
    for column, written in total.items():
        if written is None or (isinstance(written, float) and math.isnan(written)):
            continue
        tol = 0.5 if layout.by_name[column].kind.integer else tolerance
        if not isinstance(rows, pd.DataFrame) and _clearly_within(rows, column, float(written), tol):
            continue
        summed = _column_sum(rows, column) or 0.0
        if abs(float(written) - summed) > tol:
            letter = (letters or {}).get(column) or layout.letter(column) or ""
            cell = f"{letter}{total_row}" if total_row else ""
            where = region() if callable(region) else region  # named only when there is something to say
            out.append(TOTAL_RULES[layout.form].finding(path, sheet, cell, _located(
                where, f"{layout.by_name[column].title} {label} {float(written):.2f} ≠ {summed:.2f}")))
    return out


def _comparable(df: pd.DataFrame) -> list[tuple]:
    """A filing's rows as text, whatever the column order or blank marker (a workbook and a CSV compare equal)."""
    body = df.drop(columns=[c for c in _PROVENANCE if c in df.columns])
    body = body[sorted(body.columns)]
    return sorted(tuple(str(list(v)) if isinstance(v, (list, tuple)) else _str(v) for v in r)
                  for r in body.itertuples(index=False))


def _place(s: SheetData) -> str:
    return f"{s.path}:{s.sheet}" if s.sheet else s.path


def _province_label(s: SheetData) -> str:
    return region_label({"province_code": s.province_code, "period": s.period})


def _dedupe(sheets: list[SheetData]) -> tuple[list[SheetData], list[Finding]]:
    groups: dict[tuple, list[SheetData]] = defaultdict(list)
    for s in sheets:
        groups[(s.form, s.period, s.province_code)].append(s)
    kept: list[SheetData] = []
    out: list[Finding] = []
    for key, group in groups.items():
        group = sorted(group, key=lambda s: (s.path, s.sheet))
        first = group[0]
        kept.append(first)
        for other in group[1:]:
            # A tidy CSV has no total row: its rows alone are compared.
            totals_agree = first.total == other.total or first.total is None or other.total is None
            same = totals_agree and _comparable(first.rows) == _comparable(other.rows)
            where = _place(first)
            title = _located(_province_label(other), f"{LAYOUTS[key[0]].title} {key[1]}")
            if same:
                out.append(DUPLICATE_SAME.finding(other.path, other.sheet, "", f"{title} 与 {where} 内容相同，按后者处理"))
            else:
                out.append(DUPLICATE_DIFFERENT.finding(other.path, other.sheet, "",
                                                       f"{title} 已由 {where} 报送，两份数字不同："
                                                       "请删除或更正其中一份后重新导入"))
    return kept, out


def _resolve_unchanged(df: pd.DataFrame, letters: dict, out: list[Finding]) -> pd.DataFrame:
    """表二 “无新拓展领域”: the items are those of the same region's previous quarter."""
    if "local_items_unchanged" not in df.columns or not df["local_items_unchanged"].fillna(False).any():
        return df.drop(columns=["local_items_unchanged"], errors="ignore")
    df = df.sort_values("period", kind="stable").copy()
    df["local_items"] = df["local_items"].astype(object)
    last: dict[tuple, tuple[list[int], str]] = {}
    for idx, rec in df.iterrows():
        key = (rec["province_code"], rec["region_code"])
        if rec.get("local_items_unchanged"):
            if key in last and last[key][1] == str(parse_period(rec["period"]).previous()):
                df.at[idx, "local_items"] = list(last[key][0])
            else:
                letter = letters.get((rec["source_file"], rec["source_sheet"]), {}).get("local_items", "F")
                out.append(UNCHANGED_WITHOUT_PREVIOUS.finding(
                    rec["source_file"], rec["source_sheet"], f"{letter}{rec['source_row']}",
                    _located(region_label(rec), "填了“无新拓展领域”，但没有该地区上一季度的表二可沿用")))
        last[key] = (list(df.at[idx, "local_items"] or []), rec["period"])
    return df.sort_index().drop(columns=["local_items_unchanged"])


def _total_sum(s: SheetData, column: str) -> float | None:
    if s.total and s.total.get(column) is not None:
        return float(s.total[column])
    return _column_sum(s.records, column) if s.records else None


def _frames(sheets: list[SheetData]) -> list[pd.DataFrame]:
    """The sheets' rows as frames, in order: one frame for each run of sheets the reader read (built once from their
    records, not a frame per sheet concatenated: thousands of small frames cost seconds to join), and a tidy CSV's
    own frame as it was read."""
    out: list[pd.DataFrame] = []
    run: list[dict[str, Any]] = []
    for s in sheets:
        if isinstance(s, TidySheet):  # its frame as read (SheetData.from_frame)
            if run:
                out.append(pd.DataFrame(run))
                run = []
            out.append(s.rows)
        else:
            run.extend(s.records)
    if run:
        out.append(pd.DataFrame(run))
    return out


def assemble(sheets: list[SheetData], sha256: dict[str, str], region_population: pd.DataFrame | None = None
             ) -> tuple[dict[str, pd.DataFrame], list[Finding]]:
    """Combine every sheet into the tidy tables and run all rules; return (tables, findings).

    ``region_population`` (the table read from ``region_population*.csv``, if any) bounds each region's
    万人 figures (``sbk.plausibility``).
    """
    with collector_paused():  # the tables and checks of a whole set: objects that live to the end (sbk.bulk)
        part = _checked([s for s in sheets if s.period and s.province_code], sha256, region_population)
        return _tables([part], sha256), part.findings


@dataclass
class _Part:
    """Some provinces' sheets, checked together (every rule looks within one province): the sheets kept after the
    duplicate-filing rule, each form's table as checked, the columns none of its rows had (added blank), findings."""

    sheets: list[SheetData]
    kept: list[SheetData]
    frames: dict[str, pd.DataFrame]
    absent: dict[str, set[str]]
    filings: pd.DataFrame
    findings: list[Finding]
    by_table: dict[str, list[Finding]]  # the findings of each table's rules (``validate_table``), among ``findings``


def _checked(usable: list[SheetData], sha256: Mapping[str, str], region_population: pd.DataFrame | None) -> _Part:
    """Every rule over ``usable`` (sheets with a period and a province)."""
    findings: list[Finding] = []
    sheets = usable
    usable, dup = _dedupe(usable)
    findings.extend(dup)
    findings.extend(check_magnitudes(usable, region_population))
    letters = {(s.path, s.sheet): s.letters for s in usable}

    for s in usable:
        layout = LAYOUTS[s.form]
        if layout.summed and s.total is not None:
            findings.extend(check_totals(layout.table, s.records, {c: s.total.get(c) for c in layout.summed},
                                         path=s.path, sheet=s.sheet, total_row=s.total_row, letters=s.letters,
                                         region=partial(_province_label, s)))
        elif layout.summed and s.total is None and s.records and not isinstance(s, TidySheet):
            findings.append(TOTAL_MISSING[s.form].finding(s.path, s.sheet, "", _located(
                _province_label(s), f"没有{layout.total_label}行（本表应填报{layout.total_label}）")))

    frames: dict[str, pd.DataFrame] = {}
    absent: dict[str, set[str]] = {}
    by_table: dict[str, list[Finding]] = {}
    for form, layout in LAYOUTS.items():
        df, absent[layout.table] = _form_frame(form, usable, letters, findings)
        by_table[layout.table] = validate_table(layout.table, df, letters) if len(df) else []
        findings.extend(by_table[layout.table])
        frames[layout.table] = df

    filings = _filings(usable, sha256)
    by_table["filings"] = _filings_findings(filings, letters)
    findings.extend(by_table["filings"])
    findings.extend(_cross_forms(usable))
    return _Part(sheets, usable, frames, absent, filings, findings, by_table)


def _filings_findings(filings: pd.DataFrame, letters: Mapping[Any, Any]) -> list[Finding]:
    # The 备注 row is one merged cell starting in column A.
    return validate_table("filings", filings, {k: {"new_issuing_cities": "A"} for k in letters}) if len(filings) else []


def _form_frame(form: str, usable: list[SheetData], letters: dict, findings: list[Finding]
                ) -> tuple[pd.DataFrame, set[str]]:
    """A form's table from the sheets kept (表二's “无新拓展领域” resolved), with the table's columns in order; and the
    columns none of its rows had (added blank)."""
    layout = LAYOUTS[form]
    columns = TABLE_COLUMNS[layout.table]
    parts = _frames([s for s in usable if s.form == form and s.records])
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    if any(f.carries_over for f in layout.fields) and len(df):
        df = _resolve_unchanged(df, letters, findings)
    absent = {col for col in columns if col not in df.columns}
    for col in columns:
        if col not in df.columns:
            df[col] = None
    return df[columns], absent


_FILINGS_COLUMNS = ["form", "period", "province_code", "source_file", "source_sheet", "sha256",
                    "new_issuing_cities_count", "new_issuing_cities", "synthetic", "source_row"]


def _filings(usable: list[SheetData], sha256: Mapping[str, str]) -> pd.DataFrame:
    return pd.DataFrame([
        {
            "form": s.form, "period": s.period, "province_code": s.province_code, "source_file": s.path,
            "source_sheet": s.sheet, "sha256": sha256.get(s.path, ""),
            "new_issuing_cities_count": s.new_cities_count, "new_issuing_cities": list(s.new_cities),
            "synthetic": s.synthetic,
            "source_row": int(s.remark_cell[1:]) if s.remark_cell else None,
        }
        for s in usable
    ], columns=_FILINGS_COLUMNS)


def _tables(parts: list[_Part], sha256: Mapping[str, str]) -> dict[str, pd.DataFrame]:
    """The tables of the parts together: as one check of all their sheets would have built them.

    A form's table is the parts' tables joined when every part's rows gave each column the same type (pandas then
    keeps it, as when the rows are read into one frame); otherwise (a column of blanks in one part and of text in
    another, say) it is built again from all the sheets, exactly as one check builds it."""
    kept = [s for part in parts for s in part.kept]
    tables: dict[str, pd.DataFrame] = {}
    for form, layout in LAYOUTS.items():
        name = layout.table
        if len(parts) == 1:
            tables[name] = parts[0].frames[name]
            continue
        pieces = [(part.frames[name], part.absent[name]) for part in parts if len(part.frames[name])]
        kinds: dict[str, set[str]] = defaultdict(set)
        for df, absent in pieces:
            for col in df.columns:
                if col not in absent:
                    kinds[col].add(str(df[col].dtype))
        tidy = any(isinstance(s, TidySheet) for s in kept if s.form == form)
        if len(pieces) > 1 and (tidy or any(len(k) > 1 for k in kinds.values())):
            tables[name], _ = _form_frame(form, kept, {(s.path, s.sheet): s.letters for s in kept}, [])
            continue
        if len(pieces) <= 1:
            tables[name] = pieces[0][0] if pieces else parts[-1].frames[name]
            continue
        columns = TABLE_COLUMNS[name]
        df = pd.concat([d.drop(columns=sorted(a)) for d, a in pieces], ignore_index=True)
        for col in columns:
            if col not in df.columns:
                df[col] = None
        tables[name] = df[columns]
    # One group's filings as checked; several groups' built again (a column's type may differ between them).
    filings = parts[0].filings if len(parts) == 1 else _filings(kept, sha256)
    tables["filings"] = filings.sort_values(["form", "period", "province_code", "source_file"], kind="stable").reset_index(drop=True)
    return tables


# Sheets waiting before the provinces among them are checked: each check of a group costs ~0.1 s beyond its rows'
# (pandera's set-up of each table's rules), so a national decade (~8,600 forms) is checked in three goes.
EARLY_GROUP = 4096
# When no more forms than this are still to come (as the workbooks still to read and the forms each has held so far
# say), the provinces waiting are checked once more, however few: what is left to check after the last file is then
# about this much, and that check is over while the workers read the rest (about a second of reading on two cores;
# the last group of 4,096 had often not finished when the last file came, and 800 forms were still to check).
FINAL_STRETCH = 1536


class Assembly:
    """``assemble`` while the sheets are still arriving (issue 18): the provinces read so far are checked while the
    workers read the rest, so that little is left to check when the last file is in.

    Every rule looks within one province (a filing is a form, a period and a province; a series is a region's), so
    provinces checked apart give the findings and tables one check of them all gives. Sheets arrive province by
    province when the files are kept so (a folder per province): each time ``group`` sheets are waiting, the provinces
    among them that have been followed by another are checked (with their tidy CSVs' forms, which come first), the
    latest one being possibly not complete. When
    the sheets do not come province by province (a folder per period), or a province checked already comes again,
    nothing more is checked early, and the provinces it concerns are checked with the rest at the end (``finish``):
    the answer never depends on the order.
    """

    def __init__(self, sha256: Mapping[str, str], region_population: pd.DataFrame | None = None,
                 group: int | None = None) -> None:
        self._sha256, self._population = sha256, region_population
        self._group = group if group is not None else EARLY_GROUP
        self._parts: list[_Part] = []
        self._part_of: dict[str, int] = {}  # province → its part
        self._dirty: set[int] = set()  # parts to check again with the rest
        self._waiting: list[SheetData] = []
        self._early = True
        self._stretch = False  # the final stretch's check has been made
        self._forms = 0  # forms added (with a period and a province)
        self.seconds = 0.0  # spent checking before ``finish``

    @property
    def checked_early(self) -> int:
        """How many groups of provinces have been checked before ``finish`` (and not checked again)."""
        return len(self._parts) - len(self._dirty)

    def add(self, sheets: list[SheetData], progress: tuple[int, int] | None = None) -> None:
        """Sheets read. ``progress``: (workbooks read so far, workbooks in all), when known: near the end, the
        provinces waiting are checked once more (``FINAL_STRETCH``)."""
        usable = [s for s in sheets if s.period and s.province_code]
        again = {self._part_of[s.province_code] for s in usable if s.province_code in self._part_of}
        if again:
            self._dirty |= again
            self._early = False
        self._waiting.extend(usable)
        self._forms += len(usable)
        stretch = False
        # Only once a group has been checked early: a set that never fills a group is checked at once, at the end.
        if progress is not None and not self._stretch and progress[0] and self._parts:
            read, total = progress
            stretch = 0 < (total - read) * self._forms / read <= FINAL_STRETCH
        if self._early and (len(self._waiting) >= self._group or stretch):
            t0 = time.perf_counter()
            checked = self._check_early()
            self._stretch = self._stretch or (stretch and checked)  # else tried again with the next sheets
            self.seconds += time.perf_counter() - t0

    def _check_early(self) -> bool:
        """Check the provinces waiting that another has followed; True when some were."""
        # The workbooks' forms in the order they came; tidy CSVs are read before every workbook, so a province's CSV
        # forms wait for its workbooks and are checked with them.
        read = [s for s in self._waiting if not isinstance(s, TidySheet)]
        runs = [str(s.province_code) for i, s in enumerate(read) if i == 0 or s.province_code != read[i - 1].province_code]
        if len(runs) != len(set(runs)):  # not province by province: nothing is checked early from now on
            self._early = False
            return False
        ready = set(runs[:-1])
        if not ready:
            return False
        now = [s for s in self._waiting if s.province_code in ready]
        self._waiting = [s for s in self._waiting if s.province_code not in ready]
        with collector_paused():
            self._parts.append(_checked(now, self._sha256, self._population))
        self._part_of.update(dict.fromkeys(ready, len(self._parts) - 1))
        return True

    def finish(self) -> tuple[dict[str, pd.DataFrame], list[Finding]]:
        """The tables and findings of every sheet added, as ``assemble`` gives them (the tables' rows may come in
        another order)."""
        clean = [part for i, part in enumerate(self._parts) if i not in self._dirty]
        rest = [s for i, part in enumerate(self._parts) if i in self._dirty for s in part.sheets] + self._waiting
        with collector_paused():
            parts = [*clean, _checked(rest, self._sha256, self._population)]
            tables = _tables(parts, self._sha256)
            return tables, _findings_as_one_check(parts, tables)


def _findings_as_one_check(parts: list[_Part], tables: dict[str, pd.DataFrame]) -> list[Finding]:
    """The parts' findings, as one check of all their sheets gives them. A table's rules word their findings from
    the values as the table holds them (a whole number in a column of whole numbers reads 3, in a column with a blank
    3.00): where a part's table has a column of another type than the whole table, that table's rules are run again
    over the whole table, as one check runs them, and their findings replace the parts'."""
    again = [name for name, whole in tables.items() if len(parts) > 1 and any(
        len(mine) and not mine.dtypes.equals(whole.dtypes)
        for mine in ((part.filings if name == "filings" else part.frames[name]) for part in parts))]
    if not again:
        return [f for part in parts for f in part.findings]
    redone = {id(f) for part in parts for name in again for f in part.by_table[name]}
    out = [f for part in parts for f in part.findings if id(f) not in redone]
    letters = {(s.path, s.sheet): s.letters for part in parts for s in part.kept}
    for name in again:
        out.extend(_filings_findings(tables[name], letters) if name == "filings" else validate_table(name, tables[name], letters))
    return out


def _cross_forms(sheets: list[SheetData]) -> list[Finding]:
    out: list[Finding] = []
    by = {(s.form, s.period, s.province_code): s for s in sheets}
    for (form, period, prov), s in by.items():
        if form == "q1" and period:
            last_month = parse_period(period).months()[-1]
            m = by.get(("monthly", last_month, prov))
            q_total, m_total = _total_sum(s, "holders_total_10k"), _total_sum(m, "cumulative_holders_10k") if m else None
            if m and q_total is not None and m_total is not None and abs(q_total - m_total) > 0.011:
                cell = f"{s.letters.get('holders_total_10k', 'C')}{s.total_row}" if s.total_row else ""
                out.append(Q1_VS_MONTHLY.finding(s.path, s.sheet, cell, _province_label(s) + "："
                                                 f"表一全省累计持卡人数 {q_total:.2f} 万人，与 {last_month} 月调度表合计 "
                                                 f"{m_total:.2f} 万人（{m.path}）不一致"))
        if form == "q4":
            q1 = by.get(("q1", period, prov))
            banks = _total_sum(s, "fin_holders_10k")
            holders = _total_sum(q1, "holders_total_10k") if q1 else None
            if q1 and banks is not None and holders is not None and banks > holders + 0.011:
                cell = f"{s.letters.get('fin_holders_10k', 'C')}{s.total_row}" if s.total_row else ""
                out.append(Q4_VS_Q1.finding(s.path, s.sheet, cell, _province_label(s) + "："
                                            f"各银行具有金融功能的社会保障卡累计持卡人数合计 {banks:.2f} 万人，"
                                            f"超过表一全省累计持卡人数 {holders:.2f} 万人（{_place(q1)}）"))
    return out


# --------------------------------------------------------------------------
# Reference tables read from CSV (not filings): their schema, checked on the cells as written.

_TEXT = pa.Column(str, pa.Check.str_matches(r"\S"), nullable=False)


def _number(*checks: pa.Check, nullable: bool = False) -> pa.Column:
    return pa.Column(float, list(checks), nullable=nullable)


_YEAR = _number(pa.Check.in_range(1949, 2100), pa.Check(lambda s: (s % 1) == 0, name="whole_number"))
# Every column of every reference table is checked once: here, or by the row rules of ``sbk.published``
# (targets.row: year, target, unit; receipts.row: form, period, province, received_on; published.row and
# ``sbk published check``: every column of published_figures). A blank receipts channel is allowed.
REFERENCE_SCHEMAS: dict[str, pa.DataFrameSchema] = {
    "region_population": pa.DataFrameSchema({
        "province_code": pa.Column(str, pa.Check.str_matches(r"^\d{2}0000$"), nullable=False),
        "region_code": pa.Column(str, pa.Check.str_matches(r"^\d{6}$"), nullable=False),
        "region_name": _TEXT, "population_10k": _number(pa.Check.gt(0)), "source": _TEXT,
    }, name="region_population"),
    "province_population": pa.DataFrameSchema({
        "province_code": pa.Column(str, pa.Check.str_matches(r"^\d{2}0000$"), nullable=False),
        "year_end": _YEAR, "population_10k": _number(pa.Check.gt(0)), "source": _TEXT,
    }, name="province_population"),
    "population": pa.DataFrameSchema({
        "year_end": _YEAR, "population_10k": _number(pa.Check.gt(0)), "source_url": _TEXT, "quote": _TEXT,
        "reliability": pa.Column(str, pa.Check.isin(["primary", "seed", "reprint", "secondary"]), nullable=False),
    }, name="population"),
    "plan_targets": pa.DataFrameSchema({
        # A qualitative target (一卡通 by 2025) has no value or unit.
        "target_year": _YEAR, "measure": _TEXT, "value": _number(pa.Check.ge(0), nullable=True),
        "unit": pa.Column(str, nullable=True),
        "document": _TEXT, "source_url": _TEXT, "quote": _TEXT,
    }, name="plan_targets"),
    "targets": pa.DataFrameSchema({
        "region_code": pa.Column(str, pa.Check.str_matches(r"^\d{6}$"), nullable=False), "kind": _TEXT,
    }, name="targets"),
    "receipts": pa.DataFrameSchema({}, name="receipts"),
    "published_figures": pa.DataFrameSchema({}, name="published_figures"),
}
_WHY = {
    "not_nullable": "未填写", "str_matches": "格式不符", "greater_than": "应大于 0",
    "greater_than_or_equal_to": "不能为负", "in_range": "不在合理范围内", "isin": "不是可选值之一",
    "whole_number": "应为整数", "column_in_dataframe": "缺少此列",
}


def validate_reference(table: str, raw: pd.DataFrame, path: str) -> list[Finding]:
    """A reference table's schema over a CSV's cells as written (text); each failure names its cell (C5).

    Numbers are read from the text first: a word where a number belongs is 不是数字, shown as written.
    """
    schema = REFERENCE_SCHEMAS.get(table)
    if schema is None:
        return []
    letters = {c: _letter(i) for i, c in enumerate(raw.columns)}
    typed = raw.copy()
    out: list[Finding] = []
    for name, column in schema.columns.items():
        if name not in typed.columns:
            continue
        text = typed[name].fillna("").astype(str).str.strip()
        if column.dtype is not None and "float" in str(column.dtype):
            typed[name] = pd.to_numeric(text, errors="coerce").astype(float)
            # A word where a number belongs is never taken as a blank, even where a blank is allowed.
            for index in text[(text != "") & typed[name].isna()].index:
                out.append(SCHEMA_TYPE.finding(path, "", f"{letters[name]}{int(index) + 2}",
                                               f"{name}：不是数字，实为 “{text[index]}”"))
        else:
            typed[name] = text.where(text != "", None)
    try:
        schema.validate(typed, lazy=True)
        return sorted(set(out))
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    for case in cases.to_dict("records"):
        check = str(case.get("check") or "")
        why = next((v for k, v in _WHY.items() if check.startswith(k)), check)
        if check.startswith("column_in_dataframe"):
            out.append(SCHEMA_TYPE.finding(path, "", "1", f"缺少列 {case.get('failure_case')}（{table}）"))
            continue
        column, index = str(case.get("column")), case.get("index")
        if index is None or pd.isna(index) or column not in raw.columns:
            out.append(SCHEMA_TYPE.finding(path, "", "", f"{column}：{why}"))
            continue
        written = _str(raw.at[int(index), column]).strip()
        if written and "float" in str(schema.columns[column].dtype) and pd.isna(typed[column].iloc[int(index)]):
            continue  # not a number: reported above, once
        out.append(SCHEMA_TYPE.finding(path, "", f"{letters[column]}{int(index) + 2}",
                                       f"{column}：{why}，实为 “{written}”" if written else f"{column}：{why}"))
    return sorted(set(out))
