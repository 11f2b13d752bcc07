"""Bank cooperation (表四): cards with financial function by bank, activation, shares, concentration."""

from __future__ import annotations

import pandas as pd

__all__ = ["bank_summary", "hhi_over_time", "bank_city_matrix", "financial_share_of_holders"]


def bank_summary(q4: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    """Per bank: cards with financial function, activated, activation rate and market share (%)."""
    d = q4[(q4["province_code"] == province) & (q4["period"] == period)].copy()
    total = d["fin_holders_10k"].sum()
    d["activation_pct"] = (d["fin_activated_10k"] / d["fin_holders_10k"] * 100).where(d["fin_holders_10k"] > 0).round(1)
    d["share_pct"] = (d["fin_holders_10k"] / total * 100).round(1) if total else float("nan")
    cols = ["bank_name", "fin_holders_10k", "fin_activated_10k", "activation_pct", "share_pct",
            "partner_city_count", "other_fin_holders_10k"]
    return d[cols].sort_values("fin_holders_10k", ascending=False).reset_index(drop=True)


def hhi_over_time(q4: pd.DataFrame, province: str) -> pd.DataFrame:
    """Herfindahl–Hirschman index of bank shares per quarter (0–10,000; above 2,500 is highly concentrated)."""
    d = q4[q4["province_code"] == province]
    rows = []
    for period, g in d.groupby("period", sort=True):
        total = g["fin_holders_10k"].sum()
        shares = g["fin_holders_10k"] / total * 100 if total else g["fin_holders_10k"] * 0
        rows.append({"period": period, "banks": len(g), "hhi": round(float((shares ** 2).sum()), 0)})
    return pd.DataFrame(rows)


def bank_city_matrix(q4: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    """Bank × city: ✓ where the bank co-issues cards in that city (合作地市名称)."""
    d = q4[(q4["province_code"] == province) & (q4["period"] == period)]
    cities = sorted({c for v in d["partner_cities"] if v is not None for c in v}, key=lambda c: (c != "省本级", c))
    return pd.DataFrame(
        [[c in set(v if v is not None else []) for c in cities] for v in d["partner_cities"]],
        index=list(d["bank_name"]), columns=cities,
    )


def financial_share_of_holders(q4: pd.DataFrame, q1: pd.DataFrame, province: str) -> pd.DataFrame:
    """Cards with financial function (all banks, plus other loading) as a share of all holders (表一)."""
    banks = q4[q4["province_code"] == province].groupby("period")[["fin_holders_10k", "other_fin_holders_10k"]].sum()
    holders = q1[q1["province_code"] == province].groupby("period")["holders_total_10k"].sum()
    out = banks.join(holders, how="inner").reset_index()
    out["fin_share_pct"] = (out["fin_holders_10k"] / out["holders_total_10k"] * 100).round(1)
    out["other_loading_share_pct"] = (out["other_fin_holders_10k"] / out["holders_total_10k"] * 100).round(2)
    return out
