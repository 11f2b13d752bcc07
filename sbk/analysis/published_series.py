"""The published record as the national reports show it: every figure with its source and grade, targets, provinces.

The national reports draw from ``published_figures`` (one row per figure a public source states, see
``data/raw/published/README.md``) and ``plan_targets``. Nothing here changes a figure: each row keeps the
value and unit as printed; conversions (亿 → 万, 万 → 亿) are computed beside it, with the unit sizes of
``sbk.published_check.UNITS``. Where sources give the same measure, scope and date different amounts, every
figure is kept and flagged ``conflict`` (the rule of ``sbk published check``); nothing is averaged.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping, Sequence

import pandas as pd

from sbk.published_check import UNITS, agree, amount, numbers_in

__all__ = [
    "FIGURE_COLUMNS",
    "KEY_DOCUMENTS",
    "MEASURE_LABELS",
    "PANEL_COLUMNS",
    "RELIABILITY_GRADES",
    "RELIABILITY_LABELS",
    "TARGET_COLUMNS",
    "figures",
    "figures_table",
    "freshness",
    "freshness_note",
    "line_points",
    "link_table",
    "milestone_events",
    "panel_note",
    "panel_table",
    "population_basis",
    "provincial_panel",
    "targets_for",
    "targets_table",
]

NATIONAL_SCOPE = "全国"
RELIABILITY_GRADES = ("primary", "seed", "reprint", "secondary")  # most reliable first
RELIABILITY_LABELS = {
    "primary": "政府网站 primary",
    "seed": "原始文件 seed",
    "reprint": "转载官方发布 reprint",
    "secondary": "二手来源 secondary",
}

# The measures the national reports draw, in Chinese (the vocabulary is in data/raw/published/README.md).
MEASURE_LABELS = {
    "holders": "持卡人数",
    "population_coverage_pct": "持卡人口覆盖率（来源所述）",
    "penetration_pct": "社保卡普及率（来源所述）",
    "cards_issued": "发卡数量",
    "third_gen_holders": "第三代社保卡持卡人数",
    "third_gen_cards": "第三代社保卡发卡数量",
    "ecard_users": "电子社保卡领用人数",
    "ecard_signed": "电子社保卡签发数量",
    "ecard_coverage_pct": "电子社保卡覆盖率",
    "fin_cards": "具有金融功能的社保卡",
    "fin_card_share_pct": "具有金融功能的社保卡占比",
    "issuing_cities": "发卡地市",
    "issuing_provinces": "发卡省份",
    "issuing_areas": "发卡地区（含省本级、兵团）",
    "provinces_all_cities_issuing": "所辖地市全部发卡的省份",
    "area_coverage_pct": "发卡地市覆盖率",
    "third_gen_cities": "发行第三代社保卡的地市",
    "ecard_cities": "开通电子社保卡的地市",
    "ecard_provinces": "开通电子社保卡的省份",
    "electronic_card_holders_share_pct": "领取电子社保卡的持卡人占比",
    "cards_first_batch": "首批试点发卡",
    "cards_issued_year": "当年发卡数量",
    "cards_made": "制卡数量",
    "cards_activated": "领卡启用",
    "records_submitted": "报送制卡数据",
    "cities_cross_city_use": "省内跨地市用卡的地市",
    "fin_activated": "金融账户激活",
    "fin_activation_pct": "金融账户激活率",
    "nonfin_cards": "不具金融功能的社保卡",
    "third_gen_share_pct": "第三代社保卡占比",
    "third_gen_uses": "第三代社保卡累计使用",
    "ecard_channels": "电子社保卡服务渠道",
    "ecard_services_national": "电子社保卡全国性服务",
    "ecard_services_local": "电子社保卡属地服务",
    "ecard_service_times": "电子社保卡累计服务",
    "ecard_service_times_year": "电子社保卡当年服务",
    "ecard_local_visits": "电子社保卡属地服务访问",
    "ecard_users_minors": "电子社保卡18岁以下用户",
    "ecard_users_elderly": "电子社保卡60岁以上用户",
    "ecard_family_users": "电子社保卡亲情服务用户",
    "ecard_mau_peak": "电子社保卡最高月活跃人数",
    "ecard_dau_peak": "电子社保卡最高日活跃人数",
    "ecard_medical_cities": "电子社保卡就医购药结算的地市",
    "ecard_transit_cities": "电子社保卡乘车的城市",
    "catalog_open_rate_pct": "应用目录开通率",
    "card_applications": "持卡应用",
    "card_services": "一卡办理事项",
    "card_services_hrss": "人社领域社保卡应用",
    "cities_medical_use_pct": "持卡就医结算的地市占比",
    "cities_pension_use_pct": "持卡领取养老金的地市占比",
    "cities_unemployment_use_pct": "持卡领取失业金等的地市占比",
    "cities_subsidy_use": "补贴发放到卡的地市",
    "cities_transit_use": "持卡乘车的地市",
    "cities_culture_use": "持卡文旅服务的地市",
    "service_outlets": "社保卡服务网点",
    "ykt_law_provinces": "完成“一卡通”立法的省份",
    "ykt_pilot_provinces": "“一卡通”应用试点省份",
    "provincial_yikatong": "省级“一卡通”",
    "regional_yikatong": "区域“一卡通”",
    "national_yikatong": "全国“一卡通”",
}

# Documents marked on the national time charts (catalog ids): the card's founding notices, the dispatch
# system, the electronic card, the financial third-generation card and the 一卡通 notice with its 2025/2027 targets.
KEY_DOCUMENTS = ("人社部发〔2011〕83号", "人社部发〔2014〕52号", "mohrss-dispatch-2015", "人社信息函〔2018〕21号",
                 "人社厅发〔2020〕101号", "人社部发〔2024〕6号")

# Units counted in 亿/万 (people, cards, times, records): their amounts can be shown in another of these sizes.
_SCALABLE = {u for u in UNITS if u not in ("%", "个", "项")}
_SCALE = {"亿": 1e8, "万": 1e4}
_RANK = {g: i for i, g in enumerate(reversed(RELIABILITY_GRADES))}  # secondary 0 … primary 3

FIGURE_COLUMNS = ["date", "measure", "label", "value", "unit", "printed", "amount", "shown_unit", "qualifier",
                  "reliability", "source", "source_url", "quote", "note", "conflict", "on_line"]
_QUALIFIER_SIGN = {"lower_bound": "≥ ", "approximate": "≈ ", "stated": ""}


def _qualifier(lower_bound: object, note: object) -> str:
    """'lower_bound' (超过/以上…), 'approximate' (近/约…) or 'stated', from the row's flags and note.

    The note conventions are those ``sbk published check`` enforces ("lower bound", "approximate").
    """
    if bool(lower_bound) or "lower bound" in str(note or "").lower():
        return "lower_bound"
    if "approximate" in str(note or "").lower():
        return "approximate"
    return "stated"


def _shown(value: float, unit: str, scale: str | None) -> tuple[float, str]:
    """The value in the chart's unit: 13.8 亿人 in 万 → 138000.0 万人; a share or a count stays as printed."""
    if scale is None or unit not in _SCALABLE:
        return float(value), unit
    # The printed unit's own word after its size: 亿人 → 人, 万张 → 张, 人 → 人.
    kind = unit[1:] if unit[:1] in _SCALE else unit
    return amount(float(value), unit) / _SCALE[scale], f"{scale}{kind}"


def figures(published: pd.DataFrame, measures: Sequence[str], scope: str = NATIONAL_SCOPE,
            scale: str | None = "亿") -> pd.DataFrame:
    """Every published figure of ``measures`` for ``scope``, oldest first, one row per figure (none dropped).

    ``value`` and ``unit`` are as printed; ``amount`` and ``shown_unit`` give it in ``scale`` (亿 or 万) when
    the unit is counted in 亿/万, else as printed. ``conflict`` is True for every figure of a measure, scope
    and date that another figure there disagrees with; ``on_line`` marks the one figure per measure and date a
    chart's line passes through (``line_points``). Columns: ``FIGURE_COLUMNS``.
    """
    if published.empty:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    d = published[published["measure"].isin(list(measures)) & (published["scope"].astype(str) == scope)].copy()
    if d.empty:
        return pd.DataFrame(columns=FIGURE_COLUMNS)
    note = d["note"] if "note" in d else pd.Series("", index=d.index)
    lower = d["lower_bound"] if "lower_bound" in d else pd.Series(False, index=d.index)
    d["note"] = note.fillna("").astype(str)
    d["qualifier"] = [_qualifier(lb, n) for lb, n in zip(lower, d["note"])]
    d["label"] = d["measure"].map(lambda m: MEASURE_LABELS.get(m, m))
    shown = [_shown(v, u, scale) for v, u in zip(d["value"], d["unit"])]
    d["amount"] = [a for a, _ in shown]
    d["shown_unit"] = [u for _, u in shown]
    d["printed"] = [f"{_QUALIFIER_SIGN[q]}{float(v):g} {u}" for q, v, u in zip(d["qualifier"], d["value"], d["unit"])]
    d["conflict"] = False
    for _, g in d.groupby(["measure", "date"], sort=False):
        rows = [(i, amount(float(v), u), q == "lower_bound") for i, v, u, q in
                zip(g.index, g["value"], g["unit"], g["qualifier"])]
        for i, a, lb in rows:
            if any(not agree(a, lb, b, lb2) for j, b, lb2 in rows if j != i):
                d.loc[i, "conflict"] = True
    d["on_line"] = False
    chosen = line_points(d)
    d.loc[chosen.index, "on_line"] = True
    for col in ("source", "source_url", "quote", "reliability"):
        if col not in d:
            d[col] = ""
    d = d.sort_values(["date", "measure"], kind="stable")
    return d[FIGURE_COLUMNS].reset_index(drop=True)


def line_points(frame: pd.DataFrame) -> pd.DataFrame:
    """One figure per measure and date for a chart's line; the others stay on the chart as points.

    A stated value before a lower bound, then the more reliable source (primary, seed, reprint,
    secondary), then the more precisely printed value (13.79 before 13.8: a rounded figure yields), then
    the later row. A choice of which point the line joins, never a blend of two.
    """
    if frame.empty:
        return frame
    d = frame.copy()
    d["_stated"] = d["qualifier"] != "lower_bound" if "qualifier" in d else ~d["lower_bound"].astype(bool)
    d["_rank"] = d["reliability"].map(_RANK).fillna(-1)
    d["_digits"] = d["value"].map(lambda v: len(repr(float(v)).rstrip("0").split(".")[1]) if "." in repr(float(v)) else 0)
    d = d.sort_values(["measure", "date", "_stated", "_rank", "_digits"], kind="stable")
    d = d.drop_duplicates(["measure", "date"], keep="last")
    return d.drop(columns=["_stated", "_rank", "_digits"])


TARGET_COLUMNS = ["target_year", "date", "measure", "label", "value", "unit", "amount", "shown_unit", "qualitative",
                  "words", "document", "quote", "source", "source_url", "note"]


def _states(quote: str, value: float, unit: str) -> bool:
    """Whether the quote prints the target's number (60%, 9亿人), not only words (基本覆盖全国人口)."""
    whole = amount(value, unit)
    return any(abs(printed - value) < 1e-9 or abs(total - whole) < 1e-6 * max(1.0, whole)
               for printed, total, *_ in numbers_in(quote))


def targets_for(targets: pd.DataFrame, measures: Iterable[str] | None = None, scope: str = NATIONAL_SCOPE,
                scale: str | None = "亿", words: bool = False) -> pd.DataFrame:
    """Plan targets of ``scope`` (all measures, or ``measures``), by year: dated the target year's last day.

    With ``words``, targets without a number are kept whatever their measure (the 2025 and 2027 一卡通
    targets belong on every national time chart).

    A target without a number (全国“一卡通”基本实现) is ``qualitative``; a number is shown in ``scale`` like
    ``figures``. ``words`` is what a chart writes beside it: the number as printed when the quote prints it,
    else the quote itself (到2025年基本覆盖全国人口: the row's 100 is where the words put it, not a printed
    figure). Columns: ``TARGET_COLUMNS``.
    """
    if targets.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    d = targets.copy()
    if "scope" in d:
        d = d[d["scope"].fillna(NATIONAL_SCOPE).astype(str) == scope]
    d = d.assign(value=pd.to_numeric(d["value"], errors="coerce"))
    if measures is not None:
        d = d[d["measure"].isin(list(measures)) | (words & d["value"].isna())]
    if d.empty:
        return pd.DataFrame(columns=TARGET_COLUMNS)
    d["qualitative"] = d["value"].isna()
    d["unit"] = d["unit"].fillna("").astype(str)
    shown = [(float("nan"), "") if q else _shown(v, u, scale) for v, u, q in zip(d["value"], d["unit"], d["qualitative"])]
    d["amount"] = [a for a, _ in shown]
    d["shown_unit"] = [u for _, u in shown]
    d["target_year"] = d["target_year"].astype(int)
    d["date"] = [dt.date(y, 12, 31).isoformat() for y in d["target_year"]]
    d["label"] = d["measure"].map(lambda m: MEASURE_LABELS.get(m, m))
    for col in ("note", "quote", "source_url", "document"):
        d[col] = d[col].fillna("").astype(str) if col in d else ""
    d["source"] = d["source"].fillna("").astype(str) if "source" in d else d["source_url"]
    d["words"] = [q if qual or not _states(q, v, u) else f"{float(v):g}{u}"
                  for q, qual, v, u in zip(d["quote"], d["qualitative"], d["value"], d["unit"])]
    d = d.sort_values(["target_year", "measure"], kind="stable")
    return d[TARGET_COLUMNS].reset_index(drop=True)


def population_basis(note: object) -> str:
    """常住 (resident) or 户籍 (registered) population, as the row's note records the source's wording; else 未说明."""
    text = str(note or "")
    if "常住" in text or re.search(r"\bresident\b", text, re.IGNORECASE):
        return "常住"
    if "户籍" in text or re.search(r"\bregistered\b", text, re.IGNORECASE):
        return "户籍"
    return "未说明"


PANEL_COLUMNS = ["province_code", "province", "measure", "label", "date", "value", "unit", "printed", "amount_10k",
                 "qualifier",
                 "population_basis", "reliability", "source", "source_url", "quote", "note", "conflict"]


def _province_names() -> dict[str, str]:
    from sbk.regions import provinces

    # Province codes and names have not changed since the card began; the newest revision the package carries.
    return {p.code: p.name for p in provinces("2019-04", quiet=True)}


def provincial_panel(published: pd.DataFrame,
                     measures: Sequence[str] = ("population_coverage_pct", "holders")) -> pd.DataFrame:
    """Each province's latest published figure of each measure, with its date, grade and source.

    Province-wide figures only (scope ``XX0000``); a city's figure does not stand for its province. One row
    per province and measure, at that measure's latest date for the province; when figures of that date
    disagree, every one of them (``conflict``), never an average; figures that agree give the one a line
    would join (``line_points``). Holders get ``amount_10k`` (万人); a share gets ``population_basis`` (常住 or
    户籍, when the source says). Provinces publish at different dates and on different populations: the
    table says so row by row. Ordered by province code, then ``measures``. Columns: ``PANEL_COLUMNS``.
    """
    if published.empty:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    scopes = published["scope"].astype(str)
    provincial = sorted(s for s in scopes.unique() if re.fullmatch(r"\d{2}0000", s))
    names = _province_names()
    parts = []
    for code in provincial:
        for measure in measures:
            f = figures(published, [measure], scope=code, scale="万")
            if f.empty:
                continue
            latest = f[f["date"] == f["date"].max()]
            keep = latest[latest["conflict"]] if latest["conflict"].any() else latest[latest["on_line"]]
            keep = keep.assign(province_code=code, province=names.get(code, code))
            parts.append(keep)
    if not parts:
        return pd.DataFrame(columns=PANEL_COLUMNS)
    d = pd.concat(parts, ignore_index=True)
    d["amount_10k"] = [a if u in ("万人", "万张") else None for a, u in zip(d["amount"], d["shown_unit"])]
    d["population_basis"] = [population_basis(n) if u == "%" else "" for n, u in zip(d["note"], d["unit"])]
    order = {m: i for i, m in enumerate(measures)}
    d["_m"] = d["measure"].map(order)
    d = d.sort_values(["province_code", "_m", "date"], kind="stable")
    return d[PANEL_COLUMNS].reset_index(drop=True)


def freshness(published: pd.DataFrame, latest_document: Mapping[str, object],
              latest_final_document: Mapping[str, object] | None = None) -> dict[str, object]:
    """How current the record is: the latest figure (any scope), the latest national figure, the latest document.

    ``latest_document`` (and the latest that is not a draft) as ``sbk.catalog.latest`` gives them.
    """
    out: dict[str, object] = {"latest_figure": None, "latest_national_figure": None,
                              "latest_document": dict(latest_document),
                              "latest_final_document": dict(latest_final_document) if latest_final_document else None}
    if published.empty:
        return out
    d = published.assign(scope=published["scope"].astype(str))
    last = d[d["date"] == d["date"].max()]
    out["latest_figure"] = {"date": str(last["date"].iloc[0]), "scopes": sorted(set(last["scope"])),
                            "measures": list(dict.fromkeys(last.sort_values("measure")["measure"]))}
    nat = d[d["scope"] == NATIONAL_SCOPE]
    if not nat.empty:
        n = nat[nat["date"] == nat["date"].max()]
        out["latest_national_figure"] = {"date": str(n["date"].iloc[0]),
                                         "measures": list(dict.fromkeys(n.sort_values("measure")["measure"]))}
    return out


def _place(scope: str, names: Mapping[str, str]) -> str:
    """全国, a province's name, or a city's name with its code (湖南省, 延边朝鲜族自治州（222400）)."""
    from sbk.regions import RegionError, lookup

    if scope == NATIONAL_SCOPE or scope in names:
        return names.get(scope, scope)
    try:
        return f"{lookup(scope, '2019-04', quiet=True).name}（{scope}）"
    except RegionError:  # a code the newest revision no longer has: named by its province
        return names.get(scope[:2] + "0000", "") + f"（{scope}）"


def _measures(measures: Iterable[str]) -> str:
    return "、".join(MEASURE_LABELS.get(str(m), str(m)) for m in measures)


def freshness_note(fresh: Mapping[str, object]) -> str:
    """The freshness as one Markdown paragraph for the top of a national report (text escaped)."""
    e = html.escape
    names = _province_names()
    parts = []
    fig = fresh.get("latest_figure")
    if isinstance(fig, Mapping):
        places = "、".join(_place(str(s), names) for s in fig["scopes"])
        parts.append(f"最新公开数据截至 **{e(str(fig['date']))}**（{e(places)}：{e(_measures(fig['measures']))}）")
    nat = fresh.get("latest_national_figure")
    if isinstance(nat, Mapping):
        parts.append(f"最新全国数据截至 **{e(str(nat['date']))}**（{e(_measures(nat['measures']))}）")
    doc = fresh.get("latest_document")
    if isinstance(doc, Mapping):
        text = f"政策目录最新文件 **{e(str(doc['date']))}** {e(str(doc.get('title') or doc['id']))}"
        if doc.get("status") == "draft":
            text += "（征求意见稿）"
        final = fresh.get("latest_final_document")
        if isinstance(final, Mapping) and final.get("id") != doc.get("id"):
            text += f"，最新非草案文件 **{e(str(final['date']))}** {e(str(final.get('title') or final['id']))}"
        parts.append(text)
    if not parts:
        return "_无公开数据 · No published figures._"
    return "**数据时效 · How current the record is.** " + "；".join(parts) + "。"


def milestone_events(milestones: pd.DataFrame, ids: Sequence[str] = KEY_DOCUMENTS) -> list[tuple[pd.Timestamp, str]]:
    """(date, label) of the catalog documents ``ids`` for a time chart, oldest first; unknown ids are left out."""
    if milestones.empty:
        return []
    m = milestones[milestones["id"].isin(list(ids))].sort_values("date", kind="stable")
    return [(pd.Timestamp(d), str(label)) for d, label in zip(m["date"], m["label"])]


def link_table(frame: pd.DataFrame, columns: Sequence[str], caption: str | None = None, url: str = "source_url",
               text: str = "source") -> str:
    """A reader's table (``sbk.analysis.tables``) of ``columns`` with the ``text`` column a link to ``url``.

    Every cell is escaped; only http(s) addresses become links (a ``seed:`` document is named, not linked).
    Headings are the published record's labels (``note`` is 说明).
    """
    from sbk.analysis.tables import to_html

    return to_html(frame, columns, caption=caption, table="published_figures", links={text: url})


def _graded(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(reliability=frame["reliability"].map(lambda g: RELIABILITY_LABELS.get(g, g)))


def figures_table(frame: pd.DataFrame, caption: str | None = "公开数据及其来源") -> str:
    """``figures`` as a reader's table: date, measure, value as printed (≥ lower bound, ≈ approximate), grade,
    whether sources disagree, the source as a link, the quote and the note."""
    return link_table(_graded(frame), ["date", "label", "printed", "reliability", "conflict", "source", "quote", "note"],
                      caption)


def targets_table(frame: pd.DataFrame, caption: str | None = "规划目标") -> str:
    """``targets_for`` as a reader's table: year, measure, the target as a chart writes it, the words as printed,
    the document, the note and the source (a link)."""
    return link_table(frame, ["target_year", "label", "words", "quote", "document", "note", "source"], caption)


def panel_table(panel: pd.DataFrame, caption: str | None = "各省最近一次公布的覆盖率和持卡人数") -> str:
    """``provincial_panel`` as a reader's table: province, measure, date, value as printed, population basis,
    grade, disagreement, source link and quote."""
    return link_table(_graded(panel), ["province", "label", "date", "printed", "population_basis", "reliability",
                                       "conflict", "source", "quote"], caption)


def panel_note(published: pd.DataFrame, panel: pd.DataFrame) -> str:
    """The reading note under the provincial panel, as Markdown: dates and population bases differ; who is left out.

    Names the provinces that publish only other measures and the cities whose figures are not a province's.
    """
    e = html.escape
    names = _province_names()
    text = ("**各省公布的时间和口径不同。** 每行是该省最近一次公布的数字和它的截至日期；"
            "覆盖率的分母有的是常住人口、有的是户籍人口（“人口口径”列，来源未说明的写“未说明”），"
            "持卡人数按发卡地统计。因此各省之间、省与全国之间不能直接比较，也不能相加。")
    if not panel.empty:
        text += f" 表中 {panel['province_code'].nunique()} 个省份，日期从 {e(str(panel['date'].min()))} 到 {e(str(panel['date'].max()))}。"
    if published.empty:
        return text
    scopes = published["scope"].astype(str)
    shown = set(panel["province_code"]) if not panel.empty else set()
    others = []
    for code in sorted(s for s in scopes.unique() if re.fullmatch(r"\d{2}0000", s) and s not in shown):
        measures = list(dict.fromkeys(published.loc[scopes == code, "measure"]))
        others.append(f"{names.get(code, code)}（{_measures(measures)}）")
    if others:
        text += " 只公布了其他指标的省份：" + e("；".join(others)) + "。"
    cities = sorted(s for s in scopes.unique() if re.fullmatch(r"\d{6}", s) and not s.endswith("0000"))
    if cities:
        text += (f" 另有 {len(cities)} 个地市的数字（" + e("、".join(_place(c, names) for c in cities))
                 + "）只代表该地市，未列入本表。")
    return text
