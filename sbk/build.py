"""The report build: papermill runs each notebook, nbconvert renders HTML, with provenance.

A job is (analysis, period, province). Its output lives in
``reports/<period>/<province>/<analysis>.{ipynb,html,json}``; the ``.json`` is
the build record (inputs with sha256, code version, parameters, citation) and
holds the input hash that makes the build incremental. Outputs are
deterministic: papermill's timings are stripped, no wall-clock time is shown
(a date shown comes from the data or SOURCE_DATE_EPOCH), and each file is
replaced atomically.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import sys
import tempfile
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:
    from sbk.warm import WarmKernel

from sbk import __version__
from sbk.atomic import remove_stale_temporaries, write_atomic
from sbk.csp import with_policy

__all__ = [
    "ANALYSES",
    "Job",
    "ParameterError",
    "plan",
    "validate_parameters",
    "build_job",
    "slice_hash",
    "run_jobs",
    "write_index",
    "verify",
    "REPO",
]

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = REPO / "notebooks"
NATIONAL = "national"

# analysis → (title, the periods it is built for, the tables it reads)
ANALYSES: dict[str, dict] = {
    "coverage": {"title": "覆盖情况 · Coverage", "kinds": ("monthly", "quarterly"),
                 "tables": ["monthly_issuance", "quarterly_work", "quarterly_application", "region_population",
                            "published_figures", "population", "filings"]},
    "issuance_trend": {"title": "发行趋势 · Issuance trend", "kinds": ("monthly", "quarterly"),
                       "tables": ["monthly_issuance", "filings", "region_population", "published_figures",
                                  "plan_targets", "population"]},
    "bank_cooperation": {"title": "银行合作 · Bank cooperation", "kinds": ("quarterly",),
                         "tables": ["quarterly_bank", "quarterly_work", "filings"]},
    "applications": {"title": "应用推进 · Application rollout", "kinds": ("quarterly",),
                     "tables": ["quarterly_application", "filings"]},
    "cardholder_db": {"title": "持卡库建设 · Cardholder database", "kinds": ("quarterly",),
                      "tables": ["quarterly_cardholder_db", "filings"]},
    "bulletin": {"title": "进展与报送质量通报 · Bulletin", "kinds": ("monthly",),
                 "tables": ["monthly_issuance", "targets", "receipts", "filings", "findings"]},
}
NATIONAL_ANALYSES = ("coverage", "issuance_trend")
# National reports read only the published figures (real, with sources).
NATIONAL_TABLES = ["published_figures", "population", "plan_targets"]


class ParameterError(ValueError):
    """A notebook parameter that is not allowed (validated before papermill sees it)."""


@dataclass(frozen=True, order=True)
class Job:
    period: str
    province: str
    analysis: str

    @property
    def folder(self) -> Path:
        return Path(self.period) / self.province

    def paths(self, reports: Path) -> dict[str, Path]:
        base = reports / self.folder / self.analysis
        return {"ipynb": base.with_suffix(".ipynb"), "html": base.with_suffix(".html"), "json": base.with_suffix(".json")}


def validate_parameters(period: str, province: str, analysis: str) -> None:
    """Only known analyses, well-formed periods and known province codes reach a notebook."""
    from sbk.calendar import PeriodError, parse_period
    from sbk.regions import RegionError, lookup

    if analysis not in ANALYSES:
        raise ParameterError(f"unknown analysis “{analysis}”: one of {', '.join(ANALYSES)}")
    try:
        parse_period(period, check_regime=(province != NATIONAL))
    except PeriodError as exc:
        raise ParameterError(str(exc)) from None
    if province != NATIONAL:
        if not re.fullmatch(r"\d{2}0000", province):
            raise ParameterError(f"province “{province}” is not a province code such as 430000")
        try:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lookup(province, period)
        except RegionError as exc:
            raise ParameterError(str(exc)) from None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@lru_cache(maxsize=1)
def _source_hash() -> str:
    """Hash of the package source the notebooks run (not the commit id, so unrelated commits leave reports current)."""
    h = hashlib.sha256(__version__.encode())
    for p in sorted((REPO / "sbk").rglob("*.py")):
        h.update(p.relative_to(REPO).as_posix().encode())
        h.update(p.read_bytes())
    for p in sorted((REPO / "policy_catalog").rglob("*.yaml")):
        h.update(p.relative_to(REPO).as_posix().encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def _available(processed: Path) -> dict[str, dict[str, list[str]]]:
    """Periods with data: {province: {'monthly': [...], 'quarterly': [...]}}."""
    import pandas as pd

    out: dict[str, dict[str, list[str]]] = {}
    path = processed / "filings.parquet"
    if not path.exists():
        return out
    f = pd.read_parquet(path)
    for prov, g in f.groupby("province_code"):
        monthly = sorted(g.loc[g["form"] == "monthly", "period"].unique())
        quarterly = sorted(g.loc[g["form"] != "monthly", "period"].unique())
        out[str(prov)] = {"monthly": monthly, "quarterly": quarterly}
    return out


def national_period(processed: Path) -> str | None:
    """The month of the latest published national holders figure."""
    import pandas as pd

    path = processed / "published_figures.parquet"
    if not path.exists():
        return None
    pf = pd.read_parquet(path)
    pf = pf[(pf["measure"] == "holders") & (pf["scope"] == "全国")]
    return str(pf["date"].max())[:7] if len(pf) else None


def plan(processed: Path, period: str = "latest", province: str | None = None,
         analyses: Iterable[str] | None = None) -> list[Job]:
    """The jobs for a period ('YYYY-MM', 'YYYYQn', 'latest' or 'all')."""
    from sbk.calendar import parse_period

    wanted = list(analyses or ANALYSES)
    for a in wanted:
        if a not in ANALYSES:
            raise ParameterError(f"unknown analysis “{a}”: one of {', '.join(ANALYSES)}")
    jobs: list[Job] = []
    avail = _available(processed)
    provinces = [province] if province and province != NATIONAL else sorted(avail)
    if province != NATIONAL:
        for prov in provinces:
            kinds = avail.get(prov, {"monthly": [], "quarterly": []})
            if period == "all":
                periods = kinds["monthly"] + kinds["quarterly"]
            elif period == "latest":
                periods = [p for p in (kinds["monthly"][-1:] + kinds["quarterly"][-1:])]
            else:
                parse_period(period)
                periods = [period]
            for p in periods:
                kind = parse_period(p).kind
                jobs.extend(Job(p, prov, a) for a in wanted if kind in ANALYSES[a]["kinds"])
    if province in (None, NATIONAL):
        nat = national_period(processed)
        if nat and (period in ("all", "latest") or period == nat):
            jobs.extend(Job(nat, NATIONAL, a) for a in wanted if a in NATIONAL_ANALYSES)
    for j in jobs:
        validate_parameters(j.period, j.province, j.analysis)
    return sorted(set(jobs))


def _period_key(period: str) -> tuple[int, int]:
    from sbk.calendar import parse_period

    p = parse_period(period, check_regime=False)
    return p.year, p.end_month


@lru_cache(maxsize=32)
def _row_digests(path: str, mtime_ns: int, size: int):
    """Per-row sha256 of a processed table, with each row's province and period key: computed once per process
    while the file is unchanged, so deciding what is current for a hundred reports reads and hashes each table once.
    """
    import numpy as np
    import pandas as pd

    df = pd.read_parquet(path)
    # One canonical JSON line per row (lists and nulls included); JSON escapes newlines, so lines split cleanly.
    lines = df.to_json(orient="records", lines=True, force_ascii=False, double_precision=15).splitlines() if len(df) else []
    digests = np.array([hashlib.sha256(line.encode("utf-8")).digest() for line in lines], dtype="S32")
    provinces = df["province_code"].astype(str).to_numpy() if "province_code" in df.columns else None
    keys = None
    if "period" in df.columns:
        codes = {p: _period_key(p) for p in df["period"].astype(str).unique()}
        keys = np.array([codes[p][0] * 100 + codes[p][1] for p in df["period"].astype(str)], dtype=np.int64)
    return digests, provinces, keys, json.dumps(list(df.columns), ensure_ascii=False)


def slice_hash(processed: Path, table: str, province: str, period: str) -> tuple[str, int] | None:
    """sha256 of the rows of ``table`` a report for (province, period) can read, and their number.

    Rows of the province (when the table has one), of periods up to the report's
    (when it has periods). A report is rebuilt when this changes, so new data
    for a later period leaves earlier reports as they are.
    """
    import numpy as np

    path = processed / f"{table}.parquet"
    if not path.exists():
        return None
    stat = path.stat()
    digests, provinces, keys, columns = _row_digests(str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    mask = np.ones(len(digests), dtype=bool)
    if province != NATIONAL and provinces is not None:
        mask &= provinces == province
    if keys is not None:
        year, month = _period_key(period)
        mask &= keys <= year * 100 + month
    h = hashlib.sha256(columns.encode("utf-8"))
    h.update(digests[mask].tobytes())
    return h.hexdigest(), int(mask.sum())


def input_record(job: Job, processed: Path) -> dict:
    """Everything the report depends on, with hashes: the basis of incremental builds and provenance."""
    notebook = NOTEBOOKS / f"{job.analysis}.ipynb"
    inputs = []
    tables = NATIONAL_TABLES if job.province == NATIONAL else ANALYSES[job.analysis]["tables"]
    for table in tables:
        got = slice_hash(processed, table, job.province, job.period)
        if got:
            inputs.append({"path": f"data/processed/{table}.parquet", "rows": got[1], "sha256": got[0]})
    dp = processed / "datapackage.json"
    dp_version = json.loads(dp.read_text(encoding="utf-8")).get("version") if dp.exists() else None
    params = {"period": job.period, "province": job.province, "processed_dir": "../data/processed"}
    code = {"sbk_version": __version__, "notebook_sha256": _sha256(notebook), "source_sha256": _source_hash()}
    key = hashlib.sha256(json.dumps([inputs, code, params], sort_keys=True).encode()).hexdigest()
    return {"inputs": inputs, "datapackage_version": dp_version, "code": code, "parameters": params, "input_hash": key}


def _data_date(processed: Path) -> str:
    """A date to show: SOURCE_DATE_EPOCH when set, else none (never the wall clock)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date().isoformat() if epoch else ""


def _citation(job: Job, synthetic: bool) -> str:
    place = "全国" if job.province == NATIONAL else job.province
    label = "（合成示例数据，非官方统计）" if synthetic else ""
    return (f"sbk {__version__}. {ANALYSES[job.analysis]['title']}{label}, {place}, {job.period}. "
            f"reports/{job.period}/{job.province}/{job.analysis}.html")


def provenance_html(job: Job, record: dict, synthetic: bool, built_on: str = "") -> str:
    e = html.escape
    rows = "".join(f"<tr><td><code>{e(i['path'])}</code></td><td>{i['rows']}</td><td><code>{e(i['sha256'])}</code></td></tr>"
                   for i in record["inputs"])
    params = ", ".join(f"{e(k)}={e(str(v))}" for k, v in record["parameters"].items())
    banner = ""
    if synthetic:
        banner = ('<div class="sbk-synthetic" style="background:#fde8e8;border:2px solid #b22222;padding:8px 12px;'
                  'margin:0 0 12px 0;font-weight:bold;color:#b22222">合成示例数据 · SYNTHETIC DEMO DATA — '
                  '本报告所用数字为合成示例，非官方统计，请勿引用。 Not official statistics; do not cite the figures.</div>')
    built = f"<li>日期 Date: {e(built_on)}</li>" if built_on else ""
    return (
        f"{banner}<details class=\"sbk-provenance\"><summary>来源与版本 · Provenance and citation</summary><ul>"
        f"<li>sbk {e(record['code']['sbk_version'])}; notebook sha256 <code>{e(record['code']['notebook_sha256'][:16])}</code>; "
        f"package source sha256 <code>{e(record['code']['source_sha256'][:16])}</code></li>"
        f"<li>数据包版本 Data package version: {e(str(record['datapackage_version']))}</li>"
        f"<li>参数 Parameters: {params}</li>{built}"
        f"<li>建议引用 Suggested citation: {e(_citation(job, synthetic))}</li></ul>"
        f"<table><tr><th>输入 Input</th><th>行数 Rows read</th><th>sha256 of those rows</th></tr>{rows}</table>"
        "<p>Each hash covers the rows this report can read (its province, periods up to its own), as computed by "
        "<code>sbk.build.slice_hash</code>. Rebuild and compare: <code>sbk verify</code>.</p></details>"
    )


_STRIP_SCRIPTS = [
    re.compile(r'<script src="[^"]*">\s*</script>\s*'),
    re.compile(r'<script type="text/x-mathjax-config">.*?</script>\s*', re.S),
    re.compile(r'<script type="module">.*?</script>\s*', re.S),
]


@lru_cache(maxsize=1)
def _exporter():
    """One exporter per process: building it (templates, filters) costs more than rendering a report."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, embed_images=True, require_js_url="", mathjax_url="",
                        jquery_url="", mermaid_js_url="", widget_renderer_url="", jupyter_widgets_base_url="")


def render_html(nb, title: str) -> str:
    """Self-contained HTML: code hidden, images embedded, no scripts fetched from the network."""
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    for pattern in _STRIP_SCRIPTS:
        body = pattern.sub("", body)
    return with_policy(body.replace('<html>', '<html lang="zh-CN">', 1))


def _clean(nb) -> None:
    """Drop what differs between identical runs: papermill timings and kernel ids."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)


def _built_hash(job: Job, reports: Path) -> str | None:
    """The input hash the report on disk was built from (None when it is missing or its record unreadable)."""
    paths = job.paths(reports)
    if not (paths["json"].exists() and paths["html"].exists()):
        return None
    try:
        return json.loads(paths["json"].read_text(encoding="utf-8")).get("input_hash")
    except json.JSONDecodeError:
        return None


def is_current(job: Job, processed: Path, reports: Path) -> bool:
    """The report exists and was built from exactly the inputs, code and parameters it would use now."""
    built = _built_hash(job, reports)
    return built is not None and built == input_record(job, processed)["input_hash"]


def build_job(job: Job, processed: Path, reports: Path, force: bool = False, kernel: str = "python3",
              warm: "WarmKernel | None" = None) -> str:
    """Build one report; return 'built' or 'current'.

    With ``warm``, the notebook runs on that already-running kernel (reset first); without, on a fresh one.
    """
    import nbformat

    from sbk.analysis.common import is_synthetic

    validate_parameters(job.period, job.province, job.analysis)
    paths = job.paths(reports)
    record = input_record(job, processed)
    if not force and _built_hash(job, reports) == record["input_hash"]:
        return "current"
    synthetic = job.province != NATIONAL and is_synthetic(processed, job.province)
    params = dict(record["parameters"])
    # The notebook runs in notebooks/ with the processed folder given relative to it; when
    # the build reads another folder (a temporary one for verify), pass that instead.
    if processed.resolve() != (REPO / "data" / "processed").resolve():
        params["processed_dir"] = str(processed.resolve())
    from sbk.warm import WarmKernel

    own = warm is None
    if own:
        warm = WarmKernel(kernel, NOTEBOOKS)
    try:
        nb = warm.execute(NOTEBOOKS / f"{job.analysis}.ipynb", params, NOTEBOOKS)
    finally:
        if own:
            warm.shutdown()
    _clean(nb)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.id = "injected-parameters"  # papermill gives it a random id
            cell.source = "\n".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in record["parameters"].items())
    prov = nbformat.v4.new_markdown_cell(provenance_html(job, record, synthetic, _data_date(processed)))
    prov.metadata["tags"] = ["sbk-provenance"]
    prov.id = "sbk-provenance"
    nb.cells.insert(0, prov)
    title = f"{ANALYSES[job.analysis]['title']} — {job.province} {job.period}"
    meta = {**record, "job": asdict(job), "title": title, "synthetic": synthetic, "citation": _citation(job, synthetic)}
    # Everything is rendered before the first write, and the record (json) goes last: a run killed between
    # the writes leaves whole files, each self-contained, and a record that no longer matches, so the next
    # run rebuilds this report.
    outputs = [(paths["ipynb"], (nbformat.writes(nb) + "\n").encode("utf-8")),
               (paths["html"], render_html(nb, title).encode("utf-8")),
               (paths["json"], (json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8"))]
    for target, data in outputs:
        write_atomic(target, data)
    return "built"


_RELATIVE_COST = {"coverage": 5.0, "issuance_trend": 2.6, "bulletin": 2.0, "bank_cooperation": 1.9,
                  "applications": 1.4, "cardholder_db": 1.0}

_worker_kernel: "WarmKernel | None" = None


def _warm_kernel() -> "WarmKernel":
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


def _run_one(args: tuple) -> tuple[Job, str, str]:
    job, processed, reports, source = args  # run_jobs has already decided this report needs building
    mine = _source_hash()
    if mine != source:
        # A long-lived worker (Dask) keeps the sbk it imported when it started; its reports would carry
        # that code's results under a record the run no longer recognises.
        return job, "failed", (f"this worker runs other sbk code than the run (source {mine[:12]}, "
                               f"expected {source[:12]}): restart the Dask workers after changing sbk/ or "
                               "policy_catalog/")
    try:
        return job, build_job(job, Path(processed), Path(reports), force=True, warm=_warm_kernel()), ""
    except Exception as exc:  # one failing report must not stop the others; the CLI reports it
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
    source = _source_hash()
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
    # Longest first (relative costs measured by benchmarks/report_bench.py), so the last jobs of a parallel
    # build are short ones and no worker idles long at the end.
    args.sort(key=lambda a: -_RELATIVE_COST.get(a[0].analysis, 1.0))
    own = executor is None
    if own:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        executor = ProcessPoolExecutor(max_workers=jobs_n, mp_context=mp.get_context("spawn"))
    try:
        from concurrent.futures import as_completed

        futures = [executor.submit(_run_one, a) for a in args]
        for fut in as_completed(futures):
            r = fut.result()
            results.append(r)
            if progress:
                progress(r[0], r[1])
    finally:
        if own:
            executor.shutdown()
    return sorted(results)


def write_index(reports: Path) -> Path:
    """reports/index.html: every report by period, province and analysis, plus the catalog page."""
    e = html.escape
    records = []
    for meta_path in sorted(reports.glob("*/*/*.json")):
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            continue
        if "job" in meta:
            records.append(meta)
    records.sort(key=lambda m: (m["job"]["province"] != NATIONAL, m["job"]["province"], m["job"]["period"], m["job"]["analysis"]))
    rows = []
    for m in records:
        j = m["job"]
        href = f"{j['period']}/{j['province']}/{j['analysis']}.html"
        tag = '<span class="syn">合成示例 synthetic</span>' if m.get("synthetic") else '<span class="real">公开数据 published</span>'
        place = "全国 national" if j["province"] == NATIONAL else j["province"]
        rows.append(f'<tr><td>{e(j["period"])}</td><td>{e(place)}</td><td><a href="{e(href)}">{e(ANALYSES[j["analysis"]]["title"])}</a></td><td>{tag}</td></tr>')
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>sbk 报告索引 · Reports</title>'
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px}.syn{color:#b22222}.real{color:#1f5fa8}</style></head><body>"
        "<h1>社会保障卡报告索引 · Reports</h1>"
        f"<p>sbk {e(__version__)}. <a href=\"catalog.html\">政策文件目录 · Policy catalog</a></p>"
        "<p>Reports marked 合成示例 are built from the synthetic demo province and are not official statistics.</p>"
        "<table><tr><th>期别 Period</th><th>地区 Province</th><th>报告 Report</th><th>数据 Data</th></tr>"
        + "".join(rows) + "</table></body></html>\n"
    )
    target = reports / "index.html"
    write_atomic(target, with_policy(page).encode("utf-8"))
    return target


def verify(reports: Path, processed: Path, only: Iterable[Path] | None = None) -> list[str]:
    """Rebuild each report (or those under ``only``) into a temporary folder; list those that differ."""
    metas = sorted(reports.glob("*/*/*.json"))
    if only:
        prefixes = [Path(p).resolve() for p in only]
        metas = [m for m in metas if any(str(m.resolve()).startswith(str(p).removesuffix(".html")) for p in prefixes)]
    differing: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for meta_path in metas:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if "job" not in meta:
                continue
            job = Job(**meta["job"])
            build_job(job, processed, Path(tmp), force=True)
            fresh = job.paths(Path(tmp))["html"].read_bytes()
            current = job.paths(reports)["html"]
            if not current.exists() or current.read_bytes() != fresh:
                differing.append(str(current))
    return differing


def main_progress(total: int) -> Callable[[Job, str], None]:
    """A progress bar on stderr for multi-report builds."""
    from tqdm import tqdm

    bar = tqdm(total=total, file=sys.stderr, unit="report", disable=total <= 1)

    def step(job: Job, status: str) -> None:
        bar.set_postfix_str(f"{job.period}/{job.province}/{job.analysis}: {status}")
        bar.update(1)
        if bar.n >= total:
            bar.close()

    return step
