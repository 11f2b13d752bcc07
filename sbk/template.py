"""Workbooks in the official layout of the 2015 forms (openpyxl).

``write_sheet`` lays out one form on a worksheet exactly as the notice's
attachments print it: title, 填报单位 line, one- or two-level merged header,
region or bank rows, the 合计 / 全省 row, the 备注 row (monthly) and the
填报人 footer. ``sbk template`` writes a blank one for a province to fill; the
synthetic demo and the tests fill them with numbers.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from sbk.atomic import write_atomic
from sbk.calendar import parse_period
from sbk.export import protect_row
from sbk.forms import LAYOUTS, Kind, Layout

__all__ = ["FIXED_TIME", "blank_rows", "header_line", "new_workbook", "period_line", "save_workbook", "workbook_bytes", "write_sheet"]

# Workbook properties carry creation/modification times; fixing them keeps the
# content of generated workbooks stable from run to run.
FIXED_TIME = dt.datetime(2015, 2, 11)


def parent_headers(layout: Layout) -> list[tuple[int, int, str]]:
    """The upper header level: (first column, last column, label), 0-based, from the fields' header paths."""
    out: list[tuple[int, int, str]] = []
    for i, f in enumerate(layout.columns):
        if len(f.levels) < 2:
            continue
        if out and out[-1][1] == i - 1 and out[-1][2] == f.levels[0]:
            out[-1] = (out[-1][0], i, f.levels[0])
        else:
            out.append((i, i, f.levels[0]))
    return out


def period_line(form: str, period: str) -> str:
    p = parse_period(period)
    if LAYOUTS[form].kind == "monthly":
        return f"{p.year} 年 {p.end_month} 月"
    return f"{p.year}年 第{p.quarter}季度"


def header_line(form: str, province_name: str, period: str, filer_suffix: str = "人力资源和社会保障厅") -> list[str]:
    """The 填报单位 line(s) as the form prints them (one line, or unit and period on two), filled in."""
    unit = f"填报单位：{province_name}{filer_suffix}"
    if len(LAYOUTS[form].header_lines) == 1:
        return [f"{unit}    {period_line(form, period)}"]
    return [unit, period_line(form, period)]


def new_workbook() -> Workbook:
    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "sbk"
    wb.properties.created = FIXED_TIME
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes of ``wb``, the same for the same content.

    openpyxl stamps the save time into docProps/core.xml and the zip entries;
    both are replaced by FIXED_TIME so that regenerating a workbook does not
    change its sha256 (and so does not trigger a re-ingest or a diff).
    """
    buf = io.BytesIO()
    wb.save(buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def save_workbook(wb: Workbook, path: str | Path) -> Path:
    """Save atomically (temporary file, then rename), with stable bytes."""
    path = Path(path)
    write_atomic(path, workbook_bytes(wb))
    return path


def blank_rows(form: str, province_code: str, period: str) -> list[dict[str, Any]]:
    """The rows a province fills: 省本级 and its units in code order (表三: 全省; 表四: three blank banks)."""
    from sbk.regions import regions_of

    layout = LAYOUTS[form]
    if "region_code" not in layout.by_name:
        return [{"seq": i} for i in (1, 2, 3)]
    if layout.total_label is None:
        return [{"region_code": province_code, "region_name": "全省"}]
    regions = regions_of(province_code, period, quiet=True)
    rows: list[dict[str, Any]] = [{"region_code": "", "region_name": "省本级"}]
    rows += [{"region_code": r.code, "region_name": r.name} for r in regions]
    if "seq" in layout.by_name:
        for i, r in enumerate(rows, 1):
            r["seq"] = i
    return rows


def _cell_value(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return "，".join(str(v) for v in value)
    return value


def write_sheet(
    wb: Workbook,
    form: str,
    province_name: str,
    period: str,
    rows: Iterable[Mapping[str, Any]],
    *,
    total: Mapping[str, Any] | None = None,
    remark: str | None = None,
    footer: Mapping[str, str] | None = None,
    title: str | None = None,
    header_lines: list[str] | None = None,
) -> Any:
    """Lay out one form on a new worksheet of ``wb`` and return the worksheet.

    ``rows`` map layout fields to cell values (lists become "1，3，9"). ``total``
    fills the 合计/全省 row (omitted for 表三). ``footer`` may carry 填报人,
    联系电话, 负责人签名 (left blank by default).
    """
    layout: Layout = LAYOUTS[form]
    ws = wb.create_sheet(title or layout.title.replace("社会保障卡", "")[:31])
    ncols = len(layout.columns)
    last = get_column_letter(ncols)
    ws.append([layout.title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    for line in header_lines if header_lines is not None else header_line(form, province_name, period):
        ws.append([line])
    top = ws.max_row + 1
    parents = parent_headers(layout)
    if parents:
        parent_row = ["" if len(f.levels) > 1 else f.levels[0] for f in layout.columns]
        child_row = [f.levels[1] if len(f.levels) > 1 else "" for f in layout.columns]
        for first, _, label in parents:
            parent_row[first] = label
        ws.append(parent_row)
        ws.append(child_row)
        for i, f in enumerate(layout.columns):
            if len(f.levels) == 1:
                letter = get_column_letter(i + 1)
                ws.merge_cells(f"{letter}{top}:{letter}{top + 1}")
        for first, end, _ in parents:
            if first != end:
                ws.merge_cells(f"{get_column_letter(first + 1)}{top}:{get_column_letter(end + 1)}{top}")
    else:
        ws.append([f.header for f in layout.columns])
    for r in rows:
        ws.append([_cell_value(r.get(f.name, "")) for f in layout.columns])
    if layout.total_label and total is not None:
        # The total's label goes in 地区 and in 序号 (表四 prints it under 序号, leaving 银行名称 blank).
        ws.append([layout.total_label if f.kind is Kind.SEQ or f.name == "region_name" else _cell_value(total.get(f.name, ""))
                   for f in layout.columns])
    if layout.remark:
        ws.append([remark if remark is not None else layout.remark])
        ws.merge_cells(f"A{ws.max_row}:{last}{ws.max_row}")
    foot = footer or {}
    ws.append([f"填报人：{foot.get('填报人', '_____')}  联系电话：{foot.get('联系电话', '_____')}  "
               f"负责人签名：{foot.get('负责人签名', '_____')}"])
    for row in ws.iter_rows():
        protect_row(row)  # a 备注 or name starting with '=' stays text, never a formula
    for i in range(ncols):
        ws.column_dimensions[get_column_letter(i + 1)].width = 16
    return ws
