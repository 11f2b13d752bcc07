"""Coverage: card holders against population, by group, terminals, services and channels, applications."""

from __future__ import annotations

import pandas as pd

from sbk.analysis.common import best_per_date
from sbk.forms import ServiceChannel, ServiceItem

__all__ = [
    "application_rates",
    "domain_opened",
    "holders_by_group",
    "national_coverage",
    "option_matrix",
    "progress_notes",
    "regional_coverage",
    "terminals_per_10k",
]


def national_coverage(published: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    """Holders against the previous year-end population, next to the coverage the sources state.

    The published coverage rates match holders divided by the *previous*
    year-end population (9.03亿 / 137,462万 = 65.7% for 2016-03-31), so that is
    the denominator used here; the column ``population_year`` says which.
    """
    holders = best_per_date(published, ["holders"])
    holders["date"] = pd.to_datetime(holders["date"])
    # Without a population table the rates are left open (a report still shows the holders and stated rates).
    pop = population.set_index("year_end")["population_10k"] if not population.empty else pd.Series(dtype=float)
    rows = []
    stated = best_per_date(published, ["population_coverage_pct", "penetration_pct"])
    stated = dict(zip(stated["date"], stated["value"]))
    for r in holders.itertuples():
        year = r.date.year - 1
        denominator = pop.get(year)
        rows.append({
            "date": r.date.date().isoformat(),
            "holders_10k": float(r.value_10k),
            "lower_bound": bool(r.lower_bound),
            "population_year": year,
            "population_10k": float(denominator) if denominator is not None else None,
            "coverage_pct": round(float(r.value_10k) / float(denominator) * 100, 1) if denominator else None,
            "stated_coverage_pct": stated.get(r.date.date().isoformat()),
            "source": r.source,
        })
    return pd.DataFrame(rows)


def regional_coverage(monthly: pd.DataFrame, region_population: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    """Holders per region against the region's population table for one month."""
    m = monthly[(monthly["province_code"] == province) & (monthly["period"] == period)]
    pop = region_population[region_population["province_code"] == province] if not region_population.empty else region_population
    pop_map = dict(zip(pop["region_code"], pop["population_10k"])) if not pop.empty else {}
    out = m[["region_code", "region_name", "cumulative_holders_10k"]].copy()
    out["population_10k"] = out["region_code"].map(pop_map)
    out["coverage_pct"] = (out["cumulative_holders_10k"] / out["population_10k"] * 100).where(out["population_10k"] > 0).round(1)
    return out.reset_index(drop=True)


def holders_by_group(q1: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    """城镇职工 / 城乡居民 / 其他 per region, in 万人 and as shares of the total."""
    d = q1[(q1["province_code"] == province) & (q1["period"] == period)]
    out = d[["region_code", "region_name", "holders_total_10k", "holders_urban_employees_10k",
             "holders_residents_10k", "holders_other_10k"]].copy()
    for col, share in (("holders_urban_employees_10k", "urban_share_pct"), ("holders_residents_10k", "residents_share_pct"),
                       ("holders_other_10k", "other_share_pct")):
        out[share] = (out[col] / out["holders_total_10k"] * 100).where(out["holders_total_10k"] > 0).round(1)
    return out.reset_index(drop=True)


def terminals_per_10k(q1: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    """Read/write terminals per 10,000 card holders (holders are in 万人, so terminals / holders_10k)."""
    d = q1[(q1["province_code"] == province) & (q1["period"] == period)]
    out = d[["region_code", "region_name", "terminals", "holders_total_10k"]].copy()
    out["terminals_per_10k_holders"] = (out["terminals"].astype(float) / out["holders_total_10k"]).where(
        out["holders_total_10k"] > 0).round(1)
    return out.reset_index(drop=True)


def option_matrix(q1: pd.DataFrame, province: str, period: str, column: str) -> pd.DataFrame:
    """Region × option table (✓ where offered) for 服务事项 or 服务渠道, with the official labels."""
    enum = {"service_items": ServiceItem, "service_channels": ServiceChannel}[column]
    d = q1[(q1["province_code"] == province) & (q1["period"] == period)]
    labels = [f"{m.value}. {m.label}" for m in enum]
    rows = {}
    for r in d.itertuples():
        chosen = set(int(v) for v in (getattr(r, column) if getattr(r, column) is not None else []))
        rows[r.region_name] = [m.value in chosen for m in enum]
    return pd.DataFrame.from_dict(rows, orient="index", columns=labels)


def application_rates(q2: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    """开通率, 持卡缴费 and 持卡领取待遇 coverage by region."""
    d = q2[(q2["province_code"] == province) & (q2["period"] == period)]
    return d[["region_code", "region_name", "catalog_open_rate_pct", "payment_coverage_pct",
              "benefit_coverage_pct"]].reset_index(drop=True)


def domain_opened(q2: pd.DataFrame, apps: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    """Region × domain: share (%) of each domain's catalog items opened locally."""
    d = q2[(q2["province_code"] == province) & (q2["period"] == period)]
    domain_of = dict(zip(apps["item"], apps["domain"]))
    sizes = apps.groupby("domain", sort=False)["item"].count()
    order = list(dict.fromkeys(apps["domain"]))
    rows = {}
    for r in d.itertuples():
        items = [int(i) for i in (r.local_items if r.local_items is not None else [])]
        counts = pd.Series([domain_of[i] for i in items if i in domain_of], dtype=object).value_counts()
        rows[r.region_name] = [round(counts.get(dom, 0) / sizes[dom] * 100, 1) for dom in order]
    return pd.DataFrame.from_dict(rows, orient="index", columns=order)


NOTE_COLUMNS = ("region_name", "progress_note", "other_groups_note", "service_items_other", "service_channels_other")


def progress_notes(q1: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    """The free text of 表一 as filed (工作进展 and the 其他 explanations), one row per region that wrote any.

    Columns keep the form's field names (a reader's table labels them from the field specs); shown as text:
    ``sbk.analysis.tables`` escapes every cell.
    """
    d = q1[(q1["province_code"] == province) & (q1["period"] == period)]
    cols = [c for c in NOTE_COLUMNS if c in d.columns]
    out = d[cols].copy()
    texts = [c for c in cols if c != "region_name"]
    out[texts] = out[texts].fillna("").astype(str).apply(lambda s: s.str.strip())
    out = out[(out[texts] != "").any(axis=1)] if texts else out.iloc[0:0]
    return out.reset_index(drop=True)
