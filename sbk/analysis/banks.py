"""Bank cooperation (表四): cards with financial function by bank, activation, shares, concentration."""

from __future__ import annotations

import pandas as pd

from sbk.analysis.bulletin import round_pct
from sbk.analysis.common import escape_md

__all__ = ["TOTAL_LABEL", "activation_text", "bank_city_matrix", "bank_summary", "financial_share_of_holders",
           "hhi_over_time", "province_activation"]

# The label of the province-wide row, as the form's own total row (表四 合计) reads in a provincial table.
TOTAL_LABEL = "全省合计"
SUMMARY_COLUMNS = ["bank_name", "fin_holders_10k", "fin_activated_10k", "activation_pct", "share_pct",
                   "partner_city_count", "other_fin_holders_10k"]


def _filed(q4: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    return q4[(q4["province_code"] == province) & (q4["period"] == period)]


def _pct(part: float, whole: float) -> float:
    """A percentage from unrounded figures, rounded half up to one decimal (as the bulletins do); NaN for 0/0."""
    return round_pct(part / whole * 100, 1) if whole and whole > 0 else float("nan")


def province_activation(q4: pd.DataFrame, province: str, period: str) -> dict[str, float]:
    """The province-wide activation of the financial function: all activated / all holders, over all banks.

    Not the mean of the banks' rates: each bank weighs by its holders. Keys: ``fin_holders_10k``,
    ``fin_activated_10k`` (sums over the banks, 万人), ``activation_pct`` and ``banks`` (how many).
    """
    d = _filed(q4, province, period)
    holders = float(d["fin_holders_10k"].sum())
    activated = float(d["fin_activated_10k"].sum())
    return {"fin_holders_10k": round(holders, 2), "fin_activated_10k": round(activated, 2),
            "activation_pct": _pct(activated, holders), "banks": len(d)}


def bank_summary(q4: pd.DataFrame, province: str, period: str, total: bool = True) -> pd.DataFrame:
    """Per bank: cards with financial function, activated, activation rate and market share (%), largest first.

    With ``total`` the last row, 全省合计, holds the province-wide figures, so each bank's activation rate
    stands next to the province's (all activated / all holders); its 合作地市数 counts the distinct cities
    with any partner bank.
    """
    d = _filed(q4, province, period).copy()
    all_holders = d["fin_holders_10k"].sum()
    d["activation_pct"] = [_pct(a, h) for a, h in zip(d["fin_activated_10k"], d["fin_holders_10k"])]
    d["share_pct"] = [_pct(h, all_holders) for h in d["fin_holders_10k"]]
    out = d[SUMMARY_COLUMNS].sort_values("fin_holders_10k", ascending=False, kind="stable").reset_index(drop=True)
    if not total or out.empty:
        return out
    whole = province_activation(q4, province, period)
    cities = {c for v in d.get("partner_cities", []) if v is not None for c in v}
    row = {"bank_name": TOTAL_LABEL, "fin_holders_10k": whole["fin_holders_10k"],
           "fin_activated_10k": whole["fin_activated_10k"], "activation_pct": whole["activation_pct"],
           "share_pct": 100.0 if all_holders > 0 else float("nan"),
           "partner_city_count": len(cities) if "partner_cities" in d else pd.NA,
           "other_fin_holders_10k": round(float(d["other_fin_holders_10k"].sum()), 2)}
    return pd.concat([out, pd.DataFrame([row]).astype(out.dtypes.to_dict(), errors="ignore")], ignore_index=True)


def activation_text(summary: pd.DataFrame, period: str) -> str:
    """One Markdown sentence for the report: the province-wide rate, and the banks above and below it."""
    banks = summary[summary["bank_name"] != TOTAL_LABEL].dropna(subset=["activation_pct"])
    total = summary[summary["bank_name"] == TOTAL_LABEL]
    if total.empty or pd.isna(total["activation_pct"].iloc[0]):
        return f"_{period}：无可计算的激活率 · No activation rate to compute._"
    t = total.iloc[0]
    rate = float(t["activation_pct"])
    text = (f"**全省激活率 {rate:.1f}%**（{period}）：全部 {len(summary) - 1} 家合作银行已激活 {t['fin_activated_10k']:,.2f} 万人 ÷ "
            f"具有金融功能的社会保障卡累计持卡 {t['fin_holders_10k']:,.2f} 万人。")
    above = [f"{escape_md(str(b))}（{r:.1f}%）" for b, r in zip(banks["bank_name"], banks["activation_pct"]) if r > rate]
    below = [f"{escape_md(str(b))}（{r:.1f}%）" for b, r in zip(banks["bank_name"], banks["activation_pct"]) if r < rate]
    if above:
        text += f" 高于全省：{'、'.join(above)}。"
    if below:
        text += f" 低于全省：{'、'.join(below)}。"
    return text


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
