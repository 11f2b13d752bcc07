"""The policy catalog: 文号 normalisation, the committed catalog, and each check on broken copies."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from sbk import catalog
from sbk.catalog import DocNo, DocNoError, normalise_doc_no, parse_doc_no
from sbk.catalog_page import catalog_html
from sbk.cli import main

ROOT = Path(__file__).resolve().parents[1] / "policy_catalog"


@pytest.mark.parametrize(
    "text",
    [
        "人社部发〔2014〕52号",
        "人社部发[2014]52号",
        "人社部发［2014］52号",
        "人社部发(2014)52号",
        "人社部发（2014）52号",
        "人社部发【2014】52号",
        "人社部发〔２０１４〕５２号",
        "人社部发［２０１４］５２号",
        " 人社部发 〔2014〕 52 号 ",
        "人社部发〔2014〕第52号",
        "人社部发〔2014〕52",
    ],
)
def test_normaliser_accepts_every_bracket_and_digit_variant(text):
    assert normalise_doc_no(text) == "人社部发〔2014〕52号"


def test_normaliser_parses_agency_year_number():
    assert parse_doc_no("银办发[2017]170号") == DocNo("银办发", 2017, 170)
    assert parse_doc_no("人社信息函（2011）37号").canonical == "人社信息函〔2011〕37号"


@pytest.mark.parametrize("text", ["人社部发2014年52号", "52号", "", "〔2014〕52号"])
def test_normaliser_refuses_what_is_not_a_doc_no(text):
    with pytest.raises(DocNoError):
        parse_doc_no(text)


def test_committed_catalog_passes_its_checks():
    assert [f.format() for f in catalog.check(ROOT) if f.severity == "error"] == []


def test_domain_counts_sum_to_102_and_items_are_numbered_1_to_102():
    dom = catalog.domains(ROOT)
    assert int(dom["count"].sum()) == 102
    assert dict(zip(dom["domain"], dom["count"])) == {
        "就业": 21, "社会保险公共业务": 10, "养老保险待遇业务": 7, "医疗保险待遇业务": 19, "工伤保险待遇业务": 16,
        "失业保险待遇业务": 6, "生育保险待遇业务": 9, "人事人才": 6, "劳动关系": 8,
    }
    apps = catalog.applications(ROOT)
    assert list(apps["item"]) == list(range(1, 103))
    assert apps.loc[apps["item"] == 39, "domain"].item() == "医疗保险待遇业务"


def test_the_function_matrix_is_the_brochures():
    dom = catalog.domains(ROOT).set_index("domain")
    assert dom.loc["医疗保险待遇业务", "就医结算"] and not dom.loc["就业", "就医结算"]
    assert not dom.loc["人事人才", "信息记录"] and dom.loc["人事人才", "缴费和待遇领取"]


def test_no_item_names_are_invented():
    apps = catalog.applications(ROOT)
    assert (apps["name"].isna() == (apps["name_status"] == "pending")).all()
    assert catalog.pending_names(ROOT) == int(apps["name"].isna().sum())


def test_every_document_the_seeds_name_is_in_the_catalog():
    ids = set(catalog.policies(ROOT)["id"])
    for doc in ["人社部发〔2014〕52号", "人社信息函〔2011〕37号", "人社信息函〔2013〕63号", "人社部发〔2014〕36号",
                "人社部发〔2014〕34号", "人社部发〔2011〕83号", "银发〔2011〕47号", "银发〔2011〕64号", "人社部发〔2011〕47号",
                "湘人社函〔2014〕237号", "湘人社函〔2014〕80号", "人社部发〔2011〕30号", "国办发〔2009〕44号",
                "中发〔2018〕12号", "人社网信函〔2018〕21号", "人社信息函〔2015〕25号", "mohrss-dispatch-2015",
                "plan-12th-fyp", "plan-13th-fyp"]:
        assert doc in ids, doc
    assert len(ids) >= 50


def test_the_34_vs_36_conflict_is_recorded_on_both_sides():
    c = catalog.conflicts(ROOT)
    pairs = set(zip(c["id"], c["with"]))
    assert ("人社部发〔2014〕34号", "人社部发〔2014〕36号") in pairs
    assert ("人社部发〔2014〕36号", "人社部发〔2014〕34号") in pairs


def test_in_force_on_across_the_2015_abolition():
    before = set(catalog.in_force_on("2015-02-10", ROOT)["id"])
    after = set(catalog.in_force_on("2015-02-11", ROOT)["id"])
    assert "人社信息函〔2011〕37号" in before and "人社信息函〔2011〕37号" not in after
    assert "mohrss-dispatch-2015" in after and "mohrss-dispatch-2015" not in before


def test_bank_names_normalise_from_what_people_write():
    assert catalog.normalise_bank("工行", ROOT) == "中国工商银行"
    assert catalog.normalise_bank("建设银行宁波分行", ROOT) == "中国建设银行"
    assert catalog.normalise_bank("湖南省农村信用社联合社", ROOT) == "农村信用社"
    assert catalog.normalise_bank("邮储银行", ROOT) == "中国邮政储蓄银行"
    with pytest.raises(KeyError, match="banks.yaml"):
        catalog.normalise_bank("火星银行", ROOT)


def test_milestones_are_dated_and_ordered():
    ms = catalog.milestones(ROOT)
    assert list(ms["date"]) == sorted(ms["date"])
    row = ms[ms["id"] == "mohrss-dispatch-2015"].iloc[0]
    assert str(row["date"]) == "2015-02-11" and not row["year_only"]


# --- broken copies: each rule fails, with the right line ------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    dst = tmp_path / "policy_catalog"
    shutil.copytree(ROOT, dst)
    return dst


def _line_of(path: Path, needle: str) -> int:
    for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _errors(root: Path) -> list:
    return [f for f in catalog.check(root) if f.severity == "error"]


def test_duplicate_id_is_reported_at_the_second_record(copy):
    f = copy / "documents" / "cited.yaml"
    _replace(f, "- id: 银发〔2011〕64号\n  doc_no: 银发〔2011〕64号", "- id: 银发〔2011〕47号\n  doc_no: 银发〔2011〕47号")
    errs = [e for e in _errors(copy) if e.code == "catalog.id_duplicate"]
    assert errs and errs[0].line == _line_of(f, "title: 中国人民银行关于推进金融IC卡的意见") - 2


def test_unresolved_link_is_reported_at_its_field(copy):
    f = copy / "documents" / "dispatch.yaml"
    _replace(f, "cites: [人社部发〔2014〕52号,", "cites: [人社部发〔2014〕99号,")
    errs = [e for e in _errors(copy) if e.code == "catalog.link_unresolved"]
    assert errs and errs[0].line == _line_of(f, "cites: [人社部发〔2014〕99号")


def test_link_written_with_other_brackets_resolves(copy):
    f = copy / "documents" / "dispatch.yaml"
    _replace(f, "cites: [人社部发〔2014〕52号,", "cites: [人社部发（２０１４）52号,")
    assert _errors(copy) == []


def test_supersession_cycle_is_an_error(copy):
    f = copy / "documents" / "cited.yaml"
    _replace(f, "- id: 银发〔2011〕47号\n", "- id: 银发〔2011〕47号\n  supersedes: [银发〔2011〕64号]\n")
    _replace(f, "- id: 银发〔2011〕64号\n", "- id: 银发〔2011〕64号\n  supersedes: [银发〔2011〕47号]\n")
    rules = {e.code for e in _errors(copy)}
    assert "catalog.supersedes_cycle" in rules


def test_a_document_cannot_supersede_a_later_one(copy):
    f = copy / "documents" / "brochure_management.yaml"
    _replace(f, "- id: 人社部发〔2011〕47号\n", "- id: 人社部发〔2011〕47号\n  supersedes: [人社信息函〔2018〕16号]\n")
    errs = [e for e in _errors(copy) if e.code == "catalog.link_date_order"]
    assert errs and errs[0].line == _line_of(f, "supersedes: [人社信息函〔2018〕16号]")


def test_abolished_target_must_say_so(copy):
    f = copy / "documents" / "dispatch.yaml"
    text = f.read_text(encoding="utf-8")
    f.write_text(text.replace("  status: abolished\n  status_since: 2015-02-11\n", "  status: in_force\n", 1), encoding="utf-8")
    errs = [e for e in _errors(copy) if e.code == "catalog.status"]
    assert errs and "abolished" in errs[0].message


def test_missing_field_and_bad_values(copy):
    f = copy / "documents" / "provincial.yaml"
    _replace(f, "  category: 省级文件\n  topics: [工作方案", "  category: 县级文件\n  topics: [工作方案")
    _replace(f, "  issued_on: 2014-08-04\n", "  issued_on: 2041-08-04\n")
    rules = {e.code for e in _errors(copy)}
    assert {"catalog.category", "catalog.date"} <= rules
    cat_err = next(e for e in _errors(copy) if e.code == "catalog.category")
    assert cat_err.line == _line_of(f, "category: 县级文件")


def test_id_must_be_the_canonical_doc_no(copy):
    f = copy / "documents" / "cited.yaml"
    _replace(f, "- id: 人社部发〔2011〕30号", "- id: 人社部发[2011]30号")
    assert "catalog.id_not_doc_no" in {e.code for e in _errors(copy)}


def test_domain_counts_not_adding_to_102_is_an_error(copy):
    f = copy / "applications.yaml"
    _replace(f, "count: 21", "count: 20")
    rules = {e.code for e in _errors(copy)}
    assert "applications.domain_counts" in rules


def test_a_name_without_source_status_is_refused(copy):
    f = copy / "applications.yaml"
    _replace(f, "{item: 5, domain: 就业, name: null, name_status: pending}", "{item: 5, domain: 就业, name: null, name_status: named}")
    errs = [e for e in _errors(copy) if e.code == "applications.name_status"]
    assert errs and errs[0].line == _line_of(f, "{item: 5,")


def test_yaml_syntax_error_is_a_finding_with_its_line(copy):
    f = copy / "documents" / "cited.yaml"
    _replace(f, "  issued_on: 2011\n", "  issued_on: [2011\n")
    errs = _errors(copy)
    assert len(errs) == 1 and errs[0].code == "catalog.yaml" and errs[0].path.endswith("cited.yaml") and errs[0].line > 0


def test_cli_check_exits_1_and_prints_path_line(copy, capsys):
    _replace(copy / "applications.yaml", "count: 21", "count: 20")
    assert main(["catalog", "--dir", str(copy), "check"]) == 1
    out = capsys.readouterr().out
    assert re.search(r"applications\.yaml:\d+: error applications\.domain_counts 业务领域项数之和", out)


def test_cli_check_passes_on_the_committed_catalog(capsys):
    assert main(["catalog", "check"]) == 0
    assert "names pending: 102" in capsys.readouterr().out


def test_cli_show_accepts_any_bracket_variant(capsys):
    assert main(["catalog", "show", "人社部发[2014]52号"]) == 0
    out = capsys.readouterr().out
    assert "id: 人社部发〔2014〕52号" in out and "加快推进社会保障卡应用的意见" in out


def test_cli_list_in_force_on_and_category(capsys):
    assert main(["catalog", "list", "--in-force-on", "2015-03-01", "--category", "管理类"]) == 0
    out = capsys.readouterr().out
    assert "人社信息函〔2011〕37号" not in out and "人社部发〔2011〕47号" in out


def test_cli_apps_by_domain(capsys):
    assert main(["catalog", "apps", "--domain", "劳动关系"]) == 0
    assert len(capsys.readouterr().out.strip().splitlines()) == 1 + 8


def test_catalog_page_is_deterministic_and_escapes_text(copy):
    f = copy / "documents" / "cited.yaml"
    _replace(f, "title: 中国人民银行关于推进金融IC卡的意见", "title: '<script>alert(1)</script>\"onerror=x'")
    page = catalog_html(copy)
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;&quot;onerror=x" in page
    assert catalog_html(copy) == page
    assert "人社部发〔2014〕34号" in page and "<svg" in page


# --- 2019–2026 documents: levels, dates, links both ways, targets ---------------------------------

REPO = ROOT.parent


def _since_2019(root: Path = ROOT) -> list[dict]:
    out = []
    for path in sorted((root / "documents").glob("*.yaml")):
        for rec in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            issued = rec.get("issued_on") or rec.get("published_on")
            if issued is not None and int(str(issued)[:4]) >= 2019:
                out.append(rec)
    return out


def test_at_least_15_documents_dated_2019_or_later_each_with_a_level_and_a_quoted_source():
    recent = _since_2019()
    assert len(recent) >= 15, [r["id"] for r in recent]
    for rec in recent:
        assert rec.get("level") in catalog.LEVELS, rec["id"]
        assert all(s.get("wording") and s.get("reliability") in catalog.RELIABILITY for s in rec["sources"]), rec["id"]
        assert any(str(s["source"]).startswith("http") for s in rec["sources"]), rec["id"]


def test_reverse_links_are_derived_from_the_citing_records_not_stored():
    back = catalog.reverse_links(ROOT)
    assert back["人社厅发〔2020〕101号"]["cited_by"] == ["bj-huairou-third-gen-2024", "京人社数据字〔2024〕133号"]
    assert back["人社信息函〔2011〕37号"]["abolished_by"] == ["mohrss-dispatch-2015"]
    assert back["law-social-insurance-2010"]["cited_by"] == ["gd-yikatong-2024"]
    for path in (ROOT / "documents").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(cited_by|superseded_by|abolished_by):", text, re.M), path.name
    row = catalog.policies(ROOT).set_index("id").loc["京政办发〔2022〕15号"]
    assert row["cited_by"] == ["京人社数据字〔2024〕133号"] and row["cites"] == []


def test_links_show_both_directions_and_resolve_any_bracket_variant():
    links = catalog.links("京人社数据字[2024]133号", ROOT)
    assert links["cites"] == ["人社厅发〔2020〕101号", "京政办发〔2022〕15号"]
    assert links["cited_by"] == [] and links["superseded_by"] == [] and links["abolished_by"] == []


def test_a_dangling_link_is_a_check_failure_with_its_code_and_line(copy, capsys):
    f = copy / "documents" / "local_since_2019.yaml"
    _replace(f, "cites: [人社厅发〔2020〕101号, 京政办发〔2022〕15号]", "cites: [人社厅发〔2020〕101号, 京政办发〔2022〕16号]")
    errs = [e for e in _errors(copy) if e.code == "catalog.link_unresolved"]
    assert len(errs) == 1 and "京政办发〔2022〕16号" in errs[0].message
    assert errs[0].line == _line_of(f, "京政办发〔2022〕16号")
    assert main(["catalog", "--dir", str(copy), "check"]) == 1
    assert re.search(r"local_since_2019\.yaml:\d+: error catalog\.link_unresolved 链接无法解析: 京人社数据字〔2024〕133号\.cites", capsys.readouterr().out)


def test_a_stored_reverse_link_is_an_error(copy):
    f = copy / "documents" / "local_since_2019.yaml"
    _replace(f, "- id: 京政办发〔2022〕15号\n", "- id: 京政办发〔2022〕15号\n  cited_by: [京人社数据字〔2024〕133号]\n")
    errs = [e for e in _errors(copy) if e.code == "catalog.reverse_link_stored"]
    assert errs and errs[0].line == _line_of(f, "cited_by: [京人社数据字〔2024〕133号]")


def test_an_inconsistent_pair_of_links_is_an_error(copy):
    f = copy / "documents" / "cited.yaml"
    # 银发〔2011〕64号 supersedes and abolishes the same document: it cannot be both.
    _replace(f, "- id: 银发〔2011〕64号\n", "- id: 银发〔2011〕64号\n  supersedes: [银发〔2011〕47号]\n  abolishes: [银发〔2011〕47号]\n")
    assert "catalog.link_contradiction" in {e.code for e in _errors(copy)}


def test_citing_the_document_that_replaced_it_is_an_error(copy):
    f = copy / "documents" / "cited.yaml"
    _replace(f, "- id: 银发〔2011〕64号\n", "- id: 银发〔2011〕64号\n  supersedes: [银发〔2011〕47号]\n")
    _replace(f, "- id: 银发〔2011〕47号\n", "- id: 银发〔2011〕47号\n  cites: [银发〔2011〕64号]\n")
    f.write_text(f.read_text(encoding="utf-8").replace(
        "  category: 其他部委文件\n  topics: [银行卡]\n  status: unknown\n",
        "  category: 其他部委文件\n  topics: [银行卡]\n  status: superseded\n  status_since: 2011\n", 1), encoding="utf-8")
    errs = [e for e in _errors(copy) if e.code == "catalog.link_contradiction"]
    assert errs and "引用了替代它的" in errs[0].message


def test_citing_a_later_document_is_an_error(copy):
    f = copy / "documents" / "cited.yaml"
    _replace(f, "- id: 人社部发〔2011〕30号\n", "- id: 人社部发〔2011〕30号\n  cites: [人社部发〔2024〕6号]\n")
    errs = [e for e in _errors(copy) if e.code == "catalog.link_date_order"]
    assert errs and "引用" in errs[0].message


def test_level_outside_the_vocabulary_and_effective_before_issue_are_errors(copy):
    f = copy / "documents" / "regional_yikatong.yaml"
    text = f.read_text(encoding="utf-8")
    text = text.replace("  issued_on: 2024-09-26\n  effective_on: 2024-11-01\n", "  issued_on: 2024-09-26\n  effective_on: 2024-08-01\n", 1)
    text = text.replace("  level: agreement\n", "  level: 框架协议\n", 1)
    f.write_text(text, encoding="utf-8")
    rules = {e.code: e for e in _errors(copy)}
    assert rules["catalog.level"].line == _line_of(f, "level: 框架协议")
    assert rules["catalog.date"].line == _line_of(f, "effective_on: 2024-08-01")


def test_a_document_of_2019_or_later_without_a_level_is_an_error(copy):
    f = copy / "documents" / "national_since_2019.yaml"
    _replace(f, "  category: 国务院文件\n  level: normative_document\n", "  category: 国务院文件\n")
    errs = [e for e in _errors(copy) if e.code == "catalog.level"]
    assert errs and "国发〔2024〕3号" in errs[0].message


def test_an_id_without_doc_no_must_follow_the_slug_scheme(copy):
    f = copy / "documents" / "regional_yikatong.yaml"
    _replace(f, "- id: cq-yikatong-2024\n", "- id: 重庆条例2024\n")
    errs = [e for e in _errors(copy) if e.code == "catalog.id_format"]
    assert errs and errs[0].line == _line_of(f, "- id: 重庆条例2024")


def test_an_alias_keeps_an_old_slug_resolving(copy):
    f = copy / "documents" / "national_since_2019.yaml"
    _replace(f, "- id: 人社部发〔2024〕6号\n", "- id: 人社部发〔2024〕6号\n  aliases: [mohrss-yikatong-2024]\n")
    _replace(copy / "documents" / "local_since_2019.yaml", "cites: [人社厅发〔2020〕101号, 京政办发〔2022〕15号]",
             "cites: [人社厅发〔2020〕101号, 京政办发〔2022〕15号, mohrss-yikatong-2024]")
    assert _errors(copy) == []
    assert catalog.links("mohrss-yikatong-2024", copy)["cited_by"] == ["京人社数据字〔2024〕133号"]


def test_month_precision_dates_sit_mid_month_and_drafts_are_never_in_force():
    ms = catalog.milestones(ROOT).set_index("id")
    assert str(ms.loc["cq-yikatong-2024", "date"]) == "2024-09-15" and ms.loc["cq-yikatong-2024", "precision"] == "month"
    assert str(ms.loc["bj-huairou-third-gen-2024", "date"]) == "2024-02-02"  # published_on, more precise than the year
    assert "nm-yikatong-draft-2025" not in set(catalog.in_force_on("2026-06-30", ROOT)["id"])


def test_in_force_on_counts_from_the_effective_date():
    assert "sc-yikatong-2024" not in set(catalog.in_force_on("2024-12-31", ROOT)["id"])
    assert "sc-yikatong-2024" in set(catalog.in_force_on("2025-01-01", ROOT)["id"])


def test_cli_show_prints_the_2024_notice_with_its_targets_and_links(capsys):
    assert main(["catalog", "show", "人社部发〔2024〕6号"]) == 0
    out = capsys.readouterr().out
    assert "id: 人社部发〔2024〕6号" in out and "level: normative_document" in out
    derived = yaml.safe_load(out[out.index("links:"):])
    assert set(derived["links"]) == {"cites", "cited_by", "supersedes", "superseded_by", "abolishes", "abolished_by"}
    targets = {(t["target_year"], t["measure"]): t["quote"] for t in derived["plan_targets"]}
    assert targets[("2025", "provincial_yikatong")] == "省级“一卡通”普遍实现"
    assert "全国“一卡通”基本实现" in targets[("2027", "national_yikatong")]


def test_cli_show_prints_cited_by(capsys):
    assert main(["catalog", "show", "人社厅发[2020]101号"]) == 0
    out = capsys.readouterr().out
    assert "cited_by: [bj-huairou-third-gen-2024, 京人社数据字〔2024〕133号]" in out
    assert "__line__" not in out


def test_every_target_row_names_a_catalog_document_and_quotes_its_source():
    import pandas as pd

    rows = pd.read_csv(REPO / "data" / "raw" / "published" / "targets.csv", dtype=str, keep_default_na=False)
    documents = catalog.policies(ROOT)["id"]
    for row in rows.to_dict("records"):
        assert row["quote"] and row["source_url"], row
        if row["document"].startswith("社会保障卡发行20周年"):  # a meeting, not a document
            continue
        assert any(catalog._target_document_matches(row["document"], catalog.find(d, ROOT)) for d in documents), row["document"]


def test_catalog_page_shows_the_new_documents_and_the_latest_date():
    page = catalog_html(ROOT)
    assert "人社部发〔2024〕6号" in page and "sc-yikatong-2024" in page and "地方性法规" in page
    assert "被引用于 bj-huairou-third-gen-2024、京人社数据字〔2024〕133号" in page
    newest = catalog.latest(ROOT)
    assert f"latest document: {newest['date']} {newest['id']}" in page
    ms = catalog.milestones(ROOT)
    assert {"人社部发〔2024〕6号", "gd-yikatong-2024", "sh-yrd-yikatong-2022"} <= set(ms["id"])


def test_readme_states_the_date_of_the_latest_catalog_document():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    newest, final = catalog.latest(ROOT), catalog.latest(ROOT, include_drafts=False)
    line = next(line for line in readme.splitlines() if line.startswith("Latest catalog document:"))
    assert f"{newest['date']} ({newest['id']}" in line and f"{final['date']} ({final['id']})" in line
