"""The synthetic demo: 合成示例数据 (synthetic), NOT official statistics.

Two parts, both generated from fixed seeds by ``sbk demo``:

**Hunan (430000), the long history.** Hunan's real division codes and names (430000 and its 14 市州) carry made-up
figures in the official workbooks: monthly forms 2015-02 to 2016-12 and the
four quarterly forms 2015Q1 to 2016Q4. The dynamics are plausible, not real:

- cumulative holders follow a logistic (S-shaped) uptake toward near-full
  coverage of each region's population; the province starts near 1,300万,
  in line with the 1,168万 cards made by July 2014 in the Hunan bulletin;
- two regions (张家界市, 湘西州) start issuing later and appear in the 备注;
- five cooperating banks, with activation of the financial function lagging issuance;
- the 持卡库 stage advances; application-catalog items open over time.

**The other 30 provinces, 2016** (``data/raw/demo/<code>/``): every monthly form
2016-01 to 2016-12 and the four quarterly forms 2016Q1 to 2016Q4, with each
province's real GB/T 2260 code and the filing units valid in each month (the 2016
code changes, such as 山南地区 → 山南市 and 蓟县 → 蓟州区, are followed; a renamed
unit carries its figures on). They differ the way real provinces did: early and
late adopters (coverage at the start of 2016 from about 15% to 86% of a synthetic
population), units that start issuing during the year (named in the 备注),
different bank mixes (some of the six large state banks plus the province's
rural credit union, or its rural commercial bank in 北京, 天津, 上海 and 重庆),
different 持卡库 stages and catalog rollout; a few filings arrive late and three
are never filed (``NATIONAL_MISSING``), one receipt is not logged, and 广东 files
表四 with the banks' legal names (…股份有限公司).

新疆生产建设兵团 has no GB/T 2260 code, so it files no forms of its own in the
demo (sbk cannot check its division codes and refuses 660000); its county-level
cities (石河子市 659001 …) are in GB/T 2260 under 新疆 and are listed on 新疆's
forms as directly administered units. The published national figures include
兵团, so the national roll-up of 31 provinces is compared with them knowing that.

Province populations (``province_population_2016_synthetic.csv``) are synthetic
too: of the order of the 2016 year-end resident populations, labelled synthetic,
because no stored source with all 31 figures and their quotes was found
(``data/raw/published/search_log.md``).

Everything is generated from a fixed seed, so the files are identical on
every run. Every file name says ``synthetic`` and every 填报单位 line says
合成示例数据.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from pathlib import Path
from typing import Any

from sbk.calendar import Period, parse_period
from sbk.export import csv_bytes
from sbk.template import new_workbook, period_line, save_workbook, write_sheet

__all__ = [
    "LEGAL_NAME_PROVINCE",
    "NATIONAL_LATE",
    "NATIONAL_MISSING",
    "PROVINCE",
    "PROVINCE_POPULATION_10K",
    "REGION_POPULATION_10K",
    "SEED",
    "generate",
    "monthly_periods",
    "national_months",
    "national_quarters",
    "quarterly_periods",
]

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
    total = round(sum(model.holders(c, period) for c in codes), 2)
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
    paths += _generate_national(out_dir, seed)
    readme = out_dir / "README.md"
    readme.write_text(
        "# 合成示例数据 · Synthetic demo data — NOT official statistics\n\n"
        "Workbooks in the official layout of the 2015 dispatch forms, generated by `sbk demo` "
        f"(sbk/demo.py, seed {seed}). Real division codes and names; every figure is made up.\n\n"
        "- `430000_*`: Hunan, monthly 2015-02 to 2016-12 (2016-11 missing) and quarterly 2015Q1 to 2016Q4, "
        "with its regional population, 2016 targets and receipt log.\n"
        "- `<code>/`: the other 30 provinces, monthly 2016-01 to 2016-12 and quarterly 2016Q1 to 2016Q4 "
        "(a few filings missing or late: `receipts_national_synthetic.csv`).\n"
        "- `province_population_2016_synthetic.csv`: synthetic province populations (not official figures).\n"
        "- 新疆生产建设兵团 files no forms of its own here: it has no GB/T 2260 code (see sbk/demo.py).\n\n"
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


# ---------------------------------------------------------------------------------------------------------
# The other 30 provinces, 2016.

NATIONAL_YEAR = 2016
# Synthetic year-end 2016 population by province (万人), of the order of the resident populations the
# statistics communiqués give; NOT sourced figures (see the module docstring). Hunan's is the sum of its
# synthetic regional table, so that its coverage agrees between the national and the provincial reports.
PROVINCE_POPULATION_10K = {
    "110000": 2170.0, "120000": 1560.0, "130000": 7470.0, "140000": 3680.0, "150000": 2520.0, "210000": 4380.0,
    "220000": 2730.0, "230000": 3800.0, "310000": 2420.0, "320000": 8000.0, "330000": 5590.0, "340000": 6200.0,
    "350000": 3870.0, "360000": 4590.0, "370000": 9950.0, "410000": 9530.0, "420000": 5890.0,
    "430000": float(sum(REGION_POPULATION_10K.values())), "440000": 11000.0, "450000": 4840.0, "460000": 920.0,
    "500000": 3050.0, "510000": 8260.0, "520000": 3560.0, "530000": 4770.0, "540000": 330.0, "610000": 3810.0,
    "620000": 2610.0, "630000": 590.0, "640000": 680.0, "650000": 2400.0,
}
# Coverage (holders / population) at the start of 2016: a few early and late adopters; the rest drawn.
_START_COVERAGE = {"310000": 0.86, "330000": 0.84, "320000": 0.82, "440000": 0.78, "540000": 0.15, "630000": 0.30,
                   "460000": 0.35, "650000": 0.40}
# Units renamed during 2016 carry their figures on under the new code.
_RENAMED = {"120119": "120225", "310151": "310230", "500154": "500234", "500155": "500228", "500156": "500232",
            "540500": "542200", "650500": "652200"}
# For the ministry's bulletin: filings never made, filings received late (days after the deadline), and one
# filing whose receipt was not logged (未知).
NATIONAL_MISSING = {("540000", "monthly", "2016-05"), ("460000", "monthly", "2016-10"), ("630000", "q2", "2016Q3")}
NATIONAL_LATE = {("650000", "monthly", "2016-03"): 4, ("450000", "q1", "2016Q2"): 6, ("450000", "q2", "2016Q2"): 6,
                 ("220000", "monthly", "2016-08"): 1, ("540000", "monthly", "2016-09"): 10,
                 ("630000", "q4", "2016Q4"): 3, ("620000", "monthly", "2016-12"): 2}
NATIONAL_UNLOGGED = {("150000", "monthly", "2016-07")}
LEGAL_NAME_PROVINCE = "440000"  # files 表四 with the banks' legal names
_STATE_BANKS = ["中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国邮政储蓄银行"]
_RURAL_COMMERCIAL = {"110000": "北京农村商业银行", "120000": "天津农村商业银行", "310000": "上海农村商业银行",
                     "500000": "重庆农村商业银行"}


def national_months() -> list[str]:
    return [f"{NATIONAL_YEAR}-{m:02d}" for m in range(1, 13)]


def national_quarters() -> list[str]:
    return [f"{NATIONAL_YEAR}Q{q}" for q in range(1, 5)]


def _short(name: str) -> str:
    from sbk.regions import short_name

    return short_name(name)


class _ProvinceModel:
    """One province's synthetic 2016: holders by unit and month, and how far its card work has come."""

    def __init__(self, code: str, seed: int) -> None:
        from sbk.regions import lookup, regions_of

        rng = random.Random(seed * 100 + int(code[:2]))
        self.code = code
        self.name = lookup(code, "2016-01", quiet=True).name
        self.population = PROVINCE_POPULATION_10K[code]
        # Calibrated so that the roll-up lands near the published national figures of 2016 (about 65% of the
        # population in March, 74% at the year's end), not on them.
        self.start = _START_COVERAGE.get(code, rng.uniform(0.45, 0.72))
        self.cap = max(self.start + 0.04, rng.uniform(0.78, 0.92))
        self.rate = rng.uniform(0.03, 0.10)  # per month, toward the cap
        keys = sorted({_RENAMED.get(r.code, r.code) for m in national_months() for r in regions_of(code, m, quiet=True)})
        weights = {k: rng.uniform(0.4, 1.6) for k in keys}
        total = sum(weights.values())
        self.unit_population = {k: self.population * 0.985 * w / total for k, w in weights.items()}
        self.unit_start = {k: min(0.98, max(0.02, self.start * rng.uniform(0.8, 1.2))) for k in keys}
        # Late adopters have units that start issuing during the year (named in the 备注).
        late_n = 2 if self.start < 0.5 else (1 if rng.random() < 0.3 else 0)
        late_keys = rng.sample(keys, min(late_n, max(0, len(keys) - 1))) if late_n else []
        self.late = {k: rng.randint(3, 10) for k in late_keys}
        # Quarterly work: groups, terminals, services, catalog, 持卡库, banks.
        self.urban_share = rng.uniform(0.22, 0.40)
        self.terminals_per_10k = rng.uniform(0.8, 6.0)
        self.items_start = rng.randint(8, 45)
        self.items_step = rng.randint(3, 10)
        self.stage_start = rng.randint(1, 6)
        self.stage_steps = sorted(rng.sample(range(4), rng.randint(0, 3)))
        self.item_order = rng.sample(range(1, 103), 102)
        self.fin_share = rng.uniform(0.62, 0.93)
        self.activation = rng.uniform(0.30, 0.70)
        banks = rng.sample(_STATE_BANKS, rng.randint(2, 5))
        rural = _RURAL_COMMERCIAL.get(code, f"{self.name}农村信用社联合社")
        weights_b = [rng.uniform(0.5, 3.0) for _ in banks] + [rng.uniform(0.5, 4.0)]
        wsum = sum(weights_b)
        self.banks = [(b, w / wsum) for b, w in zip(banks + [rural], weights_b)]
        self.rng = rng

    def units(self, period: str) -> list[tuple[str, str]]:
        """(code, name) of the units filing in ``period`` (code order), the 省本级 row first (code = province)."""
        from sbk.regions import regions_of

        out = [(self.code, "省本级")]
        for r in regions_of(self.code, period, quiet=True):
            if self.issuing(r.code, period):
                out.append((r.code, r.name))
        return out

    def issuing(self, code: str, period: str) -> bool:
        start = self.late.get(_RENAMED.get(code, code))
        return start is None or _month(period) >= start

    def holders(self, code: str, period: str) -> float:
        m = _month(period)
        if code == self.code:  # 省本级: the provincial institutions' insured, a small share
            return round(self.population * 0.015 * self._coverage(self.start, m), 2)
        key = _RENAMED.get(code, code)
        start = self.late.get(key)
        if start is not None:
            if m < start:
                return 0.0
            cov = min(self.cap, 0.04 + 0.09 * (m - start))
        else:
            cov = self._coverage(self.unit_start[key], m)
        return round(self.unit_population[key] * cov, 2)

    def _coverage(self, start: float, month: int) -> float:
        cap = max(self.cap, start)
        return cap - (cap - start) * math.exp(-self.rate * (month - 1))

    def stage(self, quarter: int) -> int:
        return min(8, self.stage_start + sum(1 for s in self.stage_steps if s < quarter))

    def items(self, quarter: int) -> int:
        return min(102, self.items_start + self.items_step * quarter)


def _month(period: str) -> int:
    return parse_period(period).end_month


def _province_label(model: _ProvinceModel) -> str:
    return f"填报单位：{model.name}人力资源和社会保障厅{LABEL}"


def _new_cities_remark(model: _ProvinceModel, period: str) -> str:
    from sbk.regions import regions_of

    m = _month(period)
    new = [r.name for r in regions_of(model.code, period, quiet=True) if model.late.get(_RENAMED.get(r.code, r.code)) == m]
    return f"备注：新增发卡城市{len(new)}个，即{'、'.join(_short(n) for n in new)}" if new else "备注："


def _national_monthly(model: _ProvinceModel, period: str) -> Any:
    units = model.units(period)
    rows = [{"seq": i, "region_code": "" if c == model.code else c, "region_name": n,
             "cumulative_holders_10k": model.holders(c, period)} for i, (c, n) in enumerate(units, 1)]
    total = round(sum(model.holders(c, period) for c, _ in units), 2)
    wb = new_workbook()
    write_sheet(wb, "monthly", model.name, period, rows, total={"cumulative_holders_10k": total},
                remark=_new_cities_remark(model, period), footer=_FOOTER,
                header_lines=[f"{_province_label(model)}    {period_line('monthly', period)}"])
    return wb


def _national_quarterly(model: _ProvinceModel, period: str, leave_out: set[str]) -> Any:
    q = int(period[-1])
    last = f"{NATIONAL_YEAR}-{3 * q:02d}"
    units = model.units(last)
    unit = _province_label(model)
    wb = new_workbook()
    if "q1" not in leave_out:
        rows, sums = [], dict.fromkeys(("holders_total_10k", "holders_urban_employees_10k", "holders_residents_10k",
                                        "holders_other_10k", "terminals"), 0.0)
        for c, n in units:
            total = model.holders(c, last)
            urban = round(total * model.urban_share, 2)
            residents = round(total * (0.97 - model.urban_share), 2)
            other = round(total - urban - residents, 2)
            terminals = int(total * model.terminals_per_10k) + 5 * q
            items = [1, 2, 3, 4, 7] + ([5] if model.stage(q) >= 3 else []) + ([8] if q >= 3 else [])
            channels = [1, 2, 5, 6] + ([7] if model.items(q) > 30 else []) + ([9] if model.stage(q) >= 5 else [])
            rows.append({"region_code": "" if c == model.code else c, "region_name": n, "holders_total_10k": total,
                         "holders_urban_employees_10k": urban, "holders_residents_10k": residents,
                         "holders_other_10k": f"{other:.2f}（离退休及其他人员）" if other > 0 else other,
                         "terminals": terminals, "service_items": sorted(items), "service_channels": sorted(channels),
                         "progress_note": "推进社会保障卡发放和用卡环境建设（合成示例）" if q % 2 else "无"})
            for k, v in (("holders_total_10k", total), ("holders_urban_employees_10k", urban),
                         ("holders_residents_10k", residents), ("holders_other_10k", other), ("terminals", terminals)):
                sums[k] += v
        write_sheet(wb, "q1", model.name, period, rows, total={k: round(v, 2) for k, v in sums.items()},
                    footer=_FOOTER, header_lines=[f"{unit}    {period_line('q1', period)}"])
    if "q2" not in leave_out:
        rows = []
        for i, (c, n) in enumerate(units):
            opened = min(102, max(1, model.items(q) - (i % 5)))
            items = sorted(model.item_order[:opened])
            cross = sorted(items[: 2 * q]) if model.stage(q) >= 4 else []
            rows.append({"region_code": "" if c == model.code else c, "region_name": n,
                         "catalog_open_rate_pct": round(opened / 102 * 100, 2),
                         "payment_coverage_pct": round(min(95.0, 10 + 0.6 * opened + 3 * q), 2),
                         "benefit_coverage_pct": round(min(92.0, 8 + 0.5 * opened + 3 * q), 2),
                         "local_items": items, "cross_region_scope": [1] if cross else [], "cross_region_items": cross})
        write_sheet(wb, "q2", model.name, period, rows, total={"region_name": "全省"}, footer=_FOOTER,
                    header_lines=[unit, period_line("q2", period)])
    if "q3" not in leave_out:
        write_sheet(wb, "q3", model.name, period, [{
            "region_code": model.code, "region_name": "全省", "stage": model.stage(q),
            "data_preparation": f"完成 {30 + 10 * model.stage(q)} 个数据源的比对清洗（合成示例）",
            "system_integration": f"已接入 {max(0, model.stage(q) - 3) * 3} 个业务系统（合成示例）",
            "next_quarter_plan": "继续推进持卡库建设（合成示例）",
        }], footer=_FOOTER, header_lines=[unit, period_line("q3", period)])
    if "q4" not in leave_out:
        holders_total = sum(model.holders(c, last) for c, _ in units)
        activation = min(0.92, model.activation + 0.04 * q)
        names = [n for c, n in units if c != model.code]
        rows, sums = [], {"fin_holders_10k": 0.0, "fin_activated_10k": 0.0, "other_fin_holders_10k": 0.0}
        for i, (bank, share) in enumerate(model.banks, 1):
            fin = round(holders_total * model.fin_share * share, 2)
            act = round(fin * min(0.95, activation + 0.03 * (i % 3)), 2)
            other = round(fin * 0.005 * (i % 2), 2)
            partners = (["省本级"] + names)[i - 1:: max(1, len(model.banks) - 1)][:8]
            legal = model.code == LEGAL_NAME_PROVINCE and "股份有限公司" not in bank and "联合社" not in bank
            rows.append({"seq": i, "bank_name": f"{bank}股份有限公司" if legal else bank, "fin_holders_10k": fin,
                         "fin_activated_10k": act, "partner_city_count": len(partners),
                         "partner_cities": [_short(p) for p in partners], "other_fin_holders_10k": other, "note": ""})
            for key, v in (("fin_holders_10k", fin), ("fin_activated_10k", act), ("other_fin_holders_10k", other)):
                sums[key] += v
        write_sheet(wb, "q4", model.name, period, rows, total={k: round(v, 2) for k, v in sums.items()},
                    footer=_FOOTER, header_lines=[unit, period_line("q4", period)])
    return wb


def _generate_national(out_dir: Path, seed: int) -> list[Path]:
    """The other 30 provinces' 2016 workbooks under ``out_dir/<code>/``, their receipts and the province populations."""
    import shutil

    from sbk.calendar import due_date

    paths: list[Path] = []
    rng = random.Random(seed + 2)
    receipts = []
    for code in sorted(PROVINCE_POPULATION_10K):
        if code == PROVINCE:
            continue
        folder = out_dir / code
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        model = _ProvinceModel(code, seed)
        filed: list[tuple[str, str]] = []
        for period in national_months():
            if (code, "monthly", period) in NATIONAL_MISSING:
                continue
            path = folder / f"{code}_{period}_月调度表_synthetic.xlsx"
            save_workbook(_national_monthly(model, period), path)
            paths.append(path)
            filed.append(("monthly", period))
        for period in national_quarters():
            leave_out = {form for (c, form, p) in NATIONAL_MISSING if c == code and p == period}
            path = folder / f"{code}_{period}_季调度表_synthetic.xlsx"
            save_workbook(_national_quarterly(model, period, leave_out), path)
            paths.append(path)
            filed += [(f"q{i}", period) for i in range(1, 5) if f"q{i}" not in leave_out]
        for form, period in filed:
            if (code, form, period) in NATIONAL_UNLOGGED:
                continue
            day = due_date(period) + dt.timedelta(days=NATIONAL_LATE.get((code, form, period), -rng.randint(0, 2)))
            receipts.append([form, period, code, day.isoformat(), "传真" if rng.random() < 0.3 else "电子邮件"])
    log = out_dir / "receipts_national_synthetic.csv"
    log.write_bytes(csv_bytes(["form", "period", "province", "received_on", "channel"], receipts))
    pop = out_dir / f"province_population_{NATIONAL_YEAR}_synthetic.csv"
    pop.write_bytes(csv_bytes(
        ["province_code", "province_name", "year_end", "population_10k", "source", "note"],
        [[code, _province_name(code), NATIONAL_YEAR, value, "synthetic demo (sbk/demo.py)",
          "合成示例数据 synthetic - of the order of the 2016 year-end resident population, not an official figure"]
         for code, value in sorted(PROVINCE_POPULATION_10K.items())]))
    return paths + [log, pop]


def _province_name(code: str) -> str:
    from sbk.regions import lookup

    return lookup(code, f"{NATIONAL_YEAR}-12", quiet=True).name
