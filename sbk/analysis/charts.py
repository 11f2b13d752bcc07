"""The house charts: a few chart shapes with titles, units and a source line, Chinese text rendered."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from sbk.analysis.common import house_style, source_line

__all__ = [
    "FIGURE_FILE",
    "FIGURE_LABEL",
    "FIGURE_NUMBER",
    "GRADE_MARKERS",
    "NOT_FILED_COLOUR",
    "PALETTE",
    "QUALIFIER_FILL",
    "bar",
    "chart_csv",
    "extremes",
    "figure_html",
    "heatmap",
    "lines",
    "matrix",
    "published_points",
    "stacked_bar",
    "tile_map",
    "time_axis",
]

# Okabe and Ito's eight colours, told apart with every common colour-vision deficiency (and the blue first, the
# house colour). Every categorical chart (stacked bars, lines, published series) cycles through these.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
# The figure number is set when the report is rendered (``sbk.build.render.number_figures``), counting the charts
# of that report in page order; in the lab a chart shows 图 # (a notebook re-run cell by cell has no fixed order).
FIGURE_NUMBER = "#"
FIGURE_LABEL = f'<strong class="sbk-fig-no">图 {FIGURE_NUMBER}</strong>'
FIGURE_FILE = f'download="图{FIGURE_NUMBER}_数据.csv"'

_MONTH = re.compile(r"^\d{4}-\d{2}$")
_QUARTER = re.compile(r"^\d{4}Q[1-4]$")


def time_axis(values: Sequence[object]) -> pd.Index:
    """Period labels ('2016-06' or '2016Q2') as the first day of each period, anything else unchanged.

    A date axis spaces periods by time (a missing month shows as a gap) and spares matplotlib from
    guessing, for every point, whether a text label is a date (slow with ten years of months).
    """
    idx = pd.Index(values)
    if len(idx) and all(isinstance(v, str) for v in idx):
        if all(_MONTH.match(v) for v in idx):
            return pd.PeriodIndex(idx, freq="M").to_timestamp()
        if all(_QUARTER.match(v) for v in idx):
            return pd.PeriodIndex(idx, freq="Q").to_timestamp()
    return idx


def _finish(fig: plt.Figure, source: str, synthetic: bool, alt: str, title: str, data: pd.DataFrame) -> plt.Figure:
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    source_line(fig, source, synthetic)
    _show(fig, alt + ("（合成示例数据）" if synthetic else ""), title, data)
    return fig


def _num(v: float) -> str:
    return f"{v:,.2f}".rstrip("0").rstrip(".")


def extremes(pairs: Iterable[tuple[Any, Any]]) -> str:
    """'最高 长沙市 12.5，最低 湘西州 1.2' from (label, value) pairs; '无数值' when none has a value."""
    vals = [(str(k), float(v)) for k, v in pairs if v is not None and not pd.isna(v)]
    if not vals:
        return "无数值"
    hi, lo = max(vals, key=lambda kv: kv[1]), min(vals, key=lambda kv: kv[1])
    if hi == lo or len(vals) == 1:
        return f"{hi[0]} {_num(hi[1])}"
    return f"最高 {hi[0]} {_num(hi[1])}，最低 {lo[0]} {_num(lo[1])}"


def _header(name: object, fallback: str) -> str:
    """A column's official label with its unit (地区名称, 累计持卡人数（万人）) when ``name`` is a form's column."""
    from sbk.forms import TABLES

    if isinstance(name, str):
        for spec in TABLES.values():
            got = spec.labels.get(name)
            if got and got.get("label"):
                return f"{got['label']}（{got['unit']}）" if got.get("unit") else str(got["label"])
        if name and not name.isascii():
            return name  # already Chinese (the notebooks name their series so)
    return fallback


def _measure(title: str, unit: str) -> str:
    """The value column of a chart's data: its title without the province code and period, with the unit."""
    words = re.sub(r"^\d{6}\s*", "", title)
    words = re.sub(r"（[^（）]*\d{4}[^（）]*）$", "", words).strip() or title
    return f"{words}（{unit}）" if unit else words


def chart_csv(data: pd.DataFrame) -> bytes:
    """The data drawn, as the CSV offered next to the chart: UTF-8 with a BOM (Excel opens Chinese correctly),
    every text cell safe from formula injection (``sbk.export.csv_bytes``), missing values blank, never 0."""
    from sbk.export import csv_bytes

    def cell(v: Any) -> Any:
        if v is None or (not isinstance(v, (list, tuple, dict)) and pd.isna(v)):
            return None
        if isinstance(v, (float, np.floating)):
            return float(v) if not float(v).is_integer() else int(v)
        if isinstance(v, (np.integer,)):
            return int(v)
        if isinstance(v, pd.Timestamp):
            return v.strftime("%Y-%m-%d")
        return v

    rows = ([cell(v) for v in row] for row in data.itertuples(index=False, name=None))
    return csv_bytes([str(c) for c in data.columns], rows, bom=True)


def _png(fig: plt.Figure) -> tuple[bytes, int, int]:
    """The figure as a palette PNG (at most 256 colours): a tenth of the full-colour file, the same to the eye.

    Rendered as the notebook backend does (96 dpi, tight box), then quantised with Pillow without dithering, so the
    flat colours of a chart stay flat and the file stays the same bytes on every build.
    """
    import io

    from PIL import Image

    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", facecolor="white")
    with Image.open(io.BytesIO(buf.getvalue())) as im:
        pal = im.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    pal.save(out, format="PNG", optimize=True)
    return out.getvalue(), pal.width, pal.height


def figure_html(fig: plt.Figure, alt: str, title: str, data: pd.DataFrame) -> str:
    """A chart as a numbered figure: the image with its alt text, the caption, and the download of the data drawn.

    Everything is inside the page (the image and the CSV as ``data:`` URIs), so a report stays one static file
    that works under the Content-Security-Policy: no script, nothing fetched. The figure number and the CSV's file
    name carry ``FIGURE_NUMBER`` (in ``FIGURE_LABEL`` and ``FIGURE_FILE``), replaced in page order when the report
    is rendered.
    """
    import base64
    import html

    png, width, height = _png(fig)
    e = html.escape
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    href = "data:text/csv;charset=utf-8;base64," + base64.b64encode(chart_csv(data)).decode("ascii")
    return (f'<figure class="sbk-chart"><img src="{src}" alt="{e(alt, quote=True)}" width="{width}" height="{height}">'
            f'<figcaption>{FIGURE_LABEL}　{e(title)}　<a class="sbk-download" {FIGURE_FILE} href="{href}">'
            f"下载本图数据（CSV，{len(data)} 行）</a></figcaption></figure>")


def _show(fig: plt.Figure, alt: str, title: str, data: pd.DataFrame) -> None:
    """In a notebook, show the chart where it is made (before the tables that follow), once, as a numbered figure
    with its alt text and the download of its data (``figure_html``).

    The alt text says what the chart shows (kind, title, unit, span and extreme values). Alt text and data are
    also kept on the figure (``sbk_alt``, ``sbk_data``) for the caller and the tests.
    """
    fig.sbk_alt = alt  # type: ignore[attr-defined]
    fig.sbk_data = data  # type: ignore[attr-defined]
    try:
        from IPython import get_ipython
        from IPython.display import HTML, display
    except ImportError:  # pragma: no cover - IPython ships with the project
        return
    if get_ipython() is not None and getattr(get_ipython(), "kernel", None) is not None:
        display(HTML(figure_html(fig, alt, title, data)))
        plt.close(fig)


def bar(labels: Sequence[str], values: Sequence[float], title: str, unit: str, source: str,
        synthetic: bool = False, horizontal: bool = True, annotate: bool = True) -> plt.Figure:
    """One bar per label, sorted as given; values labelled."""
    house_style()
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.32 * len(labels) + 1.2)) if horizontal else None)
    vals = np.asarray(values, dtype=float)
    if horizontal:
        ax.barh(list(labels)[::-1], vals[::-1], color=PALETTE[0])
        ax.set_xlabel(unit)
        if annotate:
            for y, v in enumerate(vals[::-1]):
                if np.isfinite(v):
                    ax.text(v, y, f" {v:,.1f}", va="center", fontsize=8)
    else:
        ax.bar(list(labels), vals, color=PALETTE[0])
        ax.set_ylabel(unit)
        ax.tick_params(axis="x", rotation=45)
    ax.set_title(title)
    alt = f"条形图：{title}（{unit}），{len(vals)} 项；{extremes(zip(labels, vals))}。"
    data = pd.DataFrame({_header(getattr(labels, "name", None), "项目"): [str(v) for v in labels],
                         _measure(title, unit): vals})
    return _finish(fig, source, synthetic, alt, title, data)


def stacked_bar(frame: pd.DataFrame, title: str, unit: str, source: str, synthetic: bool = False) -> plt.Figure:
    """Horizontal stacked bars: one row per index entry, one segment per column."""
    house_style()
    fig, ax = plt.subplots(figsize=(9, max(3.0, 0.32 * len(frame) + 1.4)))
    left = np.zeros(len(frame))
    for i, col in enumerate(frame.columns):
        vals = frame[col].fillna(0).to_numpy(dtype=float)[::-1]
        # A thin white edge between segments: neighbours stay apart even where two colours look alike.
        ax.barh(list(frame.index)[::-1], vals, left=left, label=col, color=PALETTE[i % len(PALETTE)],
                edgecolor="white", linewidth=0.6)
        left += vals
    ax.set_xlabel(unit)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    totals = frame.fillna(0).sum(axis=1)
    alt = (f"堆积条形图：{title}（{unit}），{len(frame)} 项，分 {'、'.join(map(str, frame.columns))}；"
           f"合计{extremes(totals.items())}。")
    return _finish(fig, source, synthetic, alt, title, _frame_data(frame, unit, "项目"))


def lines(frame: pd.DataFrame, title: str, unit: str, source: str, synthetic: bool = False,
          markers: dict[str, str] | None = None, hlines: dict[str, float] | None = None,
          events: Sequence[tuple[object, str]] = (), legend: bool = True) -> plt.Figure:
    """One line per column over the index; optional target lines and dated events (policy milestones)."""
    house_style()
    fig, ax = plt.subplots()
    x = time_axis(frame.index)
    for i, col in enumerate(frame.columns):
        ax.plot(x, frame[col].to_numpy(), marker=(markers or {}).get(col, "o"), markersize=3, label=str(col),
                color=PALETTE[i % len(PALETTE)])
    for label, y in (hlines or {}).items():
        ax.axhline(y, color="#b22222", linestyle="--", linewidth=1)
        ax.text(ax.get_xlim()[0], y, f" {label}", color="#b22222", fontsize=8, va="bottom")
    ymax = ax.get_ylim()[1]
    for i, (event, label) in enumerate(events):
        when: Any = time_axis([event])[0] if isinstance(x, pd.DatetimeIndex) else event  # a date or a category
        ax.axvline(when, color="#999999", linewidth=0.8, linestyle=":")
        ax.text(when, ymax * (0.97 - 0.07 * (i % 4)), label, fontsize=7, color="#555555", rotation=0, ha="left", va="top")
    ax.set_ylabel(unit)
    ax.set_title(title)
    if legend and len(frame.columns) > 1:
        ax.legend(fontsize=8, ncol=2 if len(frame.columns) > 6 else 1)
    if not isinstance(x, pd.DatetimeIndex):
        ax.tick_params(axis="x", rotation=45)
    span = f"{frame.index[0]} 至 {frame.index[-1]}" if len(frame) else "无数据"
    each = "；".join(f"{col}：{extremes(frame[col].items())}" for col in list(frame.columns)[:4])
    more = f"；另有 {len(frame.columns) - 4} 条线" if len(frame.columns) > 4 else ""
    alt = f"折线图：{title}（{unit}），{span}。{each}{more}。"
    return _finish(fig, source, synthetic, alt, title, _frame_data(frame, unit, "期别"))


def heatmap(frame: pd.DataFrame, title: str, unit: str, source: str, synthetic: bool = False,
            fmt: str = "{:.0f}", vmax: float | None = None) -> plt.Figure:
    """A labelled heatmap of a numeric region × category table."""
    house_style()
    fig, ax = plt.subplots(figsize=(max(6.0, 0.9 * len(frame.columns) + 3), max(3.0, 0.34 * len(frame) + 1.6)))
    data = frame.to_numpy(dtype=float)
    top = float(vmax if vmax is not None else np.nanmax(data) or 1)
    im = ax.imshow(data, cmap="Blues", aspect="auto", vmin=0, vmax=top)
    ax.set_xticks(range(len(frame.columns)), [str(c) for c in frame.columns], rotation=35, ha="right", fontsize=8)
    ax.set_yticks(range(len(frame.index)), [str(i) for i in frame.index], fontsize=8)
    ax.grid(False)
    for (r, c), v in np.ndenumerate(data):
        if np.isfinite(v):
            ax.text(c, r, fmt.format(v), ha="center", va="center", fontsize=7,
                    color="white" if v > top * 0.6 else "black")
    fig.colorbar(im, ax=ax, label=unit, shrink=0.8)
    ax.set_title(title)
    cells = [(f"{r} {c}", frame.at[r, c]) for r in frame.index for c in frame.columns]
    alt = f"热力图：{title}（{unit}），{len(frame)} 行 × {len(frame.columns)} 列；{extremes(cells)}。"
    return _finish(fig, source, synthetic, alt, title, _frame_data(frame, unit, "项目"))


def _frame_data(frame: pd.DataFrame, unit: str, index_name: str) -> pd.DataFrame:
    """A region × series frame as drawn: the index as the first column, each series headed with the unit."""
    data = frame.copy()
    data.columns = [f"{c}（{unit}）" if unit else str(c) for c in frame.columns]
    data.insert(0, _header(frame.index.name, index_name), [str(i) for i in frame.index])
    return data.reset_index(drop=True)


def matrix(frame: pd.DataFrame) -> pd.DataFrame:
    """A boolean table as ✓ / blank, for display."""
    return frame.replace({True: "✓", False: ""})


# Marker shape per reliability grade (legend: 可靠性); fill per qualifier: filled = stated, hollow = lower bound
# (超过/以上), half = approximate (近/约). Kept here so every published-figure chart reads the same way.
GRADE_MARKERS = {"primary": "o", "seed": "s", "reprint": "^", "secondary": "D"}
QUALIFIER_FILL: dict[str, Literal["full", "none", "left"]] = {"stated": "full", "lower_bound": "none", "approximate": "left"}


def published_points(points: pd.DataFrame, title: str, unit: str, source: str,
                     extra: dict[str, pd.Series] | None = None, targets: pd.DataFrame | None = None,
                     events: Sequence[tuple[Any, str]] = (), until: Any = None,
                     grade_labels: dict[str, str] | None = None) -> plt.Figure:
    """Published figures over time: one colour per series (``label``), every figure a point.

    ``points`` (from ``sbk.analysis.published_series.figures``): ``date``, ``label``, ``amount``, ``reliability``,
    ``qualifier``, ``on_line``. The marker's shape is the source's reliability grade and its fill the
    qualifier (filled stated, hollow lower bound, half approximate); a thin line joins the ``on_line``
    figures of each series. ``extra``: dashed lines computed from the figures (say holders ÷ population).
    ``targets`` (``targets_for``): numbers as red stars at the target date, qualitative targets as a dated
    line with their words. ``until``: the last date on the axis (to show targets still ahead).
    """
    from matplotlib.lines import Line2D

    house_style()
    fig, ax = plt.subplots(figsize=(11, 5.6))
    labels = list(dict.fromkeys(points["label"])) if not points.empty else []
    colors = {lab: PALETTE[i % len(PALETTE)] for i, lab in enumerate(labels)}
    for lab in labels:
        s = points[points["label"] == lab].copy()
        s["_x"] = pd.to_datetime(s["date"])
        line = s[s["on_line"].astype(bool)].sort_values("_x")
        ax.plot(line["_x"], line["amount"].astype(float), color=colors[lab], linewidth=1, alpha=0.7)
        for (grade, qual), g in s.groupby(["reliability", "qualifier"], sort=True):
            ax.plot(g["_x"], g["amount"].astype(float), linestyle="none", marker=GRADE_MARKERS.get(grade, "x"),
                    fillstyle=QUALIFIER_FILL.get(qual, "full"), markersize=6, color=colors[lab],
                    markerfacecoloralt="white")
    for series in (extra or {}).values():
        ax.plot(pd.to_datetime(pd.Index(series.index)), series.to_numpy(dtype=float), linestyle="--", linewidth=1,
                color="#555555")
    words_at: dict[pd.Timestamp, list[str]] = {}
    if targets is not None and not targets.empty:
        starred: set[tuple[pd.Timestamp, float]] = set()
        for t in targets.to_dict("records"):
            when = pd.Timestamp(t["date"])
            if t["qualitative"]:
                # A target in words is a dated line named by its measure; its words are in the targets table.
                words_at.setdefault(when, [])
                if t["label"] not in words_at[when]:
                    words_at[when].append(str(t["label"]))
            elif (when, float(t["amount"])) not in starred:  # two documents setting one target: one star
                ax.plot([when], [float(t["amount"])], marker="*", markersize=12, color="#b22222", linestyle="none")
                ax.annotate(f"{t['target_year']} 目标 {t['words']}", (_date_num(when), float(t["amount"])),
                            textcoords="offset points", xytext=(-8, -18), ha="right", fontsize=7, color="#b22222",
                            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
                starred.add((when, float(t["amount"])))
    ymax = ax.get_ylim()[1]
    for i, (day, label) in enumerate(list(events)):
        when = pd.Timestamp(day)
        ax.axvline(when, color="#999999", linewidth=0.8, linestyle=":")
        ax.text(_date_num(when), ymax * (0.98 - 0.06 * (i % 4)), label, fontsize=7, color="#555555", ha="left", va="top")
    for when, measures in words_at.items():
        ax.axvline(when, color="#b22222", linewidth=0.8, linestyle=":")
        ax.text(_date_num(when), ymax * 0.02, f"{when.year} 目标：" + "、".join(measures), fontsize=7, color="#b22222",
                rotation=90, ha="right", va="bottom")
    if until is not None:
        left = ax.get_xlim()[0]
        ax.set_xlim(left=left, right=_date_num(pd.Timestamp(until) + pd.Timedelta(days=120)))
    ax.set_ylim(bottom=0)
    left, right = ax.get_xlim()
    if right - left >= 2 * 365:  # years as years (not 2016-07, 2017-01 …)
        import matplotlib.dates as mdates

        ax.xaxis.set_major_locator(mdates.YearLocator(1 if right - left < 9 * 365 else 2))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_ylabel(unit)
    ax.set_title(title)
    names = grade_labels or {}
    # Series by colour only (a line, no marker): a marker's shape is the grade.
    series_handles = [Line2D([], [], color=colors[lab], linewidth=3, label=lab) for lab in labels]
    series_handles += [Line2D([], [], color="#555555", linestyle="--", label=name) for name in (extra or {})]
    if targets is not None and not targets.empty and not targets["qualitative"].all():
        series_handles.append(Line2D([], [], color="#b22222", marker="*", markersize=10, linestyle="none", label="规划目标"))
    present = set(points["reliability"]) if not points.empty else set()
    grades = [g for g in GRADE_MARKERS if g in present] + sorted(present - set(GRADE_MARKERS))
    grade_handles = [Line2D([], [], color="#333333", marker=GRADE_MARKERS.get(g, "x"), linestyle="none",
                            label=names.get(g, g)) for g in grades]
    qualifiers = [q for q in QUALIFIER_FILL if not points.empty and q in set(points["qualifier"])]
    fill_words = {"stated": "实心：确数", "lower_bound": "空心：下限（超过/以上）", "approximate": "半实心：约数（近/约）"}
    grade_handles += [Line2D([], [], color="#333333", marker="o", fillstyle=QUALIFIER_FILL[q], markerfacecoloralt="white",
                             linestyle="none", label=fill_words[q]) for q in qualifiers]
    # Both legends beside the plot, so that neither hides a point.
    first = ax.legend(handles=series_handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8, title="数据",
                      title_fontsize=8, alignment="left")
    if grade_handles:
        ax.add_artist(first)
        ax.legend(handles=grade_handles, loc="lower left", bbox_to_anchor=(1.01, 0.0), fontsize=8,
                  title="形状：来源可靠性　填充：数的性质", title_fontsize=8, alignment="left")
    fig.tight_layout(rect=(0, 0.04, 0.76, 1))  # the right quarter holds the legends
    source_line(fig, source, False)
    if points.empty:
        alt = f"散点图：{title}（{unit}），无公开数字。"
    else:
        dates = pd.to_datetime(points["date"])
        last = points.loc[dates.idxmax()]
        alt = (f"散点图：{title}（{unit}），{len(points)} 个公开数字，{dates.min():%Y-%m-%d} 至 {dates.max():%Y-%m-%d}；"
               f"{extremes(zip(points['label'] + ' ' + dates.dt.strftime('%Y-%m-%d'), points['amount']))}；"
               f"最新 {last['label']} {_num(float(last['amount']))}（{dates.max():%Y-%m-%d}）。形状表示来源可靠性。")
    _show(fig, alt, title, _points_data(points, unit))
    return fig


_POINT_COLUMNS = {"date": "日期", "label": "数据", "amount": None, "qualifier": "数的性质", "reliability": "来源可靠性",
                  "source": "来源", "source_url": "来源网址"}


def _points_data(points: pd.DataFrame, unit: str) -> pd.DataFrame:
    """Every published figure drawn, one row each, with its source: what a reader needs to cite it."""
    cols = [c for c in _POINT_COLUMNS if c in points.columns]
    data = points[cols].copy()
    data.columns = [_POINT_COLUMNS[c] or f"数值（{unit}）" for c in cols]
    if "日期" in data.columns:
        data["日期"] = pd.to_datetime(data["日期"]).dt.strftime("%Y-%m-%d")
    return data.reset_index(drop=True)


def _date_num(when: pd.Timestamp) -> float:
    """A timestamp as matplotlib's date number (for axis limits)."""
    import matplotlib.dates as mdates

    return float(mdates.date2num(when.to_pydatetime()))


NOT_FILED_COLOUR = "#bdbdbd"  # 未报送: grey, outside the colour scale, so it never reads as a low value


def tile_map(values: pd.Series, title: str, unit: str, source: str, synthetic: bool = False,
             fmt: str = "{:.1f}", vmin: float | None = None, vmax: float | None = None,
             missing_label: str = "未报送", discrete: dict[int, str] | None = None) -> plt.Figure:
    """The 31 provinces as equal tiles (``sbk.regions.tile_layout``), coloured by ``values`` (indexed by province code).

    The scale is cividis, readable with the common colour-vision deficiencies and in greyscale; a province
    with no value (not in ``values``, or NaN) is grey, hatched and labelled ``missing_label``, and is listed in
    the legend apart from the scale: it is never drawn as the scale's low end. ``discrete`` maps whole
    values to labels (the 持卡库 stages) for a stepped legend instead of a colour bar.
    """
    from matplotlib import colormaps
    from matplotlib.colors import BoundaryNorm, Normalize
    from matplotlib.patches import Patch, Rectangle

    from sbk.regions import tile_layout

    house_style()
    tiles = tile_layout()
    nrows = max(t.row for t in tiles) + 1
    ncols = max(t.col for t in tiles) + 1
    vals = {code: float(v) for code, v in values.items() if v is not None and not pd.isna(v)}
    cmap = colormaps["cividis"]
    norm: Normalize
    if discrete:
        keys = sorted(discrete)
        norm = BoundaryNorm([k - 0.5 for k in keys] + [keys[-1] + 0.5], cmap.N)
    else:
        lo = vmin if vmin is not None else (min(vals.values()) if vals else 0.0)
        hi = vmax if vmax is not None else (max(vals.values()) if vals else 1.0)
        norm = Normalize(lo, hi if hi > lo else lo + 1)
    fig, ax = plt.subplots(figsize=(9, 7.2))
    for t in tiles:
        x, y = t.col, nrows - 1 - t.row
        v = vals.get(t.province_code)
        face: str | tuple[float, float, float, float]
        if v is None:
            face, text, label = NOT_FILED_COLOUR, "black", missing_label
            ax.add_patch(Rectangle((x + 0.04, y + 0.04), 0.92, 0.92, facecolor=face, edgecolor="white", hatch="//"))
        else:
            face = cmap(norm(v))
            r, g, b, _ = face
            text = "black" if 0.299 * r + 0.587 * g + 0.114 * b > 0.5 else "white"
            label = fmt.format(v)
            ax.add_patch(Rectangle((x + 0.04, y + 0.04), 0.92, 0.92, facecolor=face, edgecolor="white"))
        ax.text(x + 0.5, y + 0.62, t.label, ha="center", va="center", fontsize=9, color=text, fontweight="bold")
        ax.text(x + 0.5, y + 0.32, label, ha="center", va="center", fontsize=8, color=text)
    ax.set_xlim(0, ncols)
    ax.set_ylim(0, nrows)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)
    from matplotlib.cm import ScalarMappable

    mappable = ScalarMappable(norm=norm, cmap=cmap)
    if discrete:
        keys = sorted(discrete)
        bar = fig.colorbar(mappable, ax=ax, shrink=0.7, ticks=keys)
        bar.ax.set_yticklabels([discrete[k] for k in keys], fontsize=8)
    else:
        bar = fig.colorbar(mappable, ax=ax, shrink=0.7)
    bar.set_label(unit)
    ax.legend(handles=[Patch(facecolor=NOT_FILED_COLOUR, hatch="//", edgecolor="white", label=missing_label)],
              loc="lower left", fontsize=8, frameon=False)
    names = {t.province_code: t.label for t in tiles}
    absent = [names[t.province_code] for t in tiles if t.province_code not in vals]
    shown = ([(names.get(str(c), str(c)), discrete.get(int(v), v)) for c, v in vals.items()] if discrete else
             [(names.get(str(c), str(c)), v) for c, v in vals.items()])
    summary = (f"{len(vals)} 省有值" + ("" if discrete else f"，{extremes(shown)}")
               + (f"；{missing_label}（灰色）：{'、'.join(absent)}" if absent else "；各省均有值"))
    alt = f"省级瓦片地图：{title}（{unit}），{summary}。"
    in_order = sorted(tiles, key=lambda t: t.province_code)
    drawn = [vals.get(t.province_code) for t in in_order]
    data = pd.DataFrame({"省份代码": [t.province_code for t in in_order], "省份": [t.label for t in in_order],
                         _measure(title, unit): drawn})
    if discrete:
        data["说明"] = [discrete.get(int(v), "") if v is not None else "" for v in drawn]
    # A province with no value is named as such, its value left blank: never 0.
    data["状态"] = ["" if v is not None else missing_label for v in drawn]
    return _finish(fig, source, synthetic, alt, title, data)
