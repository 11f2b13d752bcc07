"""The ministry's view: the provinces' forms rolled up, ranked, mapped and bulletined (issue 15).

The acceptance test writes two provinces' monthly forms in the official layout, ingests them and builds the
national report of that month; the unit tests run each roll-up function on small frames written here.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import REPO, write_monthly

from sbk.analysis import national
from sbk.template import new_workbook, save_workbook, write_sheet

MONTH = "2016-06"


def _write_hubei(path: Path, period: str, values: dict[str, float]) -> Path:
    """A 湖北 monthly form in the official layout (省本级 first, units in code order, 合计 last)."""
    names = {"": "省本级", "420100": "武汉市", "420200": "黄石市"}
    rows = [{"seq": i, "region_code": c, "region_name": names[c], "cumulative_holders_10k": v}
            for i, (c, v) in enumerate(values.items(), 1)]
    wb = new_workbook()
    write_sheet(wb, "monthly", "湖北省", period, rows, total={"cumulative_holders_10k": round(sum(values.values()), 2)},
                title="Sheet1")
    return save_workbook(wb, path)


def _population_csv(path: Path) -> Path:
    path.write_text("province_code,province_name,year_end,population_10k,source,note\n"
                    "430000,湖南省,2015,6783,test,\n420000,湖北省,2015,5852,test,\n110000,北京市,2015,2171,test,\n",
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def two_provinces(tmp_path_factory) -> Path:
    """Hunan and Hubei filed the monthly form of 2016-06; Beijing (with a population row) filed nothing; the
    published national figures are there, as in every real set."""
    from sbk.ingest import ingest

    raw = tmp_path_factory.mktemp("raw")
    write_monthly(raw / "hunan_2016-06.xlsx", MONTH, {"": 12.5, "430100": 300.12, "430200": 80.0})
    _write_hubei(raw / "hubei_2016-06.xlsx", MONTH, {"": 20.0, "420100": 700.5, "420200": 150.25})
    _population_csv(raw / "province_population.csv")
    shutil.copy(REPO / "data" / "raw" / "published" / "published_figures.csv", raw / "published_figures.csv")
    out = tmp_path_factory.mktemp("processed")
    result = ingest(raw, out)
    assert result.ok, [f.format() for f in result.findings]
    return out


def test_the_tile_layout_has_every_province_exactly_once_and_no_two_on_one_square():
    from sbk.regions import provinces, tile_layout

    tiles = tile_layout()
    codes = [t.province_code for t in tiles]
    assert sorted(codes) == sorted(p.code for p in provinces("2016-06"))
    assert len(codes) == len(set(codes)) == 31
    assert len({(t.row, t.col) for t in tiles}) == 31
    assert all(t.label for t in tiles)


def test_two_provinces_filed_are_ranked_with_their_totals_and_summed_a_third_is_not_filed(two_provinces):
    r = national.roll_up(two_provinces, MONTH)
    cov = r["coverage"].set_index("province_code")
    assert cov.loc["430000", "holders_10k"] == pytest.approx(392.62)
    assert cov.loc["420000", "holders_10k"] == pytest.approx(870.75)
    assert cov.loc["430000", "status"] == cov.loc["420000", "status"] == national.FILED
    # 870.75 / 5852 = 14.9% ranks above 392.62 / 6783 = 5.8%.
    assert (cov.loc["420000", "rank"], cov.loc["430000", "rank"]) == (1, 2)
    assert (cov.loc["420000", "coverage_pct"], cov.loc["430000", "coverage_pct"]) == (14.9, 5.8)
    assert cov.loc["110000", "status"] == national.NOT_FILED
    assert pd.isna(cov.loc["110000", "holders_10k"]) and pd.isna(cov.loc["110000", "coverage_pct"])
    assert pd.isna(cov.loc["110000", "rank"])
    assert len(cov) == 31
    total = r["total"]
    assert total["holders_10k"] == pytest.approx(1263.37) and total["provinces_filed"] == 2
    assert "北京市" in total["not_filed"]


def test_the_map_draws_a_province_that_did_not_file_grey_never_as_the_scale(two_provinces):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import to_hex

    from sbk.analysis import charts

    cov = national.roll_up(two_provinces, MONTH)["coverage"].set_index("province_code")["coverage_pct"]
    fig = charts.tile_map(cov, "覆盖率", "%", "test")
    ax = fig.axes[0]
    by_label = {}
    for patch, text in zip(ax.patches, [t for t in ax.texts if t.get_fontweight() == "bold"]):
        by_label[text.get_text()] = to_hex(patch.get_facecolor())
    grey = charts.NOT_FILED_COLOUR
    assert by_label["北京"] == grey and by_label["湖北"] != grey and by_label["湖南"] != grey
    assert "未报送" in [t.get_text() for t in ax.texts]
    assert "未报送" in [t.get_text() for t in ax.get_legend().get_texts()]


def test_the_national_report_of_the_month_shows_each_province_its_total_rank_and_the_sum(two_provinces, tmp_path):
    from sbk.build import Job, build_job, plan

    jobs = plan(two_provinces, MONTH, "national")
    assert Job(MONTH, "national", "provinces") in jobs and Job(MONTH, "national", "bulletin") in jobs
    assert build_job(Job(MONTH, "national", "provinces"), two_provinces, tmp_path) == "built"
    html = (tmp_path / MONTH / "national" / "provinces.html").read_text(encoding="utf-8")
    assert "1,263.37" in html and "392.62" in html and "870.75" in html
    assert "湖北省" in html and "湖南省" in html and "未报送" in html
    record = json.loads((tmp_path / MONTH / "national" / "provinces.json").read_text(encoding="utf-8"))
    assert record["synthetic"] is False  # the test's forms carry no synthetic label


def test_a_period_nobody_filed_still_gets_the_national_page_saying_so(two_provinces, tmp_path):
    from sbk.build import Job, plan

    jobs = plan(two_provinces, "2016-07", "national")
    assert jobs == [Job("2016-07", "national", "provinces")]  # no bulletin: nobody filed that month
    assert plan(two_provinces, "2016-07", None) == []  # not asked for national: no report without data
    r = national.roll_up(two_provinces, "2016-07")
    assert not r["any_filed"] and r["reconciliation"]["difference_10k"] is None
    assert "无省级月调度表报送" in r["reconciliation"]["note"]


def test_province_all_builds_every_province_and_the_national_reports(two_provinces):
    from sbk.build import plan

    jobs = plan(two_provinces, MONTH, "all")
    assert {j.province for j in jobs} == {"430000", "420000", "national"}
    assert all(j.analysis != "provinces" for j in jobs if j.province != "national")


def test_national_only_and_province_only_analyses_are_refused_elsewhere(two_provinces, capsys):
    from sbk.build import ParameterError, validate_parameters
    from sbk.cli import main

    assert main(["run", "--processed", str(two_provinces), "--province", "430000", "--period", MONTH,
                 "--analysis", "provinces", "--out", str(two_provinces.parent / "r")]) == 2
    assert "built for national only" in capsys.readouterr().err

    with pytest.raises(ParameterError):
        validate_parameters(MONTH, "430000", "provinces")
    with pytest.raises(ParameterError):
        validate_parameters("2016Q2", "national", "bank_cooperation")


def test_sbk_bulletin_national_drafts_the_ministrys_notice_naming_missing_provinces(two_provinces, tmp_path, capsys):
    from sbk.cli import main

    assert main(["bulletin", "--province", "national", "--period", MONTH, "--processed", str(two_provinces),
                 "--out", str(tmp_path)]) == 0
    text = (tmp_path / MONTH / "national" / "bulletin.md").read_text(encoding="utf-8")
    assert "各省、自治区、直辖市及新疆生产建设兵团人力资源社会保障厅（局）：" in text
    assert "2个省份报送了月调度表，累计持卡人数合计1,263.37万人" in text
    assert "湖北省（14.9%）、湖南省（5.8%）" in text  # ranked
    assert "北京市2016-06月调度表" in text and "未报送" in text
    assert national.SCORE_FORMULA.rstrip("。") in text
    assert "drafting the national bulletin for 2016-06" in capsys.readouterr().err


def test_sbk_bulletin_national_without_any_filing_that_month_is_exit_1(two_provinces, tmp_path, capsys):
    from sbk.cli import main

    assert main(["bulletin", "--province", "national", "--period", "2016-08", "--processed", str(two_provinces),
                 "--out", str(tmp_path)]) == 1
    assert "no province filed a monthly form for 2016-08" in capsys.readouterr().err


# --- unit tests, one per roll-up function, on frames written here -------------------------------------------

def _filings(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame([{"form": f, "period": p, "province_code": c, "source_file": f"{c}_{p}_{f}.xlsx",
                          "synthetic": False} for f, p, c in rows])


def _monthly(period: str, values: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame([{"period": period, "province_code": c[:2] + "0000", "region_code": c,
                          "cumulative_holders_10k": v} for c, v in values.items()])


def test_filing_status_marks_each_province_filed_or_not():
    st = national.filing_status(_filings(("monthly", MONTH, "430000")), "monthly", MONTH, national.provinces_frame(MONTH))
    assert st.set_index("province_code").loc["430000", "status"] == "已报送"
    assert (st["status"] == "未报送").sum() == 30


def test_province_holders_sums_every_row_including_the_provincial_level():
    m = _monthly(MONTH, {"430000": 10.0, "430100": 100.5, "420100": 50.0})
    assert national.province_holders(m, MONTH).to_dict() == {"420000": 50.0, "430000": 110.5}


def test_rank_leaves_blanks_unranked_and_ties_share_the_better_rank():
    r = national.rank(pd.Series([5.0, None, 5.0, 7.0]))
    assert list(r.astype(object).where(r.notna(), None)) == [2, None, 2, 1]


def test_growth_is_blank_when_the_previous_month_was_not_filed_never_from_zero():
    m = pd.concat([_monthly("2016-05", {"430100": 100.0}), _monthly(MONTH, {"430100": 110.0, "420100": 60.0})])
    f = _filings(("monthly", "2016-05", "430000"), ("monthly", MONTH, "430000"), ("monthly", MONTH, "420000"))
    g = national.growth_table(m, f, MONTH).set_index("province_code")
    assert g.loc["430000", "increase_10k"] == 10.0 and g.loc["430000", "growth_pct"] == 10.0
    assert g.loc["420000", "previous_status"] == "未报送" and pd.isna(g.loc["420000", "increase_10k"])
    assert g.loc["430000", "rank"] == 1


def test_national_total_counts_only_filing_provinces():
    m = _monthly(MONTH, {"430100": 100.0, "420100": 60.0})
    t = national.national_total(m, _filings(("monthly", MONTH, "430000"), ("monthly", MONTH, "420000")), MONTH)
    assert (t["holders_10k"], t["provinces_filed"], t["provinces_expected"]) == (160.0, 2, 31)


def test_reconcile_picks_the_published_figure_of_the_nearest_date_and_says_synthetic():
    pub = pd.DataFrame([
        {"date": "2016-03-31", "measure": "holders", "scope": "全国", "value_10k": 90300.0, "lower_bound": False,
         "reliability": "primary", "source": "a.gov.cn", "source_url": "http://a.gov.cn/1"},
        {"date": "2016-09-30", "measure": "holders", "scope": "全国", "value_10k": 95000.0, "lower_bound": False,
         "reliability": "primary", "source": "b.gov.cn", "source_url": "http://b.gov.cn/2"}])
    total = {"period": "2016-08", "holders_10k": 94000.0, "provinces_filed": 31, "provinces_expected": 31, "not_filed": []}
    r = national.reconcile(total, pub, synthetic=True)
    assert (r["published_date"], r["difference_10k"], r["difference_pct"]) == ("2016-09-30", -1000.0, -1.1)
    assert r["source"] == "b.gov.cn" and "合成示例数据" in r["note"]
    assert "兵团" in national.reconcile(total, pub, synthetic=False)["note"]


def test_coverage_uses_the_year_end_before_the_month_and_blanks_without_population():
    m = _monthly(MONTH, {"430100": 100.0, "420100": 60.0})
    pop = pd.DataFrame([{"province_code": "430000", "year_end": 2015, "population_10k": 1000.0},
                        {"province_code": "430000", "year_end": 2016, "population_10k": 2000.0}])
    c = national.coverage_table(m, _filings(("monthly", MONTH, "430000"), ("monthly", MONTH, "420000")), pop, MONTH)
    c = c.set_index("province_code")
    assert (c.loc["430000", "coverage_pct"], c.loc["430000", "population_year"]) == (10.0, 2015)
    assert pd.isna(c.loc["420000", "coverage_pct"]) and pd.isna(c.loc["420000", "rank"])
    assert c.loc["420000", "holders_10k"] == 60.0


def _q1(quarter: str) -> pd.DataFrame:
    return pd.DataFrame([
        {"period": quarter, "province_code": "430000", "region_code": "430100", "holders_total_10k": 100.0,
         "holders_urban_employees_10k": 30.0, "holders_residents_10k": 65.0, "holders_other_10k": 5.0, "terminals": 250,
         "service_items": [1, 2, 3], "service_channels": [1, 6]},
        {"period": quarter, "province_code": "430000", "region_code": "430200", "holders_total_10k": 100.0,
         "holders_urban_employees_10k": 30.0, "holders_residents_10k": 65.0, "holders_other_10k": 5.0, "terminals": 150,
         "service_items": [3, 4], "service_channels": [1, 7]}])


def test_groups_sum_the_units_and_give_shares():
    g = national.groups_table(_q1("2016Q2"), _filings(("q1", "2016Q2", "430000")), "2016Q2").set_index("province_code")
    assert g.loc["430000", "holders_total_10k"] == 200.0 and g.loc["430000", "urban_share_pct"] == 30.0
    assert g.loc["420000", "status"] == "未报送" and pd.isna(g.loc["420000", "holders_total_10k"])


def test_terminals_per_10k_holders_by_province():
    t = national.terminals_table(_q1("2016Q2"), _filings(("q1", "2016Q2", "430000")), "2016Q2").set_index("province_code")
    assert t.loc["430000", "terminals_per_10k_holders"] == 2.0 and t.loc["430000", "rank"] == 1


def test_services_and_channels_offered_anywhere_in_the_province():
    s = national.services_table(_q1("2016Q2"), _filings(("q1", "2016Q2", "430000")), "2016Q2").set_index("province_code")
    assert (s.loc["430000", "service_items_count"], s.loc["430000", "service_items"]) == (4, [1, 2, 3, 4])
    assert s.loc["430000", "service_channels_count"] == 3
    assert pd.isna(s.loc["420000", "service_items_count"])


def test_a_month_reads_the_quarter_ended_within_three_months_only():
    q1 = _q1("2016Q2")
    f = _filings(("q1", "2016Q2", "430000"))
    assert national.groups_table(q1, f, "2016-08")["period"].iloc[0] == "2016Q2"
    assert national.groups_table(q1, f, "2016-09")["period"].iloc[0] is None  # 2016Q3 not filed, 2016Q2 too old


def test_applications_weight_the_units_rates_by_their_holders():
    q2 = pd.DataFrame([
        {"period": "2016Q2", "province_code": "430000", "region_code": "430100", "catalog_open_rate_pct": 50.0,
         "payment_coverage_pct": 80.0, "benefit_coverage_pct": 60.0, "local_items": list(range(1, 52))},
        {"period": "2016Q2", "province_code": "430000", "region_code": "430200", "catalog_open_rate_pct": 10.0,
         "payment_coverage_pct": 20.0, "benefit_coverage_pct": 20.0, "local_items": list(range(50, 60))}])
    q1 = _q1("2016Q2")
    q1.loc[1, "holders_total_10k"] = 300.0
    a = national.applications_table(q2, q1, _filings(("q2", "2016Q2", "430000")), "2016Q2").set_index("province_code")
    assert a.loc["430000", "items_opened"] == 59 and a.loc["430000", "catalog_open_rate_pct"] == 57.8
    assert a.loc["430000", "payment_coverage_pct"] == 35.0  # (80×100 + 20×300) / 400
    assert a.loc["430000", "unit_open_rate_pct"] == 20.0 and a.loc["430000", "rank"] == 1


def test_cardholder_db_stage_is_labelled_and_other_is_not_ranked():
    q3 = pd.DataFrame([{"period": "2016Q2", "province_code": "430000", "stage": 8},
                       {"period": "2016Q2", "province_code": "420000", "stage": 9}])
    d = national.cardholder_db_table(q3, _filings(("q3", "2016Q2", "430000"), ("q3", "2016Q2", "420000")),
                                     "2016Q2").set_index("province_code")
    assert d.loc["430000", "stage_label"] == "⑧系统正式上线运行" and d.loc["430000", "rank"] == 1
    assert d.loc["420000", "stage_label"] == "⑨其他" and pd.isna(d.loc["420000", "rank"])
    assert d.loc["110000", "stage_label"] == "未报送"


def test_bank_activation_is_over_all_banks_with_concentration():
    q4 = pd.DataFrame([
        {"period": "2016Q2", "province_code": "430000", "bank_name": "中国农业银行", "fin_holders_10k": 150.0,
         "fin_activated_10k": 120.0},
        {"period": "2016Q2", "province_code": "430000", "bank_name": "农村信用社", "fin_holders_10k": 50.0,
         "fin_activated_10k": 10.0}])
    b = national.bank_table(q4, _q1("2016Q2"), _filings(("q4", "2016Q2", "430000")), "2016Q2").set_index("province_code")
    assert b.loc["430000", "activation_pct"] == 65.0  # 130 / 200, not the mean of 80% and 20%
    assert (b.loc["430000", "largest_bank"], b.loc["430000", "largest_share_pct"]) == ("中国农业银行", 75.0)
    assert b.loc["430000", "hhi"] == 6250.0 and b.loc["430000", "fin_share_of_holders_pct"] == 100.0


def test_quality_scores_every_province_and_names_late_and_missing_filings():
    f = _filings(("monthly", "2016-01", "430000"), ("monthly", "2016-02", "430000"))
    receipts = pd.DataFrame([{"form": "monthly", "period": "2016-01", "province": "430000", "received_on": "2016-02-03"},
                             {"form": "monthly", "period": "2016-02", "province": "430000", "received_on": "2016-03-10"}])
    findings = pd.DataFrame([{"path": "430000_2016-01_monthly.xlsx", "severity": "warning", "code": "q4.bank_short_name"}])
    q = national.quality_table(f, receipts, findings, "2016-02").set_index("province_code")
    assert (q.loc["430000", "on_time"], q.loc["430000", "late"], q.loc["430000", "warnings"]) == (1, 1, 1)
    assert q.loc["430000", "warning_codes"] == "q4.bank_short_name ×1"
    assert q.loc["430000", "score"] == 70.0  # 40 × 50% + 40 × 100% + 20 × (1 − 1/2)
    assert q.loc["110000", "complete_pct"] == 0.0 and q.loc["430000", "rank"] == 1
    lm = national.late_and_missing(f, receipts, "2016-02")
    assert set(lm.loc[lm["province_code"] == "430000", "status"]) == {"迟报"}
    assert (lm["status"] == "未报送").sum() == 60  # 30 provinces × 2 months


# --- the national demo -----------------------------------------------------------------------------------

def test_the_demo_has_all_31_provinces_in_2016_with_the_stated_missing_late_and_legal_names(processed_dir):
    from sbk.analysis.common import load
    from sbk.demo import LEGAL_NAME_PROVINCE, NATIONAL_LATE, NATIONAL_MISSING

    filings = load(processed_dir, "filings")
    y2016 = filings[filings["period"].str.startswith("2016")]
    assert y2016["province_code"].nunique() == 31 and y2016["synthetic"].all()
    for code, form, period in NATIONAL_MISSING:
        assert not ((filings["province_code"] == code) & (filings["form"] == form) & (filings["period"] == period)).any()
    late = national.late_and_missing(filings, load(processed_dir, "receipts"), "2016-12")
    named = set(zip(late.loc[late["status"] == "迟报", "province_code"], late.loc[late["status"] == "迟报", "form"],
                    late.loc[late["status"] == "迟报", "period"]))
    assert set(NATIONAL_LATE) <= named
    raw_banks = [p for p in (REPO / "data" / "raw" / "demo" / LEGAL_NAME_PROVINCE).glob("*季调度表*")]
    assert raw_banks  # its 表四 names are legal names, read as the listed banks
    banks = load(processed_dir, "quarterly_bank")
    assert not banks["bank_name"].str.contains("股份有限公司").any()
