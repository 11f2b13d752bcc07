"""Issuance trend: cumulative holders, increments, growth, new issuing cities, national series, projections."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sbk.analysis.common import best_per_date

__all__ = [
    "by_region",
    "monthly_increments",
    "national_series",
    "new_issuing_cities",
    "plan_targets",
    "projection",
    "province_totals",
    "yoy_growth",
]


def province_totals(monthly: pd.DataFrame, province: str) -> pd.DataFrame:
    """Cumulative holders of the whole province per month (sum of its rows, 万人)."""
    d = monthly[monthly["province_code"] == province]
    return d.groupby("period", as_index=False)["cumulative_holders_10k"].sum().round(2)


def by_region(monthly: pd.DataFrame, province: str) -> pd.DataFrame:
    """Cumulative holders per month (rows) and region (columns, by name) of one province, 万人."""
    d = monthly[monthly["province_code"] == province]
    wide = d.pivot(index="period", columns="region_code", values="cumulative_holders_10k")
    names = d.drop_duplicates("region_code", keep="last").set_index("region_code")["region_name"]
    wide.columns = [names[c] for c in wide.columns]  # codes first: two provinces may share a name (省本级)
    return wide.sort_index()


def monthly_increments(monthly: pd.DataFrame, province: str) -> pd.DataFrame:
    """Month-on-month increase per region (万人); the first month of each region has none."""
    d = monthly[monthly["province_code"] == province].sort_values(["region_code", "period"])
    d = d.assign(increment_10k=d.groupby("region_code")["cumulative_holders_10k"].diff().round(2))
    return d[["period", "region_code", "region_name", "cumulative_holders_10k", "increment_10k"]].reset_index(drop=True)


def yoy_growth(monthly: pd.DataFrame, province: str) -> pd.DataFrame:
    """Growth of the province total against the same month a year earlier (%); NaN without that month."""
    t = province_totals(monthly, province).set_index("period")["cumulative_holders_10k"]
    out = []
    for period, value in t.items():
        year, month = int(period[:4]), period[5:]
        earlier = t.get(f"{year - 1}-{month}")
        out.append({"period": period, "holders_10k": value, "year_earlier_10k": earlier,
                    "yoy_pct": round((value / earlier - 1) * 100, 1) if earlier else math.nan})
    return pd.DataFrame(out)


def new_issuing_cities(filings: pd.DataFrame, province: str) -> pd.DataFrame:
    """The 备注 of the monthly forms: new issuing cities per month (the filings' columns: count and names)."""
    f = filings[(filings["form"] == "monthly") & (filings["province_code"] == province)]
    f = f.loc[f["new_issuing_cities"].map(lambda v: v is not None and len(v) > 0).astype(bool)]
    return pd.DataFrame({
        "period": f["period"].values,
        "new_issuing_cities_count": f["new_issuing_cities_count"].values,
        "new_issuing_cities": [list(v) for v in f["new_issuing_cities"]],
    })


def national_series(published: pd.DataFrame) -> pd.DataFrame:
    """National card holders (亿人) by date, with the source and whether it is a lower bound."""
    d = best_per_date(published, ["holders"])
    d["holders_100m"] = d["value_10k"] / 10000
    return d[["date", "holders_100m", "lower_bound", "source", "reliability"]].reset_index(drop=True)


def plan_targets(targets: pd.DataFrame) -> pd.DataFrame:
    """Plan targets for the national chart: year, measure, value, unit, document."""
    return targets[["target_year", "measure", "value", "unit", "document"]].reset_index(drop=True)


def projection(monthly: pd.DataFrame, region_population: pd.DataFrame, province: str,
               target_pct: float = 90.0, window: int = 6) -> pd.DataFrame:
    """When each region reaches ``target_pct`` coverage, by extrapolating recent monthly increases.

    Method: the mean monthly increase over the last ``window`` months is carried
    forward linearly; the range uses the smallest and largest single-month
    increase in that window (a slower or faster pace). Uptake slows as
    coverage saturates, so the central estimate is optimistic late in the
    curve. Regions already at the target show 0 months; regions without a
    population figure or without increases are left open.
    """
    d = monthly[monthly["province_code"] == province].sort_values("period")
    pop = dict(zip(region_population["region_code"], region_population["population_10k"])) if not region_population.empty else {}
    last_period = d["period"].max() if len(d) else None
    rows = []
    for code, g in d.groupby("region_code", sort=True):
        population = pop.get(code)
        if not population:
            continue
        values = g["cumulative_holders_10k"].to_numpy(dtype=float)
        inc = np.diff(values)[-window:]
        current = values[-1]
        need = population * target_pct / 100 - current
        row = {"region_code": code, "region_name": g["region_name"].iloc[-1], "as_of": last_period,
               "coverage_pct": round(current / population * 100, 1), "target_pct": target_pct}
        if need <= 0:
            row.update(months_central=0.0, months_fast=0.0, months_slow=0.0)
        elif len(inc) == 0 or inc.mean() <= 0:
            row.update(months_central=math.nan, months_fast=math.nan, months_slow=math.nan)
        else:
            row.update(
                months_central=round(need / inc.mean(), 1),
                months_fast=round(need / inc.max(), 1),
                months_slow=round(need / inc.min(), 1) if inc.min() > 0 else math.inf,
            )
        rows.append(row)
    return pd.DataFrame(rows)
