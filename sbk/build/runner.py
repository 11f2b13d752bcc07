"""Running reports: one (``build_job``) on a fresh or warm kernel, many (``run_jobs``) on a process pool or Dask."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path
from typing import TYPE_CHECKING

from sbk.atomic import remove_stale_temporaries, write_atomic
from sbk.build.planning import Job, validate_parameters
from sbk.build.record import ReportRecord, built_hash, citation, input_record, is_current, provenance_html, shown_date
from sbk.build.registry import ANALYSES, NATIONAL, NOTEBOOKS, REPO, ROLLUP_ANALYSES
from sbk.build.render import clean_notebook, number_figures, render_html
from sbk.code_version import source_hash
from sbk.errors import sigint_held, worker_initializer

if TYPE_CHECKING:
    from sbk.warm import WarmKernel

__all__ = ["build_job", "main_progress", "run_jobs"]


def build_job(job: Job, processed: Path, reports: Path, force: bool = False, kernel: str = "python3",
              warm: WarmKernel | None = None) -> str:
    """Build one report; return 'built' or 'current'.

    With ``warm``, the notebook runs on that already-running kernel (reset first); without, on a fresh one.
    """
    import nbformat

    from sbk.analysis.common import is_synthetic
    from sbk.warm import WarmKernel

    validate_parameters(job.period, job.province, job.analysis)
    paths = job.paths(reports)
    record = input_record(job, processed)
    if not force and built_hash(job, reports) == record.input_hash:
        return "current"
    if job.province == NATIONAL:
        # The published series are real; the roll-up is as synthetic as the provinces' forms of its period.
        from sbk.analysis.national import period_is_synthetic

        synthetic = job.analysis in ROLLUP_ANALYSES and period_is_synthetic(processed, job.period)
    else:
        synthetic = is_synthetic(processed, job.province)
    params = dict(record.parameters)
    # The notebook runs in notebooks/ with the processed folder given relative to it; when
    # the build reads another folder (a temporary one for verify), pass that instead.
    if processed.resolve() != (REPO / "data" / "processed").resolve() or NOTEBOOKS != REPO / "notebooks":
        params["processed_dir"] = str(processed.resolve())
    kernel_here = warm or WarmKernel(kernel, NOTEBOOKS)
    try:
        nb = kernel_here.execute(NOTEBOOKS / f"{job.analysis}.ipynb", params, NOTEBOOKS)
    finally:
        if warm is None:
            kernel_here.shutdown()
    clean_notebook(nb)
    number_figures(nb)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
            cell.source = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in record.parameters.items())
    prov = nbformat.v4.new_markdown_cell(provenance_html(job, record, synthetic, shown_date()))
    prov.metadata["tags"] = ["sbk-provenance"]
    prov.id = "sbk-provenance"
    nb.cells.insert(0, prov)
    from sbk.build.downloads import input_rows_zip, inputs_link_html

    inputs_zip, n_tables, n_rows = input_rows_zip(job, processed)
    link = nbformat.v4.new_markdown_cell(inputs_link_html(job, n_tables, n_rows))
    link.metadata["tags"] = ["sbk-inputs"]
    link.id = "sbk-inputs"
    nb.cells.insert(1, link)
    title = f"{ANALYSES[job.analysis].title} — {job.province} {job.period}"
    written = ReportRecord(**vars(record), job=job, title=title, synthetic=synthetic, citation=citation(job, synthetic))
    # Everything is rendered before the first write, and the record (json) goes last: a run killed between
    # the writes leaves whole files, each self-contained, and a record that no longer matches, so the next
    # run rebuilds this report.
    outputs = [(paths["ipynb"], (nbformat.writes(nb) + "\n").encode("utf-8")),
               (paths["inputs"], inputs_zip),  # before the page that links to it
               (paths["html"], render_html(nb, title).encode("utf-8")),
               (paths["json"], written.to_json().encode("utf-8"))]
    for target, data in outputs:
        write_atomic(target, data)
    return "built"


# Relative cost of one report of each analysis (measured by benchmarks/report_bench.py).
_RELATIVE_COST = {"provinces": 6.0, "coverage": 5.0, "issuance_trend": 2.6, "bulletin": 2.0, "bank_cooperation": 1.9,
                  "applications": 1.4, "cardholder_db": 1.0}

_worker_kernel: WarmKernel | None = None


def _warm_kernel() -> WarmKernel:
    """This process's warm kernel, started on first use and replaced if it has died."""
    global _worker_kernel
    from sbk.warm import WarmKernel

    if _worker_kernel is not None and not _worker_kernel.alive():
        _close_worker_kernel()
    if _worker_kernel is None:
        _worker_kernel = WarmKernel("python3", NOTEBOOKS)
        import multiprocessing.util

        # Pool workers leave through os._exit, which skips atexit; multiprocessing's finalizers still run.
        multiprocessing.util.Finalize(None, _close_worker_kernel, exitpriority=10)
    return _worker_kernel


def _close_worker_kernel() -> None:
    global _worker_kernel
    if _worker_kernel is not None:
        try:
            _worker_kernel.shutdown()
        except Exception:  # noqa: BLE001 - a dead kernel has nothing left to shut down
            pass
        _worker_kernel = None


def _run_one(args: tuple[Job, str, str, str]) -> tuple[Job, str, str]:
    job, processed, reports, source = args  # run_jobs has already decided this report needs building
    mine = source_hash()
    if mine != source:
        # A long-lived worker (Dask) keeps the sbk it imported when it started; its reports would carry
        # that code's results under a record the run no longer recognises.
        return job, "failed", (f"this worker runs other sbk code than the run (source {mine[:12]}, "
                               f"expected {source[:12]}): restart the Dask workers after changing sbk/ or "
                               "policy_catalog/")
    try:
        return job, build_job(job, Path(processed), Path(reports), force=True, warm=_warm_kernel()), ""
    except Exception as exc:  # noqa: BLE001 - one failing report must not stop the others; the CLI reports it
        return job, "failed", f"{type(exc).__name__}: {str(exc)[-800:]}"


def run_jobs(jobs: list[Job], processed: Path, reports: Path, force: bool = False, jobs_n: int = 1,
             executor: Executor | None = None, progress: Callable[[Job, str], None] | None = None) -> list[tuple[Job, str, str]]:
    """Run jobs, in parallel through a concurrent.futures-style executor when asked.

    With ``executor`` (for instance a ``dask.distributed.Client`` from
    ``client.get_executor()``) jobs go there; otherwise ``jobs_n`` > 1 uses a
    spawn-based process pool (fork after papermill has run can hang).
    """
    from sbk.warm import remove_orphan_socket_folders

    results: list[tuple[Job, str, str]] = []
    remove_stale_temporaries(reports)  # left by a run that was killed mid-write
    remove_orphan_socket_folders()  # and its kernels' socket folders (every build starts here, so one sweep)
    if not force:
        # Decide what is current here, without starting workers: a no-op rebuild stays fast.
        todo = []
        for j in jobs:
            if is_current(j, processed, reports):
                results.append((j, "current", ""))
                if progress:
                    progress(j, "current")
            else:
                todo.append(j)
        jobs = todo
    source = source_hash()
    args = [(j, str(processed), str(reports), source) for j in jobs]
    if executor is None and jobs_n <= 1:
        try:
            for a in args:
                r = _run_one(a)
                results.append(r)
                if progress:
                    progress(r[0], r[1])
        finally:
            _close_worker_kernel()  # the caller's process keeps no kernel between runs
        return sorted(results)
    if not args:
        return sorted(results)
    # Longest first, so the last jobs of a parallel build are short ones and no worker idles long at the end.
    args.sort(key=lambda a: -_RELATIVE_COST.get(a[0].analysis, 1.0))
    own = executor is None
    if executor is None:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        # Workers ignore SIGINT (Ctrl-C reaches the whole process group, and only this process answers it), and end
        # when this process is killed.
        executor = ProcessPoolExecutor(max_workers=jobs_n, mp_context=mp.get_context("spawn"),
                                       initializer=worker_initializer, initargs=(os.getpid(),))
    pool: Executor = executor
    futures: list = []
    try:
        from concurrent.futures import as_completed

        with sigint_held():  # the workers start here (sbk.errors)
            futures = [pool.submit(_run_one, a) for a in args]
        for fut in as_completed(futures):
            r = fut.result()
            results.append(r)
            if progress:
                progress(r[0], r[1])
    except BaseException:
        # Interrupted (Ctrl-C): start no more reports and stop the workers now rather than after the reports
        # they hold. Killing a worker is safe: each file is replaced atomically and the build record last (the
        # guarantee the kill tests prove); its kernel exits when it sees its parent gone, and the next run
        # removes the kernel's socket folder.
        for fut in futures:
            fut.cancel()
        if own:
            # ProcessPoolExecutor has no public way to stop running work; its worker table is stable CPython API
            # in practice (3.8-3.13), and without it the workers simply finish their reports.
            for proc in list(getattr(pool, "_processes", {}).values()):
                proc.kill()
        raise
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
    return sorted(results)


def main_progress(total: int) -> Callable[[Job, str], None]:
    """A progress bar on stderr for multi-report builds (on a terminal)."""
    from tqdm import tqdm

    # Only on a terminal, and erased when done: a log or a pipe gets the one summary line, and an interrupted
    # build ends in the one line that says so.
    bar = tqdm(total=total, file=sys.stderr, unit="report", disable=total <= 1 or not sys.stderr.isatty(), leave=False)

    def step(job: Job, status: str) -> None:
        bar.set_postfix_str(f"{job.period}/{job.province}/{job.analysis}: {status}")
        bar.update(1)
        if bar.n >= total:
            bar.close()

    return step
