import pytest

from sbk.cleaning import (
    CellValueError,
    ParsedOptions,
    UnitSuffixError,
    parse_names,
    parse_number,
    parse_options,
)


@pytest.mark.parametrize(
    "text, items, other",
    [
        ("①，③，⑨其他：社保卡年审", (1, 3, 9), "社保卡年审"),
        ("1,3", (1, 3), ""),
        ("①③", (1, 3), ""),
        ("1、3", (1, 3), ""),
        ("１，３", (1, 3), ""),
        ("1，3，", (1, 3), ""),
        (" ① ， ② ", (1, 2), ""),
        ("1;3", (1, 3), ""),
        ("⑨其他:年检", (9,), "年检"),
        ("1,2,其他：上门服务", (1, 2, 9), "上门服务"),
        (3, (3,), ""),
        (3.0, (3,), ""),
        ("", (), ""),
        ("无", (), ""),
        (None, (), ""),
    ],
)
def test_service_item_lists_as_people_type_them(text, items, other):
    assert parse_options(text, maximum=9, other_option=9) == ParsedOptions(items, other)


def test_channel_ten_is_not_split_into_one_and_zero():
    assert parse_options("①⑤⑩其他：微信公众号", maximum=10, other_option=10) == ParsedOptions((1, 5, 10), "微信公众号")
    assert parse_options("5,10", maximum=10, other_option=10).items == (5, 10)


def test_catalog_numbers_accept_ranges():
    assert parse_options("1-5，8，10～12", maximum=102).items == (1, 2, 3, 4, 5, 8, 10, 11, 12)


def test_no_new_fields_means_unchanged_from_last_quarter():
    assert parse_options("无新拓展领域", maximum=102).unchanged


@pytest.mark.parametrize("text", ["1,11", "⑩", "0"])
def test_options_out_of_range_are_refused(text):
    with pytest.raises(CellValueError, match="超出"):
        parse_options(text, maximum=9, other_option=9)


def test_unreadable_option_text_is_refused_with_the_token():
    with pytest.raises(CellValueError, match="申领"):
        parse_options("申领,挂失", maximum=9, other_option=9)


@pytest.mark.parametrize(
    "text, unit, value",
    [
        ("1,234.56", "万人", 1234.56),
        ("１２３４．５６", "万人", 1234.56),
        (" 12.30 ", "万人", 12.3),
        ("45%", "%", 45.0),
        ("45.5％", "%", 45.5),
        ("12.5万人", "万人", 12.5),
        ("1,168万", "万人", 1168.0),
        ("356万", "万人", 356.0),
        ("120台", "台", 120.0),
        ("120个", "台", 120.0),
        (7, None, 7.0),
        ("", "万人", None),
        (None, "万人", None),
        ("-", "万人", None),
    ],
)
def test_numbers_as_people_type_them(text, unit, value):
    assert parse_number(text, unit=unit) == value


@pytest.mark.parametrize("text", ["十二", "12.3.4", "abc", True])
def test_non_numbers_are_refused(text):
    with pytest.raises(CellValueError):
        parse_number(text)


@pytest.mark.parametrize("text, unit, suffix", [
    ("3560000人", "万人", "人"), ("85%", "万人", "%"), ("12户", "万人", "户"), ("300张", "万人", "张"),
    ("1.2亿", "万人", "亿"), ("1.2万", "台", "万"), ("3万台", "台", "万台"), ("85万人", "%", "万人"), ("5%", "个", "%"),
    ("12万", None, "万"),
])
def test_a_unit_that_contradicts_the_column_is_refused_not_stripped(text, unit, suffix):
    with pytest.raises(UnitSuffixError) as exc:
        parse_number(text, unit=unit)
    assert exc.value.suffix == suffix and exc.value.text == text


def test_a_number_in_people_in_a_10k_column_says_divide_by_10000():
    with pytest.raises(UnitSuffixError, match="看起来按“人”填报，本表单位为万人：请除以 10000 后重新填报"):
        parse_number("3560000人", unit="万人")


def test_names_split_on_chinese_and_latin_separators():
    assert parse_names("长沙市、株洲市, 湘潭市，衡阳") == ("长沙市", "株洲市", "湘潭市", "衡阳")
