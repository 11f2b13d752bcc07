"""Cleaning the text people type into form cells: numbers and option lists.

Full-width digits and punctuation, thousands separators, trailing units and
circled option numbers (①…⑩) are all folded by Unicode NFKC normalisation,
which is what the standard library offers for exactly this job.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["CellValueError", "ParsedOptions", "clean_text", "normalise_text", "parse_number", "parse_options", "parse_names"]


class CellValueError(ValueError):
    """A cell whose text cannot be read as what the form asks for."""


def normalise_text(value: object) -> str:
    """NFKC-fold, strip, and collapse inner white space ('' for empty cells)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", " ", text).strip()


def clean_text(value: object) -> str:
    """Free text as written (full-width punctuation kept), trimmed, inner white space collapsed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return re.sub(r"\s+", " ", str(value)).strip()


_UNIT_SUFFIX = re.compile(r"(万人|万张|万户|万|人|张|台|个|%)$")


def parse_number(value: object) -> float | None:
    """Read a numeric cell: 1,234.56 / １２３４．５６ / ' 12.3 ' / '45%' / '12.5万人'.

    Returns None for an empty cell; raises CellValueError for anything else
    that is not a number.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellValueError(f"“{value}” 不是数字")
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    text = normalise_text(value).replace(" ", "")
    if text in ("", "-", "—", "/"):
        return None
    text = _UNIT_SUFFIX.sub("", text)
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", text):
        text = text.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        raise CellValueError(f"“{normalise_text(value)}” 不是数字")
    return float(text)


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
