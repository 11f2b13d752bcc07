"""Application rollout (表二): items opened per domain over time, local against cross-region use."""

from __future__ import annotations

import pandas as pd

__all__ = ["domain_rollout", "local_vs_cross"]


def domain_rollout(q2: pd.DataFrame, apps: pd.DataFrame, province: str) -> pd.DataFrame:
    """Per quarter and domain: mean share (%) of the domain's items opened across the province's regions."""
    d = q2[q2["province_code"] == province]
    domain_of = dict(zip(apps["item"], apps["domain"]))
    sizes = apps.groupby("domain", sort=False)["item"].count()
    rows = []
    for r in d.itertuples():
        items = [int(i) for i in (r.local_items if r.local_items is not None else [])]
        opened = pd.Series([domain_of[i] for i in items if i in domain_of], dtype=object).value_counts()
        for dom in sizes.index:
            rows.append({"period": r.period, "region_code": r.region_code, "domain": dom,
                         "opened_pct": opened.get(dom, 0) / sizes[dom] * 100})
    if not rows:
        return pd.DataFrame(columns=list(dict.fromkeys(apps["domain"])))
    table = pd.DataFrame(rows).pivot_table(index="period", columns="domain", values="opened_pct", aggfunc="mean")
    return table[list(dict.fromkeys(apps["domain"]))].round(1)


def local_vs_cross(q2: pd.DataFrame, province: str) -> pd.DataFrame:
    """Per quarter: mean items opened locally and across regions, and regions with any cross-region use."""
    d = q2[q2["province_code"] == province]
    rows = []
    for period, g in d.groupby("period", sort=True):
        local = g["local_items"].map(lambda v: len(v) if v is not None else 0)
        cross = g["cross_region_items"].map(lambda v: len(v) if v is not None else 0)
        rows.append({"period": period, "regions": len(g), "mean_local_items": round(local.mean(), 1),
                     "mean_cross_region_items": round(cross.mean(), 1), "regions_with_cross_region_use": int((cross > 0).sum())})
    return pd.DataFrame(rows)
