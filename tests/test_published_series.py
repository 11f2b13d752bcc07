"""The published record as the national reports show it: every figure kept, graded, linked; targets; provinces."""

from __future__ import annotations

import re
import warnings

import matplotlib
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from conftest import NATIONAL_PERIOD

from sbk.analysis import charts
from sbk.analysis import published_series as ps
from sbk.published import read_published
from sbk.published_check import agree, check_published, default_path

matplotlib.use("Agg")

_COLUMNS = ["date", "measure", "value", "unit", "scope", "source", "source_url", "quote", "reliability", "note",
            "lower_bound"]


def published(*rows: tuple) -> pd.DataFrame:
    """Rows as the ingest stores them: (date, measure, value, unit, scope, source_url, quote, reliability, note)."""
    records = []
    for date, measure, value, unit, scope, url, quote, grade, note in rows:
        records.append(dict(zip(_COLUMNS, [date, measure, float(value), unit, scope, url.split("/")[2] if "//" in url
                                           else url, url, quote, grade, note, "lower bound" in note])))
    return pd.DataFrame.from_records(records, columns=_COLUMNS)


def targets(*rows: tuple) -> pd.DataFrame:
    cols = ["target_year", "measure", "value", "unit", "scope", "document", "source_url", "quote", "note"]
    return pd.DataFrame.from_records(rows, columns=cols)


def test_every_figure_is_kept_as_printed_beside_its_amount_in_the_charts_unit():
    p = published(("2023-06-12", "holders", 1002, "万人", "全国", "http://a.cn/1", "持卡人数達1002萬人", "reprint", ""),
                  ("2024-10-31", "holders", 13.87, "亿人", "全国", "http://b.cn/2", "13.87亿人", "primary", ""))
    f = ps.figures(p, ["holders"])
    assert f[["value", "unit", "printed"]].values.tolist() == [[1002.0, "万人", "1002 万人"], [13.87, "亿人", "13.87 亿人"]]
    assert f["amount"].tolist() == pytest.approx([0.1002, 13.87]) and set(f["shown_unit"]) == {"亿人"}
    in_10k = ps.figures(p, ["holders"], scale="万")
    assert in_10k["amount"].tolist() == pytest.approx([1002.0, 138700.0]) and set(in_10k["shown_unit"]) == {"万人"}


def test_figures_that_disagree_on_one_date_are_both_kept_and_flagged_never_averaged():
    p = published(("2023-12-31", "ecard_users", 9.62, "亿人", "全国", "http://a.cn/", "其中9.62亿人", "reprint", ""),
                  ("2023-12-31", "ecard_users", 9, "亿人", "全国", "http://b.cn/", "2023年达9亿", "reprint", "rounded"),
                  ("2024-03-31", "ecard_users", 9.86, "亿人", "全国", "http://c.cn/", "9.86亿人", "reprint", ""))
    f = ps.figures(p, ["ecard_users"])
    assert f["value"].tolist() == [9.62, 9.0, 9.86]  # nothing dropped, nothing blended (no 9.31)
    assert f["conflict"].tolist() == [True, True, False]
    # The line joins one of them, the more precisely printed (a rounded figure yields); both stay as points.
    assert f.loc[f["on_line"], "value"].tolist() == [9.62, 9.86]


def test_a_lower_bound_below_a_stated_figure_agrees_and_the_line_takes_the_stated_one():
    p = published(("2013-11-30", "holders", 5, "亿人", "全国", "http://a.cn/", "已突破5亿", "primary", "lower bound (突破)"),
                  ("2013-11-30", "holders", 5.09, "亿人", "全国", "http://b.cn/", "已达到5.09亿", "reprint", ""))
    f = ps.figures(p, ["holders"])
    assert not f["conflict"].any()
    assert f.loc[f["on_line"], "value"].tolist() == [5.09]  # stated before a lower bound, even a less reliable source
    assert f.set_index("value")["qualifier"].to_dict() == {5.0: "lower_bound", 5.09: "stated"}
    assert f.set_index("value")["printed"].to_dict() == {5.0: "≥ 5 亿人", 5.09: "5.09 亿人"}


def test_between_two_stated_figures_that_agree_the_line_takes_the_more_reliable_source():
    p = published(("2024-03-31", "holders", 13.8, "亿人", "全国", "http://news.cn/", "13.8亿人", "secondary", ""),
                  ("2024-03-31", "holders", 13.8, "亿人", "全国", "http://gov.cn/", "13.8亿人", "primary", ""),
                  ("2024-03-31", "holders", 1380, "万人", "460000", "http://hn.cn/", "1380万人", "primary", ""))
    f = ps.figures(p, ["holders"])
    assert len(f) == 2 and f.loc[f["on_line"], "source_url"].tolist() == ["http://gov.cn/"]


def test_an_approximate_figure_is_marked_from_its_note():
    p = published(("2024-08-31", "holders", 1.25, "亿人", "440000", "http://gd.cn/", "约1.25亿", "reprint", "approximate (约)"))
    f = ps.figures(p, ["holders"], scope="440000")
    assert f.loc[0, "qualifier"] == "approximate" and f.loc[0, "printed"] == "≈ 1.25 亿人"


def test_the_report_flags_exactly_the_conflicts_sbk_published_check_warns_about():
    """One rule for both (sbk.published_check.agree): the committed record, read as the ingest reads it."""
    path = default_path()
    _, frame, findings = read_published(path, "published_figures.csv")
    assert not findings
    warned = set()
    for f in check_published(path):
        if f.code == "published.conflict":
            measure, scope, date = re.match(r"(\S+) (\S+) (\d{4}-\d{2}-\d{2}):", f.message).groups()
            warned.add((measure, scope, date))
    flagged = set()
    for scope in frame["scope"].unique():
        f = ps.figures(frame, frame["measure"].unique(), scope=scope)
        flagged |= {(m, scope, d) for m, d in zip(f.loc[f["conflict"], "measure"], f.loc[f["conflict"], "date"])}
    assert warned and flagged == warned


def test_agree_is_equal_amounts_or_a_lower_bound_at_most_the_other():
    assert agree(5e8, True, 5.09e8, False) and agree(13.8e8, False, 13.8e8, False)
    assert not agree(9e8, False, 9.62e8, False) and not agree(6e8, True, 5.09e8, False)


def test_targets_keep_their_words_and_targets_in_words_are_dated_lines():
    t = targets((2015, "population_coverage_pct", 60, "%", "全国", "十二五规划纲要", "seed:002.txt", "覆盖60%人口", ""),
                (2025, "population_coverage_pct", 100, "%", "全国", "20周年", "http://x.cn/", "到2025年基本覆盖全国人口",
                 "not a number in the source"),
                (2027, "national_yikatong", None, None, "全国", "人社部发〔2024〕6号", "http://y.cn/",
                 "全国“一卡通”基本实现", "qualitative"),
                (2023, "provincial_yikatong", None, None, "湖北省", "鄂政办", "http://z.cn/", "基本建立", "qualitative"))
    out = ps.targets_for(t, ["population_coverage_pct"], words=True)
    assert out["target_year"].tolist() == [2015, 2025, 2027]  # 湖北省's target is not a national one
    assert out["words"].tolist() == ["60%", "到2025年基本覆盖全国人口", "全国“一卡通”基本实现"]
    assert out["qualitative"].tolist() == [False, False, True] and out.loc[2, "date"] == "2027-12-31"
    assert ps.targets_for(t, ["population_coverage_pct"])["target_year"].tolist() == [2015, 2025]


def test_provincial_panel_gives_each_provinces_latest_figure_with_its_date_population_basis_and_source():
    p = published(
        ("2019-10-30", "population_coverage_pct", 96.9, "%", "440000", "http://a.cn/", "96.9%", "secondary",
         "share of resident (常住) population"),
        ("2024-08-31", "population_coverage_pct", 98.0, "%", "440000", "http://b.cn/", "常住人口覆盖率约98.0%", "reprint",
         "approximate (约); share of resident (常住) population"),
        ("2024-08-31", "holders", 1.25, "亿人", "440000", "http://b.cn/", "约1.25亿", "reprint", "approximate (约)"),
        ("2021-09-30", "population_coverage_pct", 90, "%", "222400", "http://c.cn/", "90%以上", "secondary",
         "share of registered (户籍) population; lower bound (以上)"),
        ("2023-06-12", "holders", 1002, "万人", "460000", "http://d.cn/", "1002萬人", "reprint", ""),
        ("2024-10-31", "holders", 13.87, "亿人", "全国", "http://e.cn/", "13.87亿人", "reprint", ""))
    panel = ps.provincial_panel(p)
    assert panel[["province_code", "measure", "date"]].values.tolist() == [
        ["440000", "population_coverage_pct", "2024-08-31"], ["440000", "holders", "2024-08-31"],
        ["460000", "holders", "2023-06-12"]]  # the city (延边 222400) and the nation are not provinces
    assert panel["province"].tolist() == ["广东省", "广东省", "海南省"]
    assert panel["population_basis"].tolist() == ["常住", "", ""]
    assert panel["amount_10k"].tolist()[1:] == [12500.0, 1002.0] and pd.isna(panel["amount_10k"].iloc[0])
    assert panel["printed"].tolist() == ["≈ 98 %", "≈ 1.25 亿人", "1002 万人"]
    assert panel["source_url"].tolist() == ["http://b.cn/", "http://b.cn/", "http://d.cn/"]


def test_provincial_panel_lists_both_figures_when_the_latest_date_disagrees():
    p = published(("2024-12-31", "holders", 5676, "万人", "430000", "http://a.cn/", "5676万人", "reprint", ""),
                  ("2024-12-31", "holders", 5880, "万人", "430000", "http://b.cn/", "5880万人", "primary", ""),
                  ("2019-12-31", "holders", 5000, "万人", "430000", "http://c.cn/", "5000万人", "primary", ""))
    panel = ps.provincial_panel(p, measures=("holders",))
    assert sorted(panel["value"]) == [5676.0, 5880.0] and panel["conflict"].all()


def test_panel_note_says_dates_and_populations_differ_and_names_what_is_left_out():
    p = published(("2023-06-12", "holders", 1002, "万人", "460000", "http://d.cn/", "1002萬人", "reprint", ""),
                  ("2025-12-09", "third_gen_holders", 800, "万人", "110000", "http://e.cn/", "800万人", "secondary", ""),
                  ("2021-09-30", "holders", 178.8, "万人", "222400", "http://c.cn/", "178.8万人", "secondary", ""))
    note = ps.panel_note(p, ps.provincial_panel(p))
    assert "各省公布的时间和口径不同" in note and "常住人口" in note and "户籍人口" in note
    assert "北京市（第三代社保卡持卡人数）" in note  # a province with other measures only
    assert "延边朝鲜族自治州（222400）" in note and "未列入本表" in note


def test_freshness_names_the_latest_figure_the_latest_national_figure_and_the_latest_documents():
    p = published(("2025-12-31", "holders", 3677, "万人", "500000", "http://a.cn/", "3677万人", "secondary", ""),
                  ("2024-10-31", "holders", 13.87, "亿人", "全国", "http://b.cn/", "13.87亿人", "reprint", ""),
                  ("2024-10-31", "penetration_pct", 98.4, "%", "全国", "http://b.cn/", "98.4%", "reprint", ""))
    fresh = ps.freshness(p, {"id": "nm-draft", "date": "2025-02-27", "title": "内蒙古条例<草案>", "status": "draft"},
                         {"id": "sc-2024", "date": "2024-09-29", "title": "四川省条例", "status": "in_force"})
    assert fresh["latest_figure"] == {"date": "2025-12-31", "scopes": ["500000"], "measures": ["holders"]}
    assert fresh["latest_national_figure"] == {"date": "2024-10-31", "measures": ["holders", "penetration_pct"]}
    note = ps.freshness_note(fresh)
    assert "**2025-12-31**（重庆市：持卡人数）" in note and "**2024-10-31**（持卡人数、社保卡普及率" in note
    assert "**2025-02-27** 内蒙古条例&lt;草案&gt;（征求意见稿）" in note and "**2024-09-29** 四川省条例" in note


def test_link_table_escapes_every_cell_and_links_only_http_sources():
    frame = pd.DataFrame({"quote": ["<script>x</script>", "ok", "seed"], "source": ["a.cn", "evil", "人社部《卡伴一生》"],
                          "source_url": ["http://a.cn/?q=1&r=\"2\"", "javascript:alert(1)", "seed:002.txt"],
                          "conflict": [True, False, False]})
    out = ps.link_table(frame, ["quote", "source", "conflict"])
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert '<a href="http://a.cn/?q=1&amp;r=&quot;2&quot;" rel="noopener noreferrer">a.cn</a>' in out
    assert "javascript:" not in out and ">evil</td>" in out and ">人社部《卡伴一生》</td>" in out
    assert [h for h in re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', out)] == ["原文", "来源", "来源不一致"]
    assert out.count("✓") == 1 and "<style" not in out


def test_milestone_events_are_the_catalog_documents_asked_for_oldest_first():
    from sbk import catalog

    events = ps.milestone_events(catalog.milestones(), ["人社部发〔2024〕6号", "人社部发〔2011〕83号", "no-such-document"])
    assert [label for _, label in events] == ["人社部发〔2011〕83号", "人社部发〔2024〕6号"]


def test_published_points_chart_shows_each_grade_and_qualifier_in_its_legend_and_renders_chinese():
    p = published(("2013-11-30", "holders", 5, "亿人", "全国", "http://a.cn/", "已突破5亿", "primary", "lower bound"),
                  ("2019-09-30", "holders", 12.99, "亿人", "全国", "seed:002.txt", "12.99亿", "seed", ""),
                  ("2024-08-31", "holders", 13.8, "亿人", "全国", "http://b.cn/", "约13.8亿", "reprint", "approximate"))
    t = targets((2015, "holders", 9, "亿人", "全国", "国发〔2012〕17号", "seed:002.txt", "达9亿人", ""),
                (2027, "national_yikatong", None, None, "全国", "人社部发〔2024〕6号", "http://y.cn/", "基本实现", ""))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        fig = charts.published_points(ps.figures(p, ["holders"]), "全国持卡人数", "亿人", "published_figures",
                                      targets=ps.targets_for(t, ["holders"], words=True), until="2027-12-31",
                                      grade_labels=ps.RELIABILITY_LABELS)
        fig.canvas.draw()
    texts = {t.get_text() for t in fig.findobj(matplotlib.text.Text)}
    assert {"政府网站 primary", "原始文件 seed", "转载官方发布 reprint"} <= texts
    assert {"实心：确数", "空心：下限（超过/以上）", "半实心：约数（近/约）"} <= texts
    assert "二手来源 secondary" not in texts  # only the grades drawn
    assert "2015 目标 9亿人" in texts and "2027 目标：全国“一卡通”" in texts and "规划目标" in texts
    assert any(t.startswith("来源：") for t in texts)
    plt.close(fig)


def test_national_reports_state_freshness_show_grades_links_conflicts_and_the_provincial_panel(built_reports):
    cov = (built_reports / NATIONAL_PERIOD / "national" / "coverage.html").read_text(encoding="utf-8")
    trend = (built_reports / NATIONAL_PERIOD / "national" / "issuance_trend.html").read_text(encoding="utf-8")
    for page in (cov, trend):
        assert "数据时效 · How current the record is." in page and "政策目录最新文件" in page
        assert "转载官方发布 reprint" in page and re.search(r'<a href="https?://[^"]+" rel="noopener noreferrer">', page)
    assert "各省公布的时间和口径不同" in cov and "人口口径" in cov and "海南省" in cov
    # 2023-12-31: 9.62亿 and 9亿, both shown, both flagged ✓ under 来源不一致.
    conflicts = re.findall(r"<tr><td[^>]*>2023-12-31</td><td[^>]*>电子社保卡领用人数</td>(?:<td[^>]*>[^<]*</td>){2}"
                           r"<td[^>]*>✓</td>", trend)
    assert len(conflicts) == 2 and ">来源不一致</th>" in trend
    assert "全国“一卡通”基本实现" in trend and "发卡地市" in trend and "具有金融功能的社保卡占比" in trend
    # A national report has no dispatch-form sections (no empty "no data" headings).
    assert "各地区覆盖率" not in cov and "累计持卡人数 · Cumulative holders" not in trend


def test_national_coverage_without_a_population_table_leaves_the_rate_open():
    from sbk.analysis import coverage

    p = published(("2024-10-31", "holders", 13.87, "亿人", "全国", "http://b.cn/", "13.87亿人", "reprint", ""))
    p["value_10k"] = [138700.0]
    out = coverage.national_coverage(p, pd.DataFrame())
    assert out.loc[0, "holders_10k"] == 138700.0 and pd.isna(out.loc[0, "coverage_pct"])
