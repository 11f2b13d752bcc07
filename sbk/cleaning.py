"""Cleaning the text people type into form cells: numbers and option lists.

Full-width digits and punctuation, thousands separators, a trailing unit that
is the column's own (one that contradicts it is refused, never stripped) and
circled option numbers (①…⑩) are all folded by Unicode NFKC normalisation,
which is what the standard library offers for exactly this job.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "NUMBER_LIMIT",
    "UNIT_WORDS",
    "CellValueError",
    "ParsedOptions",
    "UnitSuffixError",
    "accepted_suffixes",
    "clean_text",
    "normalise_text",
    "parse_names",
    "parse_number",
    "parse_options",
    "sheet_units",
    "units_in_header",
]


class CellValueError(ValueError):
    """A cell whose text cannot be read as what the form asks for."""


_SPACES = re.compile(r"\s+")


def normalise_text(value: object) -> str:
    """NFKC-fold, strip, and collapse inner white space ('' for empty cells)."""
    if value.__class__ is str:  # most cells: asked first
        return _normalised(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return "" if math.isnan(value) else str(value)  # a float's text has no space and nothing NFKC folds
    if isinstance(value, str):
        return _normalised(value)
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", str(value))).strip()


@lru_cache(maxsize=1 << 16)
def _normalised(text: str) -> str:
    # Every cell of every row is normalised, and the same labels recur in every file of a province: cached.
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip()


def clean_text(value: object) -> str:
    """Free text as written (full-width punctuation kept), trimmed, inner white space collapsed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return _SPACES.sub(" ", str(value)).strip()


# Units people type after a number. Longest first, so that 万人 is one suffix, not 人 after 万.
_UNIT_SUFFIX = re.compile(r"(万人次|万人|万张|万户|万台|万个|亿人|千人|百人|人次|万|亿|人|张|户|台|个|%)$")


class UnitSuffixError(CellValueError):
    """A number typed with a unit that contradicts its column's unit (3560000人 in a 万人 column).

    The number is refused, not read with the suffix stripped: 3560000人 read as 3560000 万人 is a
    ten-thousand-fold error, and 85% in a 万人 column is not a count of people at all.
    """

    def __init__(self, text: str, suffix: str, unit: str | None):
        self.text, self.suffix, self.unit = text, suffix, unit
        super().__init__(_unit_message(text, suffix, unit))


_MEASURE_WORDS = ("台", "个")  # what a count is counted in: 5台 and 5个 (终端) are the same number


def accepted_suffixes(unit: str | None) -> tuple[str, ...]:
    """The suffixes a column in ``unit`` tolerates: its own unit; in a 万人 column also a bare 万 (the 人 is
    the column's); in a count column (台, 个) either measure word. Anything else contradicts the column."""
    if not unit:
        return ()
    if unit == "万人":
        return (unit, "万")
    return _MEASURE_WORDS if unit in _MEASURE_WORDS else (unit,)


# Units a header may name, in brackets (累计持卡人数（万人）) or after 单位： (单位：人). What is not among them (a note
# such as （应用目录序号）) is not a unit and is left alone.
UNIT_WORDS = frozenset({"万人", "万", "亿", "亿人", "千人", "百人", "人", "人次", "万人次", "%", "‰", "张", "万张", "户", "万户",
                        "台", "万台", "个", "万个", "元", "万元"})
_BRACKETED = re.compile(r"[(（]([^()（）]*)[)）]")
_SHEET_UNIT = re.compile(r"(?<!填报)单位\s*[:：]\s*([^\s,，;；]+(?:\s*[、/]\s*[^\s,，;；、/]+)*)")


def _unit_tokens(text: str) -> list[str]:
    parts = (re.sub(r"^单位[:：]?", "", p.strip("()（）[]【】")) for p in re.split(r"[,，、;；/\s]+", text))
    return [t for t in parts if t in UNIT_WORDS]


def units_in_header(text: str) -> list[str]:
    """The units a column header names in brackets: '累计持卡人数（人）' → ['人']; '（应用目录序号）' → []."""
    return [u for inner in _BRACKETED.findall(normalise_text(text)) for u in _unit_tokens(inner)]


def sheet_units(text: str) -> list[str]:
    """The units a line above the table states for the whole sheet: '单位：万人' → ['万人'] (not 填报单位)."""
    return [u for m in _SHEET_UNIT.finditer(normalise_text(text)) for u in _unit_tokens(m.group(1))]


def _unit_message(text: str, suffix: str, unit: str | None) -> str:
    if not unit:
        return f"“{text}” 带单位“{suffix}”：本栏只填数字，不带单位"
    if unit == "万人" and suffix == "人":
        what = "看起来按“人”填报，本表单位为万人：请除以 10000 后重新填报（如 3560000人 写作 356.00），不带单位"
    elif unit == "万人":
        what = "本列填以万人为单位的人数（如 356.00），不带单位"
    elif unit == "%":
        what = "本列填百分比的数值（如 85.5），不带其他单位"
    elif suffix.startswith("万") or suffix == "亿":
        what = f"本列填实际数量（单位{unit}，如 1.2万 写作 12000），不带单位"
    else:
        what = f"本列单位为{unit}，请填数字，不带单位"
    return f"“{text}” 带单位“{suffix}”，与本列单位“{unit}”不符：{what}"


def parse_number(value: object, unit: str | None = None) -> float | None:
    """Read a numeric cell: 1,234.56 / １２３４．５６ / ' 12.3 ' / '45%' (unit %) / '12.5万人' (unit 万人).

    ``unit`` is the column's unit from its field spec (万人, %, 台, 个). A suffix that
    is the column's own unit is tolerated (and 万 in a 万人 column); any other
    suffix raises UnitSuffixError, and without a unit no suffix is accepted.
    Returns None for an empty cell; raises CellValueError for anything else
    that is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellValueError(f"“{value}” 不是数字")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, int) and abs(value) >= NUMBER_LIMIT:
            value = math.inf if value > 0 else -math.inf  # an int too large for a float must not raise OverflowError
        return _bounded(float(value), value)
    text = normalise_text(value).replace(" ", "")
    if text in ("", "-", "—", "/"):
        return None
    m = _UNIT_SUFFIX.search(text)
    if m and m.start() > 0:
        if m.group(1) not in accepted_suffixes(unit):
            if re.fullmatch(r"[+-]?[\d.,]+", text[: m.start()]):
                raise UnitSuffixError(normalise_text(value), m.group(1), unit)
            raise CellValueError(f"“{normalise_text(value)}” 不是数字")
        text = text[: m.start()]
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise CellValueError(f"“{normalise_text(value)}” 不是数字")
    return _bounded(float(text), value)


# No figure of any form comes near a trillion (万人 figures stop at China's population, 141,260万; counts of
# terminals and cities, percentages are far smaller). Beyond it a number is a typing or export accident (1e308, an
# ID typed as a number is caught before), and arithmetic on it overflows: refused at the cell, shown compactly.
NUMBER_LIMIT = 1e12


def _bounded(number: float, written: object) -> float:
    if not math.isfinite(number) or abs(number) >= NUMBER_LIMIT:
        # Compactly (1e+308, not the 309 digits of the float) and to three digits, so that an ID typed as a number
        # (refused by sbk.privacy) is never echoed; text as typed, cut short.
        shown = normalise_text(written)[:20] if isinstance(written, str) else f"{number:.3g}"
        raise CellValueError(f"“{shown}” 不是可能的数值（绝对值超过一万亿 1e12）：请核对后重新填报")
    return number + 0.0  # -0 is 0


@dataclass(frozen=True)
class ParsedOptions:
    """An option list as filed: the numbers chosen and the text after 其他."""

    items: tuple[int, ...]
    other: str = ""
    unchanged: bool = False  # 表二: “无新拓展领域” means as in the previous quarter


_CIRCLED = {chr(0x2460 + i): i + 1 for i in range(20)}  # ① … ⑳
_SEPARATORS = re.compile(r"[,，、;；/\s]+")
_RANGE = re.compile(r"^(\d+)[-~～至](\d+)$")
_NOTHING = {"", "无", "没有", "暂无", "/", "-", "—"}
_UNCHANGED = {"无新拓展领域", "无新拓展", "同上季度"}


def parse_options(value: object, maximum: int, other_option: int | None = None) -> ParsedOptions:
    """Parse an option list as people type it (``_parse_options``)."""
    if isinstance(value, (str, int, float)):
        # The same lists recur in every region and quarter: remembered (the type is part of the key: True is not 1).
        return _parse_options_cached(type(value).__name__, value, maximum, other_option)
    return _parse_options(value, maximum, other_option)


@lru_cache(maxsize=1 << 14)
def _parse_options_cached(_type: str, value: object, maximum: int, other_option: int | None) -> ParsedOptions:
    return _parse_options(value, maximum, other_option)


def _parse_options(value: object, maximum: int, other_option: int | None = None) -> ParsedOptions:
    """Parse an option list as people type it.

    Accepts "①，③，⑨其他：xxx", "1,3", "①③", "1、3", full-width digits and
    commas, and ranges "1-5" (for catalog numbers). ``maximum`` is the highest
    option number; ``other_option`` the number of the 其他 option, whose text
    is returned in ``other`` (and which is added to ``items`` when only the
    word 其他 is written). Raises CellValueError naming the part not understood.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ParsedOptions(())
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raw = str(int(value)) if float(value).is_integer() else str(value)
    else:
        raw = str(value)
    # Circled numbers first: NFKC would turn ⑩ into "10" glued to neighbours.
    spaced = "".join(f" {_CIRCLED[c]} " if c in _CIRCLED else c for c in raw)
    text = normalise_text(spaced)
    if text in _NOTHING:
        return ParsedOptions(())
    if text.replace(" ", "") in _UNCHANGED:
        return ParsedOptions((), unchanged=True)
    other = ""
    m = re.search(r"其他\s*[:：]?\s*(.*)$", text)
    if m:
        other = m.group(1).strip(" ,，、;；")
        text = text[: m.start()]
        if other_option is None:
            raise CellValueError("本栏没有“其他”选项")
    items: list[int] = []
    for token in _SEPARATORS.split(text):
        if not token:
            continue
        rng = _RANGE.match(token)
        if rng:
            lo, hi = int(rng.group(1)), int(rng.group(2))
            if lo > hi:
                raise CellValueError(f"选项范围 “{token}” 起止颠倒")
            items.extend(range(lo, hi + 1))
            continue
        if not token.isdigit():
            raise CellValueError(f"无法识别的选项 “{token}”：请按序号填写，选项间用“，”分隔")
        items.append(int(token))
    if m and other_option is not None and other_option not in items:
        items.append(other_option)
    bad = [i for i in items if not 1 <= i <= maximum]
    if bad:
        raise CellValueError(f"选项 {'、'.join(map(str, bad))} 超出 1–{maximum} 的范围")
    return ParsedOptions(tuple(items), other)


def parse_names(value: object) -> tuple[str, ...]:
    """Split a list of names ("长沙市、株洲市, 湘潭市") into its parts."""
    text = normalise_text(value)
    if text in _NOTHING:
        return ()
    return tuple(p for p in _SEPARATORS.split(text) if p)
