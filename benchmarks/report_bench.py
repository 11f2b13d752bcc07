"""Report-build benchmark on the embedded data (synthetic demo + published figures) and a national-scale set.

Measures, for one report of each analysis, the cost split into kernel start,
execution, HTML rendering and kernel shutdown on a fresh kernel (through
nbclient, as papermill does), the same on the warm kernel `sbk run` uses
(reset, execution, HTML, input hashing and writes; kernel start and shutdown
paid once per worker), next to the same notebook code run in-process (the
floor); then a full build of every period with -j 1 and -j 2, a no-op rebuild,
peak memory, and -j 1 / -j 2 builds of one quarter for all 31 provinces of the
national-scale set from ``make bench`` (generated here if missing).

This machine's speed drifts (two vCPUs shared with other guests): the same -j 2 build has taken 46 s and
52 s back to back. So -j 1 and -j 2 run alternately in pairs (``SBK_BENCH_PAIRS``, default 3) and the
speed-up is the median of the pairs; the floor and the warm build are timed in the same rounds; and the
machine's own ceiling (two CPU-bound processes against one) is measured alongside.
Results go to benchmarks/results/reports.json. Run: ``make bench-reports``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

SAMPLE = [("2016Q4", "430000", a) for a in ("coverage", "issuance_trend", "bank_cooperation", "applications", "cardholder_db")]


def split_costs(period: str, province: str, analysis: str, processed: Path) -> dict[str, float]:
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    from sbk.build import render_html

    nb = load_notebook_node(str(REPO / "notebooks" / f"{analysis}.ipynb"))
    nb = parameterize_notebook(nb, {"period": period, "province": province, "processed_dir": str(processed)})
    t0 = time.perf_counter()
    km = KernelManager(kernel_name="python3")
    km.start_kernel(cwd=str(REPO / "notebooks"))
    client = NotebookClient(nb, km=km)
    kc = client.start_new_kernel_client()  # nbclient's own client, ready before the clock moves to execution
    t1 = time.perf_counter()
    with client.setup_kernel(cleanup_kc=False):
        for i, cell in enumerate(nb.cells):
            client.execute_cell(cell, i)
        t2 = time.perf_counter()
    html = render_html(nb, analysis)
    t3 = time.perf_counter()
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    t4 = time.perf_counter()
    return {"kernel_start_s": round(t1 - t0, 3), "execute_s": round(t2 - t1, 3), "html_s": round(t3 - t2, 3),
            "shutdown_s": round(t4 - t3, 3), "total_s": round(t4 - t0, 3), "html_bytes": len(html)}


def in_process_floor(period: str, province: str, analysis: str, processed: Path, repeat: int = 2) -> float:
    """The notebook's code run in this process with its imports loaded (best of ``repeat`` runs), producing what the
    report embeds: every displayed object formatted as IPython does (HTML and plain text) and every chart
    rendered to PNG with the inline backend's settings (``bbox_inches="tight"``). No kernel, no files."""
    import matplotlib

    matplotlib.use("Agg")
    import IPython.core.display_functions as display_functions
    import IPython.display
    import matplotlib.pyplot as plt
    import nbformat
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()

    def display(*objs, **kwargs):
        for obj in objs:
            if isinstance(obj, matplotlib.figure.Figure):
                obj.savefig(io.BytesIO(), format="png", bbox_inches="tight")
            else:
                formatter.format(obj)

    nb = nbformat.read(REPO / "notebooks" / f"{analysis}.ipynb", as_version=4)
    code = [c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    params = {"period": period, "province": province, "processed_dir": str(processed)}
    cwd = os.getcwd()
    os.chdir(REPO / "notebooks")
    saved = IPython.display.display, display_functions.display
    IPython.display.display = display_functions.display = display
    try:
        best = None
        for _ in range(repeat):
            ns = dict(params)
            t0 = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                for src in code:
                    exec(compile(src, analysis, "exec"), ns)
                for num in plt.get_fignums():  # charts are shown by the kernel only; render them here
                    plt.figure(num).savefig(io.BytesIO(), format="png", bbox_inches="tight")
                plt.close("all")
            elapsed = time.perf_counter() - t0
            best = elapsed if best is None else min(best, elapsed)
        return round(best, 3)
    finally:
        IPython.display.display, display_functions.display = saved
        os.chdir(cwd)


def warm_costs(processed: Path, rounds: int = 5) -> dict:
    """Cost per report on one warm kernel next to the in-process floor, medians over ``rounds`` after a first
    round. Each round times, for every analysis: the floor, the phases one by one (reset waited for in full),
    and a whole ``build_job`` as a build makes it (the reset after each report overlapping the rendering and
    writing of that report). Floor and build are timed in the same rounds, minutes apart at most, because
    this machine's speed drifts by ±20% over a quarter of an hour; timing them in separate passes (as an
    earlier version did) measured the drift as much as the overhead."""
    import statistics

    from sbk.build import ANALYSES, NOTEBOOKS, Job, build_job, input_record, render_html
    from sbk.warm import WarmKernel

    out = HERE / "out" / "warm"
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    warm = WarmKernel("python3", NOTEBOOKS)
    start = time.perf_counter() - t0
    phases: dict[str, dict[str, list[float]]] = {a: {} for _, _, a in SAMPLE}
    try:
        for period, province, analysis in SAMPLE:  # first round: caches filled, as after the first report of a build
            build_job(Job(period, province, analysis), processed, out, force=True, warm=warm)
            in_process_floor(period, province, analysis, processed, repeat=1)
        for _ in range(rounds):
            for period, province, analysis in SAMPLE:
                job = Job(period, province, analysis)
                ph = phases[analysis]
                ph.setdefault("in_process_floor_s", []).append(in_process_floor(period, province, analysis,
                                                                                processed, repeat=1))
                warm._finish_reset()
                t = [time.perf_counter()]
                input_record(job, processed)
                t.append(time.perf_counter())
                warm.reset()
                t.append(time.perf_counter())
                nb = warm.execute(NOTEBOOKS / f"{analysis}.ipynb", {"period": period, "province": province,
                                  "processed_dir": "../data/processed"}, NOTEBOOKS, reset=False)
                t.append(time.perf_counter())
                render_html(nb, ANALYSES[analysis].title)
                t.append(time.perf_counter())
                for name, (a, b) in zip(["hash_inputs_s", "reset_s", "execute_s", "html_s"], zip(t, t[1:])):
                    ph.setdefault(name, []).append(b - a)
                t0 = time.perf_counter()  # waits for the reset begun after execute, which overlapped render_html
                build_job(job, processed, out, force=True, warm=warm)
                ph.setdefault("build_job_s", []).append(time.perf_counter() - t0)
        t0 = time.perf_counter()
    finally:
        warm.shutdown()
    stop = time.perf_counter() - t0
    per = {}
    for analysis, ph in phases.items():
        per[analysis] = {k: round(statistics.median(v), 3) for k, v in ph.items()}
        # Overhead per round (build and floor of the same round), then the median: paired, so drift cancels.
        diffs = [b - f for b, f in zip(ph["build_job_s"], ph["in_process_floor_s"])]
        per[analysis]["overhead_above_floor_s"] = round(statistics.median(diffs), 3)
        per[analysis]["overhead_above_floor_range_s"] = [round(min(diffs), 3), round(max(diffs), 3)]
    return {"rounds": rounds, "kernel_start_and_imports_once_s": round(start, 3), "shutdown_once_s": round(stop, 3),
            "per_report": per}


def machine_ceiling(pairs: int = 3) -> dict:
    """What two processes gain on this machine at best: a pure-Python CPU loop run alone, then two copies at
    once (speed-up = 2 x alone / slower of the two). No I/O, no shared state, so whatever keeps this below 2.0
    is the machine (a virtual CPU shares its core with other guests), not sbk."""
    import statistics

    code = "import time\nt=time.perf_counter()\nx=0\nfor i in range(20_000_000): x+=i*i\nprint(time.perf_counter()-t)"

    def run(n: int) -> float:
        procs = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(n)]
        return max(float(p.communicate()[0]) for p in procs)

    ratios = []
    for _ in range(pairs):
        alone = run(1)
        ratios.append(2 * alone / run(2))
    return {"pairs": pairs, "speedup_two_processes": [round(r, 2) for r in ratios],
            "median": round(statistics.median(ratios), 2)}


def paired_j(cmd: list[str], pairs: int) -> dict:
    """-j 1 and -j 2 alternately, ``pairs`` times; the speed-up of each pair, the median, and the cores each
    build kept busy (CPU time of the build and its kernels over wall time)."""
    import statistics

    runs: dict[str, list[dict]] = {"1": [], "2": []}
    for _ in range(pairs):
        for j in ("1", "2"):
            runs[j].append(timed(cmd + ["-j", j]))
    ratios = [a["wall_s"] / b["wall_s"] for a, b in zip(runs["1"], runs["2"])]
    return {
        "pairs": pairs,
        "j1_s": [r["wall_s"] for r in runs["1"]], "j2_s": [r["wall_s"] for r in runs["2"]],
        "j1_cpu_s": [r["cpu_s"] for r in runs["1"]], "j2_cpu_s": [r["cpu_s"] for r in runs["2"]],
        "j1_cores": round(statistics.median(r["cpu_s"] / r["wall_s"] for r in runs["1"]), 2),
        "j2_cores": round(statistics.median(r["cpu_s"] / r["wall_s"] for r in runs["2"]), 2),
        "speedup_j2_each_pair": [round(r, 2) for r in ratios],
        "speedup_j2": round(statistics.median(ratios), 2),
    }


def national_scale(sbk: list[str], pairs: int) -> dict:
    """One quarter of every province of the national-scale set, -j 1 against -j 2 (synthetic data)."""
    processed = HERE / "out" / "processed"
    if not (processed / "datapackage.json").exists():
        subprocess.run([sys.executable, str(HERE / "ingest_bench.py"), "--reader-sample", "10"], check=True,
                       capture_output=True, cwd=REPO)
    out = HERE / "out" / "reports-national"
    shutil.rmtree(out, ignore_errors=True)
    result = paired_j(sbk + ["run", "--period", "2024Q4", "--processed", str(processed), "--out", str(out),
                             "--force"], pairs)
    n = len(list(out.glob("*/*/*.html")))
    return {"set": "benchmarks/out/processed (31 provinces x 10 years, synthetic)", "period": "2024Q4", "reports": n,
            **result}


def timed(cmd: list[str]) -> dict[str, float]:
    """Wall time, and CPU time of the command and every process under it (kernels included: each is waited
    for by its parent, so its time is in the children's usage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_s": round(wall, 2), "cpu_s": round(cpu, 1)}


def report_sizes(reports: Path) -> dict:
    """Median and largest report page (HTML, charts and their data inside) and input-rows file, in KB."""
    import statistics

    pages = sorted(p.stat().st_size for p in reports.glob("*/*/*.html"))
    inputs = sorted(p.stat().st_size for p in reports.glob("*/*/*.inputs.zip"))

    def kb(v: float) -> float:
        return round(v / 1000, 1)

    return {"reports": len(pages), "median_kb": kb(statistics.median(pages)) if pages else None,
            "largest_kb": kb(pages[-1]) if pages else None, "total_mb": round(sum(pages) / 1e6, 1),
            "inputs_zip_median_kb": kb(statistics.median(inputs)) if inputs else None, "target_median_kb": 300}


def main() -> int:
    processed = REPO / "data" / "processed"
    sbk = [sys.executable, "-m", "sbk.cli"]
    pairs = int(os.environ.get("SBK_BENCH_PAIRS", "3"))
    subprocess.run(sbk + ["ingest"], cwd=REPO, check=True, capture_output=True)
    per_report = {}
    for period, province, analysis in SAMPLE:
        costs = split_costs(period, province, analysis, processed)
        costs["in_process_floor_s"] = in_process_floor(period, province, analysis, processed)
        costs["overhead_above_floor_s"] = round(costs["total_s"] - costs["in_process_floor_s"], 3)
        per_report[analysis] = costs
    warm = warm_costs(processed)
    ceiling = machine_ceiling(pairs)
    out = HERE / "out" / "reports"
    shutil.rmtree(out, ignore_errors=True)
    full = paired_j(sbk + ["run", "--period", "all", "--force", "--out", str(out)], pairs)
    noop = timed(sbk + ["run", "--period", "all", "-j", "2", "--out", str(out)])["wall_s"]
    n = len(list(out.glob("*/*/*.html")))
    result = {
        "report_size": report_sizes(out),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "machine_parallel_ceiling": ceiling,
        "per_report_2016Q4_430000_fresh_kernel": per_report,
        "per_report_2016Q4_430000_warm_kernel": warm,
        "full_build": {"reports": n, **full, "noop_rebuild_s": noop},
        "national_scale": national_scale(sbk, max(1, pairs - 1)),
        "peak_rss_mb_largest_child": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "targets": {"overhead_above_floor_s": 0.5, "noop_rebuild_s": 2.0, "speedup_j2": 1.8, "peak_rss_mb": 1024},
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "reports.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
