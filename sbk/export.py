"""Spreadsheet files the project writes (CSV and Excel), safe to open in Excel or WPS.

Text that reaches these files can come from a filed workbook (a sheet name, a 备注, a cell the
filer typed) and a cell that starts with ``=``, ``+``, ``-`` or ``@`` is run as a formula by
spreadsheet programs (CSV/formula injection, OWASP). So:

- CSV: such text cells get a leading apostrophe, OWASP's recommendation; numbers are left alone.
- Excel: such text is stored as a text cell with Excel's "quote prefix" (what typing ``'=...``
  does), so it shows as typed, is never a formula, and reads back unchanged.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["RISKY_PREFIXES", "csv_bytes", "is_risky", "neutralise", "protect_row"]

# Tab and carriage return also start formulas in some programs (OWASP lists them with the four signs).
RISKY_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def is_risky(value: Any) -> bool:
    """True for a text value a spreadsheet program would treat as a formula."""
    return isinstance(value, str) and value.startswith(RISKY_PREFIXES)


def neutralise(value: Any) -> Any:
    """A CSV cell value that cannot start a formula: risky text gets a leading apostrophe."""
    return "'" + value if is_risky(value) else value


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], *, bom: bool = False) -> bytes:
    """UTF-8 CSV with every text cell neutralised; ``bom`` for files meant to be opened in Excel."""
    buf = io.StringIO(newline="")
    # RFC 4180 line ends: the csv module then also quotes a field holding a bare carriage return.
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(v) for v in row])
    return (b"\xef\xbb\xbf" if bom else b"") + buf.getvalue().encode("utf-8")


def protect_row(cells: Iterable[Any]) -> None:
    """Make risky text in freshly written openpyxl cells plain text with a quote prefix."""
    for cell in cells:
        if is_risky(cell.value):
            cell.data_type = "s"  # openpyxl had taken a leading '=' for a formula
            cell.quotePrefix = True
