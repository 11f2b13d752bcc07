"""Shared helpers: small workbooks in the official layout, written by the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from sbk.template import new_workbook, save_workbook, write_sheet

HUNAN = "湖南省"


def monthly_rows(values: dict[str, Any]) -> list[dict[str, Any]]:
    names = {"": "省本级", "430100": "长沙市", "430200": "株洲市", "430300": "湘潭市"}
    return [{"seq": i, "region_code": code, "region_name": names[code], "cumulative_holders_10k": v}
            for i, (code, v) in enumerate(values.items(), 1)]


def write_monthly(path: Path, period: str, values: dict[str, Any], total: Any = "auto",
                  remark: str | None = None, footer: dict | None = None, header: list[str] | None = None) -> Path:
    rows = monthly_rows(values)
    if total == "auto":
        total = round(sum(float(v) for v in values.values() if isinstance(v, (int, float))), 2)
    wb = new_workbook()
    write_sheet(wb, "monthly", HUNAN, period, rows, total=None if total is None else {"cumulative_holders_10k": total},
                remark=remark, footer=footer, title="Sheet1", header_lines=header)
    return save_workbook(wb, path)


def edit(path: Path, sheet: str, **cells: Any) -> None:
    """Overwrite cells of a saved workbook: edit(p, 'Sheet1', D5='1,234.56')."""
    wb = load_workbook(path)
    ws = wb[sheet]
    for ref, value in cells.items():
        ws[ref] = value
    wb.save(path)


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    d = tmp_path / "raw"
    d.mkdir()
    return d
