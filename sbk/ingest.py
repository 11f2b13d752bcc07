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

import csv
import hashlib
import io
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sbk import __version__
from sbk.atomic import write_atomic
from sbk.calendar import PeriodError, parse_period
from sbk.cleaning import normalise_text
from sbk.code_version import source_hash
from sbk.errors import sigint_held, worker_initializer
from sbk.findings import ERROR, WARNING, Finding, has_errors, rule
from sbk.forms import LAYOUTS, Kind, Layout
from sbk.privacy import mask, personal_findings_in_csv
from sbk.regions import load_tables
from sbk.workbooks import (  # the reader's own cell steps (_…): a tidy CSV's cells are read as a workbook's are
    COLUMNS_MISSING,
    LIMITS,
    RESAVE_SUFFIXES,
    TOO_LARGE,
    UNSUPPORTED_FILE,
    WORKBOOK_SUFFIXES,
    Discovery,
    SheetData,
    _fill_codes,
    _letter,
    _normalise_banks,
    _parse_row,
    discover,
    file_sha256,
    read_batch,
    read_csv_form,
    total_label,
)

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from sbk.validate import Assembly

# pandas, pyarrow, pandera (the rules, the validation) and the published-figures reader are imported by the
# functions that use them: a re-run that finds everything up to date, as a person waits for it, needs none of them.

__all__ = ["SORT_KEYS", "IngestResult", "fingerprint", "ingest"]

SORT_KEYS = {
    **{layout.table: layout.sort_key for layout in LAYOUTS.values()},
    "filings": ["form", "period", "province_code", "source_file", "source_sheet"],
    "published_figures": ["date", "measure", "scope", "source_url"],
    "population": ["year_end"],
    "plan_targets": ["target_year", "measure", "document"],
    "region_population": ["province_code", "region_code"],
    "province_population": ["province_code", "year_end"],
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
    "province_population": "各省年末人口 (year-end population by province; the demo's is synthetic)",
    "targets": "目标任务 (annual targets by region)",
    "receipts": "收文记录 (when each filing was received)",
    "findings": "校验发现 (validation warnings of the last ingest; for the filing-quality bulletin)",
}


UNKNOWN_CSV = rule("read.unknown_csv", "未识别的 CSV", WARNING, "file")
TIDY_CSV = rule("read.tidy_csv", "整理格式 CSV", WARNING, "file")
CSV_ENCODING = rule("read.csv_encoding", "文件编码", ERROR, "file")
TIDY_TOTAL_ROW = rule("read.tidy_total_row", "合计行", ERROR, "file")
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
    rows: int = 0  # rows of the forms' tables
    # Seconds by phase: read, privacy and clean summed over the worker processes; the rest as the main one waits.
    phases: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not has_errors(self.findings)


_READ_SUFFIXES = (".csv", *WORKBOOK_SUFFIXES, *RESAVE_SUFFIXES)  # the rest is named in a finding, not read


def fingerprint(files: dict[str, str]) -> str:
    h = hashlib.sha256(source_hash().encode())  # a change of rules or bank names means a re-run
    for name in sorted(files):
        h.update(f"{name}\0{files[name]}\n".encode())
    return h.hexdigest()


def _decode_csv(path: Path, shown: str) -> tuple[pd.DataFrame | None, list[Finding]]:
    """A CSV's cells as text: UTF-8 (with or without BOM, as Excel and WPS save it), else GB18030 (Chinese Excel's
    "CSV" on Windows). GB18030 decodes almost any byte sequence, so it is tried last; what neither decodes is a finding.
    """
    import pandas as pd

    from sbk.published import UNREADABLE_CSV

    try:
        size = path.stat().st_size
        if size > LIMITS["file_bytes"]:
            return None, [TOO_LARGE.finding(shown, "", "", f"{size} 字节，超过上限 {LIMITS['file_bytes']}：请按省份或期别拆分")]
        data = path.read_bytes()
    except OSError as exc:
        return None, [UNREADABLE_CSV.finding(shown, "", "", f"无法打开文件（{type(exc).__name__}）：请检查文件权限")]
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return None, [CSV_ENCODING.finding(shown, "", "", "既不是 UTF-8 也不是 GB18030 编码："
                                                          "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”后重新放入")]
    # The csv module rather than pandas: pandas takes a row with one field too many as an index column and
    # shifts every cell silently; here such a row is a finding naming it.
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return None, [UNREADABLE_CSV.finding(shown, "", "", f"无法按 CSV 读取（{exc}）：请检查逗号和引号")]
    while rows and not any(v.strip() for v in rows[-1]):
        rows.pop()
    if not rows:
        return None, [UNREADABLE_CSV.finding(shown, "", "", "文件为空：没有表头行")]
    header = [normalise_text(c) for c in rows[0]]
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        return None, [UNREADABLE_CSV.finding(shown, "", "1", f"表头中的列名 {'、'.join(repr(c) for c in repeated)} "
                                             "重复或为空：每列应有一个不同的列名")]
    long = [n for n, r in enumerate(rows[1:], start=2) if len(r) > len(header) and any(v.strip() for v in r[len(header):])]
    if long:
        where = "、".join(map(str, long[:5])) + ("…" if len(long) > 5 else "")
        return None, [UNREADABLE_CSV.finding(shown, "", str(long[0]), f"第 {where} 行的字段比表头多（表头 {len(header)} 列）："
                                             "请检查多余的逗号，含逗号的内容应加引号")]
    body = [(r + [""] * len(header))[:len(header)] for r in rows[1:]]
    return pd.DataFrame(body, columns=header, dtype=str), []


# A tidy CSV is a processed table as a spreadsheet: its columns by name. The columns a form's reader derives
# from one cell (其他 notes) may be left out; provenance columns of an exported table are replaced by the CSV's own.
_PROVENANCE_COLUMNS = ("source_file", "source_sheet", "source_row")


def _required(layout: Layout) -> list[str]:
    notes = {f.note for f in layout.fields if f.note}
    return ["period", "province_code", *(f.name for f in layout.stored_fields if f.name not in notes)]


def _tidy_layout(columns: list[str]) -> tuple[Layout | None, list[str]]:
    """The form whose tidy table these columns are, and the columns it still lacks ([] when all are there)."""
    cols = set(columns)
    best: tuple[int, Layout, list[str]] | None = None
    for layout in LAYOUTS.values():
        required = _required(layout)
        missing = [c for c in required if c not in cols]
        if not missing:
            return layout, []
        # Near misses: a table's keys and at least one of its own figures — a CSV meant as this table.
        overlap = len(set(required) & cols) - 2
        if {"period", "province_code"} <= cols and overlap >= 1 and (best is None or overlap > best[0]):
            best = (overlap, layout, missing)
    return (best[1], best[2]) if best else (None, [])


def _clean_tidy(value: str, kind: Kind) -> str:
    """A list exported from a table reads "[1, 2, 9]" or "['长沙市', '株洲市']"; a code written as a number "430100.0"."""
    text = value.strip()
    if kind.is_list and text.startswith("[") and text.endswith("]"):
        text = re.sub(r"['\"]", "", text[1:-1])
    if kind is Kind.CODE and re.fullmatch(r"\d{6}\.0+", text):
        text = text.split(".")[0]
    return text


def _tidy_csv(df: pd.DataFrame, layout: Layout, shown: str) -> tuple[list[SheetData], list[Finding]]:
    """A tidy CSV's rows as filings, one per (period, province), read cell by cell as a workbook's rows are.

    The header is row 1, so a finding names the cell as a spreadsheet shows it (C5). A row whose period or
    province cannot be read is a finding and joins no filing.
    """
    import pandas as pd

    from sbk.forms.rules import PERIOD_MONTHLY, PERIOD_QUARTERLY, PROVINCE
    from sbk.validate import TidySheet

    findings: list[Finding] = []
    letters = {c: _letter(i) for i, c in enumerate(df.columns)}
    notes = {f.note: f for f in layout.fields if f.note}
    own = [f.name for f in layout.stored_fields if f.name in df.columns and f.name not in notes]
    ignored = [c for c in df.columns if c not in (*_required(layout), *notes, *_PROVENANCE_COLUMNS)]
    if ignored:
        findings.append(TIDY_CSV.finding(shown, "", "1", f"列 {'、'.join(ignored)} 不属于 {layout.table} 表，已忽略"))
    period_rule = PERIOD_MONTHLY if layout.kind == "monthly" else PERIOD_QUARTERLY
    groups: dict[tuple[str, str], list[dict]] = {}
    for excel_row, row in enumerate(df.to_dict("records"), start=2):
        if not any(str(v).strip() for v in row.values()):
            continue  # a blank line, as spreadsheets leave at the end
        period = normalise_text(row["period"])
        province = _clean_tidy(normalise_text(row["province_code"]), Kind.CODE)
        try:
            if parse_period(period).kind != layout.kind:
                raise PeriodError(f"{layout.title}的期别应为{'YYYY-MM' if layout.kind == 'monthly' else 'YYYYQn'}")
        except PeriodError as exc:
            findings.append(period_rule.finding(shown, "", f"{letters['period']}{excel_row}",
                                                f"期别 “{period}” 无法读取：{exc}；本行未读入"))
            continue
        if not province:
            findings.append(PROVINCE.finding(shown, "", f"{letters['province_code']}{excel_row}",
                                             "填报单位（province_code）未填写；本行未读入"))
            continue
        label = next((f for f in ("region_name", "bank_name") if f in own), None)
        code = _clean_tidy(normalise_text(row.get("region_code", "")), Kind.CODE)
        # The reader's own test of a total row (合计, 全省（合计）, the province's name, its code without 省本级): a tidy
        # table has no total, so such a row would count the province twice.
        as_total = total_label(normalise_text(row[label]), code, period) if label else None
        if label and as_total:
            column = "region_code" if as_total.kind in ("province_code", "code_conflict") else label
            what = (f"行政区划代码 {code} 是省级代码，但地区{'未填写' if not as_total.written else f'写作“{as_total.written}”'}："
                    "是合计行还是省本级无法确定" if column == "region_code"
                    else f"“{as_total.written}” 像是合计行")
            findings.append(TIDY_TOTAL_ROW.finding(
                shown, "", f"{letters[column]}{excel_row}",
                f"{what}：整理格式的表只有各地区（银行）的行，合计由各行相加；请删除合计行，省本级的数据请写“省本级”；本行未读入"))
            continue
        cell = {name: f"{letters[name]}{excel_row}" for name in own}
        raw = {name: _clean_tidy(str(row[name]), layout.by_name[name].kind) for name in own}
        rec, fs = _parse_row(layout, raw, cell, shown, "")
        findings.extend(fs)
        for note in notes:
            # A note column of its own wins over what the reader splits from the figure's cell.
            if note in df.columns and str(row[note]).strip():
                rec[note] = str(row[note]).strip()
        rec["source_row"] = excel_row
        groups.setdefault((period, province), []).append(rec)
    sheets: list[SheetData] = []
    synthetic = "synthetic" in shown.lower() or "合成" in shown
    for (period, province), records in sorted(groups.items()):
        rows = pd.DataFrame(records)
        if "region_code" in rows.columns:
            rows = _fill_codes(rows, province, period, shown, "", letters, findings)
        if "bank_name" in rows.columns:
            rows = _normalise_banks(rows, shown, "", letters, findings)
        rows.insert(0, "period", period)
        rows.insert(1, "province_code", province)
        rows["source_file"] = shown
        rows["source_sheet"] = ""
        sheets.append(TidySheet.from_frame(rows, shown, "", layout.form, period, province, letters, synthetic=synthetic))
    return sheets, findings


def _read_csv(path: Path, shown: str) -> tuple[list[SheetData], str | None, pd.DataFrame, list[Finding]]:
    """One CSV under the raw folder: (filings of a form table, reference table name, its frame, findings).

    ``read_all`` has already checked every cell for personal data (``sbk.privacy.personal_findings_in_csv``).
    """
    import pandas as pd

    from sbk.published import kind_of, read_published
    from sbk.validate import validate_reference

    df, findings = _decode_csv(path, shown)
    if df is None:
        return [], None, pd.DataFrame(), findings
    kind = kind_of(list(df.columns))
    if kind is not None:
        schema = validate_reference(kind, df, shown)
        kind, frame, fs = read_published(path, shown, frame=df)
        return [], kind, frame, schema + fs
    layout, missing = _tidy_layout(list(df.columns))
    if layout is not None and missing:
        return [], None, pd.DataFrame(), [COLUMNS_MISSING.finding(
            shown, "", "1", f"像是 {layout.table} 表（{layout.title}），但缺少列 {'、'.join(missing)}：本文件未读入")]
    if layout is None:
        return [], None, pd.DataFrame(), [UNKNOWN_CSV.finding(
            shown, "", "", "列名既不是已公布数据、目标、收文记录，也不是整理后的调度表，已跳过")]
    sheets, fs = _tidy_csv(df, layout, shown)
    return sheets, None, pd.DataFrame(), fs


def start_method() -> str:
    """How the reading workers start: forked from this process when that is safe, else spawned.

    A forked worker has the reader's modules already imported (a spawned one starts Python and imports them again:
    ~0.15 s of CPU a worker). Forking is safe only while this process runs a single thread and has not imported
    pyarrow (whose thread pools a fork can leave locked, hanging the child): so on Linux, before the checks' imports,
    as ``sbk ingest`` and ``sbk validate`` start their workers; anywhere else (a notebook, a test that imported
    pandas), spawn."""
    import multiprocessing as mp
    import threading

    safe = (sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods()
            and threading.active_count() == 1 and "pyarrow" not in sys.modules)
    return "fork" if safe else "spawn"


_Batch = list[tuple[list[SheetData], list[Finding]]]  # each workbook's forms and findings, in order


def _read_workbooks(workbooks: list[tuple[Path, str]], jobs: int | None, timings: dict[str, float],
                    meanwhile: Callable[[], None], collect: Callable[[_Batch, dict[str, str]], None]) -> None:
    """Read workbooks, in parallel processes when there are many (each file is independent).

    ``meanwhile`` runs in this process while the workers read (the CSVs, the imports the checks need); ``collect``
    is given each batch of workbooks read, in order, as it comes, with the SHA-256 of each file read (and may check
    them while the workers read on)."""
    jobs = jobs if jobs is not None else (os.cpu_count() or 1)
    if jobs <= 1 or len(workbooks) < 64:
        meanwhile()
        got, spent, digests = read_batch(workbooks)
        _add_timings(timings, spent)
        collect(got, digests)
    else:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        size = 32
        chunks = [workbooks[i:i + size] for i in range(0, len(workbooks), size)]
        method = start_method()
        if method == "fork":
            load_tables()  # the code tables, loaded once here and shared with the forked workers (sbk.regions)
        with ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context(method),
                                 initializer=worker_initializer, initargs=(os.getpid(),)) as pool:
            with sigint_held():  # the workers start here (sbk.errors)
                pending = pool.map(read_batch, chunks)  # every batch handed out now; answers collected below
            try:
                meanwhile()
                for got, spent, digests in pending:
                    _add_timings(timings, spent)
                    collect(got, digests)
            except BaseException:
                # Ctrl-C (or an error) while this process does other work: the batches not yet started are dropped
                # and the workers' current ones awaited, not the reading of every file (the pool's own exit would wait
                # for all of them). One call that waits: a second shutdown call would clear the cancelling before the
                # pool's thread has acted on it.
                pool.shutdown(wait=True, cancel_futures=True)
                raise


def _add_timings(timings: dict[str, float], spent: dict[str, float]) -> None:
    for step, seconds in spent.items():
        timings[step] = timings.get(step, 0.0) + seconds


def read_all(raw_dir: Path, shas: dict[str, str] | None = None, jobs: int | None = None,
             timings: dict[str, float] | None = None, found: Discovery | None = None,
             meanwhile: Callable[[], None] = lambda: None,
             arrived: Callable[[list[SheetData], dict[str, str], dict[str, pd.DataFrame], tuple[int, int]], None]
             | None = None
             ) -> tuple[list[SheetData], dict[str, pd.DataFrame], dict[str, str], list[Finding], int]:
    """Read every file under ``raw_dir``: (sheets, extra tables, sha256 by path, findings, file count).

    ``timings``, when given, has the seconds the workers spent on each step of reading added to it.
    ``meanwhile`` runs while the workers read, after the files that are not workbooks have been read.
    ``arrived``, when given, is told of the sheets as they come, in order (the CSVs' first), with every file's sha256
    and the extra tables (both complete by then), and (workbooks read, workbooks in all): ``sbk.validate.Assembly``
    checks them while the workers read on.

    Every file found is read or named in a finding. A CSV is tried, in this order, as an official-layout form
    (a form title in its first rows), as published figures, as a tidy table; otherwise it is named.
    """
    sheets: list[SheetData] = []
    extra: dict[str, list[pd.DataFrame]] = {}
    shas = dict(shas or {})
    found = found if found is not None else discover(raw_dir)  # ingest's own walk, when it has made one
    findings: list[Finding] = list(found.findings)
    workbooks: list[tuple[Path, str]] = []
    others: list[tuple[Path, str]] = []  # every other file, in order: read here while the workers read the workbooks
    unhashed: list[tuple[Path, str]] = []  # CSVs, hashed here too while the workers read (a workbook is hashed by its reader)
    for path in found.files:
        shown = found.names[path]
        suffix = path.suffix.lower()
        if suffix == ".md":
            continue  # notes beside the data (README.md, search logs): documentation, read by people only
        if suffix in _READ_SUFFIXES and suffix != ".csv":
            workbooks.append((path, shown))
        else:
            others.append((path, shown))
            if suffix == ".csv" and shown not in shas:
                unhashed.append((path, shown))

    def read_others() -> None:
        for path, shown in unhashed:
            shas[shown] = file_sha256(path)
        for path, shown in others:
            if path.suffix.lower() != ".csv":
                findings.append(UNSUPPORTED_FILE.finding(mask(shown), "", "", "不是调度表工作簿或 CSV，未读取"
                                                         "（可读取 .xlsx .xlsm .xlsb .xls .ods .csv）"))
                continue
            personal = personal_findings_in_csv(path, shown)
            if personal:
                # Checked before the CSV is parsed as a form, published, tidy or receipts: a personal number refuses it.
                findings.extend(personal)
                continue
            # An official-layout CSV (a form title in its first rows) is read as a one-sheet workbook; then
            # published or reference tables; then tidy CSVs, which add filings next to the workbooks' (validated,
            # deduplicated and checked across periods with them in ``assemble``).
            form = read_csv_form(path, shown)
            if form is not None:
                sheets.extend(form[0])
                findings.extend(form[1])
                continue
            got, kind, df, fs = _read_csv(path, shown)
            sheets.extend(got)
            findings.extend(fs)
            if kind is not None:
                extra.setdefault(kind, []).append(df)
        meanwhile()

    joined: dict[str, pd.DataFrame] | None = None

    def tables() -> dict[str, pd.DataFrame]:
        nonlocal joined
        if joined is None:
            import pandas as pd

            joined = {k: pd.concat(v, ignore_index=True) for k, v in extra.items()}
        return joined

    told = read = 0

    def collect(batch: _Batch, digests: dict[str, str]) -> None:
        nonlocal told, read
        for got, fs in batch:
            sheets.extend(got)
            findings.extend(fs)
        for shown, sha in digests.items():
            shas.setdefault(shown, sha)  # hashed before the reading (the fingerprint's): kept
        read += len(batch)
        if arrived is not None:
            arrived(sheets[told:], shas, tables(), (read, len(workbooks)))
            told = len(sheets)

    from sbk.bulk import collector_paused

    with collector_paused():  # the workers' records, received (sbk.bulk)
        _read_workbooks(workbooks, jobs, timings if timings is not None else {}, read_others, collect)
    for path, shown in workbooks:
        if shown not in shas:  # refused before it was read (its name, its size): hashed as it is
            shas[shown] = file_sha256(path)
    return sheets, tables(), shas, findings, len(found.files)


def _parquet_bytes(table: pa.Table) -> bytes:
    """A stored table's Parquet file (``sbk.storage.to_arrow`` made ``table``)."""
    import pyarrow as pa_arrow
    import pyarrow.parquet as pq

    # pandas metadata records library versions only: stable for a given environment.
    sink = pa_arrow.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


@cache
def _typed_columns() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(integer columns, float columns). Counts are validated as numbers (so that 12.5 gets the form's own
    message) and stored as nullable integers; figures and rates as floats."""
    from sbk.forms import TABLES

    fields = [f for t in TABLES.values() for f in t.fields]
    return (tuple(dict.fromkeys([*(f.name for f in fields if f.kind.integer), "source_row"])),
            tuple(dict.fromkeys(f.name for f in fields if f.kind in (Kind.FIGURE_10K, Kind.PERCENT))))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    integers, floats = _typed_columns()
    df = df.copy()
    for col in integers:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce").round().astype("Int64")
    for col in floats:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    return df


def _sorted(table: str, df: pd.DataFrame) -> pd.DataFrame:
    keys = [k for k in SORT_KEYS.get(table, []) if k in df.columns]
    if "source_row" in df.columns:
        keys.append("source_row")
    return df.sort_values(keys, kind="stable").reset_index(drop=True) if keys and len(df) else df.reset_index(drop=True)


def _source_title(path: str, synthetic: bool) -> str:
    """A source's title: what the file is, and 合成示例数据 when it is synthetic."""
    name = path.rpartition("/")[2]  # a shown path: POSIX separators
    if synthetic:
        return f"合成示例数据（非官方统计） synthetic demo file: {name}"
    if "/published/" in f"/{path}":
        return f"已公布数据及其来源 published figures with sources: {name}"
    return f"报送文件 filed file: {name}"


def _datapackage(tables: dict[str, pd.DataFrame], schemas: dict[str, pa.Schema], shas: dict[str, str],
                 synthetic_files: set[str], fp: str) -> dict:
    from sbk.forms import TABLES, column_labels
    from sbk.storage import field_type

    resources = []
    for name in sorted(tables):
        df = tables[name]
        labels = column_labels(name) if name in TABLES else {}
        fields = []
        schema = schemas[name]  # as stored (sbk.storage.to_arrow)
        for col in df.columns:
            meta = labels.get(col, {})
            f: dict[str, Any] = {"name": col, "type": field_type(col, schema.field(col).type)}
            if f["type"] == "array":
                f["description"] = "JSON array (list of the options or names written in the cell)"
            if meta.get("label"):
                f["title"] = meta["label"]
            if meta.get("unit"):
                f["unit"] = meta["unit"]
            fields.append(f)
        resources.append({
            "name": name, "path": f"{name}.parquet", "format": "parquet", "title": _TITLES.get(name, name),
            "rows": len(df), "schema": {"fields": fields},
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
            {"title": _source_title(p, p in synthetic_files), "path": p, "sha256": shas[p], "synthetic": p in synthetic_files}
            for p in sorted(shas)
        ],
        # The tables are offered under ODC-By (cite them). The published figures are facts quoted from public
        # sources, each row naming its source and quoting it: cite those sources; the quotes stay their authors'.
        "licenses": [{
            "name": "ODC-By-1.0",
            "path": "https://opendatacommons.org/licenses/by/1-0/",
            "title": "Open Data Commons Attribution License 1.0. Published figures (published_figures, population, "
                     "plan_targets) are facts quoted from the public sources named in each row (source, source_url, "
                     "quote): cite those sources.",
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


def _up_to_date(out_dir: Path, fp: str) -> bool:
    """The folder holds exactly the set an ingest of these inputs (fingerprint ``fp``) wrote."""
    try:
        old = json.loads((out_dir / "datapackage.json").read_text(encoding="utf-8"))
        paths = {r["path"] for r in old.get("resources", [])}
    except (OSError, json.JSONDecodeError, KeyError, TypeError, AttributeError):
        return False
    return old.get("fingerprint") == fp and _owned(out_dir) == paths | {"datapackage.json"}


def ingest(raw_dir: str | Path, out_dir: str | Path, write: bool = True, jobs: int | None = None,
           on_wait: Callable[[str], None] | None = None) -> IngestResult:
    """Read, validate and (unless ``write`` is False or there are errors) write the processed tables.

    Writing into a folder that exists holds its lock (``sbk.locking``) for the whole ingest, so a second ingest
    into it waits from its start (``on_wait`` is told) and the two never mix. A folder that does not exist yet is
    created, and locked, only when there is a set to write: with errors nothing is created.
    """
    from sbk.locking import output_folder, output_lock  # filelock: not imported by sbk validate, which writes nothing

    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    result = IngestResult()
    if not raw_dir.exists():
        result.findings.append(NO_INPUT.finding(raw_dir.as_posix(), "", "", "目录或文件不存在"))
        return result
    if write:
        output_folder(out_dir, create=False)  # --out naming a file: said before the reading, not after
    found = discover(raw_dir)
    files = found.files
    if not write or not out_dir.is_dir():
        # No earlier set to compare with: the files are hashed while the workers read them (read_all).
        new = _new_set(raw_dir, None, None, jobs, result, found)
        if new is not None and write:
            with output_lock(out_dir, "sbk ingest", on_wait):  # creates the folder
                _recover(out_dir)  # another ingest's set, killed after its marker: finished first, then replaced
                _write(out_dir, new, result)
        return result
    shas, fp = _hashed(found)
    # A folder that could not be listed, or a link out of it, is never "up to date": say it every run.
    listed = not has_errors(found.findings)
    with output_lock(out_dir, "sbk ingest", on_wait):
        _recover(out_dir)
        if listed and _up_to_date(out_dir, fp):
            result.up_to_date = True
            result.files = len(files)
            return result
        new = _new_set(raw_dir, shas, fp, jobs, result, found)
        if new is not None:
            _write(out_dir, new, result)
    return result


def _hashed(found: Discovery, read: dict[str, str] | None = None) -> tuple[dict[str, str], str]:
    """(sha256 of each file read, by shown name; the fingerprint of the whole input). Every file read or named counts
    in the fingerprint (not .md notes): a new unsupported file is named on the next run. ``read`` has the hashes
    already made (``read_all``'s)."""
    known = read or {}
    everything: dict[str, str] = {}
    shas: dict[str, str] = {}
    for p in found.files:
        suffix = p.suffix.lower()
        if suffix == ".md":
            continue
        name = found.names[p]
        sha = everything[name] = known.get(name) or file_sha256(p)
        if suffix in _READ_SUFFIXES:
            shas[name] = sha
    return shas, fingerprint(everything)


def load_checks() -> None:
    """Import what the checks need (pandas, pandera, the rules): run while the reading workers read, not after."""
    import sbk.storage
    import sbk.validate  # noqa: F401


def _new_set(raw_dir: Path, shas: dict[str, str] | None, fp: str | None, jobs: int | None, result: IngestResult,
             found: Discovery) -> dict[str, bytes] | None:
    """Read and validate everything (findings into ``result``); the new set's files by name, or None on error.
    Without ``shas`` and ``fp`` (no earlier set to compare with), the files are hashed while the workers read."""
    t0 = time.perf_counter()
    assembly: Assembly | None = None  # made when the first sheets arrive: the checks are imported by then

    def arrived(new: list[SheetData], known: dict[str, str], extra: dict[str, pd.DataFrame],
                progress: tuple[int, int]) -> None:
        nonlocal assembly
        if assembly is None:
            from sbk.validate import Assembly

            assembly = Assembly(known, extra.get("region_population"))
        assembly.add(new, progress)

    sheets, extra, shas, findings, nfiles = read_all(raw_dir, shas, jobs, result.phases, found, load_checks, arrived)
    if fp is None:
        shas, fp = _hashed(found, shas)
    import pandas as pd

    from sbk.storage import encode, to_arrow
    from sbk.validate import Assembly

    t1 = time.perf_counter()
    result.files, result.sheets = nfiles, len(sheets)
    # The provinces checked while the workers read, and the rest now (read_all tells of every batch, even an empty
    # one, so the assembly has been made).
    assembly = assembly or Assembly(shas, extra.get("region_population"))
    tables, fs = assembly.finish()
    result.findings = findings + fs
    result.rows = sum(len(tables[layout.table]) for layout in LAYOUTS.values() if layout.table in tables)
    t2 = time.perf_counter()
    result.phases.update({"reading_wall": t1 - t0, "validate": t2 - t1, "validate_while_reading": assembly.seconds})
    for name, df in extra.items():  # reference tables only: a filing's rows come through assemble, never replaced
        tables[name] = pd.concat([tables[name], df], ignore_index=True) if name in tables else df
    if has_errors(result.findings):
        return None
    tables["findings"] = pd.DataFrame([f.to_dict() for f in sorted(set(result.findings))],
                                      columns=["path", "sheet", "cell", "severity", "rule", "message", "line", "code"])
    synthetic_files = {s.path for s in sheets if s.synthetic} | {p for p in shas if "synthetic" in p.rpartition("/")[2]}
    from concurrent.futures import ThreadPoolExecutor

    schemas = {}
    # Each table's Parquet file is written (by Arrow, without the interpreter lock) while the next one is prepared.
    with ThreadPoolExecutor(max_workers=1) as writer:
        written = {}
        for name, df in sorted(tables.items()):
            df = encode(name, _sorted(name, _typed(df)))
            tables[name] = df
            stored = to_arrow(df)
            schemas[name] = stored.schema
            written[f"{name}.parquet"] = writer.submit(_parquet_bytes, stored)
        new = {file: future.result() for file, future in written.items()}
    text = json.dumps(_datapackage(tables, schemas, shas, synthetic_files, fp), ensure_ascii=False, indent=2) + "\n"
    new["datapackage.json"] = text.encode("utf-8")
    result.phases["encode"] = time.perf_counter() - t2
    return new


def _write(out_dir: Path, new: dict[str, bytes], result: IngestResult) -> None:
    """Commit ``new`` as the folder's whole set (the caller holds the lock): changed files, and the removal of
    tables of an earlier set it does not have."""
    t0 = time.perf_counter()
    for name, data in new.items():
        target = out_dir / name
        (result.unchanged if target.exists() and target.read_bytes() == data else result.written).append(target)
    result.removed = [out_dir / name for name in sorted(_owned(out_dir) - set(new))]
    _commit(out_dir, {t: new[t.name] for t in result.written}, set(new))
    result.phases["write"] = time.perf_counter() - t0
