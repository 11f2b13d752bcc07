"""The progress and filing-quality bulletin (通报): targets, rankings, timeliness, completeness, accuracy.

Every figure the draft text prints comes from a function here. Percentages are
computed from unrounded inputs and rounded once, half up, to one decimal, as
the bulletins print them.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd

from sbk.calendar import REGIME_START, parse_period

__all__ = [
    "SCORE_FORMULA",
    "accuracy",
    "bank_completion",
    "behind_target",
    "completeness",
    "completion_pct",
    "draft_text",
    "expected_filings",
    "implied_target",
    "largest_increases",
    "progress_table",
    "quality_score",
    "round_pct",
    "timeliness",
]

SCORE_FORMULA = ("质量得分 = 40 × 按时报送率 + 40 × 报送完整率 + 20 × (1 − min(1, 警告数 / 应报表数)); "
                 "报送时间未知的报表不计入按时报送率的分子和分母。")


def round_pct(x: float, digits: int = 1) -> float:
    """Round half up (the bulletins' habit), not Python's round-half-even."""
    if x is None or pd.isna(x):
        return float("nan")
    q = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(float(x))).quantize(q, rounding=ROUND_HALF_UP))


def completion_pct(value: float, target: float) -> float:
    """Completion of a target in %, unrounded."""
    return float("nan") if not target else value / target * 100


def implied_target(value: float, pct: float) -> float:
    """The target a printed completion rate implies: value / pct × 100."""
    return value / pct * 100


def progress_table(values: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Regions with their figure, target, completion (unrounded and printed) and rank by completion.

    ``values``: region_code, region_name, value. ``targets``: region_code, target.
    """
    d = values.merge(targets[["region_code", "target"]], on="region_code", how="left")
    d["completion_pct"] = [completion_pct(v, t) for v, t in zip(d["value"], d["target"])]
    d["completion_printed"] = d["completion_pct"].map(round_pct)
    d["met"] = d["completion_pct"] >= 100
    d = d.sort_values(["completion_pct", "region_code"], ascending=[False, True], na_position="last").reset_index(drop=True)
    d["rank"] = range(1, len(d) + 1)
    return d


def largest_increases(current: pd.DataFrame, previous: pd.DataFrame, n: int = 4) -> pd.DataFrame:
    """The regions with the largest increase on the previous period (region_code, region_name, value)."""
    d = current.merge(previous[["region_code", "value"]].rename(columns={"value": "previous"}), on="region_code", how="left")
    d["increase"] = d["value"] - d["previous"].fillna(0)
    return d.sort_values(["increase", "region_code"], ascending=[False, True]).head(n).reset_index(drop=True)


def behind_target(progress: pd.DataFrame, period: str) -> pd.DataFrame:
    """Regions behind their annual target and the monthly pace still needed to finish the year."""
    p = parse_period(period, check_regime=False)  # arithmetic only: pre-2015 bulletins too
    months_left = 12 - p.end_month
    d = progress[~progress["met"] & progress["target"].notna()].copy()
    d["remaining"] = d["target"] - d["value"]
    d["months_left"] = months_left
    d["monthly_pace_needed"] = d["remaining"] / months_left if months_left else d["remaining"]
    return d.sort_values("completion_pct").reset_index(drop=True)


def bank_completion(accepted: float, opened: float) -> float:
    """完成率 = 完成开户 / 接受开户数据 × 100, unrounded."""
    return completion_pct(opened, accepted)


def expected_filings(period: str) -> list[tuple[str, str]]:
    """The (form, period) a province owes for a monthly period: the month's form, and the
    quarter's four forms when the month ends a quarter."""
    p = parse_period(period)
    out = [("monthly", p.label)]
    if p.kind == "monthly" and p.end_month % 3 == 0:
        out += [(f"q{i}", f"{p.year}Q{p.quarter}") for i in range(1, 5)]
    return out


def timeliness(filings: pd.DataFrame, receipts: pd.DataFrame, province: str, periods: list[str]) -> pd.DataFrame:
    """Each expected filing with its holiday-adjusted deadline, receipt date and days late.

    No receipt → status 未知 (unknown); never guessed from file times. A filing
    expected but not filed → status 未报送.
    """
    from sbk.calendar import due_date

    rows = []
    filed = set(zip(filings["form"], filings["period"])) if not filings.empty else set()
    rec = receipts[receipts["province"] == province] if not receipts.empty else receipts
    got = {(r.form, r.period): r for r in rec.itertuples()} if not rec.empty else {}
    for period in periods:
        for form, per in expected_filings(period):
            due = due_date(per)
            r = got.get((form, per))
            if (form, per) not in filed:
                status, received, late = "未报送", None, None
            elif r is None:
                status, received, late = "未知", None, None
            else:
                received = dt.date.fromisoformat(str(r.received_on))
                late = (received - due).days
                status = "按时" if late <= 0 else "迟报"
            rows.append({"form": form, "period": per, "due": due.isoformat(),
                         "received_on": received.isoformat() if received else None,
                         "days_late": max(late, 0) if late is not None else None, "status": status})
    return pd.DataFrame(rows).drop_duplicates(["form", "period"]).reset_index(drop=True)


def completeness(timely: pd.DataFrame) -> float:
    """Share (%) of expected filings that were filed."""
    return float("nan") if timely.empty else (timely["status"] != "未报送").mean() * 100


def accuracy(findings: pd.DataFrame) -> pd.DataFrame:
    """Validation findings by rule code and severity (the ingest keeps warnings; errors block ingest)."""
    keys = ["severity", "code", "rule"]
    if findings.empty:
        return pd.DataFrame(columns=[*keys, "count"])
    return (findings.groupby(keys).size().rename("count").reset_index()
            .sort_values(["count", "code"], ascending=[False, True], kind="stable"))


def quality_score(timely: pd.DataFrame, warnings: int) -> dict[str, float]:
    """The score of SCORE_FORMULA, with its parts."""
    known = timely[timely["status"].isin(["按时", "迟报"])]
    on_time = (known["status"] == "按时").mean() * 100 if len(known) else float("nan")
    complete = completeness(timely)
    expected = len(timely)
    acc = 1 - min(1.0, warnings / expected) if expected else float("nan")
    score = 0.4 * (on_time if on_time == on_time else 0) + 0.4 * complete + 20 * acc
    return {"on_time_pct": on_time, "complete_pct": complete, "accuracy_part": acc, "score": score}


def _fmt(x: float) -> str:
    v = round_pct(x, 1)
    return f"{v:.1f}".rstrip("0").rstrip(".") if v == v else "—"


def _wan(x: float) -> str:
    return f"{x:,.2f}".rstrip("0").rstrip(".")


def draft_text(province_name: str, period: str, total: float, annual_target: float | None,
               progress: pd.DataFrame, increases: pd.DataFrame, behind: pd.DataFrame,
               timely: pd.DataFrame, synthetic: bool, previous_period: str | None = None) -> str:
    """A draft of the bulletin's section 一, in Chinese Markdown, every figure filled from the data."""
    p = parse_period(period)
    lines = [f"# {province_name}社会保障卡建设工作进展情况通报（{p.year}年{p.end_month}月）", ""]
    if synthetic:
        lines += ["> **合成示例数据，非官方统计。本稿数字为演示用，不得引用或印发。**", ""]
    lines += ["## 一、社会保障卡建设进展情况", ""]
    head = f"（一）全省持卡情况。截止{p.end_month}月底，全省累计持卡人数{_wan(total)}万人"
    if annual_target:
        head += f"，完成年度目标任务的{_fmt(completion_pct(total, annual_target))}%"
    lines += [head + "。", ""]
    met = progress[progress["met"]] if len(progress) else progress
    if len(met):
        parts = [f"{r.region_name}（完成全年目标的{_fmt(r.completion_pct)}%、累计持卡{_wan(r.value)}万人）" for r in met.itertuples()]
        lines += [f"至{p.end_month}月底，已提前完成全年目标任务的市州有{len(met)}个：" + "、".join(parts) + "。", ""]
    if len(increases):
        since = f"{int(previous_period[5:])}月份" if previous_period else "上月"
        parts = [f"{r.region_name}较{since}增加{_wan(r.increase)}万人" for r in increases.itertuples()]
        lines += ["月度新增较多的市州有：" + "、".join(parts) + "。", ""]
    if len(behind):
        if p.end_month == 12:
            parts = [f"{r.region_name}完成{_fmt(r.completion_pct)}%，距年度目标尚差{_wan(r.remaining)}万人" for r in behind.itertuples()]
        else:
            parts = [f"{r.region_name}完成{_fmt(r.completion_pct)}%，每月还需新增{_wan(r.monthly_pace_needed)}万人"
                     for r in behind.itertuples()]
        lines += ["尚未完成年度目标任务的市州：" + "；".join(parts) + "。", ""]
    late = timely[timely["status"] == "迟报"]
    missing = timely[timely["status"] == "未报送"]
    unknown = timely[timely["status"] == "未知"]
    lines += ["（二）调度表报送情况。"]
    if len(late):
        lines += ["迟报：" + "；".join(f"{r.period} {_form_zh(r.form)}（截止{r.due}，{r.received_on}报送，迟{int(r.days_late)}天）"
                                    for r in late.itertuples()) + "。"]
    if len(missing):
        lines += ["未报送：" + "；".join(f"{r.period} {_form_zh(r.form)}（截止{r.due}）" for r in missing.itertuples()) + "。"]
    if len(unknown):
        lines += [f"另有{len(unknown)}份报表无收文记录，报送时间未知。"]
    if not (len(late) or len(missing) or len(unknown)):
        lines += ["各表均按时报送。"]
    return "\n".join(lines) + "\n"


def _form_zh(form: str) -> str:
    return {"monthly": "月调度表", "q1": "季调度表（一）", "q2": "季调度表（二）", "q3": "季调度表（三）", "q4": "季调度表（四）"}[form]


def compute(processed_dir, province: str, period: str) -> dict:
    """Every table of the bulletin for a province and month, from the processed data."""
    from sbk.analysis.common import is_synthetic, load
    from sbk.regions import lookup

    p = parse_period(period)
    monthly = load(processed_dir, "monthly_issuance")
    monthly = monthly[monthly["province_code"] == province] if not monthly.empty else monthly
    targets = load(processed_dir, "targets")
    receipts = load(processed_dir, "receipts")
    filings = load(processed_dir, "filings")
    findings = load(processed_dir, "findings")
    filings = filings[filings["province_code"] == province] if not filings.empty else filings
    province_name = lookup(province, period, quiet=True).name

    def month_values(month: str) -> pd.DataFrame:
        d = monthly[(monthly["period"] == month) & (monthly["region_code"] != province)] if not monthly.empty else monthly
        return pd.DataFrame({"region_code": d.get("region_code", []), "region_name": d.get("region_name", []),
                             "value": d.get("cumulative_holders_10k", [])})

    current = month_values(p.label)
    # The previous month filed (a missing month is compared across).
    earlier = sorted(m for m in monthly["period"].unique() if m < p.label) if not monthly.empty else []
    previous_period = earlier[-1] if earlier else None
    previous = month_values(previous_period) if previous_period else month_values(p.label).iloc[0:0]
    year_targets = targets[(targets["year"] == p.year)] if not targets.empty else pd.DataFrame(columns=["region_code", "target"])
    year_targets = year_targets[year_targets["region_code"].astype(str).str[:2] == province[:2]]
    progress = progress_table(current, year_targets) if len(current) else pd.DataFrame()
    total = float(monthly.loc[monthly["period"] == p.label, "cumulative_holders_10k"].sum()) if not monthly.empty else 0.0
    annual = float(year_targets["target"].sum()) if len(year_targets) else None
    periods = [f"{p.year}-{m:02d}" for m in range(1, p.end_month + 1) if f"{p.year}-{m:02d}" >= REGIME_START]
    timely = timeliness(filings, receipts, province, periods)
    own = findings[findings["path"].isin(set(filings["source_file"]))] if not findings.empty and not filings.empty else findings
    warnings_n = int((own["severity"] == "warning").sum()) if not own.empty else 0
    return {
        "province_name": province_name, "period": p.label, "total": total, "annual_target": annual,
        "progress": progress, "met": progress[progress["met"]] if len(progress) else progress,
        "increases": largest_increases(current, previous) if len(current) and len(previous) else pd.DataFrame(),
        "previous_period": previous_period,
        "behind": behind_target(progress, p.label) if len(progress) else pd.DataFrame(),
        "timeliness": timely, "accuracy": accuracy(own), "score": quality_score(timely, warnings_n),
        "synthetic": is_synthetic(processed_dir, province),
    }


def draft_from(result: dict) -> str:
    return draft_text(result["province_name"], result["period"], result["total"], result["annual_target"],
                      result["progress"], result["increases"],
                      result["behind"], result["timeliness"], result["synthetic"], result.get("previous_period"))


def quality_ranking(processed_dir, period: str) -> pd.DataFrame:
    """Every province that files, scored by SCORE_FORMULA for the year to ``period`` and ranked."""
    from sbk.analysis.common import load

    filings = load(processed_dir, "filings")
    if filings.empty:
        return pd.DataFrame(columns=["rank", "province_code", "on_time_pct", "complete_pct", "accuracy_part", "score"])
    rows = []
    for province in sorted(filings["province_code"].unique()):
        s = compute(processed_dir, province, period)["score"]
        rows.append({"province_code": province, **{k: float(v) for k, v in s.items()}})
    d = pd.DataFrame(rows).sort_values(["score", "province_code"], ascending=[False, True]).reset_index(drop=True)
    d.insert(0, "rank", range(1, len(d) + 1))
    for col in ("on_time_pct", "complete_pct", "score"):
        d[col] = d[col].map(round_pct)
    return d


# ---------------------------------------------------------------------------------------------------------
# The ministry's bulletin across provinces (``--province national``).

ADDRESSEES = "各省、自治区、直辖市及新疆生产建设兵团人力资源社会保障厅（局）："
ISSUER = "人力资源和社会保障部信息化领导小组办公室"


def _names(frame: pd.DataFrame, value: str, unit: str = "%", n: int | None = None) -> str:
    rows = frame.head(n) if n else frame
    return "、".join(f"{r.province_name}（{_fmt(getattr(r, value)) if unit == '%' else _wan(getattr(r, value))}{unit}）"
                    for r in rows.itertuples())


def compute_national(processed_dir, period: str) -> dict:
    """Every table of the ministry's bulletin for a month: the national roll-up (``sbk.analysis.national``)."""
    from sbk.analysis.national import roll_up

    return roll_up(processed_dir, period)


def national_draft_text(result: dict, ahead_behind: int = 5) -> str:
    """A draft of the ministry's 通报 across provinces, in its register, every figure filled from the roll-up.

    Progress: coverage ranked (the provinces ahead and behind: the first and last ``ahead_behind``, and how many
    are above and below the coverage of all filing provinces together), the largest monthly increases, and the
    latest quarter's 开通率 and 持卡库 stages. Filing quality: SCORE_FORMULA ranked, late, missing and unlogged
    filings named. A province that did not file is named as 未报送, never counted as 0.
    """
    from sbk.analysis.national import FILED, NOT_FILED
    from sbk.analysis.national import SCORE_FORMULA as FORMULA

    p = parse_period(result["month"])
    total = result["total"]
    cov = result["coverage"]
    filed = cov[cov["status"] == FILED].dropna(subset=["coverage_pct"])
    lines = [f"# 关于{p.year}年{p.end_month}月全国社会保障卡工作进展和调度表报送情况的通报", ""]
    if result["synthetic"]:
        lines += ["> **合成示例数据，非官方统计。本稿各省数字为演示用，不得引用或印发。**", ""]
    lines += [ADDRESSEES, "",
              f"　　根据《关于调整社会保障卡工作情况调度制度的通知》要求，现将截至{p.year}年{p.end_month}月底各地社会保障卡"
              "工作进展和调度表报送情况通报如下：", "", "## 一、工作进展", ""]
    if not total["provinces_filed"]:
        lines += [f"　　{p.year}年{p.end_month}月无省份报送月调度表，本期不作进展通报。", ""]
    else:
        pop = filed["population_10k"].sum()
        overall = filed["holders_10k"].sum() / pop * 100 if pop else float("nan")
        head = (f"　　（一）持卡情况。截至{p.end_month}月底，{total['provinces_filed']}个省份报送了月调度表，"
                f"累计持卡人数合计{_wan(total['holders_10k'])}万人")
        if overall == overall:
            head += f"，报送省份持卡人口覆盖率{_fmt(overall)}%"
        rec = result["reconciliation"]
        if rec.get("published_10k"):
            head += (f"（公开的全国累计持卡人数为{_wan(rec['published_10k'])}万人，截至{rec['published_date']}，"
                     f"来源：{rec['source']}；差额{_wan(rec['difference_10k'])}万人）")
        lines += [head + "。" + (f"{'、'.join(total['not_filed'])}未报送本月月调度表。" if total["not_filed"] else ""), ""]
        if len(filed):
            above = filed[filed["coverage_pct"] >= round_pct(overall)]
            lines += [f"　　持卡人口覆盖率居前的省份：{_names(filed, 'coverage_pct', n=ahead_behind)}。", "",
                      f"　　覆盖率较低的省份：{_names(filed.iloc[::-1], 'coverage_pct', n=ahead_behind)}。"
                      f"{len(above)}个省份达到或高于报送省份总体水平，{len(filed) - len(above)}个省份低于总体水平。", ""]
        growth = result["growth"].dropna(subset=["increase_10k"])
        if len(growth):
            lines += [f"　　（二）月度新增。本月新增持卡人数较多的省份：{_names(growth, 'increase_10k', '万人', 5)}。", ""]
        apps = result["applications"].dropna(subset=["unit_open_rate_pct"])
        db = result["cardholder_db"]
        if result["quarter"] and len(apps):
            live = db[db["stage"].astype(float) >= 8]
            lines += [f"　　（三）应用和持卡库建设（{result['quarter']}）。应用目录开通率（按持卡人加权）较高的省份："
                      f"{_names(apps, 'unit_open_rate_pct', n=ahead_behind)}；较低的省份："
                      f"{_names(apps.iloc[::-1], 'unit_open_rate_pct', n=ahead_behind)}。"
                      + (f"持卡库已正式上线运行的省份：{'、'.join(live['province_name'])}。" if len(live)
                         else "尚无省份的持卡库正式上线运行。"), ""]
    q = result["quality"]
    lm = result["late_and_missing"]
    lines += ["## 二、调度表报送情况", "",
              f"　　按报送及时性、完整性和准确性对{p.year}年1月至{p.end_month}月各省报送情况评分（{FORMULA.rstrip('。')}）。"
              f"得分较高的省份：{_names(q, 'score', '分', ahead_behind)}；得分较低的省份：{_names(q.iloc[::-1], 'score', '分', ahead_behind)}。", ""]
    for status, word in (("迟报", "迟报"), (NOT_FILED, "未报送"), ("未知", "无收文记录")):
        part = lm[lm["status"] == status] if len(lm) else lm
        if not len(part):
            continue
        if status == "迟报":
            items = [f"{r.province_name}{r.period}{_form_zh(r.form)}（截止{r.due}，{r.received_on}报送，迟{int(r.days_late)}天）"
                     for r in part.itertuples()]
        else:
            items = [f"{r.province_name}{r.period}{_form_zh(r.form)}（截止{r.due}）" for r in part.itertuples()]
        lines += [f"　　{word}：" + "；".join(items) + "。", ""]
    if not len(lm):
        lines += ["　　各省调度表均按时报送。", ""]
    warned = q[q["warnings"] > 0]
    if len(warned):
        lines += ["　　校验提示较多的省份：" + "；".join(f"{r.province_name}（{r.warning_codes}）" for r in warned.itertuples()) + "。", ""]
    lines += ["## 三、有关要求", "",
              "　　请各地对照通报情况，切实保证调度情况真实、完整、及时、准确。未按时报送或未报送的省份，请认真查找原因，"
              "按时报送；如遇节假日，报送时间向后顺延。", "", f"{ISSUER}", ""]
    return "\n".join(lines)
