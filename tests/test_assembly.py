"""Provinces checked while the rest is still being read (``sbk.validate.Assembly``) give exactly what one check of
every sheet gives (``assemble``): the same findings, and tables stored to the same bytes, whatever order the sheets
come in and wherever the groups fall."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sbk.ingest import _parquet_bytes, _sorted, _typed, read_all
from sbk.storage import encode, to_arrow
from sbk.validate import Assembly, TidySheet, assemble

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo():
    """The demo's 891 forms of 31 provinces (read in one process), with their sha256 and regional populations."""
    sheets, extra, shas, findings, _ = read_all(REPO / "data" / "raw", jobs=1)
    assert not findings and len({s.province_code for s in sheets}) == 31
    return sheets, shas, extra.get("region_population")


def _stored(tables):
    """Each table as ``sbk ingest`` stores it (rows in their stored order, Parquet bytes)."""
    return {name: _parquet_bytes(to_arrow(encode(name, _sorted(name, _typed(df))))) for name, df in tables.items()}


def _feed(assembly: Assembly, sheets, batch: int = 17):
    for i in range(0, len(sheets), batch):
        assembly.add(sheets[i:i + batch])
    return assembly.finish()


def _same_as_one_check(sheets, shas, population, got):
    tables, findings = assemble(sheets, shas, population)
    got_tables, got_findings = got
    assert sorted(got_findings) == sorted(findings)
    assert {name: list(df.dtypes) for name, df in got_tables.items()} == {
        name: list(df.dtypes) for name, df in tables.items()}
    assert _stored(got_tables) == _stored(tables)


@pytest.mark.parametrize("group", [1, 60, 400])
def test_provinces_checked_as_they_arrive_give_the_findings_and_stored_tables_of_one_check(demo, group):
    sheets, shas, population = demo
    assembly = Assembly(shas, population, group=group)
    got = _feed(assembly, sheets)
    assert assembly.checked_early >= 2  # groups were checked before the end
    _same_as_one_check(sheets, shas, population, got)


def test_planted_faults_checked_early_give_the_same_findings(demo):
    """Faults of several rules, in provinces checked early and late (totals, falling figures, codes, duplicates)."""
    sheets, shas, population = demo
    sheets = copy.deepcopy(sheets)
    for s in sheets[::37]:
        rec = s.records[0]
        for key in ("cumulative_holders_10k", "holders_total_10k", "terminals"):
            if key in rec:
                rec[key] = -1.234 if key != "terminals" else 2.5
        rec["region_code"] = "999999" if s.form != "q3" else rec.get("region_code")
    sheets.append(copy.deepcopy(sheets[5]))  # the same filing twice
    sheets[-1].path = sheets[-1].path.replace(".xlsx", " (2).xlsx")
    assembly = Assembly(shas, population, group=100)
    got = _feed(assembly, sheets)
    assert assembly.checked_early >= 2
    assert len(got[1]) > 30
    _same_as_one_check(sheets, shas, population, got)


def test_sheets_not_province_by_province_are_checked_together_at_the_end(demo):
    sheets, shas, population = demo
    by_period = sorted(sheets, key=lambda s: (str(s.period), s.form))  # a folder per period: provinces interleaved
    assembly = Assembly(shas, population, group=60)
    got = _feed(assembly, by_period)
    assert assembly.checked_early == 0 and not assembly._parts  # nothing checked in vain either
    _same_as_one_check(by_period, shas, population, got)


def test_a_province_met_again_after_it_was_checked_is_checked_again_with_the_rest(demo):
    sheets, shas, population = demo
    first = sheets[0].province_code
    late = [s for s in sheets if s.province_code == first][-3:]
    order = [s for s in sheets if s not in late] + late  # three of the first province's forms come last
    assembly = Assembly(shas, population, group=60)
    for i in range(0, len(order), 17):
        assembly.add(order[i:i + 17])
    checked = assembly.checked_early + 0
    got = assembly.finish()
    assert checked >= 1
    assert assembly.checked_early < len(assembly._parts)  # the group holding the first province is checked again
    _same_as_one_check(order, shas, population, got)


def test_a_column_blank_in_one_group_and_written_in_another_is_stored_as_one_check_stores_it(demo):
    """A note column absent from one province's rows, present but blank in another's, and written in the rest: the
    groups' tables differ in its type (none, object, text), and the joined table is built as one check builds it."""
    sheets, shas, population = demo
    sheets = copy.deepcopy(sheets)
    provinces = sorted({s.province_code for s in sheets})
    for s in sheets:
        if s.form != "q1":
            continue
        for rec in s.records:
            if s.province_code in provinces[:8]:
                rec.pop("other_groups_note", None)
            elif s.province_code in provinces[8:16]:
                rec["other_groups_note"] = None
    assembly = Assembly(shas, population, group=200)
    got = _feed(assembly, sheets)
    assert assembly.checked_early >= 2
    _same_as_one_check(sheets, shas, population, got)


def test_tidy_csv_forms_read_first_wait_for_their_province_s_workbooks(demo):
    """Tidy CSVs are read before every workbook: their province comes in two stretches. Its CSV forms wait and are
    checked with its workbooks; the provinces are still checked early, none in vain."""
    sheets, shas, population = demo
    fifth = sorted({s.province_code for s in sheets})[4]
    csv = [s for s in sheets if s.province_code == fifth][:3]
    order = [TidySheet(**vars(s)) for s in csv] + [s for s in sheets if s not in csv]  # as read from a tidy CSV
    assembly = Assembly(shas, population, group=60)
    got = _feed(assembly, order)
    assert assembly.checked_early >= 2 and not assembly._dirty  # checked early, none in vain
    assert any(fifth in {s.province_code for s in part.sheets} for part in assembly._parts)
    _same_as_one_check(order, shas, population, got)


def test_near_the_end_the_provinces_waiting_are_checked_once_more_however_few(demo, monkeypatch):
    # With the reading's progress (here a form is a workbook), the provinces waiting when no more than
    # FINAL_STRETCH forms are to come are checked, though fewer than a group: less is left for the end.
    import sbk.validate as validate

    sheets, shas, population = demo
    sheets = sorted(sheets, key=lambda s: s.province_code or "")
    monkeypatch.setattr(validate, "FINAL_STRETCH", 150)
    plain, told = Assembly(shas, population, group=600), Assembly(shas, population, group=600)
    _feed(plain, sheets)
    for i in range(0, len(sheets), 17):
        told.add(sheets[i:i + 17], (min(i + 17, len(sheets)), len(sheets)))
    assert told.checked_early == plain.checked_early + 1
    assert len(told._waiting) < len(plain._waiting)
    _same_as_one_check(sheets, shas, population, told.finish())


def test_a_final_stretch_with_one_province_waiting_is_tried_again_with_the_next(demo, monkeypatch):
    # The stretch reached while one province alone waits (it may not be complete): nothing is checked, and the
    # check is made when the next province comes, not given up. (Only after a group has been checked early: a set
    # that never fills a group is checked once, at the end.)
    import sbk.validate as validate

    sheets, shas, population = demo
    codes = sorted({s.province_code for s in sheets})[:4]
    a, b, c, d = ([s for s in sheets if s.province_code == code] for code in codes)
    total = sum(map(len, (a, b, c, d)))
    monkeypatch.setattr(validate, "FINAL_STRETCH", len(c) + len(d))
    assembly = Assembly(shas, population, group=1)
    assembly.add(a, (len(a), total))
    assembly.add(b[:1], (len(a) + 1, total))  # a is followed by b: checked as a group
    assert assembly.checked_early == 1
    assembly._group = 10**6  # no more groups: only the stretch checks early from here
    assembly.add(b[1:], (len(a) + len(b), total))  # the stretch reached: b alone waits
    assert assembly.checked_early == 1
    assembly.add(c, (len(a) + len(b) + len(c), total))  # b followed by c: checked
    assert assembly.checked_early == 2
    assembly.add(d, (total, total))
    _same_as_one_check(a + b + c + d, shas, population, assembly.finish())


def test_a_set_that_never_fills_a_group_is_checked_at_the_end(demo):
    sheets, shas, population = demo
    assembly = Assembly(shas, population)
    for i in range(0, len(sheets), 17):
        assembly.add(sheets[i:i + 17], (min(i + 17, len(sheets)), len(sheets)))
    assert assembly.checked_early == 0


def test_findings_are_worded_as_one_check_words_them_when_a_column_types_differently_between_groups(demo):
    # A stage going backwards (a warning) in an early province is worded from the column as the whole table holds it:
    # “3.00” when a late province left a stage blank, as one check of every sheet says, not “3” as the early
    # group's whole numbers alone would say (helper-25 found the two differing).
    sheets, shas, population = demo
    sheets = copy.deepcopy(sorted(sheets, key=lambda s: s.province_code or ""))
    q3 = [s for s in sheets if s.form == "q3" and s.records]
    early = sorted((s for s in q3 if s.province_code == q3[0].province_code), key=lambda s: s.period)
    early[-1].records[0]["stage"] = 1
    for s in early[:-1]:
        s.records[0]["stage"] = 3
    late = [s for s in q3 if s.province_code == q3[-1].province_code]
    late[0].records[0]["stage"] = None
    got = _feed(Assembly(shas, population, group=60), sheets)
    backwards = [f.message for f in got[1] if f.code == "q3.stage_not_backwards"]
    assert backwards and all("1.00" in m for m in backwards), backwards
    _same_as_one_check(sheets, shas, population, got)
