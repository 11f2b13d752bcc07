"""The ingest pipeline, from data/raw to data/processed: read everything, validate, and write atomically.

Outputs, one Parquet file per table plus ``datapackage.json`` (a Frictionless
Data Package descriptor: each resource's fields with the official labels and
units, the raw files with their sha256, the sources and licence of published
figures). The descriptor is written by hand as JSON rather than through the
``frictionless`` library: it is a small, fixed document and the library would
add a large dependency for no checking we need here.

Guarantees: ``data/raw`` is only read; with any error nothing in the output
folder changes; each file is replaced atomically (temporary file, then rename)
and only when its bytes change; the same inputs give byte-identical files; an
unchanged input set is recognised from its fingerprint and skipped.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa_arrow
import pyarrow.parquet as pq

from sbk import __version__
from sbk.atomic import write_atomic
from sbk.code_version import source_hash
from sbk.errors import ignore_sigint
from sbk.findings import ERROR, WARNING, Finding, has_errors, rule
from sbk.forms import LAYOUTS, TABLES, Kind, column_labels
from sbk.locking import output_lock
from sbk.published import read_published
from sbk.validate import TABLE_COLUMNS, assemble
from sbk.workbooks import SheetData, discover, file_sha256, read_workbook

__all__ = ["IngestResult", "ingest", "fingerprint", "SORT_KEYS"]

SORT_KEYS = {
    **{layout.table: layout.sort_key for layout in LAYOUTS.values()},
    "filings": ["form", "period", "province_code", "source_file", "source_sheet"],
    "published_figures": ["date", "measure", "scope", "source_url"],
    "population": ["year_end"],
    "plan_targets": ["target_year", "measure", "document"],
    "region_population": ["province_code", "region_code"],
    "targets": ["region_code", "year", "kind"],
    "receipts": ["province", "form", "period"],
    "findings": ["path", "sheet", "cell", "rule", "message"],
}
_TITLES = {
    "monthly_issuance": "社会保障卡发行情况月调度表 (monthly issuance)",
    "quarterly_work": "社会保障卡工作情况季调度表（一） (holders by group, terminals, services, channels)",
    "quarterly_application": "社会保障卡工作情况季调度表（二） (application catalog rollout)",
    "quarterly_cardholder_db": "社会保障卡工作情况季调度表（三） (cardholder database progress)",
    "quarterly_bank": "社会保障卡工作情况季调度表（四） (cards with financial function by bank)",
    "filings": "报送记录 (one row per filed form)",
    "published_figures": "已公布数据 (published national figures, with sources)",
    "population": "年末总人口 (year-end population, with sources)",
    "plan_targets": "规划目标 (plan targets and the documents that set them)",
    "region_population": "地区人口 (population by region; the demo's is synthetic)",
    "targets": "目标任务 (annual targets by region)",
    "receipts": "收文记录 (when each filing was received)",
    "findings": "校验发现 (validation warnings of the last ingest; for the filing-quality bulletin)",
}


UNKNOWN_CSV = rule("read.unknown_csv", "未识别的 CSV", WARNING, "file")
TIDY_CSV = rule("read.tidy_csv", "整理格式 CSV", WARNING, "file")
NO_INPUT = rule("read.no_input", "输入", ERROR, "file")


@dataclass
class IngestResult:
    findings: list[Finding] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)  # tables of an earlier set the new one does not have
    up_to_date: bool = False
    files: int = 0
    sheets: int = 0

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def fingerprint(files: dict[str, str]) -> str:
    h = hashlib.sha256(source_hash().encode())  # a change of rules or bank names means a re-run
    for name in sorted(files):
        h.update(f"{name}\0{files[name]}\n".encode())
    return h.hexdigest()


def _tidy_csv(path: Path, shown: str) -> tuple[str | None, pd.DataFrame]:
    """A CSV already in a tidy table's layout (its columns include the table's)."""
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception:
        return None, pd.DataFrame()
    for table in TABLES:
        if table == "filings":
            continue
        required = [c for c in TABLE_COLUMNS[table] if not c.startswith("source_")]
        if set(required) <= set(df.columns):
            df = df.assign(source_file=shown, source_sheet="", source_row=range(2, len(df) + 2))
            return table, df
    return None, pd.DataFrame()


def _read_one(args: tuple[Path, str]) -> tuple[list[SheetData], list[Finding]]:
    return read_workbook(*args)


def _read_workbooks(workbooks: list[tuple[Path, str]], jobs: int | None) -> list[tuple[list[SheetData], list[Finding]]]:
    """Read workbooks, in parallel processes when there are many (each file is independent)."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs <= 1 or len(workbooks) < 64:
        return [_read_one(w) for w in workbooks]
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: forking a process that has already imported pandas/pyarrow threads can hang.
    with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("spawn"), initializer=ignore_sigint) as pool:
        return list(pool.map(_read_one, workbooks, chunksize=32))


def read_all(raw_dir: Path, shas: dict[str, str] | None = None, jobs: int | None = None
             ) -> tuple[list[SheetData], dict[str, pd.DataFrame], dict[str, str], list[Finding], int]:
    """Read every file under ``raw_dir``: (sheets, extra tables, sha256 by path, findings, file count)."""
    sheets: list[SheetData] = []
    extra: dict[str, list[pd.DataFrame]] = {}
    shas = dict(shas or {})
    findings: list[Finding] = []
    workbooks: list[tuple[Path, str]] = []
    files = discover(raw_dir)
    for path in files:
        shown = _shown(path)
        if shown not in shas:
            shas[shown] = file_sha256(path)
        if path.suffix.lower() == ".csv":
            kind, df, fs = read_published(path, shown)
            findings.extend(fs)
            if kind is None:
                kind, df = _tidy_csv(path, shown)
                if kind is None:
                    findings.append(UNKNOWN_CSV.finding(shown, "", "",
                                                        "列名既不是已公布数据也不是整理后的调度表，已跳过"))
                    continue
                findings.append(TIDY_CSV.finding(shown, "", "",
                                                 f"按 {kind} 表读取（未经原表格式的单元格校验）"))
            extra.setdefault(kind, []).append(df)
            continue
        workbooks.append((path, shown))
    for got, fs in _read_workbooks(workbooks, jobs):
        sheets.extend(got)
        findings.extend(fs)
    joined = {k: pd.concat(v, ignore_index=True) for k, v in extra.items()}
    return sheets, joined, shas, findings, len(files)


def _parquet_bytes(df: pd.DataFrame) -> bytes:
    table = pa_arrow.Table.from_pandas(df, preserve_index=False)
    # pandas metadata records library versions only: stable for a given environment.
    sink = pa_arrow.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


# Counts are validated as numbers (so that 12.5 gets the form's own message)
# and stored as nullable integers; figures and rates as floats.
_FIELDS = [f for t in TABLES.values() for f in t.fields]
_INTEGER_COLUMNS = tuple(dict.fromkeys([*(f.name for f in _FIELDS if f.kind.integer), "source_row"]))
_FLOAT_COLUMNS = tuple(dict.fromkeys(f.name for f in _FIELDS if f.kind in (Kind.FIGURE_10K, Kind.PERCENT)))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for col in _INTEGER_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce").round().astype("Int64")
    for col in _FLOAT_COLUMNS:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


def _sorted(table: str, df: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in SORT_KEYS.get(table, []) if k in df.columns]
    if "source_row" in df.columns:
        keys.append("source_row")
    return df.sort_values(keys, kind="stable").reset_index(drop=True) if keys and len(df) else df.reset_index(drop=True)


def _field_type(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "boolean"
    if pd.api.types.is_integer_dtype(series):
        return "integer"
    if pd.api.types.is_float_dtype(series):
        return "number"
    if len(series) and series.map(lambda v: isinstance(v, (list, tuple))).any():
        return "array"
    return "string"


def _datapackage(tables: dict[str, pd.DataFrame], shas: dict[str, str], synthetic_files: set[str], fp: str) -> dict:
    resources = []
    for name in sorted(tables):
        df = tables[name]
        labels = column_labels(name) if name in TABLES else {}
        fields = []
        for col in df.columns:
            meta = labels.get(col, {})
            f = {"name": col, "type": _field_type(df[col])}
            if meta.get("label"):
                f["title"] = meta["label"]
            if meta.get("unit"):
                f["unit"] = meta["unit"]
            fields.append(f)
        resources.append({
            "name": name, "path": f"{name}.parquet", "format": "parquet", "title": _TITLES.get(name, name),
            "rows": int(len(df)), "schema": {"fields": fields},
        })
    any_synthetic = bool(synthetic_files)
    return {
        "name": "sbk-processed",
        "title": "社会保障卡调度数据（整理后） · Social security card dispatch data, processed",
        "version": __version__,
        "fingerprint": fp,
        "synthetic": any_synthetic,
        "description": (
            "Tables built by `sbk ingest` from data/raw. "
            + ("Contains 合成示例数据 (synthetic demo data, NOT official statistics) from the files listed "
               "with synthetic=true. " if any_synthetic else "")
            + "Published figures are real and carry their sources row by row."
        ),
        "resources": resources,
        "sources": [
            {"path": p, "sha256": shas[p], "synthetic": p in synthetic_files} for p in sorted(shas)
        ],
        "licenses": [{
            "name": "published-figures-attribution",
            "title": "Published figures are facts quoted from the public sources named in each row "
                     "(source, source_url, quote); cite those sources.",
        }],
    }


_STAGING = ".staging"
_COMMIT = "COMMIT"
# The COMMIT marker's first line. A marker with it lists the complete new set (so files of the old set not in
# it are removed by the roll-forward); a marker without it (written by an older sbk) lists changed files only.
_COMMIT_HEADER = "sbk-commit complete-set"


def _owned(out_dir: Path) -> set[str]:
    """The files in the output folder the pipeline writes, and so may remove: its tables and the descriptor.

    Anything else there (a user's notes, the lock file, hidden files) is never touched.
    """
    return {p.name for p in out_dir.iterdir()
            if p.is_file() and (p.suffix == ".parquet" or p.name == "datapackage.json") and not p.name.startswith(".")}


def _recover(out_dir: Path) -> None:
    """Finish or discard a write that was interrupted.

    A staging folder with its COMMIT marker holds a complete new set: roll it
    forward (move the staged files into place, then remove the tables of the
    old set the new one does not have). Without the marker the new set was
    never complete: discard it, leaving the previous outputs as they were.
    Every step can be repeated, so a roll-forward killed half-way is finished
    by the next run.
    """
    staging = out_dir / _STAGING
    if not staging.is_dir():
        return
    marker = staging / _COMMIT
    if marker.exists():
        lines = marker.read_text(encoding="utf-8").splitlines()
        for f in sorted(staging.iterdir()):
            if f.name != _COMMIT:
                os.replace(f, out_dir / f.name)
        if lines and lines[0] == _COMMIT_HEADER:
            for name in sorted(_owned(out_dir) - set(lines[1:])):
                (out_dir / name).unlink(missing_ok=True)
        marker.unlink()
    shutil.rmtree(staging, ignore_errors=True)


def _commit(out_dir: Path, files: dict[Path, bytes], complete: set[str]) -> None:
    """Write every changed file to a staging folder, mark it complete, then move the files into place.

    ``complete`` names every file of the new set (changed or not); tables of an earlier set that are not in it
    are removed in the same roll-forward, so the folder ends holding exactly the new set.
    Killed (or out of disk space) before the marker: the previous outputs stand. Killed after it: the
    next run (or any ingest) rolls the complete new set forward first.
    """
    if not files and _owned(out_dir) <= complete:
        return
    staging = out_dir / _STAGING
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        for target, data in files.items():
            write_atomic(staging / target.name, data)
        write_atomic(staging / _COMMIT, "\n".join([_COMMIT_HEADER, *sorted(complete)]).encode("utf-8"))
    except BaseException:
        # A failed write (a full disk) or Ctrl-C before the marker: free the space now; the old set stands.
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _recover(out_dir)


def ingest(raw_dir: str | Path, out_dir: str | Path, write: bool = True, jobs: int | None = None,
           on_wait: Callable[[str], None] | None = None) -> IngestResult:
    """Read, validate and (unless ``write`` is False or there are errors) write the processed tables.

    Writing holds the output folder's lock (``sbk.locking``) from the up-to-date check to the commit, so a
    second ingest into the same folder waits (``on_wait`` is told once) and the two never mix.
    """
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    if not write:
        return _ingest(raw_dir, out_dir, write, jobs)
    if not raw_dir.exists():  # nothing to write: no need to create or lock the output folder
        return _ingest(raw_dir, out_dir, write, jobs)
    with output_lock(out_dir, "sbk ingest", on_wait):
        return _ingest(raw_dir, out_dir, write, jobs)


def _up_to_date(out_dir: Path, fp: str) -> bool:
    """The folder holds exactly the set an ingest of these inputs (fingerprint ``fp``) wrote."""
    try:
        old = json.loads((out_dir / "datapackage.json").read_text(encoding="utf-8"))
        paths = {r["path"] for r in old.get("resources", [])}
    except (OSError, json.JSONDecodeError, KeyError, TypeError, AttributeError):
        return False
    return old.get("fingerprint") == fp and _owned(out_dir) == paths | {"datapackage.json"}


def _all_folders_readable(raw_dir: Path) -> None:
    """Raise PermissionError for a folder under ``raw_dir`` that cannot be listed.

    Walking a folder tree skips such a folder silently, and an ingest would then write a set without its files
    as if they had never been filed; the CLI turns the error into one line naming the folder.
    """
    def fail(error: OSError) -> None:
        raise error

    if raw_dir.is_dir():  # a single file is read (or refused) as it is
        for _ in os.walk(raw_dir, onerror=fail):
            pass


def _ingest(raw_dir: Path, out_dir: Path, write: bool, jobs: int | None) -> IngestResult:
    result = IngestResult()
    if not raw_dir.exists():
        result.findings.append(NO_INPUT.finding(raw_dir.as_posix(), "", "", "目录或文件不存在"))
        return result
    _all_folders_readable(raw_dir)
    files = discover(raw_dir)
    shas = {_shown(p): file_sha256(p) for p in files}
    fp = fingerprint(shas)
    descriptor = out_dir / "datapackage.json"
    if write:
        _recover(out_dir)
    if write and _up_to_date(out_dir, fp):
        result.up_to_date = True
        result.files = len(files)
        return result
    sheets, extra, shas, findings, nfiles = read_all(raw_dir, shas, jobs)
    result.files, result.sheets = nfiles, len(sheets)
    tables, fs = assemble(sheets, shas)
    result.findings = findings + fs
    tables.update(extra)
    if not write or has_errors(result.findings):
        return result
    tables["findings"] = pd.DataFrame([f.to_dict() for f in sorted(set(result.findings))],
                                      columns=["path", "sheet", "cell", "severity", "rule", "message", "line", "code"])
    out_dir.mkdir(parents=True, exist_ok=True)
    synthetic_files = {s.path for s in sheets if s.synthetic} | {p for p in shas if "synthetic" in Path(p).name}
    new: dict[Path, bytes] = {}
    for name, df in sorted(tables.items()):
        df = _sorted(name, _typed(df))
        tables[name] = df
        new[out_dir / f"{name}.parquet"] = _parquet_bytes(df)
    text = json.dumps(_datapackage(tables, shas, synthetic_files, fp), ensure_ascii=False, indent=2) + "\n"
    new[descriptor] = text.encode("utf-8")
    for target, data in new.items():
        (result.unchanged if target.exists() and target.read_bytes() == data else result.written).append(target)
    complete = {t.name for t in new}
    result.removed = [out_dir / name for name in sorted(_owned(out_dir) - complete)]
    _commit(out_dir, {t: d for t, d in new.items() if t in result.written}, complete)
    return result
