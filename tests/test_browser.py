"""Seen in a real browser: Debian's Chromium driven by Playwright opens the index and one report of each analysis."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import SAMPLE_JOBS

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
        assert href in hrefs
        page, errors = _open(browser, (built_reports / href).as_uri())
        sizes = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth, e.naturalHeight])")
        h1 = page.inner_text("h1")
        page.screenshot(path=str(ARTIFACTS / f"{period}_{province}_{analysis}.png"), full_page=False)
        page.close()
        assert sizes, f"{href}: no chart"
        assert all(done and w > 0 and h > 0 for done, w, h in sizes), f"{href}: an image did not load: {sizes}"
        assert re.search(r"[\u4e00-\u9fff]", h1), f"{href}: heading {h1!r}"
        assert not errors, f"{href}: console errors {errors}"


def test_catalog_page_opens_with_its_timeline(browser, built_reports):
    page, errors = _open(browser, (built_reports / "catalog.html").as_uri())
    assert "社会保障卡政策文件目录" in page.inner_text("h1")
    box = page.eval_on_selector("svg", "e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height]")
    page.screenshot(path=str(ARTIFACTS / "catalog.png"), full_page=False)
    page.close()
    assert box[0] > 100 and box[1] > 100 and not errors, errors
