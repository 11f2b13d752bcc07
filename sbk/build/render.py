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

__all__ = ["clean_notebook", "compact_styles", "index_records", "number_figures", "render_html", "write_index"]

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


def render_html(nb: NotebookNode, title: str) -> str:
    """Self-contained HTML: code hidden, images embedded, no scripts fetched from the network."""
    body, _ = _exporter().from_notebook_node(nb, resources={"metadata": {"name": title}})
    for pattern in _STRIP_SCRIPTS:
        body = pattern.sub("", body)
    return with_policy(compact_styles(_valid_markup(body)))


# What the Nu HTML checker and axe-core ask of a report page and nbconvert's lab template does not give:
# the page's language (the template declares "en"), styles in the <head> (pandas and sbk outputs put <style>
# in the body, where Nu rejects ``scoped`` and selectors reaching outside the element's parent), and no
# header cell without a name (pandas writes a blank <th> above its index: axe's empty-table-header).
_HTML_OPEN = re.compile(r"<html(?:\s[^>]*)?>")
_STYLE = re.compile(r"<style\b[^>]*>(.*?)</style>\s*", re.DOTALL)
_EMPTY_TH = re.compile(r"<th((?:\s[^>]*)?)>((?:\s|&nbsp;|&#160;)*)</th>")  # pandas' Styler writes &nbsp;


def _valid_markup(page: str) -> str:
    """The report page in Chinese, its body's styles moved into the <head>, empty header cells as data cells.

    Moving a <style> changes nothing a browser shows: ``scoped`` was never implemented, so its rules already
    applied to the whole page. Identical blocks (pandas repeats one per table) are kept once. Text from data is
    escaped before it reaches the page, so the patterns only ever meet markup.
    """
    page = _HTML_OPEN.sub('<html lang="zh-CN">', page, count=1)
    head_end = page.find("</head>")
    if head_end < 0:
        return page
    head, body = page[:head_end], page[head_end:]
    styles = list(dict.fromkeys(m.group(1).strip() for m in _STYLE.finditer(body)))
    body = _EMPTY_TH.sub(r"<td\1>\2</td>", _STYLE.sub("", body))
    moved = "".join(f"<style>\n{css}\n</style>\n" for css in [*styles, _READER_CSS] if css)
    return head + moved + body


# Links inside running text are underlined, not told apart by colour alone (axe: link-in-text-block): the template
# underlines none, and the data downloads sit in captions and the provenance line.
_READER_CSS = (".jp-RenderedHTMLCommon a[download]:link,.jp-RenderedHTMLCommon a[download]:visited,"  # outranks the
               "a[download]{text-decoration:underline}")  # template's a:link{text-decoration:none}


def number_figures(nb: NotebookNode) -> None:
    """Number the report's charts in page order: 图 1, 图 2 … in each caption and in its CSV's file name.

    ``sbk.analysis.charts`` shows each chart as one HTML output (image with alt text, caption, data download)
    carrying a placeholder number; numbering here, on the finished notebook, counts exactly the charts this report
    shows, whatever ran before it on a warm kernel.
    """
    from sbk.analysis.charts import FIGURE_FILE, FIGURE_LABEL, FIGURE_NUMBER

    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data") or {}
            text = data.get("text/html")
            if not isinstance(text, str) or FIGURE_LABEL not in text:
                continue
            n += 1
            data["text/html"] = (text.replace(FIGURE_LABEL, FIGURE_LABEL.replace(FIGURE_NUMBER, str(n)), 1)
                                 .replace(FIGURE_FILE, FIGURE_FILE.replace(FIGURE_NUMBER, str(n)), 1))


_STYLE_PARTS = re.compile(r"(<style[^>]*>)(.*?)(</style>)", re.DOTALL)
_CUSTOM_PROPERTY_USE = re.compile(r"var\(\s*(--[\w-]+)")


def compact_styles(page: str) -> str:
    """The page's style sheets without the rules it cannot use: a third of a report's size instead of two thirds.

    nbconvert's lab template embeds all of JupyterLab's CSS (about 260 KB: every widget, icons as SVG variables)
    in each report. A rule is kept when every class and id its selector names occurs in the page (the page is
    static: no script adds one later), and a custom property (``--jp-…``) when a kept rule uses it, directly or
    through another property. Nothing else changes: the kept rules apply exactly as before. tinycss2 (already
    installed with nbconvert's sanitiser) parses the CSS; a regular expression could not see nested rules.
    """
    import tinycss2

    head_end = page.find("<body")
    if head_end < 0:
        return page
    head, body = page[:head_end], page[head_end:]
    classes = {c for m in re.finditer(r'class="([^"]*)"', body) for c in m.group(1).split()}
    ids = set(re.findall(r'id="([^"]*)"', body))

    def selector_used(sel: str) -> bool:
        sel = re.sub(r"::?[a-zA-Z-]+(\([^)]*\))?", "", sel)  # pseudo-classes say nothing about the page's names
        return (all(c in classes for c in re.findall(r"\.(-?[_a-zA-Z][\w-]*)", sel))
                and all(i in ids for i in re.findall(r"#(-?[_a-zA-Z][\w-]*)", sel)))

    def kept(rules: list) -> list[tuple[str, list]]:
        """(prelude, declarations or nested rules) of each rule kept, in order."""
        out: list[tuple[str, list]] = []
        for r in rules:
            if r.type == "qualified-rule":
                sels = [s.strip() for s in tinycss2.serialize(r.prelude).split(",")]
                used = [s for s in sels if selector_used(s)]
                if used:
                    decls = [d for d in tinycss2.parse_blocks_contents(r.content, skip_comments=True,
                                                                       skip_whitespace=True) if d.type == "declaration"]
                    out.append((", ".join(used), decls))
            elif r.type == "at-rule" and r.lower_at_keyword in ("media", "supports") and r.content is not None:
                inner = kept(tinycss2.parse_rule_list(r.content, skip_comments=True, skip_whitespace=True))
                if inner:
                    out.append(("@" + r.at_keyword + tinycss2.serialize(r.prelude), inner))
            elif r.type == "at-rule":
                out.append((r.serialize(), []))
        return out

    sheets = []
    for m in _STYLE_PARTS.finditer(head):
        sheets.append(kept(tinycss2.parse_stylesheet(m.group(2), skip_comments=True, skip_whitespace=True)))

    def walk(rules: list[tuple[str, list]]):
        for prelude, content in rules:
            if prelude.startswith("@") and content and isinstance(content[0], tuple):
                yield from walk(content)
            else:
                yield prelude, content

    # Custom properties: those used outside custom properties, then what those use, until nothing is added.
    defined: dict[str, list[str]] = {}
    needed: set[str] = set()
    for sheet in sheets:
        for _, decls in walk(sheet):
            for d in decls:
                refs = _CUSTOM_PROPERTY_USE.findall(tinycss2.serialize(d.value))
                if d.name.startswith("--"):
                    defined.setdefault(d.name, []).extend(refs)
                else:
                    needed.update(refs)
    todo = list(needed)
    while todo:
        for ref in defined.get(todo.pop(), []):
            if ref not in needed:
                needed.add(ref)
                todo.append(ref)

    def text(rules: list[tuple[str, list]]) -> str:
        out = []
        for prelude, content in rules:
            if prelude.startswith("@") and content and isinstance(content[0], tuple):
                out.append(prelude.strip() + "{" + text(content) + "}")
            elif prelude.startswith("@"):
                out.append(prelude)
            else:
                decls = [d for d in content if not d.name.startswith("--") or d.name in needed]
                if decls:
                    out.append(prelude + "{" + ";".join(
                        f"{d.name}:{tinycss2.serialize(d.value).strip()}" + (" !important" if d.important else "")
                        for d in decls) + "}")
        return "\n".join(out)

    texts = iter([text(sheet) for sheet in sheets])
    head = _STYLE_PARTS.sub(lambda m: (m.group(1) + next(texts) + m.group(3)), head)
    return head + body


def clean_notebook(nb: NotebookNode) -> None:
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


_INDEX_STYLE = (
    "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#1a1a1a}"
    "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #bbb;padding:3px 8px;text-align:left}"
    "th[scope=row]{font-weight:normal}.syn{color:#a11d1d}.real{color:#1f4f8a}.none{color:#555}"
    "nav a{margin-right:1em}ul.periods{columns:4;list-style:none;padding:0}"
)


def _period_order(period: str) -> tuple[int, int, int]:
    """Periods in time order, a quarter after the month that ends it (2016-12, 2016Q4)."""
    from sbk.calendar import parse_period

    p = parse_period(period, check_regime=False)
    return (p.year, p.end_month, 1 if p.kind == "quarterly" else 0)


def _province_label(code: str, period: str) -> str:
    """湖南省（430000）: the name a reader looks for, with the code that files use."""
    from sbk.regions import RegionError, province_of

    try:
        return f"{province_of(code, period, quiet=True).name}（{code}）"
    except (RegionError, ValueError):
        return code


def _page(title: str, body: str) -> bytes:
    e = html.escape
    page = (f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{e(title)}</title>'
            f"<style>{_INDEX_STYLE}</style></head><body><main>{body}</main></body></html>\n")
    return with_policy(page).encode("utf-8")


def _period_section(period: str, records: list[ReportRecord], prefix: str, heading: str) -> str:
    """One period: its national reports, then a province × analysis grid of links (— where there is no report)."""
    e = html.escape
    national = [r for r in records if r.job.province == NATIONAL]
    provincial = [r for r in records if r.job.province != NATIONAL]
    out = [f'<h2 id="p{e(period)}">{e(heading)}</h2>']
    if national:
        links = "".join(
            f'<li><a href="{e(prefix + r.job.folder.as_posix() + "/" + r.job.analysis + ".html")}">'
            f"{e(ANALYSES[r.job.analysis].title)}</a> "
            + ('<span class="syn">含合成示例 synthetic parts</span>' if r.synthetic else '<span class="real">公开数据 published</span>')
            + "</li>" for r in sorted(national, key=lambda r: list(ANALYSES).index(r.job.analysis)))
        out.append(f"<h3>全国 · National</h3><ul>{links}</ul>")
    if provincial:
        analyses = [a for a in ANALYSES if any(r.job.analysis == a for r in provincial)]
        by_place: dict[str, dict[str, ReportRecord]] = {}
        for r in provincial:
            by_place.setdefault(r.job.province, {})[r.job.analysis] = r
        head = "".join(f'<th scope="col">{e(ANALYSES[a].title)}</th>' for a in analyses)
        rows = []
        for code in sorted(by_place):
            cells = []
            for a in analyses:
                rec = by_place[code].get(a)
                if rec is None:
                    cells.append('<td class="none">—</td>')
                else:
                    href = f"{prefix}{rec.job.folder.as_posix()}/{a}.html"
                    cells.append(f'<td><a href="{e(href)}">{e(ANALYSES[a].title.split(" · ")[0])}</a></td>')
            synthetic = any(r.synthetic for r in by_place[code].values())
            tag = '<span class="syn">合成示例 synthetic</span>' if synthetic else '<span class="real">报送数据 filed</span>'
            rows.append(f'<tr><th scope="row">{e(_province_label(code, period))}</th>{"".join(cells)}<td>{tag}</td></tr>')
        out.append(f'<h3>各省 · Provinces</h3><table><thead><tr><th scope="col">地区 Province</th>{head}'
                   f'<th scope="col">数据 Data</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    return "".join(out)


def write_index(reports: Path, processed: Path | None = None) -> Path:
    """reports/index.html opening on the latest period, and one archive page per period (reports/archive/).

    The index shows the latest national reports, then the latest month's and the latest quarter's province ×
    analysis grids, then links to every period's page: it stays one screen whatever the number of provinces and
    years. Static HTML, no scripts (the Content-Security-Policy allows none). With ``processed``, reports whose
    data has since been removed are left out (see ``index_records``); archive pages of periods left with no
    report are removed.
    """
    e = html.escape
    records, _ = index_records(reports, processed)
    by_period: dict[str, list[ReportRecord]] = {}
    for r in records:
        by_period.setdefault(r.job.period, []).append(r)
    periods = sorted(by_period, key=_period_order, reverse=True)
    synthetic_note = ("<p>标为 合成示例 synthetic 的报告由合成示例数据生成，不是官方统计。"
                      "Reports marked synthetic are built from the synthetic demo and are not official statistics.</p>")
    nav = '<nav><a href="{up}index.html">报告索引 Reports</a><a href="{up}catalog.html">政策文件目录 · Policy catalog</a></nav>'

    archive = reports / "archive"
    wanted = {f"{p}.html" for p in periods}
    for p in periods:
        body = (nav.format(up="../") + f"<h1>{e(p)} 报告 · Reports for {e(p)}</h1>" + synthetic_note
                + _period_section(p, by_period[p], "../", f"{p}"))
        write_atomic(archive / f"{p}.html", _page(f"sbk {p} 报告", body))
    if archive.is_dir():
        for old in archive.glob("*.html"):
            if old.name not in wanted:
                old.unlink()

    latest_national = next((p for p in periods if any(r.job.province == NATIONAL for r in by_period[p])), None)
    latest_month = next((p for p in periods if any(r.job.province != NATIONAL for r in by_period[p]) and "Q" not in p), None)
    latest_quarter = next((p for p in periods if any(r.job.province != NATIONAL for r in by_period[p]) and "Q" in p), None)
    sections = []
    shown = []
    for latest in (latest_national, latest_month, latest_quarter):
        if latest is None or latest in shown:
            continue
        shown.append(latest)
        sections.append(_period_section(latest, by_period[latest], "", f"最新 Latest: {latest}"))
    years: dict[str, list[str]] = {}
    for p in periods:
        years.setdefault(p[:4], []).append(p)
    archive_list = "".join(
        f"<h3>{e(y)}</h3><ul class=\"periods\">"
        + "".join(f'<li><a href="archive/{e(p)}.html">{e(p)}</a>（{len(by_period[p])} 份）</li>' for p in ps)
        + "</ul>" for y, ps in years.items())
    body = (nav.format(up="") + "<h1>社会保障卡报告索引 · Reports</h1>"
            f"<p>sbk {e(__version__)}. 共 {len(records)} 份报告，{len(periods)} 个期别。</p>" + synthetic_note
            + ("".join(sections) if sections else "<p>尚无报告 No reports yet.</p>")
            + (f"<h2>历期 · Archive</h2>{archive_list}" if periods else ""))
    target = reports / "index.html"
    write_atomic(target, _page("sbk 报告索引 · Reports", body))
    return target
