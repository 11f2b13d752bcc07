"""HTML: a run notebook as a self-contained report page, and the index of every report."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from sbk import __version__
from sbk.atomic import write_atomic
from sbk.build.record import ReportRecord, read_record
from sbk.build.registry import ANALYSES, NATIONAL
from sbk.csp import with_policy

if TYPE_CHECKING:
    from nbformat import NotebookNode

__all__ = ["render_html", "clean_notebook", "write_index", "index_records"]

_STRIP_SCRIPTS = [
    re.compile(r'<script src="[^"]*">\s*</script>\s*'),
    re.compile(r'<script type="text/x-mathjax-config">.*?</script>\s*', re.S),
    re.compile(r'<script type="module">.*?</script>\s*', re.S),
]


@lru_cache(maxsize=1)
def _exporter():
    """One exporter per process: building it (templates, filters) costs more than rendering a report."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True,
                        exclude_output_prompt=True, embed_images=True, require_js_url="", mathjax_url="",
                        jquery_url="", mermaid_js_url="", widget_renderer_url="", jupyter_widgets_base_url="")


def render_html(nb: "NotebookNode", title: str) -> str:
    """Self-contained HTML: code hidden, images embedded, no scripts fetched from the network."""
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    for pattern in _STRIP_SCRIPTS:
        body = pattern.sub("", body)
    return with_policy(body.replace('<html>', '<html lang="zh-CN">', 1))


def clean_notebook(nb: "NotebookNode") -> None:
    """Drop what differs between identical runs: papermill timings and kernel ids."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)


def index_records(reports: Path, processed: Path | None = None) -> tuple[list[ReportRecord], list[ReportRecord]]:
    """The reports the index lists, and those it leaves out because their data is no longer in ``processed``.

    Without ``processed`` (no processed data to judge by) every report with a readable record is listed.
    """
    from sbk.build.planning import has_data

    records = [r for r in map(read_record, sorted(reports.glob("*/*/*.json"))) if r is not None]
    if processed is None:
        return records, []
    present = [has_data(processed, r.job) for r in records]
    return ([r for r, ok in zip(records, present) if ok], [r for r, ok in zip(records, present) if not ok])


def write_index(reports: Path, processed: Path | None = None) -> Path:
    """reports/index.html: every report by period, province and analysis, plus the catalog page.

    With ``processed``, reports whose data has since been removed are left out (see ``index_records``).
    """
    e = html.escape
    records, _ = index_records(reports, processed)
    records.sort(key=lambda r: (r.job.province != NATIONAL, r.job.province, r.job.period, r.job.analysis))
    rows = []
    for r in records:
        j = r.job
        href = f"{j.period}/{j.province}/{j.analysis}.html"
        tag = '<span class="syn">合成示例 synthetic</span>' if r.synthetic else '<span class="real">公开数据 published</span>'
        place = "全国 national" if j.province == NATIONAL else j.province
        rows.append(f'<tr><td>{e(j.period)}</td><td>{e(place)}</td><td><a href="{e(href)}">{e(ANALYSES[j.analysis].title)}</a></td><td>{tag}</td></tr>')
    page = (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>sbk 报告索引 · Reports</title>'
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:3px 8px}.syn{color:#b22222}.real{color:#1f5fa8}</style></head><body>"
        "<h1>社会保障卡报告索引 · Reports</h1>"
        f"<p>sbk {e(__version__)}. <a href=\"catalog.html\">政策文件目录 · Policy catalog</a></p>"
        "<p>Reports marked 合成示例 are built from the synthetic demo province and are not official statistics.</p>"
        "<table><tr><th>期别 Period</th><th>地区 Province</th><th>报告 Report</th><th>数据 Data</th></tr>"
        + "".join(rows) + "</table></body></html>\n"
    )
    target = reports / "index.html"
    write_atomic(target, with_policy(page).encode("utf-8"))
    return target
