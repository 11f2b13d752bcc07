"""Personal data detection: resident ID numbers (居民身份证号码) and mobile numbers.

Raw folders can pick up personal records by mistake (the Ningbo application
forms list names and ID numbers). Ingest refuses a workbook with either in a
data cell, and ``sbk scan`` runs the same detector over any folder. Findings
name the place but never echo the number.

The ID check digit is ISO 7064 MOD 11-2 (GB 11643-1999), written out here
because it is a dozen lines and no maintained package does only this.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Iterable, Iterator

from sbk.findings import ERROR, WARNING, Finding, rule

__all__ = ["valid_resident_id", "find_personal", "scan_paths"]

# Bounded by anything but ASCII letters and digits: a run of digits inside a hex digest or an identifier
# (sha256 values in build records) is not a number someone wrote down; Chinese text around a number still is.
_ID = re.compile(r"(?<![0-9A-Za-z])([1-9][0-9]{5})((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])([0-9]{3})([0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(?:\+?86[- ]?)?1[3-9][0-9]{9}(?![0-9A-Za-z])")
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"
PERSONAL_DATA = rule("privacy.personal_data", "个人信息", ERROR, "every file",
                     "resident ID numbers and mobile numbers never reach processed data, reports or findings")
UNSCANNABLE = rule("privacy.unscannable", "无法扫描", ERROR, "every file")
NOT_SCANNED = rule("privacy.not_scanned", "未扫描的文件", WARNING, "every file")
_TEXT_SUFFIXES = {".csv", ".md", ".txt", ".html", ".json", ".yaml", ".yml", ".ipynb", ".cff", ".svg"}


def valid_resident_id(text: str) -> bool:
    """An 18-character resident ID with a real birth date and a correct check digit."""
    m = _ID.fullmatch(text.strip())
    if not m:
        return False
    try:
        dt.date(int(m.group(2)), int(m.group(3)), int(m.group(4)))
    except ValueError:
        return False
    digits = text.strip()[:17]
    return _CHECK[sum(int(d) * w for d, w in zip(digits, _WEIGHTS)) % 11] == text.strip()[17].upper()


def find_personal(text: str) -> list[str]:
    """The kinds of personal data in ``text``: 'resident ID number', 'mobile number'."""
    kinds = []
    if any(valid_resident_id(m.group(0)) for m in _ID.finditer(text)):
        kinds.append("居民身份证号码 resident ID number")
    if _MOBILE.search(text):
        kinds.append("手机号码 mobile number")
    return kinds


def _cells(path: Path) -> tuple[Iterator[tuple[str, str, str]], str | None]:
    """Every non-empty cell of every sheet, hidden ones included, read within the same limits as ingest;
    or the reason the workbook cannot be read."""
    from sbk.workbooks import _read_cells

    sheets, findings = _read_cells(path)
    if not sheets and findings:
        return iter(()), findings[0].message

    def cells() -> Iterator[tuple[str, str, str]]:
        from openpyxl.utils import get_column_letter

        for sheet in sheets:
            for r, row in enumerate(sheet.cells, 1):
                for c, value in enumerate(row, 1):
                    if value not in (None, ""):
                        yield sheet.name, f"{get_column_letter(c)}{r}", str(value)

    return cells(), None


def _parquet_text(path: Path) -> Iterator[tuple[str, str]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for col in table.column_names:
        for i, value in enumerate(table.column(col).to_pylist()):
            if value is not None:
                yield f"{col}[{i}]", str(value)


def scan_paths(paths: Iterable[str | Path]) -> list[Finding]:
    """Scan files and folders; one finding per place holding personal data, and one per file not looked into.

    Folders are walked as ingest walks them (``sbk.workbooks.discover``): the same files, the same findings
    for lock files, hidden files, links out of the folder and folders that cannot be listed.
    """
    from sbk.workbooks import (
        RESAVE_SUFFIXES,
        WORKBOOK_SUFFIXES,
        decode_csv,
        discover,
        display_path,
    )

    out: list[Finding] = []
    files: list[Path] = []
    for p in map(Path, paths):
        found = discover(p)
        out.extend(found.findings)
        files.extend(found.files)
    for f in files:
        shown = display_path(f)
        suffix = f.suffix.lower()
        try:
            if suffix in WORKBOOK_SUFFIXES or suffix in RESAVE_SUFFIXES:
                cells, why = _cells(f)
                if why is not None:
                    out.append(UNSCANNABLE.finding(shown, "", "", f"无法检查其中是否有个人信息：{why}"))
                for sheet, cell, value in cells:
                    for kind in find_personal(value):
                        out.append(PERSONAL_DATA.finding(shown, sheet, cell, f"单元格含{kind}（不显示号码）：请删除后再放入"))
            elif suffix == ".parquet":
                for where, value in _parquet_text(f):
                    for kind in find_personal(value):
                        out.append(PERSONAL_DATA.finding(shown, "", where, f"含{kind}（不显示号码）"))
            elif suffix in _TEXT_SUFFIXES:
                if suffix == ".csv":
                    text, fs = decode_csv(f, shown)
                    if text is None:
                        out.append(UNSCANNABLE.finding(shown, "", "", f"无法检查其中是否有个人信息：{fs[0].message}"))
                        continue
                else:
                    text = f.read_text(encoding="utf-8", errors="replace")
                for n, line in enumerate(text.splitlines(), 1):
                    # Embedded images (base64) are not text anyone typed.
                    line = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", line)
                    for kind in find_personal(line):
                        out.append(PERSONAL_DATA.finding(shown, "", "", f"含{kind}（不显示号码）", n))
            else:
                out.append(NOT_SCANNED.finding(shown, "", "", "不是表格、CSV 或文本文件，未检查其中是否有个人信息"))
        except Exception as exc:  # noqa: BLE001 - an unreadable file is reported, not skipped silently
            out.append(UNSCANNABLE.finding(shown, "", "", f"{type(exc).__name__}"))
    return out
