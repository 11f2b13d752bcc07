"""The ministry's view: every province's filings of a period rolled up, compared and ranked.

Pure functions: processed tables in, one row per province out. Every table lists all 31 provinces of the
period (``provinces_frame``); a province that did not file the form is ``未报送`` with its figures left
blank (NaN), never 0, and is not ranked. Percentages are computed from unrounded sums and rounded once,
half up, to one decimal, as the bulletins print them.

How a province's figure is made from its filed rows (the forms have no 全省 figures of their own in the
processed tables: the 合计/全省 row is checked against the rows and not stored):

- holders: the sum of its rows (省本级 and every unit), as the form's 合计;
- 开通率 (表二): items opened anywhere in the province (the union of its units' 本地应用 items) ÷ 102,
  and, as ``unit_open_rate_pct``, the units' own 开通率 weighted by their holders (what a holder can use
  where they live; provinces are ranked by this one, since the union grows with the number of units);
- 持卡缴费 / 持卡领取待遇 coverage (表二): the units' rates weighted by their holders (表一 of the same
  quarter), since each rate is a share of the unit's holders; unweighted when 表一 is missing;
- activation (表四): all activated ÷ all cards with financial function, over the province's banks.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sbk.analysis.bulletin import SCORE_FORMULA, quality_score, round_pct, timeliness
from sbk.analysis.common import best_per_date, resolve_period
from sbk.calendar import parse_period

__all__ = [
    "FILED",
    "NOT_FILED",
    "SCORE_FORMULA",
    "STAGE_LABELS",
    "applications_table",
    "bank_table",
    "cardholder_db_table",
    "coverage_table",
    "filing_status",
    "groups_table",
    "growth_table",
    "late_and_missing",
    "national_total",
    "period_is_synthetic",
    "province_holders",
    "provinces_frame",
    "quality_table",
    "rank",
    "reconcile",
    "roll_up",
    "services_table",
    "synthetic_in",
    "terminals_table",
    "timeliness_by_province",
]

NOT_FILED = "未报送"
FILED = "已报送"
STAGE_LABELS = {1: "①尚未启动", 2: "②制定建设实施方案", 3: "③系统部署与部级联调", 4: "④数据准备及初始化",
                5: "⑤卡管系统接入", 6: "⑥业务系统接入", 7: "⑦系统试运行", 8: "⑧系统正式上线运行", 9: "⑨其他"}
_FORM_TABLE = {"monthly": "monthly_issuance", "q1": "quarterly_work", "q2": "quarterly_application",
               "q3": "quarterly_cardholder_db", "q4": "quarterly_bank"}


def provinces_frame(period: str) -> pd.DataFrame:
    """The 31 provinces of ``period`` in code order: province_code, province_name, label (the tile's short name)."""
    from sbk.regions import provinces, tile_layout

    labels = {t.province_code: t.label for t in tile_layout()}
    rows = [{"province_code": p.code, "province_name": p.name, "label": labels.get(p.code, p.short_name)}
            for p in provinces(period, quiet=True)]
    return pd.DataFrame(rows)


def filing_status(filings: pd.DataFrame, form: str, period: str, provinces: pd.DataFrame) -> pd.DataFrame:
    """Each province with ``status`` 已报送 / 未报送 for one form of one period."""
    out = provinces.copy()
    filed: set[str] = set()
    if not filings.empty:
        f = filings[(filings["form"] == form) & (filings["period"] == period)]
        filed = set(f["province_code"].astype(str))
    out["status"] = [FILED if c in filed else NOT_FILED for c in out["province_code"]]
    return out


def _of(df: pd.DataFrame, period: str | None) -> pd.DataFrame:
    if df.empty or period is None or "period" not in df:
        return df.iloc[0:0] if not df.empty else df
    return df[df["period"] == period]


def province_holders(monthly: pd.DataFrame, period: str) -> pd.Series:
    """Cumulative holders (万人) per province in a month: the sum of its rows, as its 合计."""
    d = _of(monthly, period)
    if d.empty:
        return pd.Series(dtype=float)
    return d.groupby("province_code")["cumulative_holders_10k"].sum()


def rank(values: pd.Series, ascending: bool = False) -> pd.Series:
    """1 = best; provinces without a value (未报送) get no rank; ties share the better rank."""
    return values.rank(ascending=ascending, method="min").astype("Int64")


def coverage_table(monthly: pd.DataFrame, filings: pd.DataFrame, population: pd.DataFrame, period: str) -> pd.DataFrame:
    """Holders ÷ population per province, ranked; 未报送 provinces kept with blanks.

    ``population``: the ``province_population`` table; the year-end nearest before the month is used (the
    year itself when there is none earlier), and ``population_year`` says which.
    """
    month = _month_of(period)
    out = filing_status(filings, "monthly", month, provinces_frame(month))
    holders = province_holders(monthly, month)
    out["holders_10k"] = out["province_code"].map(holders).where(out["status"] == FILED)
    pop, years = _population(population, month)
    out["population_10k"] = out["province_code"].map(pop)
    out["population_year"] = out["province_code"].map(years).astype("Int64")
    cov = out["holders_10k"] / out["population_10k"] * 100
    out["coverage_pct"] = cov.where(out["population_10k"] > 0).map(round_pct)
    out["rank"] = rank(cov.where(out["population_10k"] > 0))
    return out.sort_values(["rank", "province_code"], na_position="last", kind="stable").reset_index(drop=True)


def _population(population: pd.DataFrame, month: str) -> tuple[dict[str, float], dict[str, int]]:
    if population.empty:
        return {}, {}
    year = parse_period(month, check_regime=False).year
    pop, years = {}, {}
    for code, g in population.dropna(subset=["population_10k"]).groupby("province_code"):
        before = g[g["year_end"] < year]
        pick = (before.sort_values("year_end").iloc[-1] if len(before)
                else g.iloc[int((g["year_end"] - year).abs().to_numpy().argmin())])
        pop[str(code)], years[str(code)] = float(pick["population_10k"]), int(pick["year_end"])
    return pop, years


def _month_of(period: str) -> str:
    """The month a period's monthly figures come from: the month itself, or a quarter's last month."""
    p = parse_period(period)
    return p.label if p.kind == "monthly" else p.months()[-1]


def _previous_month(month: str) -> str:
    p = parse_period(month, check_regime=False)
    y, m = (p.year, p.end_month - 1) if p.end_month > 1 else (p.year - 1, 12)
    return f"{y:04d}-{m:02d}"


def growth_table(monthly: pd.DataFrame, filings: pd.DataFrame, period: str) -> pd.DataFrame:
    """Holders this month against the previous month, per province, ranked by the increase.

    A province that did not file this month is 未报送; one that did not file the previous month has no
    increase (``previous_status`` 未报送), never an increase from 0.
    """
    month = _month_of(period)
    prev = _previous_month(month)
    out = filing_status(filings, "monthly", month, provinces_frame(month))
    out["previous_status"] = filing_status(filings, "monthly", prev, out[["province_code"]])["status"].to_numpy()
    now, before = province_holders(monthly, month), province_holders(monthly, prev)
    out["holders_10k"] = out["province_code"].map(now).where(out["status"] == FILED)
    out["previous_10k"] = out["province_code"].map(before).where(out["previous_status"] == FILED)
    out["increase_10k"] = (out["holders_10k"] - out["previous_10k"]).round(2)
    out["growth_pct"] = (out["increase_10k"] / out["previous_10k"] * 100).where(out["previous_10k"] > 0).map(round_pct)
    out["rank"] = rank(out["increase_10k"])
    return out.sort_values(["rank", "province_code"], na_position="last", kind="stable").reset_index(drop=True)


def national_total(monthly: pd.DataFrame, filings: pd.DataFrame, period: str) -> dict[str, Any]:
    """The national total of a month summed from the provinces' monthly forms, with how many filed."""
    month = _month_of(period)
    status = filing_status(filings, "monthly", month, provinces_frame(month))
    holders = province_holders(monthly, month)
    filed = status[status["status"] == FILED]
    return {"period": month, "holders_10k": round(float(holders.reindex(filed["province_code"]).fillna(0).sum()), 2),
            "provinces_filed": len(filed), "provinces_expected": len(status),
            "not_filed": list(status.loc[status["status"] == NOT_FILED, "province_name"])}


def reconcile(total: dict[str, Any], published: pd.DataFrame, synthetic: bool) -> dict[str, Any]:
    """The roll-up next to the published national holders figure of the nearest date: source and difference.

    ``synthetic``: the provinces' forms are the synthetic demo, so the comparison is of made-up figures
    with a real one; the note says so. The published figures include 新疆生产建设兵团, which files no form
    with a GB/T 2260 code, so some difference is expected even with real forms.
    """
    out: dict[str, Any] = {**total, "published_date": None, "published_10k": None, "source": None, "source_url": None,
                           "difference_10k": None, "difference_pct": None, "days_apart": None}
    series = best_per_date(published, ["holders"]) if not published.empty else pd.DataFrame()
    if not total["provinces_filed"]:
        out["note"] = "本期无省级月调度表报送，无汇总数可与公开数核对。"
        return out
    if series.empty:
        out["note"] = "无全国公开数据可比。"
        return out
    p = parse_period(total["period"], check_regime=False)
    end = pd.Timestamp(p.year, p.end_month, 1) + pd.offsets.MonthEnd(0)
    dates = pd.to_datetime(series["date"])
    i = int((dates - end).abs().to_numpy().argmin())
    row = series.iloc[i]
    diff = total["holders_10k"] - float(row["value_10k"])
    out.update({"published_date": str(row["date"]), "published_10k": float(row["value_10k"]), "source": row["source"],
                "source_url": row["source_url"], "difference_10k": round(diff, 2),
                "difference_pct": round_pct(diff / float(row["value_10k"]) * 100),
                "days_apart": int(abs((dates.iloc[i] - end).days)),
                "lower_bound": bool(row.get("lower_bound", False))})
    note = ("各省数为合成示例数据，公开数为真实数据：差额只演示核对方法，不说明任何省份的实际情况。" if synthetic
            else "公开数含新疆生产建设兵团（无 GB/T 2260 代码，不在各省汇总之内）。")
    if out["provinces_filed"] < out["provinces_expected"]:
        note += f"本期 {out['provinces_expected'] - out['provinces_filed']} 个省份未报送，汇总数偏低。"
    out["note"] = note
    return out


def _quarter(table: pd.DataFrame, period: str) -> str | None:
    """The quarter a period reads quarterly forms from: a quarter itself; for a month, the latest quarter
    ended by then, if it ended within the last three months (an older one would be shown as current)."""
    p = parse_period(period)
    if p.kind == "quarterly":
        return p.label
    periods = sorted(table["period"].dropna().unique()) if not table.empty else []
    q = resolve_period(period, list(periods))
    if q is None:
        return None
    end = parse_period(q)
    return q if (p.year * 12 + p.end_month) - (end.year * 12 + end.end_month) < 3 else None


def _quarter_frame(filings: pd.DataFrame, form: str, quarter: str | None, period: str) -> pd.DataFrame:
    if quarter is None:
        p = parse_period(period)
        quarter = f"{p.year}Q{p.quarter}" if p.kind == "quarterly" else None
    out = filing_status(filings, form, quarter or "", provinces_frame(quarter or _month_of(period)))
    out.insert(0, "period", quarter)
    return out


def groups_table(q1: pd.DataFrame, filings: pd.DataFrame, period: str) -> pd.DataFrame:
    """表一 by province: holders by group (城镇职工 / 城乡居民 / 其他) in 万人 and as shares of the total."""
    quarter = _quarter(q1, period)
    out = _quarter_frame(filings, "q1", quarter, period)
    cols = ["holders_total_10k", "holders_urban_employees_10k", "holders_residents_10k", "holders_other_10k"]
    sums = _of(q1, quarter).groupby("province_code")[cols].sum() if quarter else pd.DataFrame(columns=cols)
    for c in cols:
        out[c] = out["province_code"].map(sums.get(c, {})).where(out["status"] == FILED)
    for c, share in (("holders_urban_employees_10k", "urban_share_pct"), ("holders_residents_10k", "residents_share_pct"),
                     ("holders_other_10k", "other_share_pct")):
        out[share] = (out[c] / out["holders_total_10k"] * 100).where(out["holders_total_10k"] > 0).map(round_pct)
    return out


def terminals_table(q1: pd.DataFrame, filings: pd.DataFrame, period: str) -> pd.DataFrame:
    """Read/write terminals per 10,000 holders by province (terminals ÷ holders in 万人), ranked."""
    quarter = _quarter(q1, period)
    out = _quarter_frame(filings, "q1", quarter, period)
    d = _of(q1, quarter)
    sums = d.groupby("province_code")[["terminals", "holders_total_10k"]].sum() if not d.empty else pd.DataFrame(
        columns=["terminals", "holders_total_10k"])
    out["terminals"] = out["province_code"].map(sums["terminals"]).where(out["status"] == FILED)
    out["holders_total_10k"] = out["province_code"].map(sums["holders_total_10k"]).where(out["status"] == FILED)
    per = out["terminals"].astype(float) / out["holders_total_10k"]
    out["terminals_per_10k_holders"] = per.where(out["holders_total_10k"] > 0).map(round_pct)
    out["rank"] = rank(per.where(out["holders_total_10k"] > 0))
    return out.sort_values(["rank", "province_code"], na_position="last", kind="stable").reset_index(drop=True)


def _union(values: pd.Series) -> set[int]:
    out: set[int] = set()
    for v in values:
        if v is not None and not (isinstance(v, float) and math.isnan(v)):
            out.update(int(x) for x in v)
    return out


def services_table(q1: pd.DataFrame, filings: pd.DataFrame, period: str) -> pd.DataFrame:
    """Service items (①–⑨) and channels (①–⑩) offered anywhere in the province, counted and listed."""
    quarter = _quarter(q1, period)
    out = _quarter_frame(filings, "q1", quarter, period)
    d = _of(q1, quarter)
    items = d.groupby("province_code")["service_items"].agg(_union) if not d.empty else pd.Series(dtype=object)
    channels = d.groupby("province_code")["service_channels"].agg(_union) if not d.empty else pd.Series(dtype=object)
    filed = out["status"] == FILED
    out["service_items_count"] = out["province_code"].map(lambda c: len(items.get(c, ()))).where(filed).astype("Int64")
    out["service_channels_count"] = out["province_code"].map(lambda c: len(channels.get(c, ()))).where(filed).astype("Int64")
    # Option numbers as lists, like the forms' own columns (a reader's table shows them as ①②…); None: not filed.
    for col, offered in (("service_items", items), ("service_channels", channels)):
        out[col] = pd.Series([sorted(offered.get(c, ())) if f else None for c, f in zip(out["province_code"], filed)],
                             index=out.index, dtype=object)
    return out


def applications_table(q2: pd.DataFrame, q1: pd.DataFrame, filings: pd.DataFrame, period: str) -> pd.DataFrame:
    """表二 by province: 开通率 (items opened anywhere ÷ 102; and the units' rates weighted by holders, which ranks)
    and the two 持卡 coverage rates weighted by holders."""
    quarter = _quarter(q2, period)
    out = _quarter_frame(filings, "q2", quarter, period)
    d = _of(q2, quarter)
    weights = _of(q1, quarter)[["province_code", "region_code", "holders_total_10k"]] if not q1.empty else None
    rows: dict[str, dict[str, Any]] = {}
    for code, g in (d.groupby("province_code") if not d.empty else []):
        opened = len(_union(g["local_items"]))
        held = g.merge(weights, on=["province_code", "region_code"], how="left")["holders_total_10k"] if weights is not None \
            else pd.Series(float("nan"), index=range(len(g)))
        w = held.fillna(0).to_numpy(dtype=float)
        weighted = w.sum() > 0

        def mean(col: str, g: pd.DataFrame = g, w=w, weighted: bool = weighted) -> float:
            vals = g[col].to_numpy(dtype=float)
            ok = ~pd.isna(vals)
            if weighted and (w[ok] > 0).any():
                return float((vals[ok] * w[ok]).sum() / w[ok].sum())
            return float(vals[ok].mean()) if ok.any() else float("nan")

        rows[str(code)] = {"items_opened": opened, "catalog_open_rate_pct": round_pct(opened / 102 * 100),
                      "unit_open_rate_pct": round_pct(mean("catalog_open_rate_pct")),
                      "payment_coverage_pct": round_pct(mean("payment_coverage_pct")),
                      "benefit_coverage_pct": round_pct(mean("benefit_coverage_pct")),
                      "weighted_by_holders": bool(weighted)}
    for col in ("items_opened", "catalog_open_rate_pct", "unit_open_rate_pct", "payment_coverage_pct", "benefit_coverage_pct",
                "weighted_by_holders"):
        out[col] = [rows.get(c, {}).get(col) if s == FILED else None for c, s in zip(out["province_code"], out["status"])]
    out["items_opened"] = out["items_opened"].astype("Int64")
    for col in ("catalog_open_rate_pct", "unit_open_rate_pct", "payment_coverage_pct", "benefit_coverage_pct"):
        out[col] = out[col].astype(float)
    out["rank"] = rank(out["unit_open_rate_pct"])
    return out.sort_values(["rank", "province_code"], na_position="last", kind="stable").reset_index(drop=True)


def cardholder_db_table(q3: pd.DataFrame, filings: pd.DataFrame, period: str) -> pd.DataFrame:
    """表三 by province: the 持卡库 stage (①–⑨) with its label; ⑨其他 is not ordered, so it is not ranked."""
    quarter = _quarter(q3, period)
    out = _quarter_frame(filings, "q3", quarter, period)
    d = _of(q3, quarter)
    stage = d.groupby("province_code")["stage"].max() if not d.empty else pd.Series(dtype="Int64")
    out["stage"] = out["province_code"].map(stage).where(out["status"] == FILED).astype("Int64")
    out["stage_label"] = [STAGE_LABELS.get(int(s), "") if not pd.isna(s) else NOT_FILED for s in out["stage"]]
    ordered = out["stage"].astype(float).where(out["stage"].astype(float) < 9)
    out["rank"] = rank(ordered)
    return out.sort_values(["rank", "province_code"], na_position="last", kind="stable").reset_index(drop=True)


def bank_table(q4: pd.DataFrame, q1: pd.DataFrame, filings: pd.DataFrame, period: str) -> pd.DataFrame:
    """表四 by province: cards with financial function, activation, banks, the largest bank's share and HHI,
    and financial cards as a share of all holders (表一 of the same quarter); ranked by activation."""
    quarter = _quarter(q4, period)
    out = _quarter_frame(filings, "q4", quarter, period)
    d = _of(q4, quarter)
    holders = _of(q1, quarter).groupby("province_code")["holders_total_10k"].sum() if not q1.empty else pd.Series(dtype=float)
    rows: dict[str, dict[str, Any]] = {}
    for code, g in (d.groupby("province_code") if not d.empty else []):
        fin, act = float(g["fin_holders_10k"].sum()), float(g["fin_activated_10k"].sum())
        shares = g["fin_holders_10k"] / fin * 100 if fin > 0 else g["fin_holders_10k"] * 0
        top = g.iloc[int(g["fin_holders_10k"].to_numpy().argmax())]
        h = holders.get(code)
        rows[str(code)] = {"fin_holders_10k": round(fin, 2), "fin_activated_10k": round(act, 2),
                      "activation_pct": round_pct(act / fin * 100) if fin > 0 else float("nan"),
                      "banks": len(g), "largest_bank": str(top["bank_name"]),
                      "largest_share_pct": round_pct(float(shares.max())) if fin > 0 else float("nan"),
                      "hhi": round(float((shares ** 2).sum()), 0),
                      "fin_share_of_holders_pct": round_pct(fin / h * 100) if h and h > 0 else float("nan")}
    cols = ["fin_holders_10k", "fin_activated_10k", "activation_pct", "banks", "largest_bank", "largest_share_pct", "hhi",
            "fin_share_of_holders_pct"]
    for col in cols:
        out[col] = [rows.get(c, {}).get(col) if s == FILED else None for c, s in zip(out["province_code"], out["status"])]
    for col in ("fin_holders_10k", "fin_activated_10k", "activation_pct", "largest_share_pct", "hhi", "fin_share_of_holders_pct"):
        out[col] = out[col].astype(float)
    out["banks"] = out["banks"].astype("Int64")
    out["rank"] = rank(out["activation_pct"])
    return out.sort_values(["rank", "province_code"], na_position="last", kind="stable").reset_index(drop=True)


def _year_to_date(month: str) -> list[str]:
    from sbk.calendar import REGIME_START

    p = parse_period(month)
    return [m for m in (f"{p.year}-{i:02d}" for i in range(1, p.end_month + 1)) if m >= REGIME_START]


_NO_RECEIPTS = pd.DataFrame(columns=["province", "form", "period", "received_on"])


def timeliness_by_province(filings: pd.DataFrame, receipts: pd.DataFrame, period: str) -> dict[str, pd.DataFrame]:
    """Each province's expected filings of the year to ``period`` with deadline, receipt and status
    (``sbk.analysis.bulletin.timeliness``), computed once for the quality table and the late-and-missing list."""
    month = _month_of(period)
    months = _year_to_date(month)
    own = dict(tuple(filings.groupby("province_code"))) if not filings.empty else {}
    rec = dict(tuple(receipts.groupby("province"))) if not receipts.empty else {}
    empty = pd.DataFrame(columns=["form", "period", "source_file"])
    return {code: timeliness(own.get(code, empty), rec.get(code, _NO_RECEIPTS), code, months)
            for code in provinces_frame(month)["province_code"]}


def quality_table(filings: pd.DataFrame, receipts: pd.DataFrame, findings: pd.DataFrame, period: str,
                  timely: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Filing quality of every province for the year to ``period``, scored by SCORE_FORMULA and ranked.

    Timeliness against the holiday-adjusted deadline (``sbk.calendar.due_date``), completeness of the
    expected forms, accuracy as the warnings of the last ingest on the province's files, counted by rule
    code (``warning_codes``). A province that filed nothing at all is in the table with completeness 0.
    """
    timely = timely if timely is not None else timeliness_by_province(filings, receipts, period)
    files_of = filings.groupby("province_code")["source_file"].agg(set).to_dict() if not filings.empty else {}
    warned = findings[findings["severity"] == "warning"] if not findings.empty else findings
    rows = []
    for code, name, label in provinces_frame(_month_of(period))[["province_code", "province_name", "label"]].itertuples(index=False):
        t = timely[code]
        mine = warned[warned["path"].isin(files_of.get(code, set()))] if not warned.empty else warned
        s = quality_score(t, len(mine))
        codes = mine["code"].value_counts().sort_index() if not mine.empty else pd.Series(dtype=int)
        rows.append({"province_code": code, "province_name": name, "label": label, "expected": len(t),
                     "filed": int((t["status"] != NOT_FILED).sum()), "on_time": int((t["status"] == "按时").sum()),
                     "late": int((t["status"] == "迟报").sum()), "not_filed": int((t["status"] == NOT_FILED).sum()),
                     "unknown": int((t["status"] == "未知").sum()),
                     "warnings": len(mine), "warning_codes": "；".join(f"{k} ×{v}" for k, v in codes.items()),
                     "on_time_pct": round_pct(s["on_time_pct"]), "complete_pct": round_pct(s["complete_pct"]),
                     "accuracy_points": round_pct(s["accuracy_part"] * 20), "score": round_pct(s["score"]),
                     "_score": s["score"]})
    out = pd.DataFrame(rows)
    out["rank"] = rank(out["_score"])
    return out.drop(columns="_score").sort_values(["rank", "province_code"], kind="stable").reset_index(drop=True)


def late_and_missing(filings: pd.DataFrame, receipts: pd.DataFrame, period: str,
                     timely: dict[str, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Every expected filing of the year to ``period`` that was late, not filed or has no receipt, by province."""
    timely = timely if timely is not None else timeliness_by_province(filings, receipts, period)
    rows: list[dict[str, Any]] = []
    for code, name in provinces_frame(_month_of(period))[["province_code", "province_name"]].itertuples(index=False):
        t = timely[code]
        t = t[t["status"] != "按时"]
        rows.extend({"province_code": code, "province_name": name, **{str(k): v for k, v in r.items()}}
                    for r in t.to_dict("records"))
    cols = ["province_code", "province_name", "form", "period", "due", "received_on", "days_late", "status"]
    return pd.DataFrame(rows, columns=cols)


def synthetic_in(filings: pd.DataFrame, periods: list[str]) -> bool:
    """Whether any filing of these periods is synthetic (the demo)."""
    if filings.empty or "synthetic" not in filings:
        return False
    return bool(filings.loc[filings["period"].isin(periods), "synthetic"].any())


def _periods_read(filings: pd.DataFrame, period: str) -> list[str]:
    """The month and the quarter (if any) whose forms the roll-up of ``period`` reads."""
    quarter = _quarter(filings[filings["form"] != "monthly"] if not filings.empty else filings, period)
    return [_month_of(period)] + ([quarter] if quarter else [])


def period_is_synthetic(processed_dir: Any, period: str) -> bool:
    """Whether the forms the roll-up of ``period`` reads include synthetic (demo) filings."""
    from sbk.analysis.common import load

    filings = load(processed_dir, "filings")
    return synthetic_in(filings, _periods_read(filings, period))


def roll_up(processed_dir: Any, period: str) -> dict[str, Any]:
    """Every table of the national roll-up for a period, from the processed data (what the notebook shows)."""
    from sbk.analysis.common import load

    t = {name: load(processed_dir, name) for name in (
        "monthly_issuance", "quarterly_work", "quarterly_application", "quarterly_cardholder_db", "quarterly_bank",
        "filings", "province_population", "published_figures", "receipts", "findings")}
    filings = t["filings"]
    month = _month_of(period)
    periods = _periods_read(filings, period)
    quarter = periods[1] if len(periods) > 1 else None
    synthetic = synthetic_in(filings, periods)
    total = national_total(t["monthly_issuance"], filings, period)
    timely = timeliness_by_province(filings, t["receipts"], period)
    any_filed = (not filings.empty) and bool(filings["period"].isin(periods).any())
    return {
        "period": period, "month": month, "quarter": quarter, "any_filed": any_filed, "synthetic": synthetic,
        "total": total, "reconciliation": reconcile(total, t["published_figures"], synthetic),
        "coverage": coverage_table(t["monthly_issuance"], filings, t["province_population"], period),
        "growth": growth_table(t["monthly_issuance"], filings, period),
        "groups": groups_table(t["quarterly_work"], filings, period),
        "terminals": terminals_table(t["quarterly_work"], filings, period),
        "services": services_table(t["quarterly_work"], filings, period),
        "applications": applications_table(t["quarterly_application"], t["quarterly_work"], filings, period),
        "cardholder_db": cardholder_db_table(t["quarterly_cardholder_db"], filings, period),
        "banks": bank_table(t["quarterly_bank"], t["quarterly_work"], filings, period),
        "quality": quality_table(filings, t["receipts"], t["findings"], period, timely),
        "late_and_missing": late_and_missing(filings, t["receipts"], period, timely),
    }
