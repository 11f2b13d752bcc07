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
import warnings
from pathlib import Path
from typing import Any, Iterable, Mapping

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from sbk.atomic import write_atomic
from sbk.calendar import parse_period
from sbk.export import protect_row
from sbk.forms import LAYOUTS, Layout

__all__ = ["header_line", "period_line", "write_sheet", "new_workbook", "save_workbook", "workbook_bytes", "blank_rows", "FIXED_TIME"]

# Workbook properties carry creation/modification times; fixing them keeps the
# content of generated workbooks stable from run to run.
FIXED_TIME = dt.datetime(2015, 2, 11)

_PARENTS = {
    "q1": [("C", "F", "累计持卡人数（万人）"), ("H", "I", "服务情况")],
    "q2": [("F", "F", "本地应用情况"), ("G", "H", "跨地区应用情况")],
    "q4": [("C", "F", "具有金融功能的社会保障卡发行情况")],
}


def period_line(form: str, period: str) -> str:
    p = parse_period(period)
    if form == "monthly":
        return f"{p.year} 年 {p.end_month} 月"
    return f"{p.year}年 第{p.quarter}季度"


def header_line(form: str, province_name: str, period: str, filer_suffix: str = "人力资源和社会保障厅") -> list[str]:
    """The 填报单位 line(s) as the form prints them, filled in."""
    unit = f"填报单位：{province_name}{filer_suffix}"
    if form in ("monthly", "q1"):
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


def _label_parts(label: str) -> list[str]:
    return label.split("/")


def blank_rows(form: str, province_code: str, period: str) -> list[dict[str, Any]]:
    """The rows a province fills: 省本级 and its units in code order (表三: 全省; 表四: three blank banks)."""
    from sbk.regions import regions_of

    if form == "q3":
        return [{"region_code": province_code, "region_name": "全省"}]
    if form == "q4":
        return [{"seq": i} for i in (1, 2, 3)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        regions = regions_of(province_code, period)
    rows: list[dict[str, Any]] = [{"region_code": "", "region_name": "省本级"}]
    rows += [{"region_code": r.code, "region_name": r.name} for r in regions]
    if form == "monthly":
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
    two_level = form in _PARENTS
    if two_level:
        parent_row = [""] * ncols
        child_row = [""] * ncols
        for i, (_, _, label) in enumerate(layout.columns):
            parts = _label_parts(label)
            if len(parts) == 2:
                child_row[i] = parts[1]
            else:
                parent_row[i] = parts[0]
        for first, _, label in _PARENTS[form]:
            parent_row[ord(first) - 65] = label
        ws.append(parent_row)
        ws.append(child_row)
        for i, (_, _, label) in enumerate(layout.columns):
            letter = get_column_letter(i + 1)
            if len(_label_parts(label)) == 1:
                ws.merge_cells(f"{letter}{top}:{letter}{top + 1}")
        for first, end, _ in _PARENTS[form]:
            if first != end:
                ws.merge_cells(f"{first}{top}:{end}{top}")
    else:
        ws.append([label for _, _, label in layout.columns])
    for r in rows:
        ws.append([_cell_value(r.get(field, "")) for field, _, _ in layout.columns])
    if layout.total_label and total is not None:
        values = []
        for field, _, _ in layout.columns:
            if field == "region_name" or (form in ("monthly", "q4") and field == "seq"):
                values.append(layout.total_label)
            else:
                values.append(_cell_value(total.get(field, "")))
        ws.append(values)
    if form == "monthly":
        ws.append([remark if remark is not None else "备注：新增发卡城市__个，即_____"])
        ws.merge_cells(f"A{ws.max_row}:{last}{ws.max_row}")
    f = footer or {}
    ws.append([f"填报人：{f.get('填报人', '_____')}  联系电话：{f.get('联系电话', '_____')}  "
               f"负责人签名：{f.get('负责人签名', '_____')}"])
    for row in ws.iter_rows():
        protect_row(row)  # a 备注 or name starting with '=' stays text, never a formula
    for i in range(ncols):
        ws.column_dimensions[get_column_letter(i + 1)].width = 16
    return ws
