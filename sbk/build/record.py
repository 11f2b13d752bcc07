"""The build record of a report: what it was built from (input slices with hashes, code, parameters).

Written beside each report as ``<analysis>.json``; its ``input_hash`` is what makes rebuilds incremental, and
the provenance block at the top of the report and the suggested citation are made from it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sbk import __version__
from sbk.build.planning import Job
from sbk.build.registry import ANALYSES, NATIONAL, NOTEBOOKS, tables_read
from sbk.code_version import source_hash

__all__ = [
    "BuildRecord",
    "CodeVersion",
    "Input",
    "ReportRecord",
    "citation",
    "input_record",
    "is_current",
    "provenance_html",
    "read_record",
    "shown_date",
    "slice_hash",
    "slice_rows",
]


@dataclass(frozen=True)
class Input:
    """The rows of one processed table a report can read, with their number and hash (see ``slice_hash``)."""

    path: str
    rows: int
    sha256: str


@dataclass(frozen=True)
class CodeVersion:
    sbk_version: str
    notebook_sha256: str
    source_sha256: str


@dataclass(frozen=True)
class BuildRecord:
    """Everything a report depends on; two builds with the same ``input_hash`` give the same bytes."""

    inputs: tuple[Input, ...]
    datapackage_version: str | None
    code: CodeVersion
    parameters: dict[str, str]
    input_hash: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        """The record file's text (keys sorted, so the same record is always the same bytes)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class ReportRecord(BuildRecord):
    """A build record as written beside a built report: with the job, its title, synthetic flag and citation."""

    job: Job
    title: str
    synthetic: bool
    citation: str

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReportRecord:
        return cls(inputs=tuple(Input(**i) for i in d["inputs"]), datapackage_version=d["datapackage_version"],
                   code=CodeVersion(**d["code"]), parameters=dict(d["parameters"]), input_hash=d["input_hash"],
                   job=Job(**d["job"]), title=d["title"], synthetic=d["synthetic"], citation=d["citation"])


def read_record(path: Path) -> ReportRecord | None:
    """The record at ``path``; None when it is missing or not a record of this shape (the report is then rebuilt)."""
    try:
        return ReportRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


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


def _slice_mask(processed: Path, table: str, province: str, period: str):
    """(path, per-row digests, column list, mask of the rows a report for (province, period) can read), or None."""
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
    return path, digests, columns, mask


def slice_hash(processed: Path, table: str, province: str, period: str) -> tuple[str, int] | None:
    """sha256 of the rows of ``table`` a report for (province, period) can read, and their number.

    Rows of the province (when the table has one), of periods up to the report's
    (when it has periods). A report is rebuilt when this changes, so new data
    for a later period leaves earlier reports as they are.
    """
    got = _slice_mask(processed, table, province, period)
    if got is None:
        return None
    _, digests, columns, mask = got
    h = hashlib.sha256(columns.encode("utf-8"))
    h.update(digests[mask].tobytes())
    return h.hexdigest(), int(mask.sum())


def slice_rows(processed: Path, table: str, province: str, period: str):
    """The rows ``slice_hash`` hashes, as a DataFrame in the table's order (None when the table is missing)."""
    import pandas as pd

    got = _slice_mask(processed, table, province, period)
    if got is None:
        return None
    path, _, _, mask = got
    return pd.read_parquet(path)[mask].reset_index(drop=True)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def input_record(job: Job, processed: Path) -> BuildRecord:
    """Everything the report depends on, with hashes: the basis of incremental builds and provenance."""
    inputs = []
    for table in tables_read(job.analysis, job.province):
        got = slice_hash(processed, table, job.province, job.period)
        if got:
            inputs.append(Input(path=f"data/processed/{table}.parquet", rows=got[1], sha256=got[0]))
    dp = processed / "datapackage.json"
    dp_version = json.loads(dp.read_text(encoding="utf-8")).get("version") if dp.exists() else None
    params = {"period": job.period, "province": job.province, "processed_dir": "../data/processed"}
    code = CodeVersion(sbk_version=__version__, notebook_sha256=_sha256(NOTEBOOKS / f"{job.analysis}.ipynb"),
                       source_sha256=source_hash())
    key = hashlib.sha256(json.dumps([[asdict(i) for i in inputs], asdict(code), params], sort_keys=True).encode()).hexdigest()
    return BuildRecord(inputs=tuple(inputs), datapackage_version=dp_version, code=code, parameters=params, input_hash=key)


def built_hash(job: Job, reports: Path) -> str | None:
    """The input hash the report on disk was built from (None when it is missing or its record unreadable)."""
    paths = job.paths(reports)
    if not paths["html"].exists():
        return None
    record = read_record(paths["json"])
    return record.input_hash if record else None


def is_current(job: Job, processed: Path, reports: Path) -> bool:
    """The report exists and was built from exactly the inputs, code and parameters it would use now."""
    built = built_hash(job, reports)
    return built is not None and built == input_record(job, processed).input_hash


def shown_date() -> str:
    """A date to show: SOURCE_DATE_EPOCH when set, else none (never the wall clock, so rebuilds are identical)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date().isoformat() if epoch else ""


def citation(job: Job, synthetic: bool) -> str:
    place = "全国" if job.province == NATIONAL else job.province
    label = "（合成示例数据，非官方统计）" if synthetic else ""
    return (f"sbk {__version__}. {ANALYSES[job.analysis].title}{label}, {place}, {job.period}. "
            f"reports/{job.period}/{job.province}/{job.analysis}.html")


def provenance_html(job: Job, record: BuildRecord, synthetic: bool, built_on: str = "") -> str:
    """The block at the top of every report: inputs with hashes, code version, parameters, citation."""
    e = html.escape
    rows = "".join(f"<tr><td><code>{e(i.path)}</code></td><td>{i.rows}</td><td><code>{e(i.sha256)}</code></td></tr>"
                   for i in record.inputs)
    params = ", ".join(f"{e(k)}={e(str(v))}" for k, v in record.parameters.items())
    banner = ""
    if synthetic:
        banner = ('<div class="sbk-synthetic" style="background:#fde8e8;border:2px solid #b22222;padding:8px 12px;'
                  'margin:0 0 12px 0;font-weight:bold;color:#b22222">合成示例数据 · SYNTHETIC DEMO DATA — '
                  + ('本报告“各省报送汇总”部分的各省数字为合成示例，非官方统计，请勿引用；“全国公开数据”部分为真实公开数据。 '
                     'The provinces\' figures are synthetic, not official statistics: do not cite them; the published '
                     'national series is real.</div>' if job.province == NATIONAL else
                     '本报告所用数字为合成示例，非官方统计，请勿引用。 Not official statistics; do not cite the figures.</div>'))
    built = f"<li>日期 Date: {e(built_on)}</li>" if built_on else ""
    return (
        f"{banner}<details class=\"sbk-provenance\"><summary>来源与版本 · Provenance and citation</summary><ul>"
        f"<li>sbk {e(record.code.sbk_version)}; notebook sha256 <code>{e(record.code.notebook_sha256[:16])}</code>; "
        f"package source sha256 <code>{e(record.code.source_sha256[:16])}</code></li>"
        f"<li>数据包版本 Data package version: {e(str(record.datapackage_version))}</li>"
        f"<li>参数 Parameters: {params}</li>{built}"
        f"<li>建议引用 Suggested citation: {e(citation(job, synthetic))}</li></ul>"
        f"<table><tr><th>输入 Input</th><th>行数 Rows read</th><th>sha256 of those rows</th></tr>{rows}</table>"
        "<p>Each hash covers the rows this report can read (its province, periods up to its own), as computed by "
        "<code>sbk.build.slice_hash</code>. Rebuild and compare: <code>sbk verify</code>.</p></details>"
    )
