"""Every function the notebooks call, on small frames built here (and the charts render Chinese)."""

from __future__ import annotations

import re
import math
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from sbk import catalog
from sbk.analysis import applications, banks, cardholder_db, charts, common, coverage, issuance, tables

matplotlib.use("Agg")


def monthly() -> pd.DataFrame:
    rows = []
    for i, period in enumerate(["2015-02", "2015-03", "2016-02", "2016-03"]):
        rows.append({"period": period, "province_code": "430000", "region_code": "430100", "region_name": "长沙市",
                     "cumulative_holders_10k": 100.0 + 10 * i})
        rows.append({"period": period, "province_code": "430000", "region_code": "430200", "region_name": "株洲市",
                     "cumulative_holders_10k": 50.0 + 20 * i})
    return pd.DataFrame(rows)


def q1() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2015Q1", "2015Q1"], "province_code": ["430000"] * 2, "region_code": ["430100", "430200"],
        "region_name": ["长沙市", "株洲市"], "holders_total_10k": [110.0, 70.0],
        "holders_urban_employees_10k": [30.0, 20.0], "holders_residents_10k": [75.0, 50.0], "holders_other_10k": [5.0, 0.0],
        "terminals": pd.array([220, 35], dtype="Int64"), "service_items": [[1, 2, 9], [1]], "service_channels": [[1, 10], [6]],
    })


def q2() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2015Q1", "2015Q2"], "province_code": ["430000"] * 2, "region_code": ["430100"] * 2,
        "region_name": ["长沙市"] * 2, "catalog_open_rate_pct": [20.59, 41.18], "payment_coverage_pct": [30.0, 40.0],
        "benefit_coverage_pct": [20.0, 25.0], "local_items": [list(range(1, 22)), list(range(1, 43))],
        "cross_region_items": [[], [1, 2]],
    })


def q4() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2015Q1", "2015Q1", "2015Q2", "2015Q2"], "province_code": ["430000"] * 4,
        "bank_name": ["中国农业银行", "中国银行", "中国农业银行", "中国银行"],
        "fin_holders_10k": [60.0, 40.0, 90.0, 10.0], "fin_activated_10k": [30.0, 10.0, 45.0, 5.0],
        "partner_city_count": [2, 1, 2, 1], "partner_cities": [["长沙市", "省本级"], ["株洲市"], ["长沙市", "省本级"], ["株洲市"]],
        "other_fin_holders_10k": [1.0, 0.0, 1.0, 0.0],
    })


def test_resolve_period_latest_exact_and_across_kinds():
    assert common.resolve_period("latest", ["2015Q1", "2015Q2"]) == "2015Q2"
    assert common.resolve_period("2015Q1", ["2015Q1", "2015Q2"]) == "2015Q1"
    assert common.resolve_period("2015-05", ["2015Q1", "2015Q2"]) == "2015Q1"  # the last quarter ended by May
    assert common.resolve_period("2015-02", ["2015Q1"]) is None
    assert common.resolve_period("2015Q1", ["2015-02", "2015-03"]) == "2015-03"
    assert common.resolve_period("latest", []) is None


def test_load_missing_table_is_empty(tmp_path):
    assert common.load(tmp_path, "monthly_issuance").empty
    assert common.periods_of(pd.DataFrame(), "430000") == []


def test_is_synthetic_reads_the_filings(tmp_path):
    pd.DataFrame({"province_code": ["430000", "110000"], "synthetic": [True, False], "period": ["2015-02"] * 2,
                  "form": ["monthly"] * 2}).to_parquet(tmp_path / "filings.parquet")
    assert common.is_synthetic(tmp_path, "430000") and not common.is_synthetic(tmp_path, "110000")
    assert not common.is_synthetic(tmp_path, "national")


def test_national_coverage_uses_previous_year_end_population():
    published = pd.DataFrame({
        "date": ["2016-03-31", "2016-03-31"], "measure": ["holders", "population_coverage_pct"], "scope": ["全国"] * 2,
        "value": [9.03, 65.7], "value_10k": [90300.0, None], "lower_bound": [False, False], "source": ["x", "x"],
    })
    population = pd.DataFrame({"year_end": [2015], "population_10k": [137462.0]})
    out = coverage.national_coverage(published, population)
    assert out.loc[0, "coverage_pct"] == 65.7 == out.loc[0, "stated_coverage_pct"]
    assert out.loc[0, "population_year"] == 2015


def test_regional_coverage_against_the_population_table():
    pop = pd.DataFrame({"province_code": ["430000"], "region_code": ["430100"], "population_10k": [200.0]})
    out = coverage.regional_coverage(monthly(), pop, "430000", "2015-03")
    assert out.set_index("region_code").loc["430100", "coverage_pct"] == 55.0
    assert math.isnan(out.set_index("region_code").loc["430200", "coverage_pct"])


def test_holders_by_group_and_terminals_per_10k():
    g = coverage.holders_by_group(q1(), "430000", "2015Q1").set_index("region_code")
    assert g.loc["430100", "urban_share_pct"] == 27.3 and g.loc["430200", "other_share_pct"] == 0.0
    t = coverage.terminals_per_10k(q1(), "430000", "2015Q1").set_index("region_code")
    assert t.loc["430100", "terminals_per_10k_holders"] == 2.0 and t.loc["430200", "terminals_per_10k_holders"] == 0.5


def test_progress_notes_lists_the_free_text_of_each_region_that_wrote_any():
    d = q1().assign(progress_note=["完成 <b>二期</b> 建设", None], other_groups_note=["离退休人员", " "])
    notes = coverage.progress_notes(d, "430000", "2015Q1")
    assert list(notes.columns) == ["region_name", "progress_note", "other_groups_note"]
    assert notes.to_dict("records") == [{"region_name": "长沙市", "progress_note": "完成 <b>二期</b> 建设",
                                         "other_groups_note": "离退休人员"}]
    shown = tables.to_html(notes, table="quarterly_work")  # as the report shows it: the form's labels, text escaped
    assert "<th scope=\"col\" style=\"text-align:left\">其他人群类别</th>" in shown
    assert "&lt;b&gt;" in shown and "<b>二期" not in shown
    assert coverage.progress_notes(d, "430000", "2015Q2").empty


def test_option_matrix_uses_the_official_labels():
    m = coverage.option_matrix(q1(), "430000", "2015Q1", "service_items")
    assert m.loc["长沙市", "9. 其他"] and not m.loc["株洲市", "2. 信息变更"]
    assert list(charts.matrix(m).loc["株洲市"])[0] == "✓"


def test_application_rates_and_domain_shares():
    apps = catalog.applications()
    rates = coverage.application_rates(q2(), "430000", "2015Q1")
    assert rates.loc[0, "catalog_open_rate_pct"] == 20.59
    opened = coverage.domain_opened(q2(), apps, "430000", "2015Q1")
    assert opened.loc["长沙市", "就业"] == 100.0 and opened.loc["长沙市", "劳动关系"] == 0.0


def test_by_region_is_one_provinces_regions_only():
    other = monthly().assign(province_code="440000", region_code=lambda d: d["region_code"].str.replace("43", "44"))
    wide = issuance.by_region(pd.concat([monthly(), other]), "430000")
    assert list(wide.columns) == ["长沙市", "株洲市"] and list(wide.index) == ["2015-02", "2015-03", "2016-02", "2016-03"]
    assert wide.loc["2016-03", "株洲市"] == 110.0


def test_time_axis_turns_months_and_quarters_into_dates_and_leaves_other_labels():
    assert list(charts.time_axis(["2015-02", "2016-12"])) == [pd.Timestamp("2015-02-01"), pd.Timestamp("2016-12-01")]
    assert list(charts.time_axis(["2016Q2"])) == [pd.Timestamp("2016-04-01")]
    assert list(charts.time_axis(["长沙市", "2016Q2"])) == ["长沙市", "2016Q2"]


def test_province_totals_increments_and_yoy():
    t = issuance.province_totals(monthly(), "430000")
    assert list(t["cumulative_holders_10k"]) == [150.0, 180.0, 210.0, 240.0]
    inc = issuance.monthly_increments(monthly(), "430000")
    assert inc.loc[(inc["period"] == "2015-03") & (inc["region_code"] == "430200"), "increment_10k"].item() == 20.0
    yoy = issuance.yoy_growth(monthly(), "430000").set_index("period")
    assert yoy.loc["2016-02", "yoy_pct"] == 40.0 and math.isnan(yoy.loc["2015-02", "yoy_pct"])


def test_new_issuing_cities_from_the_remarks_and_when_there_are_none():
    filings = pd.DataFrame({"form": ["monthly", "monthly", "q1"], "province_code": ["430000"] * 3,
                            "period": ["2015-05", "2015-06", "2015Q2"], "new_issuing_cities_count": [None, 2, None],
                            "new_issuing_cities": [[], ["张家界市", "湘西州"], []]})
    out = issuance.new_issuing_cities(filings, "430000")
    assert out.to_dict("records") == [{"period": "2015-06", "new_issuing_cities_count": 2,
                                       "new_issuing_cities": ["张家界市", "湘西州"]}]
    assert ">张家界市、湘西州<" in tables.to_html(out, table="filings")
    assert issuance.new_issuing_cities(filings, "110000").empty


def test_national_series_in_100m_with_lower_bounds():
    published = pd.DataFrame({"date": ["2017-05-25", "2015-12-31"], "measure": ["holders"] * 2, "scope": ["全国"] * 2,
                              "value_10k": [100000.0, 88400.0], "lower_bound": [True, False], "source": ["a", "b"],
                              "reliability": ["reprint", "primary"]})
    s = issuance.national_series(published)
    assert list(s["holders_100m"]) == [8.84, 10.0] and list(s["lower_bound"]) == [False, True]


def test_projection_states_months_to_target_with_a_range():
    pop = pd.DataFrame({"region_code": ["430100", "430200"], "population_10k": [200.0, 60.0]})
    out = issuance.projection(monthly(), pop, "430000", target_pct=90.0, window=3).set_index("region_code")
    # 长沙: 130 now, needs 180; increments 10, 10, 10 → 5 months either way.
    assert out.loc["430100", ["months_central", "months_fast", "months_slow"]].tolist() == [5.0, 5.0, 5.0]
    assert out.loc["430200", "months_central"] == 0.0  # 110 of 60: already past 90%


def test_bank_summary_hhi_matrix_and_financial_share():
    s = banks.bank_summary(q4(), "430000", "2015Q1")
    assert s.loc[0, "bank_name"] == "中国农业银行" and s.loc[0, "share_pct"] == 60.0 and s.loc[0, "activation_pct"] == 50.0
    h = banks.hhi_over_time(q4(), "430000").set_index("period")
    assert h.loc["2015Q1", "hhi"] == 5200 and h.loc["2015Q2", "hhi"] == 8200
    m = banks.bank_city_matrix(q4(), "430000", "2015Q1")
    assert list(m.columns)[0] == "省本级" and m.loc["中国银行", "株洲市"] and not m.loc["中国银行", "长沙市"]
    f = banks.financial_share_of_holders(q4(), q1(), "430000")
    assert f.loc[0, "fin_share_pct"] == round(100 / 180 * 100, 1)


def test_domain_rollout_and_local_vs_cross():
    r = applications.domain_rollout(q2(), catalog.applications(), "430000")
    assert r.loc["2015Q1", "就业"] == 100.0 and r.loc["2015Q2", "社会保险公共业务"] == 100.0
    lc = applications.local_vs_cross(q2(), "430000").set_index("period")
    assert lc.loc["2015Q2", "regions_with_cross_region_use"] == 1 and lc.loc["2015Q1", "mean_local_items"] == 21


def test_stage_table_and_labels():
    q3 = pd.DataFrame({"period": ["2015Q1", "2015Q2"], "province_code": ["430000"] * 2, "stage": [2, 4]})
    t = cardholder_db.stage_table(q3, "430000")
    assert t.loc["430000", "2015Q2"] == 4
    assert cardholder_db.stage_labels()[8] == "8. 系统正式上线运行"
    assert cardholder_db.stage_table(q3.iloc[0:0], "430000").empty


@pytest.mark.parametrize("make", [
    lambda: charts.bar(["长沙市", "湘西土家族苗族自治州"], [1.0, 2.0], "各地区覆盖率", "%", "月调度表", True),
    lambda: charts.stacked_bar(pd.DataFrame({"城镇职工": [1.0], "城乡居民": [2.0]}, index=["长沙市"]), "分人群", "万人", "表一"),
    lambda: charts.lines(pd.DataFrame({"持卡人数": [1.0, 2.0]}, index=["2015-02", "2015-03"]), "趋势", "万人", "月调度表",
                         hlines={"目标 90%": 1.5}, events=[("2015-02", "人社部发〔2014〕52号")]),
    lambda: charts.heatmap(pd.DataFrame({"就业": [50.0]}, index=["长沙市"]), "热力图", "%", "表二", vmax=100),
])
def test_charts_render_chinese_without_missing_glyphs(make):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        fig = make()
        fig.canvas.draw()
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    assert any("来源" in t for t in texts)
    plt.close(fig)


def test_synthetic_charts_say_so():
    fig = charts.bar(["长沙市"], [1.0], "x", "%", "月调度表", synthetic=True)
    assert any(common.SYNTHETIC_NOTE in t.get_text() for t in fig.findobj(matplotlib.text.Text))
    plt.close(fig)


def test_text_from_data_is_escaped_before_it_is_shown_as_markdown():
    assert common.escape_md('<script>alert(1)</script>"onerror=x') == '&lt;script&gt;alert(1)&lt;/script&gt;"onerror=x'


def test_national_series_prefers_a_stated_value_then_the_more_reliable_source_on_one_date():
    published = pd.DataFrame({
        "date": ["2013-11-30", "2013-11-30", "2024-03-31", "2024-03-31", "2024-03-31"],
        "measure": ["holders"] * 5, "scope": ["全国", "全国", "全国", "全国", "460000"],
        "value_10k": [50900.0, 50000.0, 138000.0, 138000.0, 1002.0], "lower_bound": [False, True, False, False, False],
        "source": ["stated", "lower", "reprint", "primary", "hainan"],
        "reliability": ["reprint", "reprint", "reprint", "primary", "reprint"]})
    s = issuance.national_series(published)
    assert list(s["holders_100m"]) == [5.09, 13.8] and list(s["source"]) == ["stated", "primary"]


def test_national_coverage_ignores_provincial_coverage_on_the_same_date():
    published = pd.DataFrame({
        "date": ["2016-03-31", "2016-03-31", "2016-03-31"],
        "measure": ["holders", "population_coverage_pct", "population_coverage_pct"], "scope": ["全国", "全国", "460000"],
        "value": [9.03, 65.7, 98.3], "value_10k": [90300.0, None, None], "lower_bound": [False] * 3, "source": ["x"] * 3,
    })
    population = pd.DataFrame({"year_end": [2015], "population_10k": [137462.0]})
    assert coverage.national_coverage(published, population).loc[0, "stated_coverage_pct"] == 65.7


# --- alt text: every chart says what it shows -------------------------------------------------------------------


def test_a_bar_charts_alt_text_names_its_title_unit_and_extreme_values():
    from sbk.analysis import charts

    fig = charts.bar(["长沙市", "株洲市", "湘西州"], [12.5, 3.0, 1.25], "各地区持卡人数", "万人", "来源")
    assert fig.sbk_alt == "条形图：各地区持卡人数（万人），3 项；最高 长沙市 12.5，最低 湘西州 1.25。"


def test_a_line_charts_alt_text_gives_its_span_and_says_synthetic():
    from sbk.analysis import charts

    frame = pd.DataFrame({"湖南省": [1.0, 2.0, 3.5]}, index=["2016-01", "2016-02", "2016-03"])
    fig = charts.lines(frame, "累计持卡人数", "万人", "来源", synthetic=True)
    assert "折线图：累计持卡人数（万人），2016-01 至 2016-03" in fig.sbk_alt
    assert "最高 2016-03 3.5" in fig.sbk_alt and fig.sbk_alt.endswith("（合成示例数据）")


def test_a_tile_maps_alt_text_names_the_provinces_that_did_not_file():
    from sbk.analysis import charts

    fig = charts.tile_map(pd.Series({"430000": 90.0, "110000": 95.5}), "持卡人口覆盖率", "%", "来源")
    assert "2 省有值，最高 北京 95.5，最低 湖南 90" in fig.sbk_alt
    assert "未报送（灰色）：" in fig.sbk_alt and "广东" in fig.sbk_alt and "湖南、" not in fig.sbk_alt


def test_reports_carry_the_charts_alt_text_not_nbconverts_placeholder(built_reports):
    for page in built_reports.glob("*/*/*.html"):
        text = page.read_text(encoding="utf-8")
        assert "No description has been provided" not in text, page
        alts = re.findall(r'<img[^>]* alt="([^"]*)"', text)
        assert all(len(a) > 10 and "：" in a for a in alts), (page, alts)


# --- charts for readers: the data drawn, colours, image size -----------------------------------------------------


def _csv_rows(data: bytes) -> list[list[str]]:
    import csv
    import io

    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 with a BOM, so that Excel reads the Chinese headers"
    return list(csv.reader(io.StringIO(data[3:].decode("utf-8"), newline="")))


def test_a_charts_download_is_the_data_drawn_with_official_chinese_headers_and_no_formula():
    from sbk.analysis import charts

    regions = pd.Series(["长沙市", "=HYPERLINK(\"http://x\")"], name="region_name")
    fig = charts.bar(regions, [91.75, 70.5], "430000 各地区持卡人口覆盖率（2016-12）", "%", "来源")
    rows = _csv_rows(charts.chart_csv(fig.sbk_data))
    assert rows == [["地区", "各地区持卡人口覆盖率（%）"], ["长沙市", "91.75"], ["'=HYPERLINK(\"http://x\")", "70.5"]]


def test_a_tile_maps_download_names_a_province_that_did_not_file_and_leaves_it_blank_never_0():
    from sbk.analysis import charts

    fig = charts.tile_map(pd.Series({"430000": 90.0, "110000": 0.0}), "持卡人口覆盖率", "%", "来源")
    rows = {r[0]: r for r in _csv_rows(charts.chart_csv(fig.sbk_data))[1:]}
    assert len(rows) == 31
    assert rows["110000"][2:] == ["0", ""] and rows["430000"][2:] == ["90", ""]
    assert rows["440000"][2:] == ["", "未报送"]


def test_a_stacked_bars_download_keeps_a_missing_segment_blank():
    from sbk.analysis import charts

    frame = pd.DataFrame({"城镇职工": [1.5, None], "城乡居民": [2.0, 3.0]}, index=pd.Index(["长沙市", "株洲市"], name="region_name"))
    fig = charts.stacked_bar(frame, "分人群累计持卡人数", "万人", "来源")
    assert _csv_rows(charts.chart_csv(fig.sbk_data)) == [
        ["地区", "城镇职工（万人）", "城乡居民（万人）"], ["长沙市", "1.5", "2"], ["株洲市", "", "3"]]


def test_categorical_charts_draw_with_the_colour_blind_safe_palette():
    from matplotlib.colors import to_hex

    from sbk.analysis import charts

    palette = [c.lower() for c in charts.PALETTE]
    frame = pd.DataFrame({"城镇职工": [1.0], "城乡居民": [2.0], "其他": [0.5]}, index=["长沙市"])
    bars = charts.stacked_bar(frame, "t", "万人", "s").axes[0].patches
    assert [to_hex(p.get_facecolor()) for p in bars] == palette[:3]
    lines = charts.lines(pd.DataFrame({"a": [1.0, 2.0], "b": [2.0, 1.0]}, index=["2016-01", "2016-02"]), "t", "万人", "s")
    assert [to_hex(ln.get_color()) for ln in lines.axes[0].get_lines()] == palette[:2]
    single = charts.bar(["长沙市"], [1.0], "t", "%", "s").axes[0].patches
    assert to_hex(single[0].get_facecolor()) == palette[0]


def test_a_chart_is_embedded_as_a_palette_png_with_its_alt_text_caption_and_download():
    import base64
    import io
    import re

    from PIL import Image

    from sbk.analysis import charts

    fig = charts.bar(["长沙市", "株洲市"], [12.5, 3.0], "各地区持卡人数", "万人", "来源")
    page = charts.figure_html(fig, fig.sbk_alt, "各地区持卡人数", fig.sbk_data)
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', page).group(1))
    with Image.open(io.BytesIO(png)) as im:
        assert im.mode == "P" and len(png) < 25_000, (im.mode, len(png))
    assert f'alt="{fig.sbk_alt}"' in page and charts.FIGURE_LABEL in page and charts.FIGURE_FILE in page
    csv_b64 = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', page).group(1)
    assert base64.b64decode(csv_b64) == charts.chart_csv(fig.sbk_data)
