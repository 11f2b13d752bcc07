"""Cardholder database progress (表三): the stage of each province's 持卡库 over quarters."""

from __future__ import annotations

import pandas as pd

from sbk.forms import CardholderDbStage

__all__ = ["stage_labels", "stage_table"]


def stage_labels() -> dict[int, str]:
    return {int(m): f"{int(m)}. {m.label}" for m in CardholderDbStage}


def stage_table(q3: pd.DataFrame, province: str | None = None) -> pd.DataFrame:
    """Province × quarter stage numbers (1–9), one row per province."""
    d = q3 if province in (None, "national") else q3[q3["province_code"] == province]
    if d.empty:
        return pd.DataFrame()
    return d.pivot_table(index="province_code", columns="period", values="stage", aggfunc="last").astype("Int64")
