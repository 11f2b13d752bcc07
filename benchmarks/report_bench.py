"""Report-build benchmark on the embedded data (synthetic demo + published figures) and a national-scale set.

Measures, for one report of each analysis, the cost split into kernel start,
execution, HTML rendering and kernel shutdown on a fresh kernel (through
nbclient, as papermill does), the same on the warm kernel `sbk run` uses
(reset, execution, HTML, input hashing and writes; kernel start and shutdown
paid once per worker), next to the same notebook code run in-process (the
floor); then a full build of every period with -j 1 and -j 2, a no-op rebuild,
peak memory, and -j 1 / -j 2 builds of one quarter for all 31 provinces of the
national-scale set from ``make bench`` (generated here if missing).
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
    import nbformat
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


def in_process_floor(period: str, province: str, analysis: str, processed: Path) -> float:
    """The notebook's code run in this process with its imports loaded (best of two runs), producing what the
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
        for _ in range(2):
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


def warm_costs(processed: Path, rounds: int = 3) -> dict:
    """Cost per report on one warm kernel, medians over ``rounds`` after a first round: the phases one by one
    (reset waited for in full), then whole ``build_job`` calls in sequence as a build makes them (the reset
    after each report overlapping the rendering and writing of that report)."""
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
        for _, _, analysis in SAMPLE:  # first round: caches filled, as after the first report of a build
            build_job(Job(*SAMPLE[0][:2], analysis), processed, out, force=True, warm=warm)
        for _ in range(rounds):
            for period, province, analysis in SAMPLE:
                job = Job(period, province, analysis)
                t = [time.perf_counter()]
                input_record(job, processed)
                t.append(time.perf_counter())
                warm.reset()
                t.append(time.perf_counter())
                nb = warm.execute(NOTEBOOKS / f"{analysis}.ipynb", {"period": period, "province": province,
                                  "processed_dir": "../data/processed"}, NOTEBOOKS, reset=False)
                t.append(time.perf_counter())
                render_html(nb, ANALYSES[analysis]["title"])
                t.append(time.perf_counter())
                for name, (a, b) in zip(["hash_inputs_s", "reset_s", "execute_s", "html_s"], zip(t, t[1:])):
                    phases[analysis].setdefault(name, []).append(b - a)
        warm.reset()
        for _ in range(rounds):  # steady state as in a build: each report waits for the reset begun after the last
            for period, province, analysis in SAMPLE:
                t0 = time.perf_counter()
                build_job(Job(period, province, analysis), processed, out, force=True, warm=warm)
                phases[analysis].setdefault("build_job_s", []).append(time.perf_counter() - t0)
        t0 = time.perf_counter()
    finally:
        warm.shutdown()
    stop = time.perf_counter() - t0
    per = {a: {k: round(statistics.median(v), 3) for k, v in ph.items()} for a, ph in phases.items()}
    return {"kernel_start_and_imports_once_s": round(start, 3), "shutdown_once_s": round(stop, 3), "per_report": per}


def national_scale(sbk: list[str]) -> dict:
    """One quarter of every province of the national-scale set, -j 1 and -j 2 (synthetic data)."""
    processed = HERE / "out" / "processed"
    if not (processed / "datapackage.json").exists():
        subprocess.run([sys.executable, str(HERE / "ingest_bench.py"), "--reader-sample", "10"], check=True,
                       capture_output=True, cwd=REPO)
    out = HERE / "out" / "reports-national"
    shutil.rmtree(out, ignore_errors=True)
    args = ["run", "--period", "2024Q4", "--processed", str(processed), "--out", str(out), "--force"]
    j1 = timed(sbk + args + ["-j", "1"])
    j2 = timed(sbk + args + ["-j", "2"])
    n = len(list(out.glob("*/*/*.html")))
    return {"set": "benchmarks/out/processed (31 provinces x 10 years, synthetic)", "period": "2024Q4", "reports": n,
            "j1_s": j1, "j2_s": j2, "speedup_j2": round(j1 / j2, 2), "per_report_j2_s": round(j2 / max(n, 1), 3)}


def timed(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=REPO, check=True, capture_output=True)
    return round(time.perf_counter() - t0, 2)


def main() -> int:
    processed = REPO / "data" / "processed"
    sbk = [sys.executable, "-m", "sbk.cli"]
    subprocess.run(sbk + ["ingest"], cwd=REPO, check=True, capture_output=True)
    per_report = {}
    for period, province, analysis in SAMPLE:
        costs = split_costs(period, province, analysis, processed)
        costs["in_process_floor_s"] = in_process_floor(period, province, analysis, processed)
        costs["overhead_above_floor_s"] = round(costs["total_s"] - costs["in_process_floor_s"], 3)
        per_report[analysis] = costs
    warm = warm_costs(processed)
    for analysis, costs in warm["per_report"].items():
        costs["in_process_floor_s"] = per_report[analysis]["in_process_floor_s"]
        costs["overhead_above_floor_s"] = round(costs["build_job_s"] - costs["in_process_floor_s"], 3)
    out = HERE / "out" / "reports"
    shutil.rmtree(out, ignore_errors=True)
    j1 = timed(sbk + ["run", "--period", "all", "--force", "-j", "1", "--out", str(out)])
    j2 = timed(sbk + ["run", "--period", "all", "--force", "-j", "2", "--out", str(out)])
    noop = timed(sbk + ["run", "--period", "all", "-j", "2", "--out", str(out)])
    n = len(list(out.glob("*/*/*.html")))
    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "per_report_2016Q4_430000_fresh_kernel": per_report,
        "per_report_2016Q4_430000_warm_kernel": warm,
        "full_build": {"reports": n, "j1_s": j1, "j2_s": j2, "speedup_j2": round(j1 / j2, 2), "noop_rebuild_s": noop},
        "national_scale": national_scale(sbk),
        "peak_rss_mb_largest_child": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1),
        "targets": {"overhead_above_floor_s": 0.5, "noop_rebuild_s": 2.0, "speedup_j2": 1.8, "peak_rss_mb": 1024},
    }
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "reports.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
