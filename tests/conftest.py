"""Shared helpers: small workbooks in the official layout, written by the tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from sbk.template import new_workbook, save_workbook, write_sheet

HUNAN = "湖南省"
VALUES_SAMPLE = {"": 12.5, "430100": 300.12, "430200": 80.0}


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


@pytest.fixture(autouse=True)
def _no_figure_left_open():
    """A chart function called outside a kernel returns its figure open: close it after the test that made it."""
    yield
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture
def raw(tmp_path: Path) -> Path:
    d = tmp_path / "raw"
    d.mkdir()
    return d


REPO = Path(__file__).resolve().parents[1]


def _national_period() -> str:
    """The month of the latest national holders figure in the embedded published record (as sbk.build plans it)."""
    import csv

    with (REPO / "data" / "raw" / "published" / "published_figures.csv").open(encoding="utf-8") as fh:
        return max(r["date"] for r in csv.DictReader(fh) if r["measure"] == "holders" and r["scope"] == "全国")[:7]


NATIONAL_PERIOD = _national_period()
# One report of each analysis for the synthetic demo, one monthly, and the national (published) pair.
SAMPLE_JOBS = [("2016Q4", "430000", a) for a in ("coverage", "issuance_trend", "bank_cooperation", "applications", "cardholder_db")] + [
    ("2016-12", "430000", "issuance_trend"), ("2016-12", "430000", "bulletin"),
    (NATIONAL_PERIOD, "national", "coverage"), (NATIONAL_PERIOD, "national", "issuance_trend"),
    ("2016-12", "national", "provinces"), ("2016-12", "national", "bulletin")]


WEB_TOOLS = REPO / "tools" / "web" / "node_modules"  # axe-core and vnu-jar, installed by `make web-tools`


def sample_pages(reports: Path) -> list[Path]:
    """The pages the page checkers read: the index, the catalog page, every period's page and each sample report."""
    return ([reports / "index.html", reports / "catalog.html"] + sorted((reports / "archive").glob("*.html"))
            + [reports / period / province / f"{analysis}.html" for period, province, analysis in SAMPLE_JOBS])


@pytest.fixture(scope="session")
def processed_dir(tmp_path_factory) -> Path:
    """The embedded data, ingested once for the session."""
    from sbk.ingest import ingest

    out = tmp_path_factory.mktemp("processed")
    result = ingest(REPO / "data" / "raw", out)
    assert result.ok, [f.format() for f in result.findings]
    return out


@pytest.fixture(scope="session")
def built_reports(processed_dir, tmp_path_factory) -> Path:
    """A report tree with the sample jobs, the index and the catalog page."""
    from sbk.build import Job, run_jobs, write_index
    from sbk.catalog_page import write_catalog_page

    reports = tmp_path_factory.mktemp("reports")
    results = run_jobs([Job(*j) for j in SAMPLE_JOBS], processed_dir, reports, jobs_n=2)
    assert all(status == "built" for _, status, _ in results), results
    write_index(reports)
    write_catalog_page(reports)
    return reports
