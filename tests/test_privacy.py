"""Personal data: detected, refused at ingest without echoing the number, absent from what is committed."""

from __future__ import annotations


import pytest

from conftest import REPO, VALUES_SAMPLE, edit, write_monthly
from sbk.cli import main
from sbk.privacy import find_personal, scan_paths, valid_resident_id
from sbk.ingest import ingest

# A syntactically valid, made-up ID number (check digit computed) and a made-up mobile number.
FAKE_ID = "11010519491231002X"
FAKE_MOBILE = "13812345678"


def test_resident_id_check_digit_and_birth_date():
    assert valid_resident_id(FAKE_ID)
    assert not valid_resident_id("110105194912310021")  # wrong check digit
    assert not valid_resident_id("110105194913310028")  # month 13
    assert find_personal(f"身份证号 {FAKE_ID}") == ["居民身份证号码 resident ID number"]
    assert find_personal(f"电话{FAKE_MOBILE}") == ["手机号码 mobile number"]
    assert find_personal("430000 1234.56 2016Q4 8400000000") == []


def test_digits_inside_a_hex_digest_are_not_a_phone_number():
    digest = "460fc706e1e17384690052fb98e102edee6cd6aba0bf164032485ebc729a885f"  # a build record's input_hash
    assert find_personal(f'"input_hash": "{digest}"') == []
    assert find_personal(f"联系人手机：{FAKE_MOBILE}。") == ["手机号码 mobile number"]
    assert find_personal(f"(+86 {FAKE_MOBILE})") == ["手机号码 mobile number"]


def test_ingest_refuses_a_workbook_with_personal_data_and_names_the_cell_only(tmp_path):
    raw = tmp_path / "raw"
    write_monthly(raw / "m.xlsx", "2015-03", VALUES_SAMPLE)
    edit(raw / "m.xlsx", "Sheet1", E5=f"联系人身份证 {FAKE_ID}", F6=FAKE_MOBILE)
    result = ingest(raw, tmp_path / "p")
    hits = [f for f in result.findings if f.code == "privacy.personal_data"]
    assert {f.cell for f in hits} == {"E5", "F6"} and not result.ok
    assert all(FAKE_ID not in f.format() and FAKE_MOBILE not in f.format() for f in result.findings)
    assert not (tmp_path / "p").exists()


def test_the_filers_phone_in_the_footer_is_allowed_and_never_copied(tmp_path):
    raw = tmp_path / "raw"
    write_monthly(raw / "m.xlsx", "2015-03", VALUES_SAMPLE, footer={"填报人": "某某", "联系电话": FAKE_MOBILE})
    assert ingest(raw, tmp_path / "p").ok
    assert scan_paths([tmp_path / "p"]) == []


def test_scan_command_finds_personal_data_in_a_folder(tmp_path, capsys):
    (tmp_path / "notes.md").write_text(f"申领人 {FAKE_ID}\n", encoding="utf-8")
    assert main(["scan", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert "notes.md:1: error privacy.personal_data 个人信息" in out and FAKE_ID not in out


@pytest.mark.parametrize("folder", ["data", "reports", "policy_catalog"])
def test_committed_data_reports_and_catalog_hold_no_personal_data(folder):
    assert [f.format() for f in scan_paths([REPO / folder])] == []
