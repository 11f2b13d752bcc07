"""Running the rules over everything read: within each table and across files.

Pure: sheets in, tables and findings out. Nothing is printed or written here.

Across files:
- the same form, period and province filed twice: identical → warning, the
  first file (by path) is kept; different numbers → error naming both files
  (which file wins is never decided silently);
- a cumulative figure falling from one period to the next (the table rules,
  run on all periods together);
- 表一's 全省 total against the monthly form for the quarter's last month;
- 表四's bank totals against 表一's holders;
- 表二 “无新拓展领域” resolved from the same region's previous quarter.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd

from sbk.calendar import parse_period
from sbk.findings import ERROR, WARNING, Finding
from sbk.forms import LAYOUTS, TABLES, check_totals, validate_table
from sbk.ingest import SheetData

__all__ = ["assemble", "TABLE_COLUMNS"]

_SUMMED = {
    "monthly": ["cumulative_holders_10k"],
    "q1": ["holders_total_10k", "holders_urban_employees_10k", "holders_residents_10k", "holders_other_10k", "terminals"],
    "q4": ["fin_holders_10k", "fin_activated_10k", "other_fin_holders_10k"],
}
_PROVENANCE = ["source_file", "source_sheet", "source_row"]


def _columns(table: str) -> list[str]:
    cols = [c for c in TABLES[table].to_schema().columns if c not in _PROVENANCE]
    return cols + _PROVENANCE


TABLE_COLUMNS = {t: _columns(t) for t in TABLES}


def _comparable(df: pd.DataFrame) -> list[tuple]:
    body = df.drop(columns=[c for c in _PROVENANCE if c in df.columns])
    rows = [tuple(str(v) for v in r) for r in body.itertuples(index=False)]
    return sorted(rows)


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
            same = _comparable(first.rows) == _comparable(other.rows) and first.total == other.total
            where = f"{first.path}:{first.sheet}"
            if same:
                out.append(Finding(other.path, other.sheet, "", WARNING, "重复报送",
                                   f"{LAYOUTS[key[0]].title} {key[1]} 与 {where} 内容相同，按后者处理"))
            else:
                out.append(Finding(other.path, other.sheet, "", ERROR, "同期重复报送且数字不同",
                                   f"{LAYOUTS[key[0]].title} {key[1]} 已由 {where} 报送，两份数字不同："
                                   "请删除或更正其中一份后重新导入"))
    return kept, out


def _resolve_unchanged(df: pd.DataFrame, letters: dict, out: list[Finding]) -> pd.DataFrame:
    """表二 “无新拓展领域”: the items are those of the same region's previous quarter."""
    if "local_items_unchanged" not in df.columns or not df["local_items_unchanged"].fillna(False).any():
        return df.drop(columns=["local_items_unchanged"], errors="ignore")
    df = df.sort_values("period", kind="stable").copy()
    df["local_items"] = df["local_items"].astype(object)
    last: dict[tuple, list[int]] = {}
    for idx, rec in df.iterrows():
        key = (rec["province_code"], rec["region_code"])
        if rec.get("local_items_unchanged"):
            if key in last and str(parse_period(rec["period"]).previous()) in last[key][1]:
                df.at[idx, "local_items"] = list(last[key][0])
            else:
                letter = letters.get((rec["source_file"], rec["source_sheet"]), {}).get("local_items", "F")
                out.append(Finding(rec["source_file"], rec["source_sheet"], f"{letter}{rec['source_row']}", ERROR,
                                   "业务领域", "填了“无新拓展领域”，但没有该地区上一季度的表二可沿用"))
        last[key] = (list(df.at[idx, "local_items"] or []), rec["period"])
    return df.sort_index().drop(columns=["local_items_unchanged"])


def _total_sum(s: SheetData, column: str) -> float | None:
    if s.total and s.total.get(column) is not None:
        return float(s.total[column])
    if column in s.rows.columns and len(s.rows):
        return float(pd.to_numeric(s.rows[column], errors="coerce").fillna(0).sum())
    return None


def assemble(sheets: list[SheetData], sha256: dict[str, str]) -> tuple[dict[str, pd.DataFrame], list[Finding]]:
    """Combine every sheet into the tidy tables and run all rules; return (tables, findings)."""
    findings: list[Finding] = []
    usable = [s for s in sheets if s.period and s.province_code]
    usable, dup = _dedupe(usable)
    findings.extend(dup)
    letters = {(s.path, s.sheet): s.letters for s in usable}

    for s in usable:
        layout = LAYOUTS[s.form]
        if s.form in _SUMMED and s.total is not None:
            findings.extend(check_totals(layout.table, s.rows, {c: s.total.get(c) for c in _SUMMED[s.form]},
                                         path=s.path, sheet=s.sheet, total_row=s.total_row, letters=s.letters))
        elif s.form in ("monthly", "q1", "q4") and s.total is None and len(s.rows):
            findings.append(Finding(s.path, s.sheet, "", WARNING, f"{layout.total_label}行",
                                    f"没有{layout.total_label}行（本表应填报{layout.total_label}）"))

    tables: dict[str, pd.DataFrame] = {}
    for form, layout in LAYOUTS.items():
        parts = [s.rows for s in usable if s.form == form and len(s.rows)]
        df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=TABLE_COLUMNS[layout.table])
        if form == "q2" and len(df):
            df = _resolve_unchanged(df, letters, findings)
        for col in TABLE_COLUMNS[layout.table]:
            if col not in df.columns:
                df[col] = None
        df = df[TABLE_COLUMNS[layout.table]]
        if len(df):
            findings.extend(validate_table(layout.table, df, letters))
        tables[layout.table] = df

    filings = pd.DataFrame([
        {
            "form": s.form, "period": s.period, "province_code": s.province_code, "source_file": s.path,
            "source_sheet": s.sheet, "sha256": sha256.get(s.path, ""),
            "new_issuing_cities_count": s.new_cities_count, "new_issuing_cities": list(s.new_cities),
            "synthetic": s.synthetic,
            "source_row": int(s.remark_cell[1:]) if s.remark_cell else None,
        }
        for s in usable
    ], columns=["form", "period", "province_code", "source_file", "source_sheet", "sha256",
                "new_issuing_cities_count", "new_issuing_cities", "synthetic", "source_row"])
    if len(filings):
        findings.extend(validate_table("filings", filings, {k: {"new_issuing_cities": "A"} for k in letters}))
    tables["filings"] = filings.sort_values(["form", "period", "province_code", "source_file"], kind="stable").reset_index(drop=True)

    findings.extend(_cross_forms(usable))
    return tables, findings


def _cross_forms(sheets: list[SheetData]) -> list[Finding]:
    out: list[Finding] = []
    by = {(s.form, s.period, s.province_code): s for s in sheets}
    for (form, period, prov), s in by.items():
        if form == "q1":
            last_month = parse_period(period).months()[-1]
            m = by.get(("monthly", last_month, prov))
            q_total, m_total = _total_sum(s, "holders_total_10k"), _total_sum(m, "cumulative_holders_10k") if m else None
            if m and q_total is not None and m_total is not None and abs(q_total - m_total) > 0.011:
                cell = f"{s.letters.get('holders_total_10k', 'C')}{s.total_row}" if s.total_row else ""
                out.append(Finding(s.path, s.sheet, cell, WARNING, "表一全省≠月调度表合计",
                                   f"表一全省累计持卡人数 {q_total:.2f} 万人，与 {last_month} 月调度表合计 {m_total:.2f} 万人"
                                   f"（{m.path}）不一致"))
        if form == "q4":
            q1 = by.get(("q1", period, prov))
            banks = _total_sum(s, "fin_holders_10k")
            holders = _total_sum(q1, "holders_total_10k") if q1 else None
            if q1 and banks is not None and holders is not None and banks > holders + 0.011:
                cell = f"{s.letters.get('fin_holders_10k', 'C')}{s.total_row}" if s.total_row else ""
                out.append(Finding(s.path, s.sheet, cell, ERROR, "金融功能卡合计>表一累计持卡人数",
                                   f"各银行具有金融功能的社会保障卡累计持卡人数合计 {banks:.2f} 万人，"
                                   f"超过表一全省累计持卡人数 {holders:.2f} 万人（{q1.path}:{q1.sheet}）"))
    return out

