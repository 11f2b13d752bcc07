"""Seen in a real browser: Debian's Chromium driven by Playwright opens the index and one report of each analysis."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import NATIONAL_PERIOD, SAMPLE_JOBS, WEB_TOOLS, sample_pages

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        yield b
        b.close()


def _open(browser, url: str):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    page.wait_for_load_state("load")
    return page, errors


def test_index_links_to_every_report_and_each_opens_with_charts_and_chinese_headings(browser, built_reports):
    ARTIFACTS.mkdir(exist_ok=True)
    page, errors = _open(browser, (built_reports / "index.html").as_uri())
    hrefs = page.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
    page.screenshot(path=str(ARTIFACTS / "index.png"), full_page=True)
    assert "catalog.html" in hrefs and not errors, errors
    page.close()
    for period, province, analysis in SAMPLE_JOBS:
        href = f"{period}/{province}/{analysis}.html"
        assert f"archive/{period}.html" in hrefs
        archive, errors = _open(browser, (built_reports / "archive" / f"{period}.html").as_uri())
        assert f"../{href}" in archive.eval_on_selector_all("a", "els => els.map(e => e.getAttribute('href'))")
        assert not errors, errors
        archive.close()
        page, errors = _open(browser, (built_reports / href).as_uri())
        sizes = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
        alts = page.eval_on_selector_all("img", "els => els.map(e => e.getAttribute('alt') || '')")
        h1 = page.inner_text("h1")
        page.screenshot(path=str(ARTIFACTS / f"{period}_{province}_{analysis}.png"), full_page=False)
        page.close()
        assert sizes or analysis == "bulletin", f"{href}: no chart"
        assert all("：" in a and "No description" not in a for a in alts), f"{href}: alt text {alts}"
        assert all(done and w > 0 and h > 0 for done, w, h in sizes), f"{href}: an image did not load: {sizes}"
        assert re.search(r"[\u4e00-\u9fff]", h1), f"{href}: heading {h1!r}"
        assert not errors, f"{href}: console errors {errors}"


# The national coverage series, the roll-up with its tile maps, the ministry's bulletin and a province's report.
CHART_PAGES = [f"{NATIONAL_PERIOD}/national/coverage.html", "2016-12/national/provinces.html",
               "2016-12/national/bulletin.html", "2016Q4/430000/coverage.html"]


@pytest.mark.parametrize("href", CHART_PAGES)
def test_each_chart_loads_with_its_alt_text_and_its_download_gives_the_csv_drawn(browser, built_reports, href):
    import base64
    import csv
    import io

    page, errors = _open(browser, (built_reports / href).as_uri())
    figures = page.eval_on_selector_all("figure.sbk-chart", """els => els.map(f => {
        const img = f.querySelector('img'), a = f.querySelector('a[download]');
        return [img.complete && img.naturalWidth > 0, img.getAttribute('alt'), f.querySelector('figcaption').innerText,
                a && a.getAttribute('download'), a && a.getAttribute('href')];
    })""")
    assert page.eval_on_selector_all("img", "els => els.length") == len(figures), f"{href}: an image outside a figure"
    for n, (loaded, alt, caption, name, data_uri) in enumerate(figures, 1):
        assert loaded, f"{href}: figure {n} did not load"
        assert re.match(r"^\S+图：.+（.+），", alt) and len(alt) > 20 and "No description" not in alt, alt
        assert caption.startswith(f"图 {n}") and "下载本图数据（CSV" in caption, caption
        assert name == f"图{n}_数据.csv"
        with page.expect_download() as info:
            page.locator("figure.sbk-chart").nth(n - 1).locator("a[download]").click()
        got = Path(info.value.path()).read_bytes()
        assert got == base64.b64decode(data_uri.split(",", 1)[1]) and info.value.suggested_filename == name
        rows = list(csv.reader(io.StringIO(got.decode("utf-8-sig"), newline="")))
        assert len(rows) > 1 and re.search(r"[\u4e00-\u9fff]", rows[0][-1]), rows[:2]
    inputs = page.eval_on_selector("p.sbk-inputs a", "a => a.getAttribute('href')")
    assert (built_reports / href).parent.joinpath(inputs).is_file()
    if href == "2016Q4/430000/coverage.html":  # the README's picture of a chart with its download link
        page.locator("figure.sbk-chart").nth(1).screenshot(path=str(ARTIFACTS / "report_chart.png"))
    page.close()
    assert href.endswith("bulletin.html") or figures, f"{href}: no chart"
    assert not errors, f"{href}: console errors {errors}"


def test_catalog_page_opens_with_its_timeline(browser, built_reports):
    page, errors = _open(browser, (built_reports / "catalog.html").as_uri())
    assert "社会保障卡政策文件目录" in page.inner_text("h1")
    box = page.eval_on_selector("svg", "e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height]")
    page.screenshot(path=str(ARTIFACTS / "catalog.png"), full_page=False)
    page.close()
    assert box[0] > 100 and box[1] > 100 and not errors, errors


# --- accessibility: axe-core, injected into each page in Chromium -------------------------------------------

AXE = WEB_TOOLS / "axe-core" / "axe.min.js"
# Every rule axe runs by default (WCAG 2.x A and AA, best practices); only violations are returned in full.
_AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return {lang: document.documentElement.lang, main: document.querySelectorAll("main").length,
          violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                              nodes: v.nodes.map(n => n.target.join(" "))}))};
}"""


def _axe(browser, url: str) -> dict:
    """axe-core's verdict on one page. The pages forbid scripts (CSP), so the test's own context bypasses that."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed ({AXE}): `make test` installs it (make web-tools)")
    context = browser.new_context(bypass_csp=True, viewport={"width": 1100, "height": 900})
    try:
        page = context.new_page()
        page.goto(url)
        # Folded parts (the provenance box, long tables) are read too: axe skips what is hidden.
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        page.add_script_tag(path=str(AXE))
        return page.evaluate(_AXE_RUN)
    finally:
        context.close()


def _violations(name: str, result: dict) -> list[str]:
    return [f"{name}: {v['id']} ({v['impact']}) at {node}: {v['help']}" for v in result["violations"] for node in v["nodes"]]


def test_the_index_catalog_archive_and_a_report_of_each_analysis_have_no_axe_core_violation(browser, built_reports):
    problems = []
    for path in sample_pages(built_reports):
        name = path.relative_to(built_reports).as_posix()
        result = _axe(browser, path.as_uri())
        problems += _violations(name, result)
        if result["lang"] != "zh-CN" or result["main"] != 1:
            problems.append(f"{name}: lang={result['lang']!r}, {result['main']} <main> (want zh-CN and one)")
    assert not problems, "axe-core:\n" + "\n".join(problems)


def test_the_axe_check_reports_what_the_pages_used_to_get_wrong(browser, tmp_path):
    """The harness is not blind: a page like the old catalog page (no <main>, an unnamed header cell) fails it."""
    page = tmp_path / "old.html"
    page.write_text('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>旧</title></head><body>'
                    "<h1>目录</h1><table><tr><th></th><th>项数</th></tr><tr><td>就业</td><td>3</td></tr></table>"
                    "</body></html>", encoding="utf-8")
    found = {v["id"] for v in _axe(browser, page.as_uri())["violations"]}
    assert {"landmark-one-main", "region", "empty-table-header"} <= found, found


# --- injection: text from a workbook or the catalog is shown, never run -------------------------------------

PAYLOAD = '<script>window.__pwned=1;alert(1)</script>"onerror="alert(2)<img src=x onerror="window.__pwned=3">'


@pytest.fixture(scope="module")
def hostile_reports(tmp_path_factory) -> Path:
    """Reports built from a 备注 and a policy title that carry a script, through the real ingest and build."""
    import yaml
    from openpyxl import load_workbook

    from conftest import REPO
    from sbk.build import Job, run_jobs, write_index
    from sbk.catalog_page import write_catalog_page
    from sbk.ingest import ingest

    base = tmp_path_factory.mktemp("hostile")
    raw, processed, reports, cat = base / "raw", base / "processed", base / "reports", base / "policy_catalog"
    shutil.copytree(REPO / "data" / "raw", raw)
    # Two free-text notes: 长沙市's 工作进展 in 表一, and the 备注 of a monthly form (new issuing cities).
    book = next((raw / "demo").glob("430000_2016Q4_*.xlsx"))
    wb = load_workbook(book)
    ws = wb.worksheets[0]
    row = next(r for r in ws.iter_rows() if r[1].value == "长沙市")
    row[9].value = f"长沙市工作进展{PAYLOAD}"
    wb.save(book)
    book = next((raw / "demo").glob("430000_2016-12_*.xlsx"))
    wb = load_workbook(book)
    cell = next(c for r in wb.worksheets[0].iter_rows() for c in r if str(c.value or "").startswith("备注"))
    cell.value = f"备注：新增发卡城市__个，即{PAYLOAD}"
    wb.save(book)
    result = ingest(raw, processed)
    assert result.ok, [f.format() for f in result.findings]
    shutil.copytree(REPO / "policy_catalog", cat)
    doc = cat / "documents" / "brochure_applications.yaml"
    records = yaml.safe_load(doc.read_text(encoding="utf-8"))
    records[0]["title"] = f"关于社会保障卡的通知{PAYLOAD}"
    doc.write_text(yaml.safe_dump(records, allow_unicode=True, sort_keys=False), encoding="utf-8")
    jobs = [Job("2016Q4", "430000", "coverage"), Job("2016-12", "430000", "issuance_trend")]
    results = run_jobs(jobs, processed, reports, force=True)
    assert all(status == "built" for _, status, _ in results), results
    write_catalog_page(reports, cat)
    write_index(reports)
    return reports


@pytest.mark.parametrize("page_path", ["2016Q4/430000/coverage.html", "2016-12/430000/issuance_trend.html", "catalog.html"])
def test_a_script_in_a_region_note_or_a_policy_title_is_shown_as_text_and_never_runs(browser, hostile_reports, page_path):
    html_text = (hostile_reports / page_path).read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html_text and "<img src=x" not in html_text  # escaped where written
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto((hostile_reports / page_path).as_uri())
    page.wait_for_load_state("load")
    pwned = page.evaluate("() => window.__pwned === undefined ? null : window.__pwned")
    scripts = page.eval_on_selector_all("script", "els => els.length")
    injected_imgs = page.eval_on_selector_all("img[src='x']", "els => els.length")
    shown = page.inner_text("body")
    page.screenshot(path=str(ARTIFACTS / f"hostile_{page_path.replace('/', '_')}.png"), full_page=False)
    page.close()
    assert pwned is None and not dialogs, (pwned, dialogs)
    assert scripts == 0 and injected_imgs == 0
    assert "<script>window.__pwned=1" in shown  # the filer's text is visible, as typed (a 备注 is split into names at ';')


def test_published_pages_forbid_scripts_even_if_an_escape_were_missed(built_reports):
    from sbk.csp import META

    pages = [built_reports / "index.html", built_reports / "catalog.html", *built_reports.glob("*/*/*.html")]
    assert len(pages) > 3
    for p in pages:
        head = p.read_text(encoding="utf-8").split("</head>")[0]
        assert META in head and "script-src" not in head.split(META)[0], p
