"""Published figures: national card-holder series, plan targets and population, with their sources.

These are real, citable numbers gathered from public sources (``data/raw/published/``,
copied from the project's reference folder). Every row keeps where it was read
(``source_url``) and the words used (``quote``); ``source`` names the publisher
(the host of the URL, or the seed document).
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from sbk.findings import ERROR, Finding, rule

__all__ = ["KINDS", "PublishedFigures", "kind_of", "read_published"]

UNREADABLE_CSV = rule("published.unreadable_csv", "CSV", ERROR, "data/raw/**/*.csv")
PUBLISHED_ROW = rule("published.row", "已公布数据", ERROR, "published_figures.csv",
                     "a row only for a number a public source states, with its source_url and exact quote")
TARGET_ROW = rule("targets.row", "目标", ERROR, "targets*.csv")
RECEIPT_ROW = rule("receipts.row", "收文记录", ERROR, "receipts*.csv")

_SEEDS = {
    "000_846daccd5030f403.txt": "人社部信息化领导小组办公室 2015 调度通知 (seed 000)",
    "001_c2a9d52d920f0e6b.txt": "湖南省人社厅 湘人社函〔2014〕237号 (seed 001)",
    "002_983dd69161b229d8.txt": "人社部《卡伴一生》2019-10 (seed 002)",
    "003_de0f6eec60ae3a97.txt": "人社部发〔2011〕83号 (seed 003)",
    "004_6aded0bb88f70c17.txt": "宁波市社保卡培训资料 2011-12 (seed 004)",
}
# Units converted to 万 for series that mix 亿 and 万.
_TO_10K = {"亿人": 10000.0, "万人": 1.0, "亿张": 10000.0, "万张": 1.0, "张": 1e-4, "人": 1e-4}

KINDS = {
    "published_figures": {"date", "measure", "value", "unit", "scope", "source_url", "quote", "reliability"},
    "plan_targets": {"target_year", "measure", "value", "unit", "document", "source_url", "quote"},
    "region_population": {"province_code", "region_code", "region_name", "population_10k", "source"},
    # Before "population": a province table may carry source_url, quote and reliability too; after
    # "region_population", whose rows (with region_code) may also name their province.
    "province_population": {"province_code", "province_name", "year_end", "population_10k", "source"},
    "population": {"year_end", "population_10k", "source_url", "quote", "reliability"},
    "targets": {"region_code", "year", "target", "unit", "kind"},
    "receipts": {"form", "period", "province", "received_on", "channel"},
}


class PublishedFigures(pa.DataFrameModel):
    date: Series[str] = pa.Field(str_matches=r"^\d{4}-\d{2}-\d{2}$", metadata={"label": "截至日期"})
    measure: Series[str] = pa.Field(metadata={"label": "指标"})
    value: Series[float] = pa.Field(ge=0, metadata={"label": "数值"})
    unit: Series[str] = pa.Field(metadata={"label": "单位"})
    scope: Series[str] = pa.Field(metadata={"label": "范围"})
    source: Series[str] = pa.Field(metadata={"label": "来源"})
    source_url: Series[str] = pa.Field(metadata={"label": "来源地址"})
    quote: Series[str] = pa.Field(metadata={"label": "原文"})
    reliability: Series[str] = pa.Field(isin=["primary", "seed", "reprint", "secondary"], metadata={"label": "可靠性"})
    note: Series[str] = pa.Field(nullable=True, metadata={"label": "说明"})
    lower_bound: Series[bool] = pa.Field(metadata={"label": "下限（超过/以上）"})
    value_10k: Series[float] = pa.Field(nullable=True, metadata={"label": "数值（万）", "unit": "万"})

    class Config:
        coerce = True


def kind_of(columns: list[str]) -> str | None:
    cols = set(columns)
    for kind, needed in KINDS.items():
        if needed <= cols:
            return kind
    return None


def source_name(url: str) -> str:
    url = str(url or "")
    if url.startswith("seed:"):
        return _SEEDS.get(url[5:], url)
    host = urlparse(url).netloc
    return host or url


def read_published(path: Path, shown: str, frame: pd.DataFrame | None = None
                   ) -> tuple[str | None, pd.DataFrame, list[Finding]]:
    """Read one published CSV: (table name, frame, findings).

    ``frame``: the file's cells as text, already decoded by the caller (ingest decodes every CSV once).
    """
    if frame is not None:
        df = frame.copy()
    else:
        try:
            df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            return None, pd.DataFrame(), [UNREADABLE_CSV.finding(shown, "", "", f"无法读取：{exc}")]
    kind = kind_of(list(df.columns))
    if kind is None:
        return None, pd.DataFrame(), []
    findings: list[Finding] = []
    if kind == "published_figures":
        df["source"] = df["source_url"].map(source_name)
        df["lower_bound"] = df["note"].str.contains("lower bound", case=False, na=False)
        df["value"] = pd.to_numeric(df["value"], errors="coerce")
        df["value_10k"] = [v * _TO_10K[u] if u in _TO_10K else None for v, u in zip(df["value"], df["unit"])]
        cols = ["date", "measure", "value", "unit", "scope", "source", "source_url", "quote", "reliability",
                "note", "lower_bound", "value_10k"]
        df = df[cols]
        try:
            df = PublishedFigures.validate(df, lazy=True)
        except pa.errors.SchemaErrors as exc:
            for case in exc.failure_cases.to_dict("records"):
                row = int(case["index"]) + 2 if case.get("index") is not None else 0
                findings.append(PUBLISHED_ROW.finding(shown, "", f"行{row}",
                                        f"{case['column']}: {case['check']} 未通过（{case['failure_case']!r}）"))
    elif kind == "population":
        df["population_10k"] = pd.to_numeric(df["population_10k"], errors="coerce")
        df["year_end"] = pd.to_numeric(df["year_end"], errors="coerce").astype("Int64")
        df["derived"] = False
        derived = []
        for rec in df.to_dict("records"):
            m = re.search(r"implies (\d{4}) = (\d+)", rec.get("note") or "")
            if m and int(m.group(1)) not in set(df["year_end"]):
                derived.append({**rec, "year_end": int(m.group(1)), "population_10k": float(m.group(2)),
                                "derived": True,
                                "note": f"derived: previous year-end implied by the {rec['year_end']} figure and its stated change"})
        if derived:
            df = pd.concat([df, pd.DataFrame(derived)], ignore_index=True)
        df["source"] = df["source_url"].map(source_name)
        df = df.sort_values("year_end").reset_index(drop=True)
        df["year_end"] = df["year_end"].astype("Int64")
    elif kind == "province_population":
        df["population_10k"] = pd.to_numeric(df["population_10k"], errors="coerce")
        df["year_end"] = pd.to_numeric(df["year_end"], errors="coerce").astype("Int64")
        df["synthetic"] = df["source"].str.contains("synthetic", case=False) | df.get(
            "note", pd.Series("", index=df.index)).fillna("").str.contains("synthetic", case=False)
    elif kind == "region_population":
        df["population_10k"] = pd.to_numeric(df["population_10k"], errors="coerce")
        df["synthetic"] = df["source"].str.contains("synthetic", case=False)
    elif kind == "targets":
        df["target"] = pd.to_numeric(df["target"], errors="coerce")
        for i, rec in enumerate(df.to_dict("records"), start=2):
            if pd.isna(rec["target"]) or rec["target"] <= 0:
                findings.append(TARGET_ROW.finding(shown, "", f"行{i}", f"target “{rec['target']}” 应为正数"))
            if not re.fullmatch(r"\d{4}", str(rec["year"])):
                findings.append(TARGET_ROW.finding(shown, "", f"行{i}", f"year “{rec['year']}” 应为四位年份"))
            if rec["unit"] not in ("万人", "万条"):
                findings.append(TARGET_ROW.finding(shown, "", f"行{i}", f"unit “{rec['unit']}” 应为 万人 或 万条（数据记录）"))
        df["year"] = pd.to_numeric(df["year"], errors="coerce").astype("Int64")
    elif kind == "receipts":
        from sbk.calendar import PeriodError, parse_period

        for i, rec in enumerate(df.to_dict("records"), start=2):
            problems = []
            if rec["form"] not in ("monthly", "q1", "q2", "q3", "q4"):
                problems.append(f"form “{rec['form']}” 应为 monthly、q1–q4")
            try:
                kind_ok = parse_period(rec["period"]).kind == ("monthly" if rec["form"] == "monthly" else "quarterly")
                if not kind_ok:
                    problems.append(f"period “{rec['period']}” 与 form 不符")
            except PeriodError as exc:
                problems.append(str(exc))
            if not re.fullmatch(r"\d{2}0000", str(rec["province"])):
                problems.append(f"province “{rec['province']}” 应为省级行政区划代码")
            try:
                pd.Timestamp(rec["received_on"]).date()
            except (ValueError, TypeError):
                problems.append(f"received_on “{rec['received_on']}” 应为日期 YYYY-MM-DD")
            for msg in problems:
                findings.append(RECEIPT_ROW.finding(shown, "", f"行{i}", msg))
    elif kind == "plan_targets":
        df["value"] = pd.to_numeric(df["value"], errors="coerce")
        df["target_year"] = pd.to_numeric(df["target_year"], errors="coerce").astype("Int64")
        df["source"] = df["source_url"].map(source_name)
    df["source_file"] = shown
    return kind, df.reset_index(drop=True), findings
