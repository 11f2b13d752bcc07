"""Valid HTML: the Nu HTML checker (vnu.jar on Java) reads the published pages, and sbk's markup has no error."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from conftest import WEB_TOOLS, sample_pages

VNU = WEB_TOOLS / "vnu-jar" / "build" / "dist" / "vnu.jar"

def _java() -> str:
    java = shutil.which("java")
    if java is None:
        pytest.fail("Java is not installed: `make test` installs Debian's default-jre-headless (make web-tools)")
    if not VNU.exists():
        pytest.fail(f"the Nu HTML checker is not installed ({VNU}): `make test` installs it (make web-tools)")
    return java


# A page with the mistakes the reports and the catalog page used to make: proof the run sees them.
_CONTROL = ('<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>对照</title></head><body><main>'
            '<style scoped>.dataframe tbody tr th {vertical-align: top}</style><table class="dataframe"><tr><th>a</th>'
            '</tr></table><svg xmlns="http://www.w3.org/2000/svg"><metadata><rdf:RDF '
            'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF></metadata></svg></main></body></html>\n')


@pytest.fixture(scope="module")
def nu_messages(built_reports, tmp_path_factory) -> dict[str, list[dict]]:
    """The checker's messages for every sample page and a control page, by page: one Java run for all."""
    java = _java()
    control = tmp_path_factory.mktemp("nu") / "control.html"
    control.write_text(_CONTROL, encoding="utf-8")
    pages = [*sample_pages(built_reports), control]
    # --no-langdetect: the check of lang against the text's language is only ever a warning, and slow.
    run = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--stdout", "--no-langdetect",
                          *map(str, pages)], check=False, capture_output=True, text=True, timeout=600)
    assert run.returncode in (0, 1), run.stderr  # 1: some page has errors
    by_page: dict[str, list[dict]] = {str(p.resolve()): [] for p in pages}
    for message in json.loads(run.stdout)["messages"]:
        page = str(Path(unquote(message.get("url", "").removeprefix("file:"))).resolve())
        assert page in by_page, f"a message about no page checked: {message}"  # e.g. a file that could not be read
        by_page[page].append(message)
    return by_page


def _errors(messages: list[dict]) -> list[dict]:
    """Errors and failures to read a page; warnings and notes ("info") are not counted."""
    return [m for m in messages if m["type"] != "info"]


def test_the_index_catalog_archive_and_a_report_of_each_analysis_have_no_nu_error(nu_messages, built_reports):
    problems = []
    for path in sample_pages(built_reports):
        name = path.relative_to(built_reports).as_posix()
        for m in _errors(nu_messages[str(path.resolve())]):
            problems.append(f"{name}:{m.get('lastLine', '?')}: {m['message']} [{m.get('extract', '')[:80]!r}]")
    # None is allowed: the four errors nbconvert's template stylesheet used to bring (WebKit scrollbar pseudo-classes,
    # a quoted box-shadow, overflow: overlay) sit in rules no report uses, which render.compact_styles drops.
    assert not problems, "Nu HTML checker:\n" + "\n".join(problems)


def test_the_nu_run_sees_the_mistakes_the_pages_used_to_make(nu_messages):
    control = next(msgs for page, msgs in nu_messages.items() if page.endswith("control.html"))
    messages = " ".join(m["message"] for m in _errors(control))
    assert "Attribute “scoped” not allowed" in messages and "rdf:rdf" in messages, messages


def test_a_report_page_is_in_chinese_with_its_styles_in_the_head_and_no_unnamed_header_cell():
    """render_html on a notebook with a pandas table: the page nbconvert gives, made valid (no kernel needed)."""
    import nbformat
    import pandas as pd

    from sbk.build.render import render_html

    table = ('<div><style scoped>\n.dataframe tbody tr th {vertical-align: top;}\n</style>'
             '<table border="1" class="dataframe"><thead><tr style="text-align: right;"><th></th><th>地区</th></tr>'
             '</thead><tbody><tr><th>0</th><td>长沙市 &lt;style&gt;</td></tr></tbody></table></div>')
    frame = pd.DataFrame({"地区": ["长沙市"]}, index=pd.Index([1], name="序号"))
    styled = frame.style.set_table_styles([{"selector": "td", "props": "text-align: right"}]).to_html()
    outputs = [nbformat.v4.new_output("display_data", data={"text/html": html}) for html in (table, table, styled)]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# 覆盖情况"),
                                         nbformat.v4.new_code_cell("t", outputs=outputs)])
    page = render_html(nb, "覆盖情况")
    head, body = page.split("</head>", 1)
    assert page.startswith("<!DOCTYPE html>") and '<html lang="zh-CN">' in head and "<main>" in body
    assert "<style" not in body and "scoped" not in page
    assert head.count(".dataframe tbody tr th{vertical-align:top}") == 1  # one copy for both tables (compacted)
    assert "text-align:right" in head  # the Styler's rules, by table id
    assert not re.search(r"<th[^>]*>(\s|&nbsp;)*</th>", body) and "<td></td><th>地区</th>" in body
    assert "长沙市 &lt;style&gt;" in body  # text that looks like markup stays text
