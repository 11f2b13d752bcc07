"""Reading the workbooks provinces file: official-layout sheets to tidy records.

One function per step: find the files, open a workbook safely, recognise each
sheet's form from its title text (not the file name), read the province and
period from the 填报单位 line, locate the columns from the header labels
(merged, two-level headers included), and turn each row into a record with its
provenance (file, sheet, row). Totals, 备注 and footers are recognised; footers
(填报人, 联系电话) are never copied anywhere. Problems become findings; this
module decides nothing about validity beyond "can this cell be read".

Reader: python-calamine (Rust) for cell values — ``benchmarks/ingest_bench.py``
compares it with openpyxl; merged ranges come from calamine too.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import os
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sbk.calendar import PeriodError, parse_period
from sbk.cleaning import (
    NUMBER_LIMIT,
    CellValueError,
    UnitSuffixError,
    accepted_suffixes,
    clean_text,
    normalise_text,
    parse_names,
    parse_number,
    parse_options,
    sheet_units,
    units_in_header,
)
from sbk.findings import ERROR, WARNING, Finding, rule
from sbk.forms import LAYOUTS, Kind, Layout
from sbk.forms.spec import column_letter
from sbk.header_period import PeriodInDoubt, period_in_header
from sbk.locking import LOCK_NAME
from sbk.privacy import mask, personal_findings_in_workbook

if TYPE_CHECKING:
    import pandas as pd  # the reader's workers never import pandas: frames are built in the main process

__all__ = [
    "LIMITS",
    "RESAVE_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "Discovery",
    "RawSheet",
    "SheetData",
    "discover",
    "display_path",
    "file_sha256",
    "read_csv_form",
    "read_sheet",
    "read_workbook",
    "records",
]

# Limits on what a workbook may be (a zip bomb or a mis-saved export is a finding, not a hang). Rows and columns
# bound both the sheet's declared size and its real extent, measured before any reader builds a grid.
LIMITS = {
    "file_bytes": 50 * 1024 * 1024,
    "uncompressed_bytes": 200 * 1024 * 1024,
    "compression_ratio": 200,
    "zip_members": 2000,
    "sheets": 50,
    "rows": 5000,
    "columns": 100,
}

# Formats read (python-calamine for all of them); formats people send that must be re-saved first.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".ods")
RESAVE_SUFFIXES = {
    ".et": "WPS 表格文件（.et）", ".ett": "WPS 表格模板（.ett）", ".wps": "WPS 文字文件（.wps）",
    ".xlt": "Excel 模板（.xlt）", ".xltx": "Excel 模板（.xltx）", ".xltm": "Excel 模板（.xltm）",
    ".ots": "OpenDocument 模板（.ots）", ".fods": "平面 OpenDocument 表格（.fods）", ".numbers": "Numbers 文件",
}
# Bookkeeping files of operating systems, version control and sbk's own folder lock: never data, skipped
# without a word.
IGNORED_NAMES = {".ds_store", "thumbs.db", "ehthumbs.db", "desktop.ini", ".gitkeep", ".gitignore", ".gitattributes",
                 LOCK_NAME.lower()}
_RESAVE = "请在 Excel 或 WPS 中打开，另存为 Excel 工作簿（.xlsx）后重新放入"

# Rules of reading: what a file or sheet must be before its cells can be read.
_F = "file"
RESAVE_NEEDED = rule("read.resave_needed", "文件格式", ERROR, _F)
ENCRYPTED = rule("read.encrypted", "文件格式", ERROR, _F)
NOT_WORKBOOK = rule("read.not_a_workbook", "文件格式", ERROR, _F)
CORRUPT = rule("read.corrupt_zip", "文件格式", ERROR, _F)
UNREADABLE = rule("read.unreadable_workbook", "文件格式", ERROR, _F)
TOO_LARGE = rule("read.file_too_large", "文件过大", ERROR, _F)
ZIP_BOMB = rule("read.uncompressed_too_large", "文件过大", ERROR, _F)
TOO_MANY_SHEETS = rule("read.too_many_sheets", "工作表过多", ERROR, _F)
SHEET_TOO_LARGE = rule("read.sheet_too_large", "工作表过大", ERROR, _F)
FORMULA_WITHOUT_VALUE = rule("read.formula_without_value", "公式无计算结果", ERROR, _F)
UNSUPPORTED_FILE = rule("read.unsupported_file", "未读取的文件", WARNING, _F)
LOCK_FILE = rule("read.office_lock_file", "未读取的文件", WARNING, _F)
HIDDEN_FILE = rule("read.hidden_file", "未读取的文件", WARNING, _F)
UNREADABLE_PATH = rule("read.unreadable_path", "无法访问", ERROR, _F)
SYMLINK_OUTSIDE = rule("read.symlink_outside", "链接指向目录外", ERROR, _F)
HIDDEN_SHEET = rule("read.hidden_sheet", "隐藏的工作表", ERROR, "sheet")
HIDDEN_SHEET_SKIPPED = rule("read.hidden_sheet_skipped", "隐藏的工作表", WARNING, "sheet")
HIDDEN_ROW = rule("read.hidden_row", "隐藏的行", ERROR, "all forms")
HIDDEN_COLUMN = rule("read.hidden_column", "隐藏的列", ERROR, "all forms")
NO_FORM = rule("read.no_form_in_workbook", "无可识别的表", WARNING, _F)
UNRECOGNISED_SHEET = rule("read.unrecognised_sheet", "无法识别的工作表", WARNING, "sheet")
HEADER_NOT_FOUND = rule("read.header_not_found", "表头", ERROR, "all forms")
COLUMNS_MISSING = rule("read.columns_missing", "表头", ERROR, "all forms")
PERIOD_MISSING = rule("read.period_missing", "填报单位", ERROR, "all forms", "填报单位：_____年__月 / _____年 第__季度")
PERIOD_INVALID = rule("read.period_invalid", "期别", ERROR, "all forms")
PROVINCE_FROM_CODES = rule("read.province_from_codes", "填报单位", WARNING, "all forms")
PROVINCE_MISMATCH = rule("read.province_mismatch", "填报单位", ERROR, "all forms")
PROVINCE_UNKNOWN = rule("read.province_unknown", "填报单位", ERROR, "all forms")
UNREADABLE_CELL = rule("read.cell_unreadable", "无法读取单元格", ERROR, "all forms", "选项间用“，”分隔。")
ONE_OPTION = rule("read.one_option", "只能选一项", ERROR, "q3")
HEADER_UNIT = rule("read.header_unit", "表头单位与本表不符", ERROR, "all forms",
                   "累计持卡人数（万人）；应用目录开通率 (%)；可受理社保卡读写终端累计数量")
UNIT_SUFFIX = rule("read.unit_suffix", "单位与本列不符", ERROR, "all forms",
                   "累计持卡人数（万人）；应用目录开通率 (%)；可受理社保卡读写终端累计数量")
TOTAL_AMBIGUOUS = rule("read.total_row_ambiguous", "合计行", ERROR, "monthly, q1, q2, q4",
                       "本表填报省内全部地市情况及全省总体情况。")
REMARK_FORMAT = rule("monthly.remark_format", "备注", WARNING, "monthly", "新增发卡城市__个，即_____")
CODE_FROM_NAME = rule("region.code_from_name", "行政区划代码", WARNING, "monthly, q1, q2")
CODE_MISSING = rule("region.code_missing", "行政区划代码", ERROR, "monthly, q1, q2")
BANK_SHORT_NAME = rule("q4.bank_short_name", "银行名称", WARNING, "q4", "银行名称：指……商业银行全称。")
BANK_UNKNOWN = rule("q4.bank_unknown", "银行名称", WARNING, "q4", "银行名称：指……商业银行全称。")

_FOOTER = re.compile(r"(填报人|填表人|联系电话|负责人签名|负责人|审核人|联系人)\s*[:：]")
# The total row, by its label (the notice prints 合计 on the monthly form and 表四, 全省 on 表一–表三). An autonomous
# region writes 全区 and a municipality 全市 (the notice is addressed to 各省、自治区、直辖市), so those count only
# there. A row labelled with the province's own name (湖南省, 湖南) is the total too, never 省本级 data. Labels are
# compared as people vary them (``total_label``): spaces, brackets of either width, trailing punctuation and a
# 合计/总计/汇总 word before or after (全省（合计）, 合计（全省）, 全 省, 全省：, 省合计, 湖南省（合计）).
_TOTAL_WORDS = ("总合计", "合计", "总计", "汇总", "共计")
# A 小计 or 累计 row sums some rows: with a scope (全省小计) it is the total; alone, which rows it sums is unknown.
_SUBTOTAL_WORDS = ("小计", "累计")
_TOTAL_AFFIX = re.compile("^(" + "|".join(_TOTAL_WORDS + _SUBTOTAL_WORDS) + ")|("
                          + "|".join(_TOTAL_WORDS + _SUBTOTAL_WORDS) + ")$")
_WHOLE = {"全省": "", "全区": "自治区", "全自治区": "自治区", "全市": "市"}  # scope word → the kind of province it is for
_LABEL_PUNCT = ":：,，.。、;；!！?？*＊-—_~～·"
# 省本级 only when the row says so (its code may be blank: it takes the province's code).
_PROVINCIAL_LEVEL = {"省本级", "省级", "省直", "省直属", "本级", "省本级单位", "省直单位", "区本级", "自治区本级", "市本级"}
_REMARK = re.compile(r"^备注")
_NEW_CITIES = re.compile(r"新增发卡(?:城市|地市)\s*(\d+|__|_+)?\s*个\s*[,，、]?\s*(?:即|为|分别为|:|：)?\s*(.*)$")
_SIX_DIGITS = re.compile(r"\d{6}")
_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4}


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as dicts, the values ``DataFrame.to_dict("records")`` gives (Python scalars, NaN for a missing
    text), column by column: to_dict boxes every cell through pandas and costs several times more on the small
    frames of one sheet, which the reader and the checks of every sheet walk."""
    columns = list(df.columns)
    return [dict(zip(columns, values)) for values in zip(*(df[c].tolist() for c in columns))]


def file_sha256(path: str | Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def display_path(path: Path) -> str:
    """A path as findings show it: relative to the working folder when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return path.as_posix()


def display_paths(paths: list[Path]) -> dict[Path, str]:
    """``display_path`` of many files at once: each folder is resolved once, not once for every file in it (a
    national set has thousands of files in a few dozen folders). A file that is itself a link, or whose name
    is not plain, is resolved as ``display_path`` does."""
    try:
        cwd: Path | None = Path.cwd().resolve()
    except (OSError, RuntimeError):
        cwd = None
    folders: dict[Path, Path | None] = {}
    out: dict[Path, str] = {}
    for path in paths:
        if cwd is None or path.name in ("", ".", "..") or path.is_symlink():
            out[path] = display_path(path)
            continue
        if path.parent not in folders:
            try:
                folders[path.parent] = path.parent.resolve()
            except (OSError, RuntimeError):
                folders[path.parent] = None
        real = folders[path.parent]
        if real is None:
            out[path] = display_path(path)
            continue
        try:
            out[path] = (real / path.name).relative_to(cwd).as_posix()
        except ValueError:
            out[path] = path.as_posix()
    return out


@dataclass
class Discovery:
    """Every file under a root that a reader should look at, and a finding for each thing it could not list.

    ``ingest``, ``validate`` and ``scan`` all walk with this function, so they see the same files.
    """

    files: list[Path] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @cached_property
    def names(self) -> dict[Path, str]:
        """Each file's name as findings show it (``display_paths``), worked out once for every reader of the walk."""
        return display_paths(self.files)


def discover(root: str | Path) -> Discovery:
    """Every regular file under ``root``, recursively, in a stable order, with findings for what is left out.

    Left out with a warning naming it: Office lock files (~$…, the workbook is open in Excel) and hidden
    files and folders (.…). Left out silently: operating-system bookkeeping (.DS_Store, Thumbs.db, desktop.ini,
    .gitkeep). An error: a folder or file that cannot be opened, a broken link, a link pointing outside the
    root (never followed, so a raw folder cannot pull in files from elsewhere). A link to a file inside the
    root is not followed either: its target is read under its own name.
    """
    root = Path(root)
    out = Discovery()
    if root.is_file():
        out.files.append(root)
        return out
    try:
        base = root.resolve(strict=True)
    except (OSError, RuntimeError):
        out.findings.append(UNREADABLE_PATH.finding(mask(display_path(root)), "", "", "目录或文件不存在或无法访问"))
        return out
    _walk(root, base, out)
    out.files.sort(key=lambda p: p.as_posix())
    return out


def _walk(folder: Path, base: Path, out: Discovery) -> None:
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        out.findings.append(UNREADABLE_PATH.finding(mask(display_path(folder)), "", "",
                                                    f"无法读取文件夹（{exc.strerror or type(exc).__name__}），"
                                                    "其中的文件均未读取：请检查权限后重试"))
        return
    for entry in entries:
        path = Path(entry.path)
        name = entry.name
        if (not name.startswith((".", "~$")) and name.lower() not in IGNORED_NAMES
                and entry.is_file(follow_symlinks=False) and os.access(path, os.R_OK)):
            out.files.append(path)  # the common case, before any name is worked out for a finding
            continue
        shown = mask(display_path(path))  # a file name may hold a personal number: never shown
        if name.lower() in IGNORED_NAMES:
            continue
        try:
            if entry.is_symlink():
                try:
                    target = path.resolve(strict=True)
                except (OSError, RuntimeError):
                    out.findings.append(UNREADABLE_PATH.finding(shown, "", "", "链接指向的文件不存在，未读取"))
                    continue
                if not target.is_relative_to(base):
                    out.findings.append(SYMLINK_OUTSIDE.finding(
                        shown, "", "", "是指向所读目录以外的链接，未读取（不跟随目录外的链接）：请把文件本身复制到目录中"))
                continue
            if name.startswith("~$"):
                out.findings.append(LOCK_FILE.finding(shown, "", "", "Office 锁定文件（对应的工作簿正在 Excel/WPS 中打开），"
                                                      "未读取：请保存并关闭工作簿后重新导入"))
                continue
            if name.startswith("."):
                what = "隐藏文件夹，其中的文件均未读取" if entry.is_dir() else "隐藏文件，未读取"
                out.findings.append(HIDDEN_FILE.finding(shown, "", "", f"{what}：如需读取，请去掉文件名开头的“.”"))
                continue
            if entry.is_dir():
                _walk(path, base, out)
            elif entry.is_file():
                if not os.access(path, os.R_OK):
                    raise PermissionError(13, "Permission denied")
                out.files.append(path)
            else:
                out.findings.append(UNREADABLE_PATH.finding(shown, "", "", "不是普通文件（设备、管道或套接字），未读取"))
        except OSError as exc:
            out.findings.append(UNREADABLE_PATH.finding(shown, "", "", f"无法读取（{exc.strerror or type(exc).__name__}）："
                                                        "请检查权限后重试"))


def _norm(text: Any) -> str:
    """Header text for matching: NFKC, no spaces."""
    if isinstance(text, str):
        return _normed(text)  # header and title texts recur in every file: remembered
    return _SPACES.sub("", unicodedata.normalize("NFKC", str(text or "")))


_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=1 << 14)
def _normed(text: str) -> str:
    return _SPACES.sub("", unicodedata.normalize("NFKC", text))


_Q_TITLE = re.compile(r"社会保障卡工作情况季调度表\(?([一二三四1234])\)?")


def recognise_form(cells: list[list[Any]]) -> tuple[str | None, int]:
    """The form a sheet holds, from its title text in the first rows: (form, row index)."""
    for i, row in enumerate(cells[:8]):
        for v in row:
            text = _norm(v)
            if "月调度表" in text and "发行情况" in text:
                return "monthly", i
            m = _Q_TITLE.search(text)
            if m:
                n = _CN_NUM.get(m.group(1)) or int(m.group(1))
                return f"q{n}", i
    return None, -1


def parse_header(text: str, form: str) -> str | None:
    """The period in the lines above the table: '填报单位：湖南省 2015 年 3 月' → '2015-03'; '2015年第一季度' → '2015Q1'.

    None when no date is written; raises PeriodInDoubt when the dates do not say one period (a filing date
    only, two that disagree, a range): see ``sbk.header_period`` for what counts, in which order.
    """
    return period_in_header(text, LAYOUTS[form].kind)


def province_in_text(text: str, period: str) -> str | None:
    """The province the lines above the table name: after 填报单位 when that label is written, else anywhere in them
    (报送时间 2015.4.10 湖南省人力资源和社会保障厅 2015年3月). Full names first, then short names. Lines naming two
    provinces name none: the codes in the rows then decide, with a warning."""
    t = _norm(text)
    if "填报单位" in t:
        t = t[t.index("填报单位"):]
    for names in _names_by_length(period):
        named = {code for code, name in names if name in t}
        if named:
            return named.pop() if len(named) == 1 else None
    return None


@lru_cache(maxsize=1024)
def _names_by_length(period: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """The provinces of ``period`` as (code, full name), then as (code, short name)."""
    from sbk.regions import provinces

    provs = provinces(period, quiet=True)
    return tuple((p.code, p.name) for p in provs), tuple((p.code, p.short_name) for p in provs)


@dataclass
class SheetData:
    """One form read from one sheet.

    Its rows are kept as plain records (``records``; the frame's columns in ``columns``): the reader runs in worker
    processes and the checks walk the rows, and a frame per sheet cost more to build, pickle and walk than the
    reading itself (issue 18). ``rows`` is the sheet's frame, built when something asks for it."""

    path: str
    sheet: str
    form: str
    period: str | None
    province_code: str | None
    records: list[dict[str, Any]]  # tidy records with period/province_code/source_file/source_sheet/source_row (a key
    # a row lacks reads as missing)
    columns: list[str]
    letters: dict[str, str]
    total: dict[str, Any] | None = None
    total_row: int | None = None
    new_cities_count: int | None = None
    new_cities: list[str] = field(default_factory=list)
    remark_cell: str = ""
    synthetic: bool = False
    findings: list[Finding] = field(default_factory=list)

    @cached_property
    def rows(self) -> pd.DataFrame:
        """The records as a frame (the columns in ``columns``); an empty frame when there are none."""
        import pandas as pd

        return pd.DataFrame(self.records, columns=self.columns) if self.records else pd.DataFrame()

    @classmethod
    def from_frame(cls, df: pd.DataFrame, path: str, sheet: str, form: str, period: str | None,
                   province_code: str | None, letters: dict[str, str], **kwargs: Any) -> SheetData:
        """A sheet whose rows come as a frame (a tidy CSV's): the frame is kept as its ``rows``."""
        made = cls(path, sheet, form, period, province_code, records(df), list(df.columns), letters, **kwargs)
        made.__dict__["rows"] = df  # cached_property's own slot: the frame as given, not rebuilt
        return made


@lru_cache(maxsize=256)  # the same few columns on every sheet
def _letter(ci: int) -> str:
    return column_letter(ci + 1)


def _field_keys(label: str) -> list[str]:
    """Key phrases of a header label: parts without their unit in brackets."""
    return list(_keys_of(label))


@lru_cache(maxsize=1024)  # the layouts' labels, asked for on every sheet
def _keys_of(label: str) -> tuple[str, ...]:
    return tuple(re.sub(r"\(.*?\)", "", _norm(p)) for p in label.split("/"))


def _fill_merged(cells: list[list[Any]], merged: list[tuple[tuple[int, int], tuple[int, int]]]) -> list[list[Any]]:
    """The cells with each merged range's value in every cell of it (a new grid: ``cells`` is left as read).
    A row no range reaches is shared with ``cells``, not copied."""
    grid = list(cells)
    copied: set[int] = set()
    for (r0, c0), (r1, c1) in merged:
        if r0 >= len(grid) or c0 >= len(grid[r0]):
            continue
        value = grid[r0][c0]
        for r in range(r0, min(r1, len(grid) - 1) + 1):
            if r not in copied:
                grid[r] = list(grid[r])
                copied.add(r)
            for c in range(c0, c1 + 1):
                while c >= len(grid[r]):
                    grid[r].append(None)
                if grid[r][c] in (None, ""):
                    grid[r][c] = value
    return grid


def _locate_columns(
    grid: list[list[Any]], layout: Layout, header_row: int
) -> tuple[dict[str, int], int, list[str]]:
    """Map each field to its column from the header labels; return (map, first data row, missing).

    The header rows are the same in every file of a form: what their texts give is remembered per layout."""
    width = max((len(r) for r in grid[header_row:header_row + 3]), default=0)
    key = (width, tuple(tuple(_norm(v) for v in row) for row in grid[header_row:header_row + layout.header_levels]))
    located = _reader(layout).located
    found = located.get(key)
    if found is None:
        if len(located) >= 256:
            located.clear()
        found = located[key] = _locate_in_header(*key, layout)
    mapping, header_rows, missing = found
    return dict(mapping), header_row + header_rows, list(missing)


def _locate_in_header(
    width: int, rows: tuple[tuple[str, ...], ...], layout: Layout
) -> tuple[dict[str, int], int, list[str]]:
    """``_locate_columns`` from the widest of the header row and the two under it, and the texts (``_norm``) of the
    rows a header of the layout's levels may take: (map, how many rows the header has, missing)."""
    combined = ["" for _ in range(width)]
    last_header = 0
    levels = layout.header_levels
    for r in range(min(levels, len(rows))):  # rows: as many as the grid has of them
        row = rows[r]
        texts = [row[c] if c < len(row) else "" for c in range(width)]
        if r > 0 and not any(
            any(k in t for f in layout.columns for k in _field_keys(f.header or "")[-1:]) for t in texts if t
        ):
            break
        last_header = r
        for c, t in enumerate(texts):
            if t and t not in combined[c]:
                combined[c] += "|" + t
    mapping: dict[str, int] = {}
    missing: list[str] = []
    used: set[int] = set()
    for f in layout.columns:
        field_name, label = f.name, f.header or ""
        keys = _field_keys(label)
        hits = [c for c in range(width) if c not in used and all(k in combined[c] for k in keys)]
        if not hits and len(keys) > 1:
            # A flattened header keeps only the sub-label; accept it when unique.
            hits = [c for c in range(width) if c not in used and keys[-1] in combined[c]]
            hits = hits if len(hits) == 1 else []
        if hits:
            # Prefer the tightest label (业务领域 under 本地应用情况, not under 跨地区应用情况).
            best = min(hits, key=lambda c: len(combined[c]))
            mapping[field_name] = best
            used.add(best)
        elif f.kind is not Kind.SEQ:
            missing.append(label.replace("/", "·"))
    return mapping, last_header + 1, missing


_PEOPLE_UNITS = ("人", "人次", "千人", "百人", "亿人")


def _unit_advice(unit: str, written: str, official: str) -> str:
    if unit == "万人" and written in _PEOPLE_UNITS[:-1]:
        return f"看起来按“{written}”填报：请按万人填写（人数除以 10000，保留两位小数），表头改回“{official}”后重新报送"
    return f"请按本表单位“{unit}”填写数字，表头改回“{official}”后重新报送"


def _header_units(cells: list[list[Any]], merged: list, layout: Layout, mapping: dict[str, int], title_row: int,
                  header_row: int, first_data: int, path: str, sheet: str) -> list[Finding]:
    """A unit written in a column's header (累计持卡人数（人）) or for the whole sheet (单位：人) that contradicts the
    form's unit for that column: the figures under it are in doubt (filled in 人, or mislabelled), so refused.

    The header cell is named where the text stands (the top-left cell of a merged two-level header).
    """
    out: list[Finding] = []
    # The merged ranges that reach the header rows (the others cannot hold a column's label).
    spans = tuple((r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged if r0 < first_data and r1 >= header_row)
    out.extend(HEADER_UNIT.finding(path, sheet, cell, message)
               for cell, message in _column_units(cells, layout, mapping, header_row, first_data, spans))
    # 单位：… above the table applies to the whole sheet. Offices copy one such line onto every sheet, so only a
    # unit that would change what the 万人 figures mean (人, 千人 …) is refused; 单位：万人 or 单位：台 passes.
    if _reader(layout).has_people:
        for r in range(title_row, header_row):
            for c, v in enumerate(cells[r]):
                if v.__class__ is str and "单位" not in v:  # NFKC makes neither 单 nor 位: a text has them as written
                    continue
                text = normalise_text(v)
                if "单位" not in text:  # what sheet_units looks for
                    continue
                people = [u for u in sheet_units(text) if u in _PEOPLE_UNITS]
                if people:
                    out.append(HEADER_UNIT.finding(path, sheet, f"{_letter(c)}{r + 1}", f"表头上方写明单位“{people[0]}”，"
                                                   f"本表人数的单位是“万人”：{_unit_advice('万人', people[0], '单位：万人')}"))
    return out


def _column_units(cells: list[list[Any]], layout: Layout, mapping: dict[str, int], header_row: int, first_data: int,
                  spans: tuple[tuple[int, int, int, int], ...]) -> tuple[tuple[str, str], ...]:
    """The column headers' units that contradict the form, as (cell, message). Remembered by all they are read from
    (the rows from the highest merged range reaching the header down to the data, those ranges, the columns found):
    every file of a form repeats its header (issue 18). Values equal across types (1 == 1.0 == True) share a key:
    only a text can name a unit, so such cells read alike."""
    top = min([header_row, *(r0 for r0, _, _, _ in spans)])
    try:
        key = (id(layout), header_row, first_data, spans, tuple(mapping.items()),
               tuple(tuple(row) for row in cells[top:first_data]))
        known = _COLUMN_UNITS.get(key)
    except TypeError:  # a cell value that cannot be a key: read as it is
        key, known = None, None
    if known is not None:
        return known[1]
    said = _column_units_read(cells, layout, mapping, header_row, first_data, spans)
    if key is not None:
        if len(_COLUMN_UNITS) >= 256:
            _COLUMN_UNITS.clear()
        _COLUMN_UNITS[key] = (layout, said)  # the layout kept: its id is never another's while it is remembered
    return said


_COLUMN_UNITS: dict[tuple, tuple[Layout, tuple[tuple[str, str], ...]]] = {}


def _column_units_read(cells: list[list[Any]], layout: Layout, mapping: dict[str, int], header_row: int,
                       first_data: int, spans: tuple[tuple[int, int, int, int], ...]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    seen: set[str] = set()

    def origin(r: int, c: int) -> tuple[int, int]:
        for r0, c0, r1, c1 in spans:
            if r0 <= r <= r1 and c0 <= c <= c1:
                return r0, c0
        return r, c

    def text_at(r: int, c: int) -> str:
        return normalise_text(cells[r][c]) if r < len(cells) and c < len(cells[r]) else ""

    fields = layout.by_name
    for name, ci in mapping.items():
        f = fields[name]
        if not f.unit:
            continue
        for r in range(header_row, first_data):
            r0, c0 = origin(r, ci)
            text = text_at(r0, c0)
            wrong = _wrong_units(text, f.unit)
            if not wrong:
                continue
            cell = f"{_letter(c0)}{r0 + 1}"
            if cell not in seen:
                seen.add(cell)
                official = (f.header or f.title).replace("/", "·")
                out.append((cell, f"表头“{text[:40]}”注明单位“{wrong[0]}”，本表{f.title}的单位是"
                                  f"“{f.unit}”：{_unit_advice(f.unit, wrong[0], official)}"))
    return tuple(out)


@lru_cache(maxsize=1024)  # the same header labels in every file of a form
def _wrong_units(text: str, unit: str) -> tuple[str, ...]:
    """The units a column header names that contradict the column's ``unit``."""
    return tuple(u for u in units_in_header(text) if u not in accepted_suffixes(unit))


def _split_note(value: Any) -> tuple[Any, str]:
    """A figure with its note in one cell, as 表一 其他 is written: '5.00（离退休人员）' → the number and the group."""
    if isinstance(value, str):
        m = re.match(r"^\s*([0-9０-９.,，．]+)\s*(?:万人)?\s*[(（]?\s*(.*?)\s*[)）]?\s*$", value)
        if m and m.group(2):
            return m.group(1), m.group(2)
    return value, ""


_WHERE = ("period", "province_code", "source_file", "source_sheet")  # every record's provenance besides its row


# What ``_row_is_plain`` asks of a text cell, remembered by its text (the same labels, option lists and notes come back
# in every file of a form; a dict look-up instead of a call per cell, issue 18): 0 blank once normalised, 2 a colon or
# 备 in its normalised text, 1 any other text. Bounded: cleared when full.
_TEXT_KINDS: dict[str, int] = {}


def _text_kind(v: str) -> int:
    text = normalise_text(v)
    kind = 0 if not text else 2 if (":" in text or "：" in text or "备" in text) else 1
    if len(_TEXT_KINDS) >= 1 << 16:
        _TEXT_KINDS.clear()
    _TEXT_KINDS[v] = kind
    return kind


def _row_is_plain(row: list[Any]) -> tuple[bool, bool]:
    """(the row is blank, the row is plain): blank as ``normalise_text`` makes every cell ''; plain when no cell
    can make it a footer or the 备注 — only numbers and texts without a colon or 备 — so the texts of its cells
    need not be worked out and joined (what the footer and remark patterns need: a colon, or 备注 in front).
    A cell of any other kind (a date, a bool) makes the row not plain, and it is read the long way."""
    blank, plain = True, True
    kinds = _TEXT_KINDS
    for v in row:
        c = v.__class__
        if c is str:
            if v:
                kind = kinds.get(v)
                if kind is None:
                    kind = _text_kind(v)
                if kind:
                    blank = False
                    if kind == 2:
                        plain = False
        elif c is float:
            if v == v:  # NaN reads as blank
                blank = False
        elif c is int:
            blank = False
        elif v is not None:
            plain = False
    return blank and plain, plain


# How each kind of column is read, resolved once per layout (``_column_plan``) so that the row loop does no
# look-up of the field spec, its kind or its option list per cell (issue 18: ~22 rows of ~8 cells per workbook).
_SKIP, _NUMBER, _OPTIONS, _OPTION, _NAMES, _CODE, _NAME, _TEXT = range(8)


@dataclass(frozen=True, slots=True)
class _Column:
    """One field of a layout as the reader reads its cells."""

    name: str
    how: int
    title: str
    unit: str | None = None
    note: str | None = None
    maximum: int = 0
    other: int | None = None
    unchanged: str | None = None  # the key of “无新拓展领域” (a field that carries over), else None


@dataclass
class _Reader:
    """What the reader works out once per layout: how each field's cells are read (by name), and the columns
    found under each header seen (``_locate_columns``)."""

    layout: Layout
    plan: dict[str, _Column]
    located: dict[tuple[int, tuple[tuple[str, ...], ...]], tuple[dict[str, int], int, list[str]]] = field(
        default_factory=dict)
    has_people: bool = False  # a 万人 figure among its fields (a sheet-wide 单位：人 changes what they mean)


_READERS: dict[int, _Reader] = {}


def _reader(layout: Layout) -> _Reader:
    known = _READERS.get(id(layout))
    if known is not None and known.layout is layout:
        return known
    plan: dict[str, _Column] = {}
    for f in layout.fields:
        kind = f.kind
        how = (_SKIP if kind is Kind.SEQ else _NUMBER if kind.numeric else _OPTIONS if kind is Kind.OPTIONS
               else _OPTION if kind is Kind.OPTION else _NAMES if kind is Kind.NAMES else _CODE if kind is Kind.CODE
               else _NAME if kind is Kind.NAME else _TEXT)
        plan[f.name] = _Column(f.name, how, f.title, f.unit, f.note, f.max_option or 0, f.other_option,
                               f"{f.name}_unchanged" if f.carries_over else None)
    made = _READERS[id(layout)] = _Reader(layout, plan, has_people=any(f.kind is Kind.FIGURE_10K for f in layout.fields))
    return made  # the layout is kept in it, so its id is never reused for another while it is remembered


def _column_plan(layout: Layout) -> dict[str, _Column]:
    """Each field of ``layout`` (by name) as ``_parse_cells`` reads it."""
    return _reader(layout).plan


def _parse_row(
    layout: Layout, raw: dict[str, Any], cell: Mapping[str, str], path: str, sheet: str
) -> tuple[dict[str, Any], list[Finding]]:
    """One row's cells as the layout's field specs say: numbers, option lists, names, text."""
    plan = _column_plan(layout)
    out: list[Finding] = []
    rec = _parse_cells([(i, plan[name]) for i, name in enumerate(raw) if plan[name].how != _SKIP],
                       list(raw.values()), cell, "", path, sheet, out)
    return rec, out


def _parse_cells(columns: list[tuple[int, _Column]], row: list[Any], letters: Mapping[str, str], row_number: int | str,
                 path: str, sheet: str, out: list[Finding]) -> dict[str, Any]:
    """One row's cells (``row[i]`` for each column; missing past the row's end) as a record; findings to ``out``,
    each at its field's column letter followed by ``row_number`` (the cell's name made only for a finding)."""
    rec: dict[str, Any] = {}
    width = len(row)
    for i, col in columns:
        how = col.how
        name = col.name
        value = row[i] if i < width else None
        try:
            if how == _NUMBER:
                if col.note:
                    value, rec[col.note] = _split_note(value)
                if value.__class__ is float and -NUMBER_LIMIT < value < NUMBER_LIMIT:
                    rec[name] = value + 0.0  # what parse_number gives a float (-0 is 0); NaN and ±inf take its path
                else:
                    rec[name] = parse_number(value, unit=col.unit)
            elif how in (_OPTIONS, _OPTION):
                parsed = parse_options(value, maximum=col.maximum, other_option=col.other)
                if how == _OPTIONS:
                    rec[name] = list(parsed.items)
                else:
                    rec[name] = parsed.items[0] if parsed.items else None
                    if len(parsed.items) > 1:
                        out.append(ONE_OPTION.finding(path, sheet, f"{letters.get(name, '')}{row_number}",
                                                      f"{col.title}只能选一项，填了 {'、'.join(map(str, parsed.items))}"))
                if col.note:
                    rec[col.note] = parsed.other
                if col.unchanged:
                    rec[col.unchanged] = parsed.unchanged
            elif how == _NAMES:
                rec[name] = list(parse_names(value))
            elif how == _CODE:
                # A code typed as a number reads as 430100.0.
                rec[name] = str(int(value)) if isinstance(value, float) and value.is_integer() else normalise_text(value)
            elif how == _NAME:
                rec[name] = normalise_text(value)
            else:
                rec[name] = clean_text(value)
        except UnitSuffixError as exc:
            # A unit that contradicts the column is refused, never stripped (3560000人 is not 3560000 万人).
            out.append(UNIT_SUFFIX.finding(path, sheet, f"{letters.get(name, '')}{row_number}", f"{col.title}：{exc}"))
            rec[name] = None
        except CellValueError as exc:
            out.append(UNREADABLE_CELL.finding(path, sheet, f"{letters.get(name, '')}{row_number}", f"{exc}"))
            rec[name] = [] if how == _OPTIONS else None
    return rec


@dataclass
class RawSheet:
    """One sheet's cells as read, before any form is recognised."""

    name: str
    cells: list[list[Any]]
    merged: list
    hidden: bool = False
    hidden_rows: set[int] = field(default_factory=set)  # 1-based; hidden or of height 0
    hidden_cols: set[int] = field(default_factory=set)  # 1-based; hidden or of width 0


_CONTAINER_MESSAGES = {
    "encrypted": (ENCRYPTED, ("工作簿设有打开密码（已加密），无法读取：请在 Excel/WPS 中去掉密码（文件 → 信息 → 保护工作簿 → "
                              "用密码进行加密，清空）后另存为 .xlsx 重新放入")),
    "corrupt": (CORRUPT, "工作簿已损坏（压缩包或内部结构无法读取）：请重新导出或另存为 .xlsx 后重新放入"),
    "not_workbook": (NOT_WORKBOOK, ("不是可读取的工作簿（.xlsx/.xlsm/.xlsb/.xls/.ods）：可能是网页或文本导出、扩展名有误或文件损坏；"
                                    + _RESAVE)),
    "bomb": (ZIP_BOMB, "解压后过大，超过上限 {limit} 字节（或压缩比超过 {ratio}）：疑为异常文件，请检查后重新导出"),
}


def _too_large(shape: Any) -> str | None:
    rows, cols = LIMITS["rows"], LIMITS["columns"]
    if shape.rows > rows or shape.cols > cols:
        return (f"有数据的区域达 {shape.rows} 行 × {shape.cols} 列（区域右下角 {_letter(max(shape.cols, 1) - 1)}{shape.rows}），"
                f"超过上限 {rows} 行 × {cols} 列：请删除表格以外多余的单元格内容后另存，再重新放入")
    if shape.declared_rows > rows or shape.declared_cols > cols:
        return (f"工作表声明的范围为 {shape.declared_rows} 行 × {shape.declared_cols} 列，超过上限 {rows} 行 × {cols} 列："
                "请删除表格以外多余的行和列后另存，再重新放入")
    return None


def _read_cells(path: Path) -> tuple[list[RawSheet], list[Finding]]:
    """Open a workbook safely and return every sheet's cells, merged ranges and visibility (see ``_read_file``)."""
    sheets, findings, _ = _read_file(path)
    return sheets, findings


def _read_file(path: Path) -> tuple[list[RawSheet], list[Finding], bytes | None]:
    """Open a workbook safely: every sheet's cells, merged ranges and visibility, the findings, and the file's bytes
    as read (None when it was refused before they were), for the privacy pass to read the same bytes.

    The container is probed first (``sbk.containers``): its zip parts decompressed within limits and every
    sheet's declared size and real extent measured, so calamine never builds a grid that is too large.
    Macros in .xlsm/.xlsb are never run: calamine reads stored values only.
    """
    from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

    from sbk.containers import ContainerError, probe

    p = str(path)
    suffix = path.suffix.lower()
    if suffix in RESAVE_SUFFIXES:
        return [], [RESAVE_NEEDED.finding(p, "", "", f"{RESAVE_SUFFIXES[suffix]}不能直接读取：{_RESAVE}")], None
    size = path.stat().st_size
    if size > LIMITS["file_bytes"]:
        return [], [TOO_LARGE.finding(p, "", "", f"{size} 字节，超过上限 {LIMITS['file_bytes']} 字节：请只保留调度表后另存，再重新放入")], None
    try:
        probed = probe(path, LIMITS)
    except ContainerError as exc:
        code, message = _CONTAINER_MESSAGES[exc.kind]
        return [], [code.finding(p, "", "", message.format(limit=LIMITS["uncompressed_bytes"], ratio=LIMITS["compression_ratio"])
                                 + (f"（{exc.detail}）" if exc.detail and exc.kind != "encrypted" else ""))], None
    except OSError as exc:
        return [], [UNREADABLE_PATH.finding(p, "", "", f"无法读取（{exc.strerror or type(exc).__name__}）：请检查权限后重试")], None
    if len(probed.sheets) > LIMITS["sheets"]:
        return [], [TOO_MANY_SHEETS.finding(p, "", "", f"{len(probed.sheets)} 张，超过上限 {LIMITS['sheets']} 张：请只保留调度表后另存")], None
    oversized = [(shape.name, msg) for shape in probed.sheets if (msg := _too_large(shape))]
    if oversized:
        return [], [SHEET_TOO_LARGE.finding(p, name, "", msg) for name, msg in oversized], None
    shapes = {s.name: s for s in probed.sheets}
    try:
        content = probed.content
        if content is None:  # an .xls: the probe read it with olefile
            with open(path, "rb") as fh:
                content = fh.read()
        # By content, not by extension: a real .xls saved under .xlsx is still read (as Excel itself does).
        wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheets = []
        for meta in wb.sheets_metadata:
            sh = wb.get_sheet_by_name(meta.name)
            if sh.total_height > LIMITS["rows"] or sh.total_width > LIMITS["columns"]:
                # Not reached when the probe measured the sheet (xlsb sheets are matched by order, not name).
                return [], [SHEET_TOO_LARGE.finding(p, meta.name, "", f"{sh.total_height} 行 × {sh.total_width} 列，"
                                                    f"超过上限 {LIMITS['rows']} 行 × {LIMITS['columns']} 列")], content
            cells = sh.to_python(skip_empty_area=False)
            shape = shapes.get(meta.name)
            merged = sh.merged_cell_ranges
            if merged is None and shape is not None:
                merged = shape.merged  # .ods: calamine gives none; the probe read them from content.xml
            sheets.append(RawSheet(meta.name, cells, list(merged or []), meta.visible != SheetVisibleEnum.Visible,
                                   set(shape.hidden_rows) if shape else set(), set(shape.hidden_cols) if shape else set()))
        wb.close()
    except PasswordError:
        code, message = _CONTAINER_MESSAGES["encrypted"]
        return [], [code.finding(p, "", "", message)], content
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - calamine's own errors for broken files, and a panic inside it:
        # pyo3 turns a Rust panic (a damaged .xls directory: "range end index 64 out of range") into
        # PanicException, a BaseException, which `except Exception` would let through as a traceback.
        return [], [UNREADABLE.finding(p, "", "", f"无法读取工作簿（{type(exc).__name__}: {str(exc)[:120]}）：{_RESAVE}")], content
    # The saved result of a formula is checked in .xlsx/.xlsm only: .xls FORMULA and .xlsb BrtFmla* records always
    # carry their result, and LibreOffice always writes office:value beside a formula in .ods.
    if probed.kind == "xlsx" and probed.has_formulas:
        return sheets, _uncached_formulas(path, {s.name: s.cells for s in sheets}), content
    return sheets, [], content


def _uncached_formulas(path: Path, cells_by_sheet: dict[str, list[list[Any]]]) -> list[Finding]:
    """Formula cells the workbook saved without a computed value.

    calamine reads the cached value of a formula and never evaluates it (nor do we: a formula is the filer's
    arithmetic, not ours to redo). A formula with no cached value (saved by a tool that does not calculate)
    would read as an empty cell, so name it instead. calamine does not expose formulas, so openpyxl in
    read-only mode (which parses through defusedxml) finds them; this runs only when a sheet has any.
    """
    from openpyxl import load_workbook

    out: list[Finding] = []
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - calamine already read the file; a second reader's quirk is not the filer's fault
        return out
    try:
        for ws in wb.worksheets:
            cells = cells_by_sheet.get(ws.title)
            if cells is None:
                continue
            for row in ws.iter_rows():
                for cell in row:
                    if getattr(cell, "data_type", None) != "f":
                        continue
                    r, c = cell.row - 1, cell.column - 1
                    cached = cells[r][c] if r < len(cells) and c < len(cells[r]) else None
                    if cached in (None, ""):
                        formula = str(cell.value)[:60]
                        out.append(FORMULA_WITHOUT_VALUE.finding(str(path), ws.title, cell.coordinate,
                                           f"单元格是公式（{formula}），但工作簿没有保存计算结果；本工具只读取保存的结果、"
                                           "不计算公式：请在 Excel 中打开、重新计算并保存后再放入，或直接填入数值"))
    except Exception as exc:  # noqa: BLE001 - the sheet XML is damaged where calamine was lenient: which formulas
        # lack a saved result cannot be known, so refuse rather than read them as empty cells.
        out.append(UNREADABLE.finding(str(path), "", "", f"工作簿含公式，但工作表无法完整解析（{type(exc).__name__}），"
                                      f"无法确认公式都保存了计算结果：{_RESAVE}"))
    finally:
        wb.close()
    return out


def read_workbook(path: str | Path, display_path: str | None = None, timings: dict[str, float] | None = None,
                  digests: dict[str, str] | None = None) -> tuple[list[SheetData], list[Finding]]:
    """Every form in a workbook, and the findings met while reading it.

    ``timings``, when given, has the seconds of each step added to it: ``read`` (container checks and calamine),
    ``privacy`` (the whole-file pass) and ``clean`` (forms recognised, cells cleaned, rows classified).
    ``digests``, when given, has the SHA-256 of the bytes read put under the name shown, when the file was read
    (a file refused before it was read, by its name or size, has none)."""
    path = Path(path)
    shown = display_path or path.as_posix()
    t0 = time.perf_counter()
    sheets, findings, content = _read_file(path)
    if digests is not None and content is not None:
        # The bytes the forms come from, hashed here rather than read again by the main process (issue 18).
        digests[shown] = hashlib.sha256(content).hexdigest()
    t1 = time.perf_counter()
    findings = [replace(f, path=mask(shown)) for f in findings]  # the name shown may hold a number (masked)
    # One pass over the whole workbook (file name, sheet names, every cell, comments) before any form is read.
    # A personal number refuses the file: its forms are still read for their findings (all problems in one
    # run) but none is kept, and a sheet named with a personal number is shown by its position everywhere.
    personal, labels = personal_findings_in_workbook(path, shown, [(raw.name, raw.cells) for raw in sheets], content)
    t2 = time.perf_counter()
    findings = [replace(f, sheet=labels.get(f.sheet, f.sheet)) for f in findings] + personal
    out: list[SheetData] = []
    for raw in sheets:
        data, fs = read_sheet(shown, replace(raw, name=labels.get(raw.name, raw.name)))
        findings.extend(fs)
        if data is not None:
            out.append(data)
    if timings is not None:
        for step, seconds in (("read", t1 - t0), ("privacy", t2 - t1), ("clean", time.perf_counter() - t2)):
            timings[step] = timings.get(step, 0.0) + seconds
    if personal:
        return [], findings
    if not out and not findings:
        findings.append(NO_FORM.finding(shown, "", "", "工作簿中没有找到调度表（按表名识别）"))
    return out, findings


def read_batch(batch: list[tuple[Path, str]]
               ) -> tuple[list[tuple[list[SheetData], list[Finding]]], dict[str, float], dict[str, str]]:
    """A batch of workbooks (path, name shown), read in one go by one process: each one's forms and findings, the
    seconds each step took, and the SHA-256 of each file read, by name shown (``read_workbook``).

    What ``sbk ingest`` runs in its worker processes: this module imports neither pandas nor pandera, so a worker
    starts in a fraction of the time (issue 18), and what it returns is plain records."""
    timings: dict[str, float] = {}
    digests: dict[str, str] = {}
    global _BATCH_BANKS
    _BATCH_BANKS = _BankNames()
    try:
        # (Pausing the collector here, as the main process does, was measured and made no difference: a batch is small.)
        return [read_workbook(path, shown, timings, digests) for path, shown in batch], timings, digests
    finally:
        _BATCH_BANKS = None


class _BankNames:
    """``match_bank`` against one catalog for one batch of workbooks (``read_batch``), each name matched once.

    ``bank_matcher`` looks at the catalog's files (a folder walk and a stat of each) every time it is asked, which
    cost more than reading the rest of a 表四; a batch takes a second, and the next one sees a maintainer's edit.
    The catalog is loaded when a 表四 first needs it, not before (a batch without one never loads it)."""

    def __init__(self) -> None:
        self.match: Callable[[Any], Any] | None = None
        self.seen: dict[str, Any] = {}

    def __call__(self, written: str) -> Any:
        if written not in self.seen:
            if self.match is None:
                from sbk.catalog import bank_matcher

                self.match = bank_matcher()
            try:
                self.seen[written] = self.match(written)
            except KeyError:
                self.seen[written] = None
        found = self.seen[written]
        if found is None:
            raise KeyError(written)
        return found


_BATCH_BANKS: _BankNames | None = None


def read_sheet(shown: str, raw: RawSheet) -> tuple[SheetData | None, list[Finding]]:
    """One sheet: hidden sheets are never read silently; hidden rows and columns in a form are refused."""
    if not any(v not in (None, "") for row in raw.cells for v in row):
        return None, []
    if raw.hidden:
        form, _ = recognise_form(raw.cells)
        if form is not None:
            # Which month a hidden copy holds, and whether it was meant to be filed, cannot be known: refuse.
            return None, [HIDDEN_SHEET.finding(shown, raw.name, "A1",
                                               f"隐藏的工作表中有{LAYOUTS[form].title}，用途无法确定，未读取：如是要报送的表，请取消隐藏"
                                               "（右键工作表标签 → 取消隐藏）；否则请删除该表后重新放入")]
        return None, [HIDDEN_SHEET_SKIPPED.finding(shown, raw.name, "A1", "隐藏的工作表，不是调度表，已跳过")]
    data, findings = _read_sheet(shown, raw.name, raw.cells, raw.merged)
    if data is not None or recognise_form(raw.cells)[0] is not None:
        # What is hidden (or shrunk to nothing) is not seen when the form is checked or printed: whether it was
        # meant to be filed cannot be known, so a form holding anything there is refused, naming the place.
        for r in sorted(raw.hidden_rows):
            if r - 1 < len(raw.cells) and any(v not in (None, "") for v in raw.cells[r - 1]):
                findings.append(HIDDEN_ROW.finding(shown, raw.name, f"A{r}",
                                                   f"第 {r} 行已隐藏（或行高为 0）但有内容，打印和查看时看不到，是否应报送无法确定：请取消隐藏"
                                                   "并核对，不需要的行请删除后重新放入"))
        for c in sorted(raw.hidden_cols):
            first = next((r for r, row in enumerate(raw.cells) if c - 1 < len(row) and row[c - 1] not in (None, "")), None)
            if first is not None:
                letter = _letter(c - 1)
                findings.append(HIDDEN_COLUMN.finding(shown, raw.name, f"{letter}{first + 1}",
                                                      f"第 {letter} 列已隐藏（或列宽为 0）但有内容，打印和查看时看不到，是否应报送无法确定："
                                                      "请取消隐藏并核对，不需要的列请删除后重新放入"))
    return data, findings


def _csv_text(path: Path) -> str | None:
    """A CSV's text: UTF-8 (with or without BOM), else GB18030; None when neither decodes or it is too large
    (the CSV reader of ``sbk.ingest`` then names the file)."""
    try:
        if path.stat().st_size > LIMITS["file_bytes"]:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def read_csv_form(path: Path, shown: str) -> tuple[list[SheetData], list[Finding]] | None:
    """A CSV in the official layout (the printed form's rows and columns, as Excel exports a sheet), read as a
    one-sheet workbook named after the file (as Excel names it); None when its first rows hold no form title."""
    import csv

    text = _csv_text(path)
    if text is None:
        return None
    try:
        head = [row for _, row in zip(range(8), csv.reader(io.StringIO(text, newline="")))]
    except csv.Error:
        return None  # the CSV reader of sbk.ingest names what is wrong
    if recognise_form(head)[0] is None:
        return None
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return [], [UNREADABLE.finding(shown, "", "", f"CSV 无法解析（{str(exc)[:80]}）：请另存为 .xlsx 后重新放入")]
    width = max((len(r) for r in rows), default=0)
    if len(rows) > LIMITS["rows"] or width > LIMITS["columns"]:
        return [], [SHEET_TOO_LARGE.finding(shown, path.stem, "", f"{len(rows)} 行 × {width} 列，超过上限 "
                                            f"{LIMITS['rows']} 行 × {LIMITS['columns']} 列")]
    data, findings = read_sheet(shown, RawSheet(path.stem, [list(r) for r in rows], []))
    return ([data] if data is not None else []), findings


def _read_sheet(path: str, sheet: str, cells: list[list[Any]], merged: list) -> tuple[SheetData | None, list[Finding]]:
    findings: list[Finding] = []
    form, title_row = recognise_form(cells)
    if form is None:
        return None, [UNRECOGNISED_SHEET.finding(path, sheet, "A1",
                              "未找到表名（社会保障卡发行情况月调度表 / 社会保障卡工作情况季调度表（一）…（四）），已跳过")]
    layout = LAYOUTS[form]
    # The merged headers filled in: only the rows where the header is looked for (up to 12 under the title) and
    # its levels, never the data rows (which are read from ``cells``).
    grid = _fill_merged(cells[:title_row + 12 + max(3, layout.header_levels)], merged)
    anchor = layout.anchor
    header_row = next(
        (i for i in range(title_row + 1, min(len(grid), title_row + 12)) if any(anchor in _norm(v) for v in grid[i])),
        None,
    )
    if header_row is None:
        return None, [HEADER_NOT_FOUND.finding(path, sheet, f"A{title_row + 2}", f"找不到表头（含“{anchor}”的行）")]
    # The title and the lines under it, in reading order (a label and its date may sit in neighbouring cells).
    header_text = " ".join(_header_cell_text(v) for r in cells[title_row:header_row] for v in r if v not in (None, ""))
    synthetic = "合成" in header_text or "synthetic" in header_text.lower() or "synthetic" in path.lower()
    head_cell = f"A{title_row + 2}"
    # Both readings of the header start from its NFKC form (NFKC is idempotent): worked out once, not once in each
    # (issue 18: the header holds a full-width colon, which makes NFKC do its whole work, in every file).
    header_nfkc = unicodedata.normalize("NFKC", header_text)
    try:
        period = parse_header(header_nfkc, form)
    except PeriodInDoubt as exc:
        # Never filed under a guessed month: the filer says which period the form is for.
        findings.append(exc.rule.finding(path, sheet, head_cell, str(exc)))
        period, in_doubt = None, True
    else:
        in_doubt = False
    if period is None and not in_doubt:
        findings.append(PERIOD_MISSING.finding(path, sheet, head_cell,
                                f"填报单位行中找不到{'年月（如 2015 年 3 月）' if form == 'monthly' else '年度和季度（如 2015年 第1季度）'}"))
    elif period is not None:
        try:
            parse_period(period)
        except PeriodError as exc:
            findings.append(PERIOD_INVALID.finding(path, sheet, head_cell, str(exc)))
            period = None
    province = province_in_text(header_nfkc, period or "2015-02")

    mapping, first_data, missing = _locate_columns(grid, layout, header_row)
    if missing:
        findings.append(COLUMNS_MISSING.finding(path, sheet, f"A{header_row + 1}",
                                f"缺少列：{'、'.join(missing)}（表头须与{layout.title}一致）"))
        return None, findings
    letters = {name: _letter(ci) for name, ci in mapping.items()}
    findings.extend(_header_units(cells, merged, layout, mapping, title_row, header_row, first_data, path, sheet))
    records: list[dict[str, Any]] = []
    total: dict[str, Any] | None = None
    total_row = None
    total_candidates: list[tuple[int, TotalLabel, dict[str, Any]]] = []  # (row, its label, figures)
    data_rows: list[int] = []  # every row read as data or total, in order: where a total may stand
    new_count, new_names, remark_cell = None, [], ""
    plan = _column_plan(layout)
    reading = [(ci, plan[name]) for name, ci in mapping.items() if plan[name].how != _SKIP]
    label_cols = [mapping[n] for n in ("region_name", "bank_name") if n in mapping]
    seq_col, code_col = mapping.get("seq"), mapping.get("region_code")
    has_total = layout.total_label is not None
    names_period = _same_names_as(period)  # what total_label asks once per row
    for ri in range(first_data, len(cells)):
        row = cells[ri]
        blank, plain = _row_is_plain(row)
        if blank:
            continue
        excel_row = ri + 1
        if not plain:
            # A row that may be a footer or the 备注 (a colon or 备 in its text, or a cell neither text nor number).
            texts = [normalise_text(v) for v in row]
            if not any(texts):
                continue
            joined = "".join(texts)
            if _FOOTER.search(joined):
                # Filer names and phone numbers: personal data, never read further.
                continue
            if _REMARK.match(texts[0] if texts else "") or (joined.startswith("备注")):
                remark_cell = f"A{excel_row}"
                m = _NEW_CITIES.search(joined)
                if m:
                    count_text = m.group(1) or ""
                    names = [n for n in parse_names(m.group(2)) if not set(n) <= {"_"}]
                    new_count = int(count_text) if count_text.isdigit() else (None if not names else len(names))
                    new_names = names
                elif joined.replace(" ", "") not in ("备注", "备注:", "备注："):
                    findings.append(REMARK_FORMAT.finding(path, sheet, remark_cell,
                                            "备注应写作“新增发卡城市__个，即_____”，未能读出新增城市"))
                continue
        width = len(row)
        label: Any = None
        for ci in label_cols:  # the region's (or bank's) name; a blank one falls through to the next
            label = row[ci] if ci < width else None
            if label:
                break
        seq_text = normalise_text(row[seq_col]) if seq_col is not None and seq_col < width else ""
        code_text = normalise_text(row[code_col]) if code_col is not None and code_col < width else ""
        data_rows.append(excel_row)
        as_total = _total_label(normalise_text(label or ""), code_text, names_period, seq_text)  # total_label's
        rec = _parse_cells(reading, row, letters, excel_row, path, sheet, findings)
        if as_total and has_total:  # 表三's only row is 全省: it is the data row.
            total_candidates.append((excel_row, as_total, rec))
            continue
        rec["source_row"] = excel_row
        # The sheet's own keys, in the order the records always had them; province_code is set once it is known.
        rec["period"], rec["province_code"], rec["source_file"], rec["source_sheet"] = period, None, path, sheet
        records.append(rec)

    # Region codes: infer the province from the rows, fill 省本级's blank code. The rows stay plain records until
    # the sheet's one frame is built at the end (a frame per step cost more than the reading itself).
    regional = "region_code" in layout.by_name
    if regional and records:
        counts: dict[str, int] = {}
        for rec in records:
            if "region_code" in rec and _SIX_DIGITS.fullmatch(code := str(rec["region_code"])):
                counts[code[:2] + "0000"] = counts.get(code[:2] + "0000", 0) + 1
        # The most frequent prefix; of several as frequent, the smallest (as pandas' mode() sorts them).
        code_province = min(k for k, n in counts.items() if n == max(counts.values())) if counts else None
        if province is None:
            province = code_province
            if province:
                findings.append(PROVINCE_FROM_CODES.finding(path, sheet, head_cell,
                                        f"填报单位未写明省份，按行政区划代码取 {province}"))
        elif code_province and code_province != province:
            findings.append(PROVINCE_MISMATCH.finding(path, sheet, head_cell,
                                    f"填报单位为 {province}，但各行的行政区划代码属于 {code_province}"))
    if province is None:
        findings.append(PROVINCE_UNKNOWN.finding(path, sheet, head_cell, "无法确定填报省份（填报单位或行政区划代码）"))
    if total_candidates:
        total, total_row = _choose_total(total_candidates, data_rows, layout, province, period, path, sheet,
                                         letters, findings)
    if records and regional and province and period:
        filled = _filled_codes(records, province, period, path, sheet, letters, findings)
        for rec, code in zip(records, filled or []):
            rec["region_code"] = code
    if records and "bank_name" in layout.by_name:
        for rec, name in zip(records, _bank_names(records, path, sheet, letters, findings)):
            rec["bank_name"] = name
    columns: list[str] = []
    if records:
        dropped = {f.name for f in layout.fields if not f.stored}.union(_WHERE)
        seen: dict[str, Any] = {}
        for rec in records:  # every key in the order first met (update keeps a key's first place)
            seen.update(rec)
        keys = [k for k in seen if k not in dropped]
        columns = ["period", "province_code", *keys, "source_file", "source_sheet"]
        for rec in records:  # a key a row lacks stays absent, as the frame had NaN there
            rec["province_code"] = province
    return SheetData(path, sheet, form, period, province, records, columns, letters, total, total_row, new_count,
                     new_names, remark_cell, synthetic, findings), findings


def _header_cell_text(value: Any) -> str:
    """A header cell as text. Excel turns a typed "2016年3月" into the date 2016-03-01: a date cell on the 1st
    reads as that month; any other day is written out to the day (and so counts as a filing date). Numbers
    typed into the blanks of "____年__月" read as whole numbers (2016, not 2016.0); a number with a fraction
    (2016.1: January, or October with its 0 dropped?) is left out, so it is never taken as a date."""
    if isinstance(value, (dt.datetime, dt.date)):
        if isinstance(value, dt.datetime) and value.time() != dt.time(0):
            return f"{value.year}年{value.month}月{value.day}日"
        return f"{value.year}年{value.month}月" if value.day == 1 else f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else ""
    return str(value)


@lru_cache(maxsize=1024)  # a national set has some 160 periods, read province by province
def _province_names(period: str | None) -> dict[str, str]:
    """Every province's full and short name (湖南省, 湖南) → its code, as a row label may carry them."""
    from sbk.regions import RegionError, provinces

    try:
        provs = provinces(period or "2015-02", quiet=True)
    except (RegionError, PeriodError):
        provs = provinces("2015-02", quiet=True)
    return {n: p.code for p in provs for n in (p.name, p.short_name)}


@dataclass(frozen=True)
class TotalLabel:
    """A row that says it is a total, or that carries the province's own code without saying 省本级.

    ``kind``: ``generic`` (合计, 全省 …), ``autonomous`` / ``municipality`` (全区, 全市: only there),
    ``province_name`` (湖南省, 湖南省（合计）), ``province_code`` (the province's code, the label blank or the
    province's name), ``subtotal`` (小计 alone: which rows it sums is unknown), ``code_conflict`` (the province's
    code with another region's name). ``province``: the province the label or the code names.
    """

    written: str
    kind: str
    province: str | None = None
    code: str = ""
    in_seq: bool = False  # written in the 序号 column (合计 under 序号, as 表四 prints it)

    @property
    def shown(self) -> str:
        return f"“{self.written}”" if self.written else f"（地区空白，代码 {self.code}）"


_NOTE = re.compile(r"[(（][^()（）]*[)）]\s*$")


def _total_core(text: str) -> tuple[str, list[str]]:
    """A label without spaces, brackets, punctuation at either end and 合计-like words before or after it:
    全省（合计） → (全省, [合计]); 合计（全省） → (全省, [合计]); 全 省： → (全省, [])."""
    word = re.sub(r"[\s()\[\]{}（）【】〔〕［］<>《》]", "", unicodedata.normalize("NFKC", text)).strip(_LABEL_PUNCT)
    words: list[str] = []
    while word and (m := _TOTAL_AFFIX.search(word)):
        words.append(m.group(m.lastindex or 0))
        word = (word[:m.start()] + word[m.end():]).strip(_LABEL_PUNCT)
    return word, words


_NAMES_SEEN: dict[tuple[tuple[str, str], ...], str | None] = {}


@lru_cache(maxsize=256)
def _same_names_as(period: str | None) -> str | None:
    """The first period asked about whose provinces' names are the same as ``period``'s (almost every period):
    ``total_label`` depends on the period only through those names."""
    return _NAMES_SEEN.setdefault(tuple(sorted(_province_names(period).items())), period)


def total_label(label: str, code: str, period: str | None, seq_text: str = "") -> TotalLabel | None:
    """Whether a row is labelled as a total (``_total_label``)."""
    # The same labels recur in every period of every file of a province: remembered across periods.
    return _total_label(label, code, _same_names_as(period), seq_text)


@lru_cache(maxsize=1 << 15)
def _total_label(label: str, code: str, period: str | None, seq_text: str = "") -> TotalLabel | None:
    """Whether a row is labelled as a total (合计, 全省, 全区/全市, the province's name, however spaced, bracketed
    or suffixed), or carries a province's own code without saying 省本级; None for a data row.

    A province's name on a row whose code is a prefecture's is that prefecture's short name (吉林 for
    吉林市 220200 in 吉林省), not the total. A province's code makes the row the province's: the total,
    or 省本级 when the label says so (省本级, 省直, 湖南省本级 …) — never a city's row.
    """
    names = _province_names(period)
    digits = normalise_text(code).replace(" ", "").removesuffix(".0")
    own_code = digits if digits in names.values() else None
    city_code = bool(re.fullmatch(r"\d{6}", digits)) and not digits.endswith("0000")
    # 湖南省（含省本级） is the province's total as much as 湖南省 is: a trailing note in brackets is tried without.
    for in_seq, written, text in ((i == 1, w, t) for i, w in enumerate((label, seq_text))
                                  for t in dict.fromkeys((w, _NOTE.sub("", w)))):
        core, words = _total_core(text)
        if not core and words:
            kind = "generic" if any(w in _TOTAL_WORDS for w in words) else "subtotal"
            return TotalLabel(written, kind, own_code, digits, in_seq)
        if core in _WHOLE or (core == "省" and words):
            scope = _WHOLE.get(core, "")
            kind = "autonomous" if scope == "自治区" else "municipality" if scope == "市" else "generic"
            return TotalLabel(written, kind, own_code, digits, in_seq)
        if core and core in names and not city_code:
            return TotalLabel(written, "province_name", names[core], digits, in_seq)
    if own_code is None:
        return None
    if _provincial_word(label, own_code, period or "2015-02") in _PROVINCIAL_LEVEL:
        return None  # 省本级, as the row says
    return TotalLabel(label, "province_code" if not label else "code_conflict", own_code, digits)


def _choose_total(candidates: list[tuple[int, TotalLabel, dict[str, Any]]], data_rows: list[int], layout: Layout,
                  province: str | None, period: str | None, path: str, sheet: str, letters: dict[str, str],
                  findings: list[Finding]) -> tuple[dict[str, Any] | None, int | None]:
    """The total row among the rows labelled as one: (its figures, its row), or (None, None).

    A generic label (合计, 全省 …) is the total wherever it stands. The province's own name, or its code with a
    blank label, is the total only as the first or the last row (elsewhere it could as well be 省本级 written
    with the province's name); another province's name or code, 全区 outside an autonomous region, 全市 outside
    a municipality, 小计 alone and the province's code with another region's name are refused. Two totals whose
    figures differ: which one is the total is in doubt, and the form is refused.
    """
    full = _full_names(period)
    label_letter = letters.get("region_name") or letters.get("bank_name") or letters.get("seq") or "A"
    where = f"{full.get(province or '', province or '')}（{province}）" if province else "本表"
    total = layout.total_label
    regional = "region_code" in layout.by_name
    write_as = f"{total}行请写“{total}”" + ("，省本级请写“省本级”" if regional else "")
    accepted: list[tuple[int, TotalLabel, dict[str, Any]]] = []
    for row, tl, figures in candidates:
        cell = f"{letters.get('seq', label_letter) if tl.in_seq else label_letter}{row}"
        if tl.kind == "subtotal":
            findings.append(TOTAL_AMBIGUOUS.finding(path, sheet, cell, f"{tl.shown}行是小计，不是{total}：无法确定它合计了哪些行；"
                                                                       f"{write_as}，小计行请删除"))
            continue
        if tl.kind == "code_conflict":
            code_cell = f"{letters.get('region_code', 'B')}{row}"
            findings.append(TOTAL_AMBIGUOUS.finding(
                path, sheet, code_cell, f"行政区划代码 {tl.code} 是省级代码，但地区写作{tl.shown}：无法确定是{total}行、省本级还是"
                                        f"该地区；{write_as}，地市请填写其本身的代码"))
            continue
        if tl.kind == "autonomous" and province and not full.get(province, "").endswith("自治区"):
            findings.append(TOTAL_AMBIGUOUS.finding(path, sheet, cell, f"{tl.shown}只用于自治区的全区合计，本表为{where}："
                                                                       f"合计行请写“{total}”"))
            continue
        if tl.kind == "municipality" and province and not full.get(province, "").endswith("市"):
            findings.append(TOTAL_AMBIGUOUS.finding(path, sheet, cell, f"{tl.shown}只用于直辖市的全市合计，本表为{where}："
                                                                       f"合计行请写“{total}”"))
            continue
        if tl.province and province and tl.province != province:
            findings.append(PROVINCE_MISMATCH.finding(path, sheet, cell, f"第 {row} 行写作{tl.shown}，但本表为{where}"))
            continue
        if tl.kind in ("province_name", "province_code") and row not in (data_rows[0], data_rows[-1]):
            findings.append(TOTAL_AMBIGUOUS.finding(
                path, sheet, cell, f"{tl.shown}行既不在表首也不在表尾：无法确定是{total}行还是省本级：{write_as}"))
            continue
        accepted.append((row, tl, figures))
    if not accepted:
        return None, None
    # A generic label is preferred as the one kept; the province's name or code second.
    accepted.sort(key=lambda c: (c[1].kind in ("province_name", "province_code"), c[0]))
    row, tl, figures = accepted[0]
    for other_row, other, other_figures in accepted[1:]:
        differ = [f for f in layout.summed if not _same_figure(figures.get(f), other_figures.get(f))]
        if differ:
            f = layout.by_name[differ[0]]
            findings.append(TOTAL_AMBIGUOUS.finding(
                path, sheet, f"{label_letter}{other_row}",
                f"第 {row} 行{tl.shown}与第 {other_row} 行{other.shown}都像{total}行，但{f.title}不同"
                f"（{_shown_figure(figures.get(differ[0]))} ≠ {_shown_figure(other_figures.get(differ[0]))}）：无法确定哪一行是"
                f"{total}；只保留一个{total}行，省本级请写“省本级”"))
    return figures, row


@lru_cache(maxsize=1024)
def _full_names(period: str | None) -> dict[str, str]:
    """Each province's code → its full name (湖南省, 广西壮族自治区, 北京市)."""
    return {code: name for name, code in _province_names(period).items() if name.endswith(("省", "自治区", "市"))}


def _same_figure(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 0.005


def _shown_figure(v: Any) -> str:
    return "空" if v is None else f"{float(v):.2f}"


def _provincial_word(name: str, province: str, period: str) -> str:
    """A row label without spaces, a trailing note in brackets and the province's own name in front:
    湖南省本级 → 本级, 湖南省省本级（含省直单位） → 省本级, 湖南省级 → 省级 (so 省本级 is recognised however it is
    written)."""
    word = re.sub(r"[(（][^()（）]*[)）]$", "", name.replace(" ", ""))
    rests = [word[len(own):] for own in _own_names(period, province) if word.startswith(own) and len(word) > len(own)]
    return next((r for r in rests if r in _PROVINCIAL_LEVEL), rests[0] if rests else word)


@lru_cache(maxsize=1024)
def _own_names(period: str, province: str) -> tuple[str, ...]:
    """A province's names (湖南省, 湖南), longest first."""
    return tuple(sorted((n for n, c in _province_names(period).items() if c == province), key=len, reverse=True))


def _fill_codes(df: pd.DataFrame, province: str, period: str, path: str, sheet: str,
                letters: dict[str, str], findings: list[Finding]) -> pd.DataFrame:
    """A blank 行政区划代码: 省本级 takes the province code; a named region its code (with a warning)."""
    codes = _filled_codes(records(df), province, period, path, sheet, letters, findings)
    return df if codes is None else df.assign(region_code=codes)


def _filled_codes(rows: list[dict[str, Any]], province: str, period: str, path: str, sheet: str,
                  letters: dict[str, str], findings: list[Finding]) -> list[str] | None:
    """Each row's 行政区划代码 with the blank ones filled (``_fill_codes``); None when none is blank."""
    codes = ["" if _missing(rec.get("region_code")) else str(rec["region_code"]) for rec in rows]
    if all(codes):
        return None
    from sbk.regions import RegionError, lookup

    for i, rec in enumerate(rows):
        code, name = codes[i], str(rec.get("region_name") or "")
        if not code:
            word = _provincial_word(name, province, period)
            if word in _PROVINCIAL_LEVEL or word == "全省" or _province_names(period).get(word) == province:
                # 省本级 (as it says), or 表三's single row, 全省 / the province's name: the province's own code.
                code = province
            else:
                try:
                    code = lookup(name, period, province=province, quiet=True).code
                    findings.append(CODE_FROM_NAME.finding(path, sheet, f"{letters.get('region_code', 'A')}{rec['source_row']}",
                                            f"{name} 的行政区划代码未填写，按名称取 {code}"))
                except (RegionError, PeriodError) as exc:
                    findings.append(CODE_MISSING.finding(path, sheet, f"{letters.get('region_code', 'A')}{rec['source_row']}",
                                            f"行政区划代码未填写，且{exc}"))
        codes[i] = code
    return codes


def _normalise_banks(df: pd.DataFrame, path: str, sheet: str, letters: dict[str, str],
                     findings: list[Finding]) -> pd.DataFrame:
    """Each 银行名称 as its canonical name (``_bank_names``)."""
    return df.assign(bank_name=_bank_names(records(df), path, sheet, letters, findings))


def _bank_names(rows: list[dict[str, Any]], path: str, sheet: str, letters: dict[str, str],
                findings: list[Finding]) -> list[str]:
    """Each 银行名称 as its canonical name (sbk.catalog.match_bank), so a bank is one name in every province.

    The full name, the legal name (…股份有限公司) and a branch (…省分行, …支行) are what the form
    asks for and pass silently; a short name is read with a warning; an unknown name is kept as
    written with a warning (policy_catalog/banks.yaml says which names are which, and why).
    """
    from sbk.catalog import bank_matcher

    match_bank = _BATCH_BANKS or bank_matcher()
    names: list[str] = []
    for rec in rows:
        written = str(rec.get("bank_name") or "")
        cell = f"{letters['bank_name']}{rec['source_row']}"
        if not written:
            names.append(written)
            continue
        try:
            match = match_bank(written)
        except KeyError:
            # A bank's name has no digits; a cell with digits may hold a personal number, so it is not echoed.
            if re.search(r"\d", unicodedata.normalize("NFKC", written)):
                shown = "所填名称（含数字，不予显示）"
            else:
                shown = f"“{written}”" if len(written) <= 40 else f"“{written[:20]}…”（共 {len(written)} 字）"
            findings.append(BANK_UNKNOWN.finding(path, sheet, cell,
                                    f"{shown} 不是目录中的银行，也不是“地名+银行/农村商业银行”形式的城市或农村商业银行，"
                                    "按原文保留；请填写商业银行全称（如 中国农业银行、长沙银行、浏阳农村商业银行），"
                                    "或由维护者把该行及其出处加入 policy_catalog/banks.yaml"))
            names.append(written)
            continue
        if not match.full:
            findings.append(BANK_SHORT_NAME.finding(path, sheet, cell,
                                    f"“{written}” 不是商业银行全称，按目录取 {match.name}；请填写全称"))
        names.append(match.name)
    return names


def _missing(value: Any) -> bool:
    """A blank a frame shows as None or NaN (what ``fillna`` fills)."""
    if value.__class__ is str:  # most values: asked first
        return False
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    pandas = sys.modules.get("pandas")  # pd.NA exists only once pandas is imported (never in a reader's worker)
    return pandas is not None and value is pandas.NA
