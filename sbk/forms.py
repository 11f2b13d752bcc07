"""The five dispatch forms of the 2015 notice as tidy tables, layouts and rules.

Specification: 《关于调整社会保障卡工作情况调度制度的通知》 (2015-02-11), attachment 1
(社会保障卡发行情况月调度表) and attachment 2 (社会保障卡工作情况季调度表（一）–（四）),
and their 填写说明. Each rule below quotes the sentence it enforces.

What lives here:
- the enumerations of the option lists (服务事项, 服务渠道, 使用地域, 持卡库建设进度);
- one pandera model per tidy table, with each column's official label and unit
  as metadata;
- every rule of the 填写说明 as a named check, with its severity (``error``: the
  data is wrong; ``warning``: worth a look) and a message in the form's words;
- each form's layout (title, column letters and header labels) as data.

``validate_table`` runs a table's rules lazily and returns every finding.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Callable, Iterable, Mapping

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from sbk.calendar import PeriodError, parse_period
from sbk.findings import ERROR, WARNING, Finding, Severity

__all__ = [
    "ServiceItem",
    "ServiceChannel",
    "CrossRegionScope",
    "CardholderDbStage",
    "CATALOG_SIZE",
    "TABLES",
    "LAYOUTS",
    "RULES",
    "Rule",
    "Layout",
    "column_labels",
    "validate_table",
    "check_totals",
]

CATALOG_SIZE = 102  # 人社部发〔2014〕52号 社保卡应用目录


# --------------------------------------------------------------------------
# Enumerations of the option lists, carrying their official labels.


class _Labelled(IntEnum):
    label: str

    def __new__(cls, value: int, label: str):
        obj = int.__new__(cls, value)
        obj._value_ = value
        obj.label = label
        return obj

    @classmethod
    def other(cls) -> "_Labelled":
        return max(cls)

    @classmethod
    def legend(cls) -> str:
        circled = "①②③④⑤⑥⑦⑧⑨⑩"
        return " ".join(f"{circled[m.value - 1]}{m.label}" for m in cls)


class ServiceItem(_Labelled):
    """表一 服务事项: 已开展的社会保障卡服务事项."""

    APPLY = 1, "申领（补换卡）"
    INFO_CHANGE = 2, "信息变更"
    REPORT_LOSS = 3, "挂失（解挂）"
    CANCEL = 4, "注销"
    TRANSFER_IN_PROVINCE = 5, "省内转移"
    TRANSFER_CROSS_PROVINCE = 6, "跨省转移"
    ENQUIRY = 7, "咨询"
    UNLOCK = 8, "解锁"
    OTHER = 9, "其他"


class ServiceChannel(_Labelled):
    """表一 服务渠道: 已开通的社会保障卡服务渠道."""

    CARD_CENTRE = 1, "社保卡服务中心"
    SOCIAL_INSURANCE_HALL = 2, "社保经办大厅"
    EMPLOYMENT_HALL = 3, "就业服务大厅"
    GRASSROOTS = 4, "街道乡镇基层服务网点"
    BANK_BRANCH = 5, "银行网点"
    HOTLINE_12333 = 6, "12333"
    ONLINE = 7, "网上服务"
    MOBILE = 8, "手机服务"
    SELF_SERVICE = 9, "自助终端服务"
    OTHER = 10, "其他"


class CrossRegionScope(_Labelled):
    """表二 使用地域: 社会保障卡跨地区使用的地域范围."""

    CROSS_CITY_IN_PROVINCE = 1, "省内跨地市"
    CROSS_PROVINCE = 2, "跨省"
    OTHER = 3, "其他"


class CardholderDbStage(_Labelled):
    """表三 省级持卡库建设总体进度."""

    NOT_STARTED = 1, "尚未启动"
    PLAN = 2, "制定建设实施方案"
    DEPLOYMENT = 3, "省持卡库系统部署，并与部级持卡库系统联调"
    DATA_PREPARATION = 4, "数据准备及初始化"
    CARD_SYSTEM = 5, "卡管系统接入"
    BUSINESS_SYSTEMS = 6, "业务系统接入"
    TRIAL = 7, "系统试运行"
    LIVE = 8, "系统正式上线运行"
    OTHER = 9, "其他"


# --------------------------------------------------------------------------
# Rules: one record per rule of the 填写说明, referenced by the models' checks.


@dataclass(frozen=True)
class Rule:
    id: str
    label: str  # the rule in the form's words, printed in findings
    severity: Severity
    column: str | None  # the column whose cell a finding points at
    explain: Callable[[pd.Series], str]


RULES: dict[str, Rule] = {}


def _rule(id: str, label: str, severity: Severity, column: str | None, explain: Callable[[pd.Series], str]) -> str:
    RULES[id] = Rule(id, label, severity, column, explain)
    return id


def _fmt(x: object) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "（空）"
    if isinstance(x, float):
        return f"{x:.2f}" if round(x, 2) == x else str(float(x))
    return str(x)


def _nonblank(s: pd.Series) -> pd.Series:
    return s.fillna("").astype(str).str.strip() != ""


def _two_decimals(s: pd.Series) -> pd.Series:
    # 数字统一保留小数点后两位: more than two decimals is flagged. A float
    # read from Excel carries binary noise, so compare at 1e-9.
    return s.isna() | (((s * 100).round() - s * 100).abs() < 1e-6)


def _len(s: pd.Series) -> pd.Series:
    return s.map(lambda v: len(v) if isinstance(v, (list, tuple)) else 0)


def _has(s: pd.Series, option: int) -> pd.Series:
    return s.map(lambda v: isinstance(v, (list, tuple)) and option in v)


def _valid_period(kind: str) -> Callable[[pd.Series], pd.Series]:
    def check(s: pd.Series) -> pd.Series:
        def ok(v: object) -> bool:
            try:
                return parse_period(str(v)).kind == kind
            except PeriodError:
                return False

        return s.map(ok)

    return check


def _per_unique(df: pd.DataFrame, columns: list[str], ok: Callable[..., bool]) -> pd.Series:
    """Evaluate a row check once per distinct combination of ``columns`` (region
    lookups repeat for every period and filing) and map the answers back."""
    if not len(df):
        return pd.Series(dtype=bool)
    keys = df[columns].astype(str)
    unique = keys.drop_duplicates()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        answers = {tuple(k): bool(ok(*k)) for k in unique.itertuples(index=False, name=None)}
    return pd.Series([answers[k] for k in keys.itertuples(index=False, name=None)], index=df.index, dtype=bool)


def _regions_ok(df: pd.DataFrame) -> pd.Series:
    """region_code is the province itself (省本级) or one of its units, in that period."""
    from sbk.regions import RegionError, lookup

    def ok(code: str, province: str, period: str) -> bool:
        if code == province:
            return True
        if code[:2] != province[:2]:
            return False
        try:
            lookup(code, period)
            return True
        except (RegionError, PeriodError):
            return False

    return _per_unique(df, ["region_code", "province_code", "period"], ok)


def _region_name_ok(df: pd.DataFrame) -> pd.Series:
    from sbk.regions import RegionError, lookup

    def ok(name: str, code: str, period: str) -> bool:
        name = name.strip()
        if name in ("省本级", "全省", ""):
            return True
        try:
            r = lookup(code, period)
        except (RegionError, PeriodError):
            return True  # the code itself is reported by region_in_province
        return name in (r.name, r.short_name)

    return _per_unique(df, ["region_name", "region_code", "period"], ok)


def _province_ok(df: pd.DataFrame) -> pd.Series:
    from sbk.regions import RegionError, lookup

    def ok(code: str, period: str) -> bool:
        try:
            return code.endswith("0000") and lookup(code, period).is_province
        except (RegionError, PeriodError):
            return False

    return _per_unique(df, ["province_code", "period"], ok)


def _source_keys(df: pd.DataFrame) -> list[str]:
    return [c for c in ("source_file", "source_sheet") if c in df.columns]


def _in_code_order(df: pd.DataFrame) -> pd.Series:
    """Rows of one filed sheet appear in division-code order (地市顺序按照行政区划代码排列)."""
    if "source_row" not in df.columns or not len(df):
        return pd.Series(True, index=df.index)
    keys = _source_keys(df) + ["period", "province_code"]
    d = df[keys + ["source_row"]].astype({k: str for k in keys}).assign(code=df["region_code"].astype(str))
    d = d.sort_values(keys + ["source_row"], kind="stable")
    # A row is out of order when a row above it in the same sheet has a larger code.
    d["num"] = pd.to_numeric(d["code"], errors="coerce").fillna(0)
    group = d.groupby(keys, sort=False).ngroup()
    before = d["num"].groupby(group).cummax().groupby(group).shift()
    ok = ~(d["num"] < before).fillna(False)
    return ok.reindex(df.index).astype(bool)


def _not_duplicated(keys: list[str]) -> Callable[[pd.DataFrame], pd.Series]:
    def check(df: pd.DataFrame) -> pd.Series:
        k = _source_keys(df) + keys
        return ~df.duplicated(subset=k, keep="first")

    return check


def _not_falling(value: str, keys: list[str]) -> Callable[[pd.DataFrame], pd.Series]:
    """A cumulative figure is never below the same unit's figure for the previous period."""

    def check(df: pd.DataFrame) -> pd.Series:
        if not len(df):
            return pd.Series(True, index=df.index)
        d = df[keys].astype(str).assign(
            _period=df["period"].astype(str), _v=pd.to_numeric(df[value], errors="coerce").astype(float)
        ).sort_values([*keys, "_period"], kind="stable")
        group = d.groupby(keys, sort=False).ngroup()
        prev = d["_v"].groupby(group).ffill().groupby(group).shift()
        ok = ~(d["_v"] < prev - 1e-9).fillna(False)
        return ok.reindex(df.index).astype(bool)

    return check


def _previous_value(df: pd.DataFrame, value: str, keys: list[str], row: pd.Series) -> str:
    earlier = df
    for k in keys:
        earlier = earlier[earlier[k] == row[k]]
    earlier = earlier[earlier["period"].astype(str) < str(row["period"])]
    if not len(earlier):
        return "?"
    last = earlier.sort_values("period").iloc[-1]
    return f"{_fmt(last[value])}（{last['period']}）"


# Rule records. Messages quote the 填写说明.
R_PERIOD_M = _rule("period_monthly", "期别", ERROR, "period",
                   lambda r: f"月调度表期别应为 YYYY-MM 且不早于 2015-02，实为 “{r['period']}”")
R_PERIOD_Q = _rule("period_quarterly", "期别", ERROR, "period",
                   lambda r: f"季调度表期别应为 YYYYQn 且不早于 2015Q1，实为 “{r['period']}”")
R_PROVINCE = _rule("province_code", "行政区划代码", ERROR, "province_code",
                   lambda r: f"填报单位 {r['province_code']} 不是 {r['period']} 有效的省级行政区划代码")
R_REGION = _rule("region_in_province", "行政区划代码", ERROR, "region_code",
                 lambda r: f"行政区划代码 {r['region_code']} 在 {r['period']} 不是 {r['province_code']} 所辖地市")
R_REGION_NAME = _rule("region_name_matches_code", "地区", WARNING, "region_name",
                      lambda r: f"地区 “{r['region_name']}” 与行政区划代码 {r['region_code']} 的名称不符")
R_ORDER = _rule("region_order", "地市顺序按照行政区划代码排列", WARNING, "region_code",
                lambda r: f"{r['region_code']} {r['region_name']} 排在代码更大的地市之后")
R_DUP_REGION = _rule("duplicate_region", "同一地区重复填报", ERROR, "region_code",
                     lambda r: f"{r['region_code']} {r['region_name']} 在 {r['period']} 已填报过一行")


def _holders_rules(prefix: str, columns: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Non-negative and two-decimal rules for each 万人 column: {column: (nonneg id, decimals id)}."""
    out = {}
    for col, label in columns.items():
        neg = _rule(f"{prefix}_{col}_nonneg", f"{label}不能为负", ERROR, col,
                    lambda r, c=col, l=label: f"{l} {_fmt(r[c])} 为负数或未填写")
        dec = _rule(f"{prefix}_{col}_decimals", "数字统一保留小数点后两位", WARNING, col,
                    lambda r, c=col, l=label: f"{l} {_fmt(r[c])} 超过两位小数")
        out[col] = (neg, dec)
    return out


# --------------------------------------------------------------------------
# The tidy tables as pandera models.


def _f(label: str, unit: str | None = None, **kwargs) -> object:
    return pa.Field(metadata={"label": label, "unit": unit}, **kwargs)


class _Provenance(pa.DataFrameModel):
    source_file: Series[str] = _f("来源文件", nullable=True, required=False)
    source_sheet: Series[str] = _f("来源工作表", nullable=True, required=False)
    source_row: Series[pd.Int64Dtype] = _f("来源行号", nullable=True, required=False)

    class Config:
        coerce = True
        strict = False


# 月调度表 -----------------------------------------------------------------

_M_HOLDERS = _holders_rules("monthly", {"cumulative_holders_10k": "累计持卡人数"})
R_M_FALLING = _rule("monthly_not_falling", "累计持卡人数不应低于上期", ERROR, "cumulative_holders_10k",
                    lambda r: f"累计持卡人数 {_fmt(r['cumulative_holders_10k'])} 低于上期")


class MonthlyIssuance(_Provenance):
    """社会保障卡发行情况月调度表: one row per region row of a province's monthly form."""

    period: Series[str] = _f("期别（年月）")
    province_code: Series[str] = _f("填报单位（省级行政区划代码）")
    region_code: Series[str] = _f("行政区划代码")
    region_name: Series[str] = _f("地区")
    cumulative_holders_10k: Series[float] = _f("累计持卡人数", "万人", nullable=True)

    @pa.check("period", name=R_PERIOD_M)
    def _period(cls, s):
        return _valid_period("monthly")(s)

    @pa.dataframe_check(name=_M_HOLDERS["cumulative_holders_10k"][0])
    def _nonneg(cls, df):
        return df["cumulative_holders_10k"].notna() & (df["cumulative_holders_10k"] >= 0)

    @pa.dataframe_check(name=_M_HOLDERS["cumulative_holders_10k"][1])
    def _decimals(cls, df):
        return _two_decimals(df["cumulative_holders_10k"])

    @pa.dataframe_check(name=R_PROVINCE)
    def _province(cls, df):
        return _province_ok(df)

    @pa.dataframe_check(name=R_REGION)
    def _region(cls, df):
        return _regions_ok(df)

    @pa.dataframe_check(name=R_REGION_NAME)
    def _region_name(cls, df):
        return _region_name_ok(df)

    @pa.dataframe_check(name=R_ORDER)
    def _order(cls, df):
        return _in_code_order(df)

    @pa.dataframe_check(name=R_DUP_REGION)
    def _dup(cls, df):
        return _not_duplicated(["period", "province_code", "region_code"])(df)

    @pa.dataframe_check(name=R_M_FALLING)
    def _falling(cls, df):
        return _not_falling("cumulative_holders_10k", ["province_code", "region_code"])(df)


# 季调度表（一） -------------------------------------------------------------

_Q1_HOLDER_COLS = {
    "holders_total_10k": "累计持卡人数（总数）",
    "holders_urban_employees_10k": "累计持卡人数（城镇职工）",
    "holders_residents_10k": "累计持卡人数（城乡居民）",
    "holders_other_10k": "累计持卡人数（其他）",
}
_Q1_HOLDERS = _holders_rules("q1", _Q1_HOLDER_COLS)
R_Q1_SUM = _rule("q1_total_equals_groups", "总数=城镇职工+城乡居民+其他", ERROR, "holders_total_10k",
                 lambda r: f"总数 {_fmt(r['holders_total_10k'])} ≠ {_fmt(r['holders_urban_employees_10k'])} + "
                           f"{_fmt(r['holders_residents_10k'])} + {_fmt(r['holders_other_10k'])}")
R_Q1_OTHER_NOTE = _rule("q1_other_needs_note", "其他：请说明其他人群类别", WARNING, "holders_other_10k",
                        lambda r: f"其他人群 {_fmt(r['holders_other_10k'])} 万人，未说明人群类别")
R_Q1_TERMINALS = _rule("q1_terminals", "可受理社保卡读写终端累计数量", ERROR, "terminals",
                       lambda r: f"读写终端累计数量应为非负整数，实为 {_fmt(r['terminals'])}")
R_Q1_ITEMS_OTHER = _rule("q1_service_items_other", "服务事项 ⑨其他____", WARNING, "service_items",
                         lambda r: "选了 ⑨其他，未注明具体服务事项")
R_Q1_CHANNELS_OTHER = _rule("q1_service_channels_other", "服务渠道 ⑩其他____", WARNING, "service_channels",
                            lambda r: "选了 ⑩其他，未注明具体服务渠道")
R_Q1_ITEMS_RANGE = _rule("q1_service_items_range", "服务事项", ERROR, "service_items",
                         lambda r: f"服务事项 {r['service_items']} 超出 ①–⑨：{ServiceItem.legend()}")
R_Q1_CHANNELS_RANGE = _rule("q1_service_channels_range", "服务渠道", ERROR, "service_channels",
                            lambda r: f"服务渠道 {r['service_channels']} 超出 ①–⑩：{ServiceChannel.legend()}")
R_Q1_PROGRESS = _rule("q1_progress_note", "工作进展", WARNING, "progress_note",
                      lambda r: "工作进展未填写（如对比上季度无新进展，可填写“无”）")
R_Q1_FALLING = _rule("q1_not_falling", "累计持卡人数不应低于上季度", ERROR, "holders_total_10k",
                     lambda r: f"累计持卡人数（总数）{_fmt(r['holders_total_10k'])} 低于上季度")
R_Q1_TERMINALS_FALLING = _rule("q1_terminals_not_falling", "各项指标均为截至季度末的累计数量", WARNING, "terminals",
                               lambda r: f"读写终端累计数量 {_fmt(r['terminals'])} 低于上季度")


def _options_in_range(s: pd.Series, maximum: int) -> pd.Series:
    return s.map(lambda v: not isinstance(v, (list, tuple)) or all(1 <= int(i) <= maximum for i in v))


class QuarterlyWork(_Provenance):
    """社会保障卡工作情况季调度表（一）: one row per region row."""

    period: Series[str] = _f("期别（年季度）")
    province_code: Series[str] = _f("填报单位（省级行政区划代码）")
    region_code: Series[str] = _f("行政区划代码")
    region_name: Series[str] = _f("地区")
    holders_total_10k: Series[float] = _f("累计持卡人数·总数", "万人", nullable=True)
    holders_urban_employees_10k: Series[float] = _f("累计持卡人数·城镇职工", "万人", nullable=True)
    holders_residents_10k: Series[float] = _f("累计持卡人数·城乡居民", "万人", nullable=True)
    holders_other_10k: Series[float] = _f("累计持卡人数·其他", "万人", nullable=True)
    other_groups_note: Series[str] = _f("其他人群类别", nullable=True)
    terminals: Series[float] = _f("可受理社保卡读写终端累计数量", "台", nullable=True)
    service_items: Series[object] = _f("服务情况·服务事项", nullable=True)
    service_items_other: Series[str] = _f("服务事项·其他", nullable=True)
    service_channels: Series[object] = _f("服务情况·服务渠道", nullable=True)
    service_channels_other: Series[str] = _f("服务渠道·其他", nullable=True)
    progress_note: Series[str] = _f("工作进展", nullable=True)

    @pa.check("period", name=R_PERIOD_Q)
    def _period(cls, s):
        return _valid_period("quarterly")(s)

    @pa.dataframe_check(name=_Q1_HOLDERS["holders_total_10k"][0])
    def _nonneg_total(cls, df):
        return df["holders_total_10k"].notna() & (df["holders_total_10k"] >= 0)

    @pa.dataframe_check(name=_Q1_HOLDERS["holders_urban_employees_10k"][0])
    def _nonneg_urban(cls, df):
        return ~(df["holders_urban_employees_10k"] < 0)

    @pa.dataframe_check(name=_Q1_HOLDERS["holders_residents_10k"][0])
    def _nonneg_res(cls, df):
        return ~(df["holders_residents_10k"] < 0)

    @pa.dataframe_check(name=_Q1_HOLDERS["holders_other_10k"][0])
    def _nonneg_other(cls, df):
        return ~(df["holders_other_10k"] < 0)

    @pa.dataframe_check(name=_Q1_HOLDERS["holders_total_10k"][1])
    def _dec_total(cls, df):
        return _two_decimals(df["holders_total_10k"])

    @pa.dataframe_check(name=_Q1_HOLDERS["holders_urban_employees_10k"][1])
    def _dec_urban(cls, df):
        return _two_decimals(df["holders_urban_employees_10k"])

    @pa.dataframe_check(name=_Q1_HOLDERS["holders_residents_10k"][1])
    def _dec_res(cls, df):
        return _two_decimals(df["holders_residents_10k"])

    @pa.dataframe_check(name=_Q1_HOLDERS["holders_other_10k"][1])
    def _dec_other(cls, df):
        return _two_decimals(df["holders_other_10k"])

    @pa.dataframe_check(name=R_Q1_SUM)
    def _sum(cls, df):
        parts = df[["holders_urban_employees_10k", "holders_residents_10k", "holders_other_10k"]].fillna(0).sum(axis=1)
        # A blank 总数 is reported by the non-negative rule; not again here.
        return df["holders_total_10k"].isna() | ((df["holders_total_10k"] - parts).abs() < 0.005 + 1e-9)

    @pa.dataframe_check(name=R_Q1_OTHER_NOTE)
    def _other_note(cls, df):
        return ~(df["holders_other_10k"].fillna(0) > 0) | _nonblank(df["other_groups_note"])

    @pa.dataframe_check(name=R_Q1_TERMINALS)
    def _terminals(cls, df):
        t = df["terminals"]
        return t.notna() & (t >= 0) & ((t - t.round()).abs() < 1e-9)

    @pa.dataframe_check(name=R_Q1_ITEMS_RANGE)
    def _items_range(cls, df):
        return _options_in_range(df["service_items"], len(ServiceItem))

    @pa.dataframe_check(name=R_Q1_CHANNELS_RANGE)
    def _channels_range(cls, df):
        return _options_in_range(df["service_channels"], len(ServiceChannel))

    @pa.dataframe_check(name=R_Q1_ITEMS_OTHER)
    def _items_other(cls, df):
        return ~_has(df["service_items"], ServiceItem.OTHER) | _nonblank(df["service_items_other"])

    @pa.dataframe_check(name=R_Q1_CHANNELS_OTHER)
    def _channels_other(cls, df):
        return ~_has(df["service_channels"], ServiceChannel.OTHER) | _nonblank(df["service_channels_other"])

    @pa.dataframe_check(name=R_Q1_PROGRESS)
    def _progress(cls, df):
        return _nonblank(df["progress_note"])

    @pa.dataframe_check(name=R_PROVINCE)
    def _province(cls, df):
        return _province_ok(df)

    @pa.dataframe_check(name=R_REGION)
    def _region(cls, df):
        return _regions_ok(df)

    @pa.dataframe_check(name=R_REGION_NAME)
    def _region_name(cls, df):
        return _region_name_ok(df)

    @pa.dataframe_check(name=R_ORDER)
    def _order(cls, df):
        return _in_code_order(df)

    @pa.dataframe_check(name=R_DUP_REGION)
    def _dup(cls, df):
        return _not_duplicated(["period", "province_code", "region_code"])(df)

    @pa.dataframe_check(name=R_Q1_FALLING)
    def _falling(cls, df):
        return _not_falling("holders_total_10k", ["province_code", "region_code"])(df)

    @pa.dataframe_check(name=R_Q1_TERMINALS_FALLING)
    def _terminals_falling(cls, df):
        return _not_falling("terminals", ["province_code", "region_code"])(df)


# 季调度表（二） -------------------------------------------------------------

_Q2_PCT = {
    "catalog_open_rate_pct": "应用目录开通率",
    "payment_coverage_pct": "持卡缴费人群覆盖率",
    "benefit_coverage_pct": "持卡领取待遇人群覆盖率",
}
for _col, _label in _Q2_PCT.items():
    _rule(f"q2_{_col}_range", f"{_label}（%）", ERROR, _col,
          lambda r, c=_col, l=_label: f"{l} {_fmt(r[c])} 不在 0–100 之间")
R_Q2_RATE = _rule("q2_open_rate_matches_items", "应用目录开通率=已开通应用项目数/102*100%", ERROR,
                  "catalog_open_rate_pct",
                  lambda r: f"开通率 {_fmt(r['catalog_open_rate_pct'])}% 与所填业务领域 "
                            f"{len(r['local_items']) if isinstance(r['local_items'], (list, tuple)) else 0} 项"
                            f"（{(len(r['local_items']) if isinstance(r['local_items'], (list, tuple)) else 0) / CATALOG_SIZE * 100:.2f}%）不一致")
R_Q2_ITEMS_RANGE = _rule("q2_items_range", "业务领域（应用目录序号）", ERROR, "local_items",
                         lambda r: f"应用目录序号应在 1–{CATALOG_SIZE} 之间")
R_Q2_CROSS_ITEMS_RANGE = _rule("q2_cross_items_range", "业务领域（应用目录序号）", ERROR, "cross_region_items",
                               lambda r: f"应用目录序号应在 1–{CATALOG_SIZE} 之间")
R_Q2_ITEMS_DUP = _rule("q2_items_duplicated", "业务领域（应用目录序号）", WARNING, "local_items",
                       lambda r: "应用目录序号有重复")
R_Q2_SCOPE_RANGE = _rule("q2_scope_range", "使用地域", ERROR, "cross_region_scope",
                         lambda r: f"使用地域应按 {CrossRegionScope.legend()} 填写")
R_Q2_SCOPE_OTHER = _rule("q2_scope_other", "使用地域 ③其他____", WARNING, "cross_region_scope",
                         lambda r: "选了 ③其他，未注明使用地域")
R_Q2_CROSS_NO_SCOPE = _rule("q2_cross_items_need_scope", "跨地区应用情况", WARNING, "cross_region_scope",
                            lambda r: "填了跨地区应用的业务领域，未填使用地域")


class QuarterlyApplication(_Provenance):
    """社会保障卡工作情况季调度表（二）: application rollout, one row per region row."""

    period: Series[str] = _f("期别（年季度）")
    province_code: Series[str] = _f("填报单位（省级行政区划代码）")
    region_code: Series[str] = _f("行政区划代码")
    region_name: Series[str] = _f("地区")
    catalog_open_rate_pct: Series[float] = _f("应用目录开通率", "%", nullable=True)
    payment_coverage_pct: Series[float] = _f("持卡缴费人群覆盖率", "%", nullable=True)
    benefit_coverage_pct: Series[float] = _f("持卡领取待遇人群覆盖率", "%", nullable=True)
    local_items: Series[object] = _f("本地应用情况·业务领域（应用目录序号）", nullable=True)
    cross_region_scope: Series[object] = _f("跨地区应用情况·使用地域", nullable=True)
    cross_region_scope_other: Series[str] = _f("使用地域·其他", nullable=True)
    cross_region_items: Series[object] = _f("跨地区应用情况·业务领域（应用目录序号）", nullable=True)

    @pa.check("period", name=R_PERIOD_Q)
    def _period(cls, s):
        return _valid_period("quarterly")(s)

    @pa.dataframe_check(name="q2_catalog_open_rate_pct_range")
    def _rate_range(cls, df):
        return df["catalog_open_rate_pct"].between(0, 100)

    @pa.dataframe_check(name="q2_payment_coverage_pct_range")
    def _pay_range(cls, df):
        return df["payment_coverage_pct"].isna() | df["payment_coverage_pct"].between(0, 100)

    @pa.dataframe_check(name="q2_benefit_coverage_pct_range")
    def _benefit_range(cls, df):
        return df["benefit_coverage_pct"].isna() | df["benefit_coverage_pct"].between(0, 100)

    @pa.dataframe_check(name=R_Q2_RATE)
    def _rate(cls, df):
        # 总数量应与“应用目录开通率”保持一致: the item count the rate implies
        # must match the items listed (within rounding of the rate to 0.1%).
        implied = df["catalog_open_rate_pct"] * CATALOG_SIZE / 100
        listed = df["local_items"].map(lambda v: len(set(v)) if isinstance(v, (list, tuple)) else 0)
        return df["catalog_open_rate_pct"].isna() | ((implied - listed).abs() <= 0.06)

    @pa.dataframe_check(name=R_Q2_ITEMS_RANGE)
    def _items_range(cls, df):
        return _options_in_range(df["local_items"], CATALOG_SIZE)

    @pa.dataframe_check(name=R_Q2_CROSS_ITEMS_RANGE)
    def _cross_items_range(cls, df):
        return _options_in_range(df["cross_region_items"], CATALOG_SIZE)

    @pa.dataframe_check(name=R_Q2_ITEMS_DUP)
    def _items_dup(cls, df):
        return df["local_items"].map(lambda v: not isinstance(v, (list, tuple)) or len(set(v)) == len(v))

    @pa.dataframe_check(name=R_Q2_SCOPE_RANGE)
    def _scope_range(cls, df):
        return _options_in_range(df["cross_region_scope"], len(CrossRegionScope))

    @pa.dataframe_check(name=R_Q2_SCOPE_OTHER)
    def _scope_other(cls, df):
        return ~_has(df["cross_region_scope"], CrossRegionScope.OTHER) | _nonblank(df["cross_region_scope_other"])

    @pa.dataframe_check(name=R_Q2_CROSS_NO_SCOPE)
    def _cross_scope(cls, df):
        return (_len(df["cross_region_items"]) == 0) | (_len(df["cross_region_scope"]) > 0)

    @pa.dataframe_check(name=R_PROVINCE)
    def _province(cls, df):
        return _province_ok(df)

    @pa.dataframe_check(name=R_REGION)
    def _region(cls, df):
        return _regions_ok(df)

    @pa.dataframe_check(name=R_REGION_NAME)
    def _region_name(cls, df):
        return _region_name_ok(df)

    @pa.dataframe_check(name=R_ORDER)
    def _order(cls, df):
        return _in_code_order(df)

    @pa.dataframe_check(name=R_DUP_REGION)
    def _dup(cls, df):
        return _not_duplicated(["period", "province_code", "region_code"])(df)


# 季调度表（三） -------------------------------------------------------------

R_Q3_STAGE = _rule("q3_stage_range", "省级持卡库建设总体进度", ERROR, "stage",
                   lambda r: f"建设进度应按 {CardholderDbStage.legend()} 填写，实为 {_fmt(r['stage'])}")
R_Q3_STAGE_OTHER = _rule("q3_stage_other", "省级持卡库建设总体进度 ⑨其他____", WARNING, "stage",
                         lambda r: "选了 ⑨其他，未注明建设进度")
R_Q3_DATA = _rule("q3_data_preparation", "数据准备及初始化情况", WARNING, "data_preparation",
                  lambda r: "数据准备及初始化情况未填写（应说明数据源、覆盖人群和地域、数据量、质量检查、入库进展等）")
R_Q3_SYSTEMS = _rule("q3_system_integration", "业务系统接入情况", WARNING, "system_integration",
                     lambda r: "业务系统接入情况未填写（应说明本季度系统功能调整、接口改造、对接测试等）")
R_Q3_PLAN = _rule("q3_next_quarter_plan", "下一季度工作安排", WARNING, "next_quarter_plan",
                  lambda r: "下一季度工作安排未填写")
R_Q3_BACKWARDS = _rule("q3_stage_not_backwards", "省级持卡库建设总体进度", WARNING, "stage",
                       lambda r: f"建设进度 {_fmt(r['stage'])} 比上季度倒退")
R_Q3_DUP = _rule("q3_duplicate", "同一地区重复填报", ERROR, "stage",
                 lambda r: f"{r['province_code']} 在 {r['period']} 已填报过表三")


class QuarterlyCardholderDb(_Provenance):
    """社会保障卡工作情况季调度表（三）: the provincial cardholder database (持卡库), one row per province."""

    period: Series[str] = _f("期别（年季度）")
    province_code: Series[str] = _f("填报单位（省级行政区划代码）")
    stage: Series[pd.Int64Dtype] = _f("省级持卡库建设总体进度", nullable=True)
    stage_other: Series[str] = _f("建设进度·其他", nullable=True)
    data_preparation: Series[str] = _f("数据准备及初始化情况", nullable=True)
    system_integration: Series[str] = _f("业务系统接入情况", nullable=True)
    next_quarter_plan: Series[str] = _f("下一季度工作安排", nullable=True)

    @pa.check("period", name=R_PERIOD_Q)
    def _period(cls, s):
        return _valid_period("quarterly")(s)

    @pa.dataframe_check(name=R_PROVINCE)
    def _province(cls, df):
        return _province_ok(df)

    @pa.dataframe_check(name=R_Q3_STAGE)
    def _stage(cls, df):
        return df["stage"].notna() & df["stage"].between(1, len(CardholderDbStage))

    @pa.dataframe_check(name=R_Q3_STAGE_OTHER)
    def _stage_other(cls, df):
        return (df["stage"] != CardholderDbStage.OTHER).fillna(True) | _nonblank(df["stage_other"])

    @pa.dataframe_check(name=R_Q3_DATA)
    def _data(cls, df):
        return _nonblank(df["data_preparation"])

    @pa.dataframe_check(name=R_Q3_SYSTEMS)
    def _systems(cls, df):
        return _nonblank(df["system_integration"])

    @pa.dataframe_check(name=R_Q3_PLAN)
    def _plan(cls, df):
        return _nonblank(df["next_quarter_plan"])

    @pa.dataframe_check(name=R_Q3_BACKWARDS)
    def _backwards(cls, df):
        # ⑨其他 is not a stage on the ladder, so it is left out of the comparison.
        on_ladder = df["stage"].where(df["stage"] != CardholderDbStage.OTHER)
        return _not_falling("stage", ["province_code"])(df.assign(stage=on_ladder))

    @pa.dataframe_check(name=R_Q3_DUP)
    def _dup(cls, df):
        return _not_duplicated(["period", "province_code"])(df)


# 季调度表（四） -------------------------------------------------------------

_Q4_HOLDERS = _holders_rules("q4", {
    "fin_holders_10k": "具有金融功能的社会保障卡累计持卡人数",
    "fin_activated_10k": "已激活金融功能的社会保障卡持卡人数",
    "other_fin_holders_10k": "其他方式加载金融功能的社会保障卡持卡人数",
})
R_Q4_BANK = _rule("q4_bank_name", "银行名称", ERROR, "bank_name",
                  lambda r: "银行名称未填写（应填商业银行全称）")
R_Q4_ACTIVATED = _rule("q4_activated_le_holders", "已激活≤累计持卡", ERROR, "fin_activated_10k",
                       lambda r: f"已激活 {_fmt(r['fin_activated_10k'])} 万人 > 累计持卡 {_fmt(r['fin_holders_10k'])} 万人")
R_Q4_COUNT = _rule("q4_partner_count", "合作地市数量=合作地市名称个数", ERROR, "partner_city_count",
                   lambda r: f"合作地市数量 {_fmt(r['partner_city_count'])} ≠ 所列名称 {_len(pd.Series([r['partner_cities']])).iloc[0]} 个")
R_Q4_DUP = _rule("q4_duplicate_bank", "同一银行重复填报", ERROR, "bank_name",
                 lambda r: f"{r['bank_name']} 在 {r['period']} 已填报过一行")
R_Q4_FALLING = _rule("q4_not_falling", "累计持卡人数不应低于上季度", ERROR, "fin_holders_10k",
                     lambda r: f"{r['bank_name']} 具有金融功能的社会保障卡累计持卡人数 {_fmt(r['fin_holders_10k'])} 低于上季度")


class QuarterlyBank(_Provenance):
    """社会保障卡工作情况季调度表（四）: cards with financial function, one row per bank."""

    period: Series[str] = _f("期别（年季度）")
    province_code: Series[str] = _f("填报单位（省级行政区划代码）")
    bank_name: Series[str] = _f("银行名称", nullable=True)
    fin_holders_10k: Series[float] = _f("具有金融功能的社会保障卡·累计持卡人数", "万人", nullable=True)
    fin_activated_10k: Series[float] = _f("已激活金融功能的社会保障卡持卡人数", "万人", nullable=True)
    partner_city_count: Series[pd.Int64Dtype] = _f("合作地市数量", "个", nullable=True)
    partner_cities: Series[object] = _f("合作地市名称", nullable=True)
    other_fin_holders_10k: Series[float] = _f("其他方式加载金融功能的社会保障卡持卡人数", "万人", nullable=True)
    note: Series[str] = _f("备注", nullable=True)

    @pa.check("period", name=R_PERIOD_Q)
    def _period(cls, s):
        return _valid_period("quarterly")(s)

    @pa.dataframe_check(name=R_PROVINCE)
    def _province(cls, df):
        return _province_ok(df)

    @pa.dataframe_check(name=R_Q4_BANK)
    def _bank(cls, df):
        return _nonblank(df["bank_name"])

    @pa.dataframe_check(name=_Q4_HOLDERS["fin_holders_10k"][0])
    def _nonneg_h(cls, df):
        return df["fin_holders_10k"].notna() & (df["fin_holders_10k"] >= 0)

    @pa.dataframe_check(name=_Q4_HOLDERS["fin_activated_10k"][0])
    def _nonneg_a(cls, df):
        return ~(df["fin_activated_10k"] < 0)

    @pa.dataframe_check(name=_Q4_HOLDERS["other_fin_holders_10k"][0])
    def _nonneg_o(cls, df):
        return ~(df["other_fin_holders_10k"] < 0)

    @pa.dataframe_check(name=_Q4_HOLDERS["fin_holders_10k"][1])
    def _dec_h(cls, df):
        return _two_decimals(df["fin_holders_10k"])

    @pa.dataframe_check(name=_Q4_HOLDERS["fin_activated_10k"][1])
    def _dec_a(cls, df):
        return _two_decimals(df["fin_activated_10k"])

    @pa.dataframe_check(name=_Q4_HOLDERS["other_fin_holders_10k"][1])
    def _dec_o(cls, df):
        return _two_decimals(df["other_fin_holders_10k"])

    @pa.dataframe_check(name=R_Q4_ACTIVATED)
    def _activated(cls, df):
        return ~(df["fin_activated_10k"] > df["fin_holders_10k"] + 1e-9)

    @pa.dataframe_check(name=R_Q4_COUNT)
    def _count(cls, df):
        return df["partner_city_count"].isna() | (df["partner_city_count"] == _len(df["partner_cities"]))

    @pa.dataframe_check(name=R_Q4_DUP)
    def _dup(cls, df):
        return _not_duplicated(["period", "province_code", "bank_name"])(df)

    @pa.dataframe_check(name=R_Q4_FALLING)
    def _falling(cls, df):
        return _not_falling("fin_holders_10k", ["province_code", "bank_name"])(df)


# filings --------------------------------------------------------------------

FORMS = ("monthly", "q1", "q2", "q3", "q4")
R_F_FORM = _rule("filing_form", "报表", ERROR, "form",
                 lambda r: f"报表 “{r['form']}” 不是 {'、'.join(FORMS)} 之一")
R_F_PERIOD = _rule("filing_period", "期别", ERROR, "period",
                   lambda r: f"{r['form']} 的期别 “{r['period']}” 格式不符")
R_F_NEW = _rule("new_cities_count", "新增发卡城市__个，即_____", ERROR, "new_issuing_cities",
                lambda r: f"备注写新增发卡城市 {_fmt(r['new_issuing_cities_count'])} 个，"
                          f"列出 {_len(pd.Series([r['new_issuing_cities']])).iloc[0]} 个名称")
R_F_NEW_NAMES = _rule("new_cities_known", "新增发卡城市", WARNING, "new_issuing_cities",
                      lambda r: f"备注中的城市 {'、'.join(r['new_issuing_cities'] or [])} 有不属于 {r['province_code']} 的名称")


class Filings(pa.DataFrameModel):
    """One row per filed form (a sheet of a workbook)."""

    form: Series[str] = _f("报表")
    period: Series[str] = _f("期别")
    province_code: Series[str] = _f("填报单位（省级行政区划代码）")
    source_file: Series[str] = _f("来源文件")
    sha256: Series[str] = _f("文件 SHA-256")
    new_issuing_cities_count: Series[pd.Int64Dtype] = _f("新增发卡城市数量", "个", nullable=True)
    new_issuing_cities: Series[object] = _f("新增发卡城市（备注）", nullable=True)
    synthetic: Series[bool] = _f("合成示例数据（非官方统计）", required=False)
    source_sheet: Series[str] = _f("来源工作表", nullable=True, required=False)

    class Config:
        coerce = True
        strict = False

    @pa.check("form", name=R_F_FORM)
    def _form(cls, s):
        return s.isin(FORMS)

    @pa.dataframe_check(name=R_F_PERIOD)
    def _period(cls, df):
        kind = df["form"].map(lambda f: "monthly" if f == "monthly" else "quarterly")

        def ok(p: str, k: str) -> bool:
            try:
                return parse_period(p).kind == k
            except PeriodError:
                return False

        return pd.Series([ok(str(p), k) for p, k in zip(df["period"], kind)], index=df.index, dtype=bool)

    @pa.dataframe_check(name=R_PROVINCE)
    def _province(cls, df):
        return _province_ok(df)

    @pa.dataframe_check(name=R_F_NEW)
    def _new(cls, df):
        count = df["new_issuing_cities_count"]
        return count.isna() | (count == _len(df["new_issuing_cities"]))

    @pa.dataframe_check(name=R_F_NEW_NAMES)
    def _new_names(cls, df):
        from sbk.regions import RegionError, lookup

        def ok(row: pd.Series) -> bool:
            for name in row["new_issuing_cities"] if isinstance(row["new_issuing_cities"], (list, tuple)) else ():
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        lookup(name, str(row["period"]), province=str(row["province_code"]))
                except (RegionError, PeriodError):
                    return False
            return True

        return df.apply(ok, axis=1) if len(df) else pd.Series(dtype=bool)


TABLES: dict[str, type[pa.DataFrameModel]] = {
    "monthly_issuance": MonthlyIssuance,
    "quarterly_work": QuarterlyWork,
    "quarterly_application": QuarterlyApplication,
    "quarterly_cardholder_db": QuarterlyCardholderDb,
    "quarterly_bank": QuarterlyBank,
    "filings": Filings,
}


def column_labels(table: str) -> dict[str, dict[str, str | None]]:
    """{column: {'label': 官方名称, 'unit': 单位}} for a tidy table."""
    schema = TABLES[table].to_schema()
    return {name: dict(col.metadata or {}) for name, col in schema.columns.items()}


# --------------------------------------------------------------------------
# Layouts: where each field sits on the official form (for ingest, templates
# and for pointing findings at a cell).


@dataclass(frozen=True)
class Layout:
    form: str
    table: str
    title: str
    header_lines: tuple[str, ...]  # the 填报单位 line as printed, with blanks
    columns: tuple[tuple[str, str, str], ...]  # (field, column letter, header label)
    total_label: str | None  # 合计 / 全省

    def letter(self, field: str) -> str | None:
        for f, letter, _ in self.columns:
            if f == field:
                return letter
        return None


LAYOUTS: dict[str, Layout] = {
    "monthly": Layout(
        "monthly", "monthly_issuance", "社会保障卡发行情况月调度表", ("填报单位：_____年__月",),
        (("seq", "A", "序号"), ("region_code", "B", "行政区划代码"), ("region_name", "C", "地区"),
         ("cumulative_holders_10k", "D", "累计持卡人数（万人）")),
        "合计",
    ),
    "q1": Layout(
        "q1", "quarterly_work", "社会保障卡工作情况季调度表（一）", ("填报单位：_____ 年 第__季度",),
        (("region_code", "A", "行政区划代码"), ("region_name", "B", "地区"),
         ("holders_total_10k", "C", "累计持卡人数（万人）/总数"),
         ("holders_urban_employees_10k", "D", "累计持卡人数（万人）/城镇职工"),
         ("holders_residents_10k", "E", "累计持卡人数（万人）/城乡居民"),
         ("holders_other_10k", "F", "累计持卡人数（万人）/其他"),
         ("terminals", "G", "可受理社保卡读写终端累计数量"),
         ("service_items", "H", "服务情况/服务事项"), ("service_channels", "I", "服务情况/服务渠道"),
         ("progress_note", "J", "工作进展")),
        "全省",
    ),
    "q2": Layout(
        "q2", "quarterly_application", "社会保障卡工作情况季调度表（二）", ("填报单位：_____", "_____年 第____季度"),
        (("region_code", "A", "行政区划代码"), ("region_name", "B", "地区"),
         ("catalog_open_rate_pct", "C", "应用目录开通率 (%)"),
         ("payment_coverage_pct", "D", "持卡缴费人群覆盖率 (%)"),
         ("benefit_coverage_pct", "E", "持卡领取待遇人群覆盖率 (%)"),
         ("local_items", "F", "本地应用情况/业务领域"),
         ("cross_region_scope", "G", "跨地区应用情况/使用地域"),
         ("cross_region_items", "H", "跨地区应用情况/业务领域")),
        "全省",
    ),
    "q3": Layout(
        "q3", "quarterly_cardholder_db", "社会保障卡工作情况季调度表（三）", ("填报单位：_____", "_____年 第__季度"),
        (("region_code", "A", "行政区划代码"), ("region_name", "B", "地区"),
         ("stage", "C", "省级持卡库建设总体进度"), ("data_preparation", "D", "数据准备及初始化情况"),
         ("system_integration", "E", "业务系统接入情况"), ("next_quarter_plan", "F", "下一季度工作安排")),
        None,
    ),
    "q4": Layout(
        "q4", "quarterly_bank", "社会保障卡工作情况季调度表（四）", ("填报单位：_____", "_____年 第____季度"),
        (("seq", "A", "序号"), ("bank_name", "B", "银行名称"),
         ("fin_holders_10k", "C", "具有金融功能的社会保障卡发行情况/累计持卡人数 (万人)"),
         ("fin_activated_10k", "D", "具有金融功能的社会保障卡发行情况/已激活金融功能的社会保障卡持卡人数 (万人)"),
         ("partner_city_count", "E", "具有金融功能的社会保障卡发行情况/合作地市数量"),
         ("partner_cities", "F", "具有金融功能的社会保障卡发行情况/合作地市名称"),
         ("other_fin_holders_10k", "G", "其他方式加载金融功能的社会保障卡持卡人数 (万人)"),
         ("note", "H", "备注")),
        "合计",
    ),
}

_TABLE_LAYOUT = {layout.table: layout for layout in LAYOUTS.values()}
# Fields with no column of their own on the form point at the cell they are written in.
_FIELD_ALIASES = {
    "other_groups_note": "holders_other_10k",
    "service_items_other": "service_items",
    "service_channels_other": "service_channels",
    "cross_region_scope_other": "cross_region_scope",
    "stage_other": "stage",
    "province_code": "region_code",
}


# --------------------------------------------------------------------------
# Running the rules.


def _str(v: object) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    return str(v)


def _cell(table: str, field: str | None, row: pd.Series | None, letters: Mapping[str, str] | None) -> str:
    if row is None:
        return ""
    source_row = row.get("source_row")
    if source_row is None or source_row is pd.NA or (isinstance(source_row, float) and math.isnan(source_row)):
        return ""
    layout = _TABLE_LAYOUT.get(table)
    letter = None
    if letters and isinstance(next(iter(letters.values()), None), Mapping):
        # {(source_file, source_sheet): {field: letter}} from ingest.
        letters = letters.get((_str(row.get("source_file")), _str(row.get("source_sheet"))))
    if field:
        field = _FIELD_ALIASES.get(field, field) if not (letters and field in letters) else field
        if letters and field in letters:
            letter = letters[field]
        elif layout:
            letter = layout.letter(field)
    return f"{letter or ''}{int(source_row)}" if letter else f"行{int(source_row)}"


def validate_table(
    table: str, df: pd.DataFrame, letters: Mapping[Any, Any] | None = None
) -> list[Finding]:
    """Run every rule of ``table`` over ``df`` (lazily) and return all findings.

    ``df`` may carry ``source_file``, ``source_sheet`` and ``source_row``; findings
    then point at the cell, using ``letters`` ({field: column letter}) or the
    official layout's columns; ``letters`` may also be keyed by
    (source_file, source_sheet) when columns differ from sheet to sheet.
    """
    model = TABLES[table]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.validate(df, lazy=True)
        return []
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases
    findings: list[Finding] = []
    for case in cases.to_dict("records"):
        check = str(case.get("check") or "")
        index = case.get("index")
        row = df.loc[index] if index is not None and not pd.isna(index) and index in df.index else None
        if isinstance(row, pd.DataFrame):
            row = row.iloc[0]
        rule = RULES.get(check)
        path = _str(row.get("source_file")) if row is not None else ""
        sheet = _str(row.get("source_sheet")) if row is not None else ""
        if rule is None:
            # pandera's own checks: missing columns, wrong types, nulls.
            column = case.get("column")
            label = column_labels(table).get(str(column), {}).get("label") or str(column)
            findings.append(Finding(path, sheet, _cell(table, str(column), row, letters), ERROR,
                                    "数据格式", f"{label}：{check} 未通过（值 {case.get('failure_case')!r}）"))
            continue
        try:
            message = rule.explain(row) if row is not None else rule.label
            if rule.id in (R_M_FALLING, R_Q1_FALLING, R_Q4_FALLING) and row is not None:
                value, keys = {
                    R_M_FALLING: ("cumulative_holders_10k", ["province_code", "region_code"]),
                    R_Q1_FALLING: ("holders_total_10k", ["province_code", "region_code"]),
                    R_Q4_FALLING: ("fin_holders_10k", ["province_code", "bank_name"]),
                }[rule.id]
                message += f" {_previous_value(df, value, keys, row)}"
        except Exception:  # a message must never hide the finding itself
            message = rule.label
        findings.append(Finding(path, sheet, _cell(table, rule.column, row, letters), rule.severity, rule.label, message))
    return sorted(set(findings))


def check_totals(
    table: str,
    rows: pd.DataFrame,
    total: Mapping[str, float | None],
    *,
    path: str = "",
    sheet: str = "",
    total_row: int | None = None,
    letters: Mapping[str, str] | None = None,
) -> list[Finding]:
    """合计 / 全省 row = sum of the rows above it, for each summed column.

    ``total`` maps columns to the figure written on the total row. Rows are
    rounded to two decimals each, so the tolerance grows with their number.
    """
    label = (_TABLE_LAYOUT[table].total_label or "合计") if table in _TABLE_LAYOUT else "合计"
    tolerance = max(0.01, 0.005 * len(rows)) + 1e-9
    out: list[Finding] = []
    labels = column_labels(table)
    for column, written in total.items():
        if written is None or (isinstance(written, float) and math.isnan(written)):
            continue
        summed = float(pd.to_numeric(rows[column], errors="coerce").fillna(0).sum()) if column in rows.columns else 0.0
        tol = 0.5 if column in ("terminals", "partner_city_count") else tolerance
        if abs(float(written) - summed) > tol:
            layout = _TABLE_LAYOUT.get(table)
            letter = (letters or {}).get(column) or (layout.letter(column) if layout else None) or ""
            cell = f"{letter}{total_row}" if total_row else ""
            out.append(Finding(path, sheet, cell, ERROR, f"{label}≠各行之和",
                               f"{labels.get(column, {}).get('label') or column} {label} {float(written):.2f} ≠ {summed:.2f}"))
    return out


def rules_for(table: str) -> list[Rule]:
    """The rules a table's model checks, for documentation and tests."""
    schema = TABLES[table].to_schema()
    names: list[str] = [c.name for c in schema.checks]
    for col in schema.columns.values():
        names.extend(c.name for c in col.checks)
    return [RULES[n] for n in dict.fromkeys(names) if n in RULES]


def iter_rule_ids(tables: Iterable[str] = TABLES) -> list[str]:
    return [r.id for t in tables for r in rules_for(t)]
