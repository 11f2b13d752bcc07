"""What every analysis needs: loading processed tables, resolving periods, the house chart style."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib import font_manager

from sbk.calendar import parse_period

__all__ = ["SYNTHETIC_NOTE", "escape_md", "house_style", "is_synthetic", "load", "periods_of", "resolve_period", "source_line", "use_cjk_font"]

SYNTHETIC_NOTE = "合成示例数据（synthetic），非官方统计"
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei")


def use_cjk_font() -> str:
    """Point matplotlib at an installed CJK font; raise if none is (set-up installs fonts-noto-cjk)."""
    available = {f.name for f in font_manager.fontManager.ttflist}
    for name in _CJK_FONTS:
        if name in available:
            plt.rcParams["font.family"] = "sans-serif"
            plt.rcParams["font.sans-serif"] = [name, "DejaVu Sans"]
            plt.rcParams["axes.unicode_minus"] = False
            return name
    raise RuntimeError("no CJK font found: install fonts-noto-cjk (make setup does it)")


def escape_md(text: str) -> str:
    """Text from workbooks or the catalog made safe to show as Markdown: HTML is shown, not run."""
    import html

    return html.escape(str(text), quote=False)


def load(processed_dir: str | Path, table: str) -> pd.DataFrame:
    """A processed table, or an empty frame when it has not been ingested."""
    path = Path(processed_dir) / f"{table}.parquet"
    if not path.exists():
        return pd.DataFrame()
    import pyarrow.parquet as pq

    from sbk.storage import decode

    return decode(pd.read_parquet(path), pq.read_schema(path))


def is_synthetic(processed_dir: str | Path, province: str | None = None) -> bool:
    """Whether the filings behind a province (or any, without one) are synthetic.

    National reports read only the published figures, which are real.
    """
    if province == "national":
        return False
    filings = load(processed_dir, "filings")
    if filings.empty or "synthetic" not in filings:
        dp = Path(processed_dir) / "datapackage.json"
        return bool(json.loads(dp.read_text(encoding="utf-8")).get("synthetic")) if dp.exists() else False
    if province and province != "national":
        filings = filings[filings["province_code"] == province]
    return bool(filings["synthetic"].any())


def periods_of(df: pd.DataFrame, province: str | None = None) -> list[str]:
    if df.empty or "period" not in df:
        return []
    if province and "province_code" in df:
        df = df[df["province_code"] == province]
    return sorted(df["period"].dropna().unique())


def resolve_period(period: str, available: list[str]) -> str | None:
    """'latest' → the newest available period; a month for a quarterly table → its quarter."""
    if not available:
        return None
    if period == "latest":
        return available[-1]
    if period in available:
        return period
    p = parse_period(period)
    if p.kind == "monthly" and "Q" in available[0]:
        # A month reads the latest quarter that had ended by then.
        ended = [q for q in available if (parse_period(q).year, parse_period(q).end_month) <= (p.year, p.end_month)]
        return ended[-1] if ended else None
    if p.kind == "quarterly" and "Q" not in available[0]:
        # A quarter reads its last month.
        last = p.months()[-1]
        return last if last in available else None
    return None


def house_style() -> None:
    """Readable charts with Chinese text: a CJK font, sizes for the page, no clutter."""
    use_cjk_font()
    plt.rcParams.update({
        "figure.figsize": (9, 4.8),
        "figure.dpi": 96,
        "savefig.dpi": 96,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "grid.color": "#e5e5e5",
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "legend.frameon": False,
        "svg.hashsalt": "sbk",
    })


def source_line(fig: plt.Figure, text: str, synthetic: bool = False) -> None:
    """The source under a chart (and the synthetic label when it applies)."""
    note = f"来源：{text}" + (f"　｜　{SYNTHETIC_NOTE}" if synthetic else "")
    fig.text(0.01, 0.005, note, fontsize=8, color="#b22222" if synthetic else "#555555", ha="left", va="bottom")


NATIONAL_SCOPE = "全国"
_RELIABILITY_RANK = {"secondary": 0, "reprint": 1, "seed": 2, "primary": 3}


def best_per_date(published: pd.DataFrame, measures: list[str] | tuple[str, ...]) -> pd.DataFrame:
    """National published figures of the given measures, one per date, sorted by date.

    Sources often give the same date: a stated value is preferred over a lower bound
    (超过/以上), then the more reliable source (primary > seed > reprint > secondary);
    provincial and city rows (scope other than 全国) are left out.
    """
    d = published[published["measure"].isin(list(measures)) & (published["scope"] == NATIONAL_SCOPE)].copy()
    lower = d["lower_bound"] if "lower_bound" in d else pd.Series(False, index=d.index)
    rank = d["reliability"].map(_RELIABILITY_RANK) if "reliability" in d else pd.Series(0, index=d.index)
    d["_stated"] = ~lower.fillna(False).astype(bool)
    d["_rank"] = rank.fillna(0)
    d = d.sort_values(["date", "_stated", "_rank"], kind="stable").drop_duplicates("date", keep="last")
    return d.drop(columns=["_stated", "_rank"]).reset_index(drop=True)
