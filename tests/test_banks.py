"""Bank names as people write them (表四 银行名称), the bank catalog's checks, and the province-wide activation rate."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from sbk import catalog
from sbk.analysis import banks
from sbk.cli import main
from sbk.ingest import ingest
from sbk.template import new_workbook, save_workbook, write_sheet
from sbk.workbooks import read_workbook

ROOT = Path(__file__).resolve().parents[1] / "policy_catalog"


# --- what people write → one canonical name ------------------------------------------------


@pytest.mark.parametrize(("written", "canonical", "full"), [
    # legal names (…股份有限公司 / …有限责任公司)
    ("中国工商银行股份有限公司", "中国工商银行", True),
    ("交通银行股份有限公司", "交通银行", True),
    ("中国邮政储蓄银行有限责任公司", "中国邮政储蓄银行", True),
    # provincial branches, city branches, sub-branches, offices, several levels
    ("交通银行股份有限公司湖南省分行", "交通银行", True),
    ("中国农业银行湖南省分行", "中国农业银行", True),
    ("中国银行（湖南省分行）", "中国银行", True),
    ("招商银行股份有限公司长沙分行", "招商银行", True),
    ("中国建设银行长沙五一路支行", "中国建设银行", True),
    ("中国农业银行股份有限公司湖南省分行营业部", "中国农业银行", True),
    ("中国工商银行长沙市分理处", "中国工商银行", True),
    # short names, alone or with a branch or a place
    ("工行", "中国工商银行", False),
    ("建设银行长沙分行", "中国建设银行", False),
    ("邮储长沙支行", "中国邮政储蓄银行", False),
    ("浦发银行", "上海浦东发展银行", False),
    ("光大银行", "中国光大银行", False),
    ("湖南省工商银行", "中国工商银行", False),
    # joint-stock banks whose name starts like a place (兴业县, 平安区) stay themselves
    ("兴业银行长沙分行", "兴业银行", True),
    ("平安银行", "平安银行", True),
    # city commercial banks by the place rule
    ("长沙银行股份有限公司", "长沙银行", True),
    ("长沙银行湘潭分行", "长沙银行", True),
    ("宁波银行", "宁波银行", True),
    # rural commercial banks by the place rule; 农商银行 / 农商行 are short for 农村商业银行
    ("浏阳农村商业银行股份有限公司", "浏阳农村商业银行", True),
    ("浏阳农商行", "浏阳农村商业银行", False),
    ("北京农商银行", "北京农村商业银行", False),
    # a legal name with the province before the bank's own place and the place alone give one name
    ("江苏太仓农村商业银行股份有限公司", "太仓农村商业银行", True),
    ("太仓农商行", "太仓农村商业银行", False),
    ("湖南浏阳农村商业银行股份有限公司", "浏阳农村商业银行", True),
    ("湖南省长沙银行", "长沙银行", True),
    ("湖南银行", "湖南银行", True),
    ("上海农村商业银行", "上海农村商业银行", True),
    # rural credit cooperatives, and 农商 written without a place: the 农村信用社 group
    ("湖南省农村信用社联合社", "农村信用社", True),
    ("浏阳市农村信用合作联社营业部", "农村信用社", True),
    ("农村信用社", "农村信用社", True),
    ("湖南农信", "农村信用社", False),
    ("农信社", "农村信用社", False),
    ("信用合作联社", "农村信用社", False),
    ("农村商业银行", "农村信用社", False),
    ("农商行", "农村信用社", False),
    ("农村合作银行", "农村信用社", False),
    # spaces, line breaks, a bracketed note or place
    ("中 国 银 行", "中国银行", True),
    ("中国工商银行\n湖南省分行", "中国工商银行", True),
    ("中国工商银行（湖南）", "中国工商银行", True),
    ("工商银行（工行）", "中国工商银行", False),
    ("长沙银行（湘潭）", "长沙银行", True),
])
def test_each_written_form_maps_to_the_canonical_name(written, canonical, full):
    match = catalog.match_bank(written, ROOT)
    assert (match.name, match.full) == (canonical, full)
    assert catalog.normalise_bank(written, ROOT) == canonical


@pytest.mark.parametrize("written", ["火星银行", "华融湘江银行", "湖南省分行", "中国工商银行、中国建设银行", "ICBC", ""])
def test_a_name_neither_listed_nor_a_place_bank_is_unknown(written):
    with pytest.raises(KeyError, match="banks.yaml"):
        catalog.normalise_bank(written, ROOT)


def test_the_catalog_lists_the_six_large_and_the_twelve_joint_stock_banks_each_with_a_source():
    listed = catalog.banks(ROOT)
    by_type = listed.groupby("type")["name"].apply(set).to_dict()
    assert by_type["国有大型商业银行"] == {"中国工商银行", "中国农业银行", "中国银行", "中国建设银行", "交通银行", "中国邮政储蓄银行"}
    assert by_type["股份制商业银行"] == {"中信银行", "中国光大银行", "华夏银行", "中国民生银行", "招商银行", "兴业银行", "广发银行",
                                  "平安银行", "上海浦东发展银行", "恒丰银行", "浙商银行", "渤海银行"}
    assert all(b.get("sources") for b in catalog.load(ROOT).banks)


# --- the catalog check on broken copies -------------------------------------------------------


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    dst = tmp_path / "policy_catalog"
    shutil.copytree(ROOT, dst)
    return dst


def _bank_errors(root: Path) -> list:
    return [f for f in catalog.check(root) if f.severity == "error" and f.code.startswith("banks.")]


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_committed_bank_catalog_passes_the_check():
    assert _bank_errors(ROOT) == []


def test_a_short_name_that_hides_a_city_commercial_bank_is_an_error(copy):
    _replace(copy / "banks.yaml", "short_names: [建行, 建设银行]", "short_names: [建行, 建设银行, 长沙银行]")
    errs = _bank_errors(copy)
    assert [e.code for e in errs] == ["banks.shadows_place_rule"] and "长沙银行" in errs[0].message
    assert errs[0].line == catalog.load(copy).banks[3]["__lines__"]["short_names"]


def test_a_short_name_that_reads_as_another_bank_is_an_error(copy):
    _replace(copy / "banks.yaml", "short_names: [中行]", "short_names: [中行, 招行长沙分行]")
    errs = _bank_errors(copy)
    assert [e.code for e in errs] == ["banks.name_not_read_back"] and "招商银行" in errs[0].message


def test_a_name_listed_twice_is_an_error(copy):
    _replace(copy / "banks.yaml", "short_names: [中行]", "short_names: [中行, 工行]")
    assert [e.code for e in _bank_errors(copy)] == ["banks.short_name_duplicate"]


def test_a_bank_without_a_source_or_with_an_unknown_type_is_an_error(copy):
    text = (copy / "banks.yaml").read_text(encoding="utf-8")
    text += "- name: 湘江银行\n  type: 城市商业银行\n  short_names: []\n"
    (copy / "banks.yaml").write_text(text, encoding="utf-8")
    codes = sorted(e.code for e in _bank_errors(copy))
    assert codes == ["banks.sources", "banks.type"]


def test_sbk_catalog_check_is_clean_on_the_committed_catalog(capsys):
    assert main(["catalog", "check"]) == 0


# --- ingest: 表四 workbooks from two provinces ----------------------------------------------------


def write_q4(path: Path, province: str, period: str, rows: list[tuple[str, float, float]]) -> Path:
    """A 表四 in the official layout: (银行名称, 累计持卡, 已激活) per bank, the 合计 row filled."""
    records = [{"seq": i, "bank_name": name, "fin_holders_10k": held, "fin_activated_10k": act, "partner_city_count": 1,
                "partner_cities": ["省本级"], "other_fin_holders_10k": 0.0, "note": ""}
               for i, (name, held, act) in enumerate(rows, 1)]
    total = {"fin_holders_10k": round(sum(r[1] for r in rows), 2), "fin_activated_10k": round(sum(r[2] for r in rows), 2),
             "other_fin_holders_10k": 0.0}
    wb = new_workbook()
    write_sheet(wb, "q4", province, period, records, total=total, title="Sheet1")
    return save_workbook(wb, path)


def test_two_provinces_writing_the_same_bank_two_ways_end_under_one_name(raw, tmp_path):
    # Rows start at 6 (title, 填报单位, two header rows): B6 is the first bank.
    write_q4(raw / "湖南.xlsx", "湖南省", "2016Q2", [("中国工商银行股份有限公司湖南省分行", 100.0, 50.0),
                                                ("建设银行长沙分行", 50.0, 20.0), ("长沙银行股份有限公司", 10.0, 5.0)])
    write_q4(raw / "湖北.xlsx", "湖北省", "2016Q2", [("工行", 80.0, 60.0), ("中国建设银行湖北省分行", 40.0, 10.0)])
    result = ingest(raw, tmp_path / "p")
    assert result.ok
    short = sorted((Path(f.path).name, f.cell) for f in result.findings if f.code == "q4.bank_short_name")
    assert short == [("湖北.xlsx", "B6"), ("湖南.xlsx", "B7")]
    assert not [f for f in result.findings if f.code == "q4.bank_unknown"]
    table = pd.read_parquet(tmp_path / "p" / "quarterly_bank.parquet")
    names = table.groupby("province_code")["bank_name"].apply(sorted).to_dict()
    assert names == {"420000": ["中国工商银行", "中国建设银行"], "430000": ["中国工商银行", "中国建设银行", "长沙银行"]}


def test_an_unknown_bank_is_kept_as_written_with_a_warning_naming_the_cell(raw, tmp_path):
    write_q4(raw / "q4.xlsx", "湖南省", "2016Q2", [("中国农业银行", 100.0, 50.0), ("华融湘江银行", 10.0, 5.0)])
    result = ingest(raw, tmp_path / "p")
    assert result.ok
    hit = [f for f in result.findings if f.code == "q4.bank_unknown"]
    assert [(f.cell, f.severity) for f in hit] == [("B7", "warning")]
    assert "华融湘江银行" in hit[0].message and "policy_catalog/banks.yaml" in hit[0].message
    table = pd.read_parquet(tmp_path / "p" / "quarterly_bank.parquet")
    assert sorted(table["bank_name"]) == ["中国农业银行", "华融湘江银行"]


def test_an_unknown_bank_name_with_digits_is_not_echoed(raw, tmp_path):
    write_q4(raw / "q4.xlsx", "湖南省", "2016Q2", [("中国农业银行", 100.0, 50.0), ("银行 0731 8489 9999", 10.0, 5.0)])
    _, findings = read_workbook(raw / "q4.xlsx")
    hit = [f for f in findings if f.code == "q4.bank_unknown"]
    assert [f.cell for f in hit] == ["B7"] and not any(ch.isdigit() for ch in hit[0].message)


def test_a_full_name_legal_name_or_branch_gives_no_warning(raw):
    write_q4(raw / "q4.xlsx", "湖南省", "2016Q2", [("中国农业银行", 100.0, 50.0), ("交通银行股份有限公司湖南省分行", 20.0, 5.0),
                                                 ("湖南省农村信用社联合社", 30.0, 10.0), ("长沙银行股份有限公司", 10.0, 5.0)])
    sheets, findings = read_workbook(raw / "q4.xlsx")
    assert not [f for f in findings if f.code.startswith("q4.bank_")]
    assert list(sheets[0].rows["bank_name"]) == ["中国农业银行", "交通银行", "农村信用社", "长沙银行"]


def test_the_same_bank_written_twice_in_one_form_is_refused(raw, tmp_path):
    write_q4(raw / "q4.xlsx", "湖南省", "2016Q2", [("中国农业银行湖南省分行", 100.0, 50.0), ("农行长沙分行", 20.0, 5.0)])
    result = ingest(raw, tmp_path / "p")
    assert not result.ok
    assert [f.cell for f in result.findings if f.code == "q4.duplicate_row"] == ["B7"]
    assert not (tmp_path / "p" / "quarterly_bank.parquet").exists()


# --- the province-wide activation rate -------------------------------------------------------------


def q4_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "period": ["2016Q2"] * 3 + ["2016Q2"], "province_code": ["430000"] * 3 + ["420000"],
        "bank_name": ["中国农业银行", "农村信用社", "长沙银行", "中国农业银行"],
        "fin_holders_10k": [60.0, 30.0, 10.0, 500.0], "fin_activated_10k": [45.0, 6.0, 1.5, 10.0],
        "partner_city_count": pd.array([2, 1, 1, 3], dtype="Int64"),
        "partner_cities": [["长沙市", "省本级"], ["株洲市"], ["长沙市"], ["武汉市"]],
        "other_fin_holders_10k": [1.0, 0.5, 0.0, 0.0],
    })


def test_the_province_wide_rate_is_all_activated_over_all_holders_not_the_mean_of_rates():
    whole = banks.province_activation(q4_frame(), "430000", "2016Q2")
    # (45 + 6 + 1.5) / (60 + 30 + 10) = 52.5%; the mean of the banks' rates (75, 20, 15) would be 36.7%.
    assert whole == {"fin_holders_10k": 100.0, "fin_activated_10k": 52.5, "activation_pct": 52.5, "banks": 3}


def test_bank_summary_ends_with_the_province_row_next_to_each_banks_rate():
    s = banks.bank_summary(q4_frame(), "430000", "2016Q2")
    assert list(s["bank_name"]) == ["中国农业银行", "农村信用社", "长沙银行", banks.TOTAL_LABEL]
    assert list(s["activation_pct"]) == [75.0, 20.0, 15.0, 52.5]
    total = s.iloc[-1]
    assert (total["fin_holders_10k"], total["fin_activated_10k"], total["share_pct"]) == (100.0, 52.5, 100.0)
    assert total["partner_city_count"] == 3 and total["other_fin_holders_10k"] == 1.5  # 长沙市, 省本级, 株洲市
    assert banks.bank_summary(q4_frame(), "430000", "2016Q2", total=False)["bank_name"].tolist()[-1] == "长沙银行"


def test_the_province_rate_rounds_half_up_from_unrounded_figures():
    d = pd.DataFrame({"period": ["2016Q2"] * 2, "province_code": ["430000"] * 2, "bank_name": ["甲", "乙"],
                      "fin_holders_10k": [2.0, 2.0], "fin_activated_10k": [0.01, 0.0], "partner_cities": [[], []],
                      "partner_city_count": [0, 0], "other_fin_holders_10k": [0.0, 0.0]})
    # 0.01 / 4 = 0.25%: half up gives 0.3 (Python's round-half-even would give 0.2).
    assert banks.province_activation(d, "430000", "2016Q2")["activation_pct"] == 0.3


def test_no_holders_gives_no_rate_and_no_division_by_zero():
    empty = q4_frame().assign(fin_holders_10k=0.0, fin_activated_10k=0.0)
    assert pd.isna(banks.province_activation(empty, "430000", "2016Q2")["activation_pct"])
    assert banks.bank_summary(q4_frame(), "430000", "2015Q1").empty
    s = banks.bank_summary(empty, "430000", "2016Q2")
    assert "无可计算的激活率" in banks.activation_text(s, "2016Q2")


def test_activation_text_states_the_province_rate_and_the_banks_either_side():
    text = banks.activation_text(banks.bank_summary(q4_frame(), "430000", "2016Q2"), "2016Q2")
    assert text.startswith("**全省激活率 52.5%**（2016Q2）") and "52.50 万人 ÷" in text and "100.00 万人" in text
    assert "高于全省：中国农业银行（75.0%）" in text and "低于全省：农村信用社（20.0%）、长沙银行（15.0%）" in text


def test_activation_text_escapes_bank_names_from_workbooks():
    d = q4_frame().assign(bank_name=["<b>甲</b>", "农村信用社", "长沙银行", "中国农业银行"])
    assert "&lt;b&gt;甲&lt;/b&gt;" in banks.activation_text(banks.bank_summary(d, "430000", "2016Q2"), "2016Q2")


def test_a_cell_far_longer_than_any_bank_name_is_unknown_at_once_and_not_echoed_whole(raw):
    long_text = "某" * 32767  # Excel's longest cell; the name rules would take tens of seconds on it
    write_q4(raw / "q4.xlsx", "湖南省", "2016Q2", [("中国农业银行", 100.0, 50.0), (long_text, 10.0, 5.0)])
    started = time.monotonic()
    _, findings = read_workbook(raw / "q4.xlsx")
    assert time.monotonic() - started < 10
    hit = [f for f in findings if f.code == "q4.bank_unknown"]
    assert [f.cell for f in hit] == ["B7"] and len(hit[0].message) < 300 and "共 32767 字" in hit[0].message
