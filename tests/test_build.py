"""The report build: planning, parameters, provenance, determinism, incremental rebuilds, committed reports."""

from __future__ import annotations

import json
import re
import shutil

import pandas as pd
import pytest

from conftest import NATIONAL_PERIOD, REPO, SAMPLE_JOBS
from sbk.build import Job, ParameterError, build_job, plan, run_jobs, validate_parameters, verify, write_index


def test_plan_latest_builds_the_newest_month_and_quarter_the_national_pair_and_the_latest_roll_up(processed_dir):
    jobs = plan(processed_dir, "latest")
    assert {(j.period, j.analysis) for j in jobs if j.province == "430000"} == {
        ("2016-12", "coverage"), ("2016-12", "issuance_trend"), ("2016-12", "bulletin"),
        *{("2016Q4", a) for a in ("coverage", "issuance_trend", "bank_cooperation", "applications", "cardholder_db")}}
    assert {(j.period, j.analysis) for j in jobs if j.province == "national"} == {
        (NATIONAL_PERIOD, "coverage"), (NATIONAL_PERIOD, "issuance_trend"),  # the published series
        ("2016-12", "provinces"), ("2016-12", "bulletin"), ("2016Q4", "provinces")}  # the provinces' latest forms


def test_plan_all_monthly_get_monthly_analyses_quarterly_get_all(processed_dir):
    jobs = plan(processed_dir, "all", province="430000")
    assert len(jobs) == 22 * 3 + 8 * 5
    assert {j.analysis for j in jobs if j.period == "2015-07"} == {"coverage", "issuance_trend", "bulletin"}


@pytest.mark.parametrize("period, province, analysis", [
    ("2016Q4", "430000; rm -rf /", "coverage"),
    ("2016Q4\"); import os; (\"", "430000", "coverage"),
    ("2016Q4", "430000", "../../etc/passwd"),
    ("2016Q4", "999900", "coverage"),
    ("2014-12", "430000", "coverage"),
])
def test_parameters_are_validated_before_papermill_sees_them(period, province, analysis):
    with pytest.raises(ParameterError):
        validate_parameters(period, province, analysis)


def test_unknown_analysis_is_refused_by_the_plan(processed_dir):
    with pytest.raises(ParameterError):
        plan(processed_dir, "latest", analyses=["nope"])


def test_each_report_has_html_notebook_and_build_record(built_reports):
    for period, province, analysis in SAMPLE_JOBS:
        base = built_reports / period / province / analysis
        html = base.with_suffix(".html").read_text(encoding="utf-8")
        meta = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
        assert "来源与版本 · Provenance and citation" in html and "建议引用 Suggested citation" in html
        assert "data:image/png;base64," in html or analysis == "cardholder_db" and "data:image/png" in html
        assert not re.search(r"<script[^>]+src=", html), "reports must open offline"
        assert "Traceback" not in html and "Error" not in re.sub(r"<style.*?</style>", "", html, flags=re.S)
        assert meta["input_hash"] and meta["inputs"] and meta["parameters"]["period"] == period
        assert meta["code"]["sbk_version"] and len(meta["code"]["source_sha256"]) == 64
        nb = json.loads(base.with_suffix(".ipynb").read_text(encoding="utf-8"))
        assert "papermill" not in nb["metadata"]


def test_synthetic_reports_carry_a_visible_banner_and_national_ones_do_not(built_reports):
    demo = (built_reports / "2016Q4" / "430000" / "coverage.html").read_text(encoding="utf-8")
    national = (built_reports / NATIONAL_PERIOD / "national" / "coverage.html").read_text(encoding="utf-8")
    assert "SYNTHETIC DEMO DATA" in demo and "合成示例数据" in demo
    assert "SYNTHETIC DEMO DATA" not in national and "合成示例数据（synthetic）" not in national


def test_national_reports_depend_only_on_published_tables(built_reports):
    meta = json.loads((built_reports / NATIONAL_PERIOD / "national" / "issuance_trend.json").read_text(encoding="utf-8"))
    assert {i["path"] for i in meta["inputs"]} <= {"data/processed/published_figures.parquet",
                                                    "data/processed/population.parquet", "data/processed/plan_targets.parquet"}


def test_same_inputs_give_byte_identical_html(built_reports, processed_dir, tmp_path):
    job = Job("2016Q4", "430000", "cardholder_db")
    build_job(job, processed_dir, tmp_path, force=True)
    assert job.paths(tmp_path)["html"].read_bytes() == job.paths(built_reports)["html"].read_bytes()
    assert job.paths(tmp_path)["ipynb"].read_bytes() == job.paths(built_reports)["ipynb"].read_bytes()


def test_changing_one_input_rebuilds_only_the_reports_that_read_it(processed_dir, tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(processed_dir, processed)
    reports = tmp_path / "reports"
    bank, cdb = Job("2016Q4", "430000", "bank_cooperation"), Job("2016Q4", "430000", "cardholder_db")
    assert build_job(bank, processed, reports) == "built" and build_job(cdb, processed, reports) == "built"
    assert build_job(bank, processed, reports) == "current" and build_job(cdb, processed, reports) == "current"
    q4 = pd.read_parquet(processed / "quarterly_bank.parquet")
    first = q4.index[(q4["province_code"] == "430000") & (q4["period"] == "2016Q4")][0]
    q4.loc[first, "fin_activated_10k"] = q4.loc[first, "fin_activated_10k"] - 1
    q4.to_parquet(processed / "quarterly_bank.parquet")
    assert build_job(bank, processed, reports) == "built"
    assert build_job(cdb, processed, reports) == "current"


def test_every_report_is_linked_from_its_period_page_and_every_period_from_the_index(built_reports):
    index = (built_reports / "index.html").read_text(encoding="utf-8")
    assert 'href="catalog.html"' in index and "合成示例 synthetic" in index and "<main>" in index
    for period, province, analysis in SAMPLE_JOBS:
        assert f'href="archive/{period}.html"' in index
        page = (built_reports / "archive" / f"{period}.html").read_text(encoding="utf-8")
        assert f'href="../{period}/{province}/{analysis}.html"' in page


def test_the_index_opens_on_the_latest_national_reports_month_and_quarter(built_reports):
    index = (built_reports / "index.html").read_text(encoding="utf-8")
    latest = index.split("历期 · Archive")[0]
    # the latest month and quarter of the demo province, and the latest national reports, by name not code
    assert 'href="2016-12/430000/bulletin.html"' in latest and 'href="2016Q4/430000/cardholder_db.html"' in latest
    assert f'href="{NATIONAL_PERIOD}/national/coverage.html"' in latest
    assert "湖南省（430000）" in latest


def test_each_province_in_the_index_grid_links_to_its_own_reports(built_reports, tmp_path):
    """Two provinces in one period: every cell of the grid points into its own row's folder."""
    reports = tmp_path / "reports"
    shutil.copytree(built_reports, reports)
    source, copy = reports / "2016Q4" / "430000", reports / "2016Q4" / "110000"
    copy.mkdir()
    for f in source.glob("*.json"):
        record = json.loads(f.read_text(encoding="utf-8"))
        record["job"]["province"] = "110000"
        (copy / f.name).write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    write_index(reports)
    page = (reports / "archive" / "2016Q4.html").read_text(encoding="utf-8")
    rows = {code: row for code in ("110000", "430000") for row in re.findall(r"<tr>.*?</tr>", page) if f"（{code}）" in row}
    assert set(rows) == {"110000", "430000"}, page
    for code, row in rows.items():
        links = re.findall(r'href="\.\./([^"]+)"', row)
        assert links and all(link.startswith(f"2016Q4/{code}/") for link in links), (code, links)


def test_an_archive_page_of_a_period_without_reports_is_removed(built_reports, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(built_reports, reports)
    for p in (reports / "2016-12").glob("*/*"):
        p.unlink()
    write_index(reports)
    assert not (reports / "archive" / "2016-12.html").exists()
    assert (reports / "archive" / "2016Q4.html").exists()
    assert 'href="archive/2016-12.html"' not in (reports / "index.html").read_text(encoding="utf-8")


def test_committed_national_reports_are_current(processed_dir):
    """Reports from published figures are committed; a rebuild must give the same bytes."""
    committed = sorted((REPO / "reports").glob("*/national/*.html"))
    assert committed, "the national reports built from published figures are committed under reports/"
    assert verify(REPO / "reports", processed_dir, [REPO / "reports" / p.parent.parent.name / "national" for p in committed[:1]]) == []


def test_notebooks_are_committed_without_outputs_and_have_one_parameters_cell():
    for path in sorted((REPO / "notebooks").glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        code = [c for c in nb["cells"] if c["cell_type"] == "code"]
        assert all(not c["outputs"] and c["execution_count"] is None for c in code), path.name
        tagged = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, path.name
        src = "".join(tagged[0]["source"])
        assert all(name in src for name in ("period", "province", "processed_dir")), path.name


def test_new_data_for_a_later_period_leaves_earlier_reports_current(processed_dir, tmp_path):
    processed = tmp_path / "processed"
    shutil.copytree(processed_dir, processed)
    reports = tmp_path / "reports"
    early, late = Job("2016-06", "430000", "issuance_trend"), Job("2016-12", "430000", "issuance_trend")
    assert build_job(early, processed, reports) == "built" and build_job(late, processed, reports) == "built"
    m = pd.read_parquet(processed / "monthly_issuance.parquet")
    m.loc[m["period"] == "2016-12", "cumulative_holders_10k"] += 1.0
    m.to_parquet(processed / "monthly_issuance.parquet")
    assert build_job(early, processed, reports) == "current"
    assert build_job(late, processed, reports) == "built"


def test_a_dask_cluster_can_run_the_build_through_its_executor(processed_dir, tmp_path):
    """The scale-out path: any concurrent.futures-style executor, here a Dask LocalCluster's."""
    from dask.distributed import Client, LocalCluster

    job = Job("2016Q4", "430000", "cardholder_db")
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        results = run_jobs([job], processed_dir, tmp_path, executor=client.get_executor())
        # A worker that kept older sbk code (as a long-lived Dask worker does after sbk/ changes) refuses.
        from sbk.build.runner import _run_one

        stale = client.get_executor().submit(_run_one, (job, str(processed_dir), str(tmp_path), "0" * 64)).result()
    assert [(r[0], r[1]) for r in results] == [(job, "built")]
    assert job.paths(tmp_path)["html"].exists()
    assert stale[1] == "failed" and "restart the Dask workers" in stale[2]


def test_a_build_record_reads_back_into_its_dataclass_and_writes_the_same_bytes():
    from sbk.build import ReportRecord, read_record

    for path in sorted((REPO / "reports").glob("*/national/*.json")):
        record = read_record(path)
        assert isinstance(record, ReportRecord) and record.job.province == "national"
        assert record.to_json().encode("utf-8") == path.read_bytes()


# --- charts and data for readers ------------------------------------------------------------------------------------


def test_figures_are_numbered_in_page_order_and_each_csv_is_named_after_its_figure(built_reports):
    page = (built_reports / "2016Q4" / "430000" / "coverage.html").read_text(encoding="utf-8")
    numbers = re.findall(r'<strong class="sbk-fig-no">图 (\d+)</strong>', page)
    files = re.findall(r'download="图(\d+)_数据\.csv"', page)
    assert numbers == files == [str(n) for n in range(1, 7)]
    assert "图 #" not in page and 'alt="No description' not in page


def test_each_report_offers_exactly_the_input_rows_its_build_record_hashes(built_reports):
    import csv
    import io
    import zipfile

    for period, province, analysis in SAMPLE_JOBS:
        base = built_reports / period / province / analysis
        record = json.loads(base.with_suffix(".json").read_text(encoding="utf-8"))
        page = base.with_suffix(".html").read_text(encoding="utf-8")
        assert f'href="{analysis}.inputs.zip"' in page
        with zipfile.ZipFile(base.parent / f"{analysis}.inputs.zip") as zf:
            got = {}
            for name in zf.namelist():
                data = zf.read(name)
                assert data.startswith(b"\xef\xbb\xbf")
                got[f"data/processed/{name.removesuffix('.csv')}.parquet"] = len(
                    list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))) - 1
        assert got == {i["path"]: i["rows"] for i in record["inputs"]}, base


def test_a_processed_table_holding_a_personal_number_is_never_offered_for_download(processed_dir, tmp_path):
    from sbk.build.downloads import PersonalDataInInputs, input_rows_zip

    processed = tmp_path / "p"
    shutil.copytree(processed_dir, processed)
    table = pd.read_parquet(processed / "monthly_issuance.parquet")
    table.loc[0, "region_name"] = "联系人 13812345678"
    table.to_parquet(processed / "monthly_issuance.parquet")
    with pytest.raises(PersonalDataInInputs) as err:
        input_rows_zip(Job("2016-12", table.loc[0, "province_code"], "issuance_trend"), processed)
    assert "13812345678" not in str(err.value)


def test_the_median_report_is_under_300_kb(built_reports):
    sizes = sorted((built_reports / p / v / f"{a}.html").stat().st_size for p, v, a in SAMPLE_JOBS)
    assert sizes[len(sizes) // 2] < 300_000, sizes


def test_compact_styles_keeps_the_rules_and_variables_the_page_uses_and_drops_the_rest():
    from sbk.build.render import compact_styles

    page = ('<html><head><style>:root{--used: red; --via: var(--used); --unused: blue}'
            '.a{color: var(--via)} .b{color: blue} .a .b, .a:hover{margin: 0} '
            '@media print{.b{color: red} .a{color: black}} body{margin: 0}</style></head>'
            '<body><p class="a x">t</p></body></html>')
    css = re.search(r"<style>(.*)</style>", compact_styles(page), re.S).group(1)
    assert "--used:red" in css and "--via:var(--used)" in css and "--unused" not in css
    assert ".a{color:var(--via)}" in css and ".a:hover{margin:0}" in css and ".b" not in css
    assert "@media print{.a{color:black}}" in css and "body{margin:0}" in css


def test_verify_finds_an_inputs_download_that_was_changed(built_reports, processed_dir, tmp_path):
    reports = tmp_path / "reports"
    shutil.copytree(built_reports / "2016Q4" / "430000", reports / "2016Q4" / "430000")
    (reports / "2016Q4" / "430000" / "cardholder_db.inputs.zip").write_bytes(b"PK\x05\x06" + b"\0" * 18)
    findings = verify(reports, processed_dir, [reports / "2016Q4" / "430000" / "cardholder_db.html"])
    assert [(f.code, f.path.rsplit("/", 1)[-1]) for f in findings] == [("build.differs", "cardholder_db.inputs.zip")]
