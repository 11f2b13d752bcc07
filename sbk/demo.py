"""The synthetic demo province: 合成示例数据 (synthetic), NOT official statistics.

Hunan's real division codes and names (430000 and its 14 市州) carry made-up
figures in the official workbooks: monthly forms 2015-02 to 2016-12 and the
four quarterly forms 2015Q1 to 2016Q4. The dynamics are plausible, not real:

- cumulative holders follow a logistic (S-shaped) uptake toward near-full
  coverage of each region's population; the province starts near 1,300万,
  in line with the 1,168万 cards made by July 2014 in the Hunan bulletin;
- two regions (张家界市, 湘西州) start issuing later and appear in the 备注;
- five cooperating banks, with activation of the financial function lagging issuance;
- the 持卡库 stage advances; application-catalog items open over time.

Everything is generated from a fixed seed, so the files are identical on
every run. Every file name says ``synthetic`` and every 填报单位 line says
合成示例数据.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path

from sbk.calendar import Period, parse_period
from sbk.export import csv_bytes
from sbk.template import new_workbook, period_line, save_workbook, write_sheet

__all__ = ["PROVINCE", "SEED", "REGION_POPULATION_10K", "generate", "monthly_periods", "quarterly_periods"]

PROVINCE = "430000"
PROVINCE_NAME = "湖南省"
SEED = 20150211
LABEL = "（合成示例数据 synthetic，非官方统计）"

# Synthetic resident population by region (万人), of the order of the 2015
# figures; the demo's coverage is measured against these, not against official counts.
REGION_POPULATION_10K = {
    "430000": 0.0,  # 省本级: provincial-level insured, counted in holders only
    "430100": 743.0, "430200": 400.0, "430300": 282.0, "430400": 733.0, "430500": 726.0,
    "430600": 564.0, "430700": 584.0, "430800": 153.0, "430900": 439.0, "431000": 473.0,
    "431100": 543.0, "431200": 492.0, "431300": 386.0, "433100": 263.0,
}
_NAMES = {
    "430000": "省本级", "430100": "长沙市", "430200": "株洲市", "430300": "湘潭市", "430400": "衡阳市",
    "430500": "邵阳市", "430600": "岳阳市", "430700": "常德市", "430800": "张家界市", "430900": "益阳市",
    "431000": "郴州市", "431100": "永州市", "431200": "怀化市", "431300": "娄底市", "433100": "湘西土家族苗族自治州",
}
_LATE_START = {"430800": "2015-06", "433100": "2015-06"}
_BANKS = [("中国农业银行", 0.30), ("农村信用社", 0.34), ("中国邮政储蓄银行", 0.14), ("中国工商银行", 0.12), ("中国建设银行", 0.10)]
# For the bulletin: some filings arrive late, one is never filed.
MISSING_FILING = "2016-11"
LATE_FILINGS = {("monthly", "2015-05"): 3, ("q4", "2016Q1"): 5, ("monthly", "2016-09"): 2, ("q1", "2016Q3"): 2}
_FOOTER = {"填报人": "（示例）", "联系电话": "（示例）", "负责人签名": "（示例）"}


def monthly_periods() -> list[str]:
    out, p = [], parse_period("2015-02")
    while (p.year, p.end_month) <= (2016, 12):
        out.append(p.label)
        p = Period(p.year + (p.end_month == 12), p.end_month % 12 + 1, "monthly")
    return out


def quarterly_periods() -> list[str]:
    return [f"{y}Q{q}" for y in (2015, 2016) for q in (1, 2, 3, 4)]


def _t(period: str) -> int:
    """Months since 2015-01 of the period's last month."""
    p = parse_period(period)
    return (p.year - 2015) * 12 + p.end_month - 1


class _Model:
    def __init__(self, seed: int = SEED) -> None:
        rng = random.Random(seed)
        self.params = {}
        for code, pop in REGION_POPULATION_10K.items():
            if code == PROVINCE:
                self.params[code] = (rng.uniform(40, 60), 0.12, -6.0)
                continue
            start = _LATE_START.get(code)
            # Midpoints early in 2015 put the province near 1,300万 at the start
            # (the bulletin's 1,168万 cards made by July 2014) and near full coverage by 2016-12.
            midpoint = rng.uniform(6, 10) + (8 if start else 0)
            self.params[code] = (pop * rng.uniform(0.90, 0.97), rng.uniform(0.16, 0.24), midpoint)
        self.item_order = {code: rng.sample(range(1, 103), 102) for code in REGION_POPULATION_10K}
        self.rng = rng

    def issuing(self, code: str, period: str) -> bool:
        start = _LATE_START.get(code)
        return not start or _t(period) >= _t(start)

    def holders(self, code: str, period: str) -> float:
        cap, k, mid = self.params[code]
        start = _LATE_START.get(code)
        t = _t(period)
        if start and t < _t(start):
            return 0.0
        h = cap / (1 + math.exp(-k * (t - mid)))
        if start:
            h = max(h, 0.8 + 0.5 * (t - _t(start)))
        return round(h, 2)


def _regions(model: _Model, period: str) -> list[str]:
    return [c for c in REGION_POPULATION_10K if model.issuing(c, period)]


def _monthly(model: _Model, period: str, path: Path) -> None:
    codes = _regions(model, period)
    rows = [{"seq": i, "region_code": "" if c == PROVINCE else c, "region_name": _NAMES[c],
             "cumulative_holders_10k": model.holders(c, period)} for i, c in enumerate(codes, 1)]
    total = round(sum(r["cumulative_holders_10k"] for r in rows), 2)
    new = [c for c, start in _LATE_START.items() if start == period]
    remark = f"备注：新增发卡城市{len(new)}个，即{'、'.join(_NAMES[c].replace('土家族苗族自治州', '州') for c in new)}" if new else "备注："
    wb = new_workbook()
    write_sheet(wb, "monthly", PROVINCE_NAME, period, rows, total={"cumulative_holders_10k": total}, remark=remark,
                footer=_FOOTER, header_lines=[f"填报单位：{PROVINCE_NAME}人力资源和社会保障厅{LABEL}    {period_line('monthly', period)}"])
    save_workbook(wb, path)


def _quarterly(model: _Model, period: str, path: Path) -> None:
    q_index = quarterly_periods().index(period)
    codes = _regions(model, period)
    wb = new_workbook()
    unit = f"填报单位：{PROVINCE_NAME}人力资源和社会保障厅{LABEL}"
    # 表一
    rows, sums = [], {k: 0.0 for k in ("holders_total_10k", "holders_urban_employees_10k", "holders_residents_10k",
                                       "holders_other_10k", "terminals")}
    for c in codes:
        total = model.holders(c, period)
        urban = round(total * 0.27, 2)
        residents = round(total * 0.70, 2)
        other = round(total - urban - residents, 2)
        terminals = int(total * 1.6) + 20 * (q_index + 1)
        items = [1, 2, 3, 4, 7] + ([5] if q_index >= 1 else []) + ([8] if q_index >= 3 else []) + ([6] if q_index >= 5 else [])
        channels = [1, 2, 5, 6] + ([7] if q_index >= 2 else []) + ([9] if q_index >= 4 else []) + ([8] if q_index >= 6 else [])
        rows.append({"region_code": "" if c == PROVINCE else c, "region_name": _NAMES[c], "holders_total_10k": total,
                     "holders_urban_employees_10k": urban, "holders_residents_10k": residents,
                     "holders_other_10k": f"{other:.2f}（离退休及其他人员）" if other > 0 else other,
                     "terminals": terminals, "service_items": sorted(items), "service_channels": sorted(channels),
                     "progress_note": "推进社会保障卡发放和用卡环境建设（合成示例）" if q_index % 2 == 0 else "无"})
        for k, v in (("holders_total_10k", total), ("holders_urban_employees_10k", urban),
                     ("holders_residents_10k", residents), ("holders_other_10k", other), ("terminals", terminals)):
            sums[k] += v
    write_sheet(wb, "q1", PROVINCE_NAME, period, rows, total={k: round(v, 2) for k, v in sums.items()},
                footer=_FOOTER, header_lines=[f"{unit}    {period_line('q1', period)}"])
    # 表二
    rows = []
    for c in codes:
        n = min(102, 18 + 7 * q_index + (len(c) % 3) + (4 if c in ("430100", PROVINCE) else 0))
        items = sorted(model.item_order[c][:n])
        cross = sorted(items[: max(0, q_index - 2) * 3]) if q_index >= 3 else []
        rows.append({"region_code": "" if c == PROVINCE else c, "region_name": _NAMES[c],
                     "catalog_open_rate_pct": round(n / 102 * 100, 2),
                     "payment_coverage_pct": round(min(95.0, 20 + 9 * q_index + (n % 5)), 2),
                     "benefit_coverage_pct": round(min(92.0, 15 + 8.5 * q_index + (n % 7)), 2),
                     "local_items": items, "cross_region_scope": [1] if cross else [], "cross_region_items": cross})
    write_sheet(wb, "q2", PROVINCE_NAME, period, rows, total={"region_name": "全省"}, footer=_FOOTER,
                header_lines=[unit, period_line("q2", period)])
    # 表三
    stage = min(8, 2 + q_index)
    write_sheet(wb, "q3", PROVINCE_NAME, period, [{
        "region_code": PROVINCE, "region_name": "全省", "stage": stage,
        "data_preparation": f"完成 {60 + 4 * q_index} 个险种业务数据的比对清洗（合成示例）",
        "system_integration": f"已接入 {min(14, 2 * q_index + 1)} 个地市业务系统（合成示例）",
        "next_quarter_plan": "继续推进数据初始化和业务系统接入（合成示例）",
    }], footer=_FOOTER, header_lines=[unit, period_line("q3", period)])
    # 表四
    holders_total = sum(model.holders(c, period) for c in codes)
    fin_share = 0.78 + 0.015 * q_index
    activation = 0.45 + 0.05 * q_index
    rows, sums = [], {"fin_holders_10k": 0.0, "fin_activated_10k": 0.0, "other_fin_holders_10k": 0.0}
    for i, (bank, share) in enumerate(_BANKS, 1):
        fin = round(holders_total * fin_share * share, 2)
        act = round(fin * min(0.92, activation + 0.02 * i), 2)
        other = round(fin * 0.01, 2)
        partners = [_NAMES[c].replace("土家族苗族自治州", "州") for c in codes[i - 1:: 2]][:8]
        rows.append({"seq": i, "bank_name": bank, "fin_holders_10k": fin, "fin_activated_10k": act,
                     "partner_city_count": len(partners), "partner_cities": partners, "other_fin_holders_10k": other,
                     "note": ""})
        sums["fin_holders_10k"] += fin
        sums["fin_activated_10k"] += act
        sums["other_fin_holders_10k"] += other
    write_sheet(wb, "q4", PROVINCE_NAME, period, rows, total={k: round(v, 2) for k, v in sums.items()},
                footer=_FOOTER, header_lines=[unit, period_line("q4", period)])
    save_workbook(wb, path)


def generate(out_dir: str | Path, seed: int = SEED) -> list[Path]:
    """Write every demo workbook under ``out_dir``; return their paths."""
    out_dir = Path(out_dir)
    model = _Model(seed)
    paths = []
    for stale in out_dir.glob(f"{PROVINCE}_*_synthetic.xlsx"):
        stale.unlink()
    for period in monthly_periods():
        if period == MISSING_FILING:
            continue
        path = out_dir / f"{PROVINCE}_{period}_月调度表_synthetic.xlsx"
        _monthly(model, period, path)
        paths.append(path)
    for period in quarterly_periods():
        path = out_dir / f"{PROVINCE}_{period}_季调度表_synthetic.xlsx"
        _quarterly(model, period, path)
        paths.append(path)
    pop = out_dir / f"region_population_{PROVINCE}_synthetic.csv"
    pop.write_bytes(csv_bytes(
        ["province_code", "region_code", "region_name", "year_end", "population_10k", "source", "note"],
        [[PROVINCE, code, _NAMES[code], 2014, value, "synthetic demo (sbk/demo.py)",
          "合成示例数据 synthetic - not official statistics"] for code, value in REGION_POPULATION_10K.items()
         if code != PROVINCE]))
    paths.append(pop)
    paths += _targets_and_receipts(out_dir, seed)
    readme = out_dir / "README.md"
    readme.write_text(
        "# 合成示例数据 · Synthetic demo data — NOT official statistics\n\n"
        "Workbooks in the official layout of the 2015 dispatch forms, generated by `sbk demo` "
        f"(sbk/demo.py, seed {seed}). Real division codes and names of Hunan (430000); every figure is made up.\n"
        "Do not cite these numbers. Regenerate with `.venv/bin/sbk demo --out data/raw/demo`.\n",
        encoding="utf-8",
    )
    return paths


def _targets_and_receipts(out_dir: Path, seed: int) -> list[Path]:
    """Annual 2016 targets by region and the receipt log of every filing (synthetic)."""
    from sbk.calendar import due_date

    rng = random.Random(seed + 1)
    targets = out_dir / f"targets_{PROVINCE}_2016_synthetic.csv"
    targets.write_bytes(csv_bytes(
        ["region_code", "region_name", "year", "target", "unit", "kind", "note"],
        [[code, _NAMES[code], 2016, round(pop * rng.uniform(0.80, 0.95), 2), "万人", "累计持卡人数", "合成示例数据 synthetic"]
         for code, pop in REGION_POPULATION_10K.items() if code != PROVINCE]))
    receipts = out_dir / f"receipts_{PROVINCE}_synthetic.csv"
    rows = []
    filings = [("monthly", p) for p in monthly_periods() if p != MISSING_FILING]
    filings += [(f"q{i}", q) for q in quarterly_periods() for i in range(1, 5)]
    for form, period in filings:
        due = due_date(period)
        day = due + dt.timedelta(days=LATE_FILINGS.get((form, period), -rng.randint(0, 2)))
        rows.append([form, period, PROVINCE, day.isoformat(), "传真" if rng.random() < 0.3 else "电子邮件"])
    receipts.write_bytes(csv_bytes(["form", "period", "province", "received_on", "channel"], rows))
    return [targets, receipts]
