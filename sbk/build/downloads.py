"""The download of every input row a report read, written beside the report as ``<analysis>.inputs.zip``.

The build record (``sbk.build.record``) names the rows of each processed table a report can read and hashes them
(``slice_hash``); this file holds exactly those rows, one CSV per table, so a reader can redo any number in the
report from what it was built on. Each chart's own data is inside the report, next to the chart
(``sbk.analysis.charts.figure_html``); this one is a sidecar file because all the rows a roll-up reads (every
province's forms up to the period) would weigh more than the report itself.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sbk.build.planning import Job
from sbk.build.record import slice_rows
from sbk.build.registry import tables_read

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["PersonalDataInInputs", "input_rows_zip", "inputs_link_html"]

# A fixed time for every member: the same rows always give the same bytes (zip stores each member's mtime).
_EPOCH = (1980, 1, 1, 0, 0, 0)


class PersonalDataInInputs(ValueError):
    """A processed table holds what looks like a personal number: the report's inputs are not published."""


def _cell(v: Any) -> Any:
    import pandas as pd

    if v is None or (not isinstance(v, (list, tuple, dict)) and pd.isna(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.strftime("%Y-%m-%d")
    return v


# Columns sbk computes itself (a file's sha256 digest), never text from a file: not searched for personal numbers.
_COMPUTED = frozenset({"sha256"})


def _digits(text: str) -> int:
    """Digits as the personal-number detector counts them (full-width and circled digits too, after NFKC)."""
    return sum(ch.isdigit() for ch in unicodedata.normalize("NFKC", text))


def _table_csv(table: str, rows: pd.DataFrame) -> bytes:
    """One table's rows as CSV: UTF-8 with a BOM, formula-safe (``sbk.export.csv_bytes``), the table's own column
    names (the data package's contract: the file reads back with ``sbk ingest`` as a tidy CSV)."""
    import pandas as pd

    from sbk.export import csv_bytes
    from sbk.privacy import find_personal

    for col in rows.columns:
        if col in _COMPUTED or pd.api.types.is_numeric_dtype(rows[col]) or pd.api.types.is_bool_dtype(rows[col]):
            continue
        # Each distinct text once, and only one with the 11 digits a mobile number (or more an ID) needs: a roll-up
        # reads twelve thousand rows, mostly repeated names.
        for v in rows[col].dropna().unique():
            if isinstance(v, str) and _digits(v) >= 11 and find_personal(v):
                # Ingest refuses such files, so this cannot happen with data sbk wrote; never publish it if it does.
                raise PersonalDataInInputs(f"{table}.parquet, column {col}: a value looks like a personal number; "
                                           "the report's input rows are not written")
    return csv_bytes(list(rows.columns), ([_cell(v) for v in r] for r in rows.itertuples(index=False, name=None)),
                     bom=True)


def input_rows_zip(job: Job, processed: Path) -> tuple[bytes, int, int]:
    """(zip bytes, tables, rows): ``<table>.csv`` for each table the report's build record lists, with its rows."""
    buf = io.BytesIO()
    tables = rows = 0
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for table in tables_read(job.analysis, job.province):
            got = slice_rows(processed, table, job.province, job.period)
            if got is None:
                continue
            info = zipfile.ZipInfo(f"{table}.csv", date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, _table_csv(table, got))
            tables += 1
            rows += len(got)
    return buf.getvalue(), tables, rows


def inputs_link_html(job: Job, tables: int, rows: int) -> str:
    """The line under the provenance block that offers the file (a relative link: the file lies beside the report)."""
    name = f"{job.analysis}.inputs.zip"
    return (f'<p class="sbk-inputs">下载本报告读取的全部输入行 · Download every input row this report read: '
            f'<a download href="{name}">{name}</a>（{tables} 个表，{rows} 行；每表一个 CSV，UTF-8，列名同数据包 '
            "datapackage.json）</p>")
