"""Personal data: resident ID numbers (居民身份证号码) and mobile numbers (手机号码), wherever they are written.

Raw folders can pick up personal records by mistake (the Ningbo application
forms list names and ID numbers; a filer types a colleague's ID into 备注, names
a sheet after a person, or attaches a roster sheet). One detector serves every
path in and out: ingest runs it over each workbook as a whole (every cell of
every sheet, hidden ones too, text and numbers, the header, footer and 备注
rows, sheet names, the file's name and folders, and then every other part of
the file: page headers and footers, document properties, defined names,
hyperlinks, data validation, number formats, formulas, comments and their
authors, shared strings no cell uses, embedded objects — see
:func:`personal_findings_in_package`) and over every CSV before it is parsed;
``sbk scan`` runs the same functions over any folder. A hit refuses the whole
file. Findings name the place and never the number, and every finding's text
goes through :func:`mask`
(``sbk.findings.Rule.finding`` calls it), so a message that echoes what a
filer wrote cannot print a personal number either.

What counts as a personal number (``FORMS`` lists them): after NFKC (so
full-width digits count), digit groups joined by single spaces or dashes (or,
three groups or more, by dots, slashes, middle dots or underscores:
430102.19900307.2318) are read as one number when they make up the whole run
and are grouped as people write such numbers (430102 19900307 2318; 138 1234
5678), and the number is

- an 18-digit ID with a valid check digit, birth date and birth place
  (``stdnum.cn.ric``, GB 11643-1999);
- a 15-digit old ID (before 1999) with a valid birth place and birth date
  (checked by the same library after widening it to 18 digits);
- an 11-digit mobile number 1[3-9]x xxxx xxxx, with or without +86, 86 or 0086
  (also in brackets: ``(+86)``), typed as text or as a number
  (13812345678.0 in a numeric cell is a mobile number);
- a number cell holding an 18-digit ID typed as a number (Excel keeps only 15
  significant digits, so the check digit is lost: place and birth date decide).

Kept apart, so that the real data never trips it: division codes (6 digits),
counts and dates (≤ 8 digits), figures with decimals (``1234.56``; a fraction's
digits after the point are not a number on their own; two groups joined by a
dot are a decimal, never an ID), and digits inside a hex digest (the sha256
values of build records) or a GUID (which every Office package carries).

The footer of every form asks for ``联系电话：_____``: a phone number in that slot
is the filer's, allowed and never copied (the readers skip footer rows). The
slot is in a footer row (one starting with 填报人：, 联系电话：…), after
联系电话： or the words filers put for it (电话, 手机, 联系方式), up to the next
label. A mobile number anywhere else (the 填报单位 line and the 备注 row have no
slot), and a resident ID anywhere, refuses the file.
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import math
import re
import struct
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from sbk.findings import ERROR, WARNING, Finding, rule

__all__ = [
    "FORMS",
    "MASK",
    "PERSONAL_DATA",
    "UNSCANNABLE",
    "find_personal",
    "mask",
    "personal_findings_in_csv",
    "personal_findings_in_name",
    "personal_findings_in_package",
    "personal_findings_in_sheets",
    "personal_findings_in_workbook",
    "scan_paths",
    "valid_resident_id",
]

PERSONAL_DATA = rule("privacy.personal_data", "个人信息", ERROR, "every file",
                     "resident ID numbers and mobile numbers never reach processed data, reports or findings")
UNSCANNABLE = rule("privacy.unscannable", "无法扫描", ERROR, "every file")
NOT_SCANNED = rule("privacy.not_scanned", "未扫描的文件", WARNING, "every file")

MASK = "［已隐去］"
ID_KIND = "居民身份证号码 resident ID number"
MOBILE_KIND = "手机号码 mobile number"

# The forms of personal number detected (SECURITY.md counts them; tests/test_privacy.py proves each).
FORMS = (
    "18-digit resident ID, check digit valid (X or x last)",
    "15-digit resident ID, birth place and date valid",
    "resident ID with spaces or dashes between digit groups",
    "resident ID or mobile number with dots, slashes, middle dots or underscores between 3+ groups (430102.19900307.2317)",
    "resident ID in full-width digits",
    "18-digit resident ID typed as a number (digits lost by Excel)",
    "11-digit mobile number as text",
    "mobile number typed as a number (13812345678.0)",
    "mobile number with spaces or dashes (138 1234 5678, 138-1234-5678)",
    "mobile number with +86, 86, 0086 or (+86) before it",
    "mobile number in full-width digits",
)

CSV_BYTES = 50 * 1024 * 1024

_TEXT_SUFFIXES = {".md", ".txt", ".html", ".json", ".yaml", ".yml", ".ipynb", ".cff", ".svg"}
_WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}

# Digit groups joined by one space (two where a bracket was blanked out), or a dash with optional spaces;
# an ID may end in X. Run on NFKC text, so full-width digits and dashes are ASCII here.
_DASHES = "‐‑‒–—-"  # the ASCII dash last: literal in a character class
_TOKEN = re.compile(rf"\+?[0-9]+(?:(?: ?[{_DASHES}] ?| {{1,2}})[0-9]+)*[Xx]?")
_GROUP = re.compile(r"[0-9]+")
# "(+86)" / "(0086)" before a number: the brackets are blanked (same length) so the prefix joins the number.
_BRACKETED_PREFIX = re.compile(r"\(\s*(?:\+|00)?86\s*\)")
_HEX_WORD = re.compile(r"(?:0[xX])?[0-9A-Fa-f]{16,}")
# A GUID ({4F1B2C3D-1234-…}, in every Office package) or a 0x… hex value: digits in it are not a number anyone wrote.
_OPAQUE = re.compile(r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|\b0[xX][0-9A-Fa-f]{8,}")
# Digit groups joined by a dot, slash, middle dot or underscore (430102.19900307.2317, 138/1234/5678): at least
# three groups, so that a decimal figure (1234.5678) or a date (2016.06) is never one; still decided by the groups'
# sizes and the check digit.
_JOINED = re.compile(r"(?<![0-9])\+?[0-9]+(?:[./·・_][0-9]+){2,}[Xx]?(?![0-9])")
_MOBILE = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")
_TRAILING_ZEROS = re.compile(r"\.0+(?![0-9])")
_SCIENTIFIC = re.compile(r"(?<![0-9.])[0-9]\.[0-9]+[eE]\+?(?:1[0-7])(?![0-9])")
_ALNUM = re.compile(r"[0-9A-Za-z]")
# Eleven digits, each joined to the one before it as ``_TOKEN`` joins its groups (directly, or by the same separators).
# Every number the token loop of ``_hits_in_normalised`` can report has 11 digits or more (a mobile number 11, 13 or
# 15; an ID 15, 17 before an X, or 18), all of them within one ``_TOKEN`` match, whose first 11 digits this finds: a
# text it finds nothing in has no number for that loop to report, which is then not run (issue 18: a file's shown
# path, national-31x10/110000/2015-02.xlsx, has 13 digits in short runs, and the loop cost 45 µs a file).
_TOKEN_OF_ELEVEN = re.compile(rf"[0-9](?:(?: ?[{_DASHES}] ?| {{1,2}})?[0-9]){{10}}")


def _ric() -> Any:
    """python-stdnum's resident ID module, imported at the first number that may be one: it imports ssl and socket
    (for its online checks): ~20 ms that ``sbk validate`` of a workbook without such a number need not spend."""
    from stdnum.cn import ric  # type: ignore[import-not-found,import-untyped,unused-ignore]

    return ric


def _ric_valid(number: str) -> bool:
    try:
        return bool(_ric().is_valid(number))
    except KeyError:
        # stdnum found the province or prefecture but no county list for it (its birth-place lookup then
        # fails on the missing key): the place is known in part, the check digit and date hold: an ID.
        return True


def valid_resident_id(text: str) -> bool:
    """An 18-digit resident ID (check digit, birth date and place valid) or a 15-digit one (place and date valid)."""
    digits = re.sub(rf"[\s{_DASHES}]", "", unicodedata.normalize("NFKC", str(text)))
    if len(digits) == 18:
        return _ric_valid(digits)
    if len(digits) == 15 and digits.isdigit():
        # The 1999 standard widened 15-digit IDs by adding the century (19) and a check digit.
        widened = digits[:6] + "19" + digits[6:] + "0"
        return _ric_valid(widened[:-1] + _ric().calc_check_digit(widened))
    return False


def _id_typed_as_number(value: float) -> bool:
    """An 18-digit number whose leading digits are a birth place and date: an ID that Excel stored as a number."""
    if not (1e17 <= abs(value) < 1e18):
        return False
    digits = str(int(abs(value)))
    return _ric_valid(digits[:17] + _ric().calc_check_digit(digits))


def _normalised(text: str) -> tuple[str, list[int]]:
    """NFKC per character (full-width digits become ASCII) and, for each normalised character, its original index."""
    if text.isascii():  # nothing to normalise (file paths, most numbers): each character is its own
        return text, list(range(len(text) + 1))
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        n = unicodedata.normalize("NFKC", ch) if ord(ch) > 127 else ch
        out.append(n)
        where.extend([i] * len(n))
    where.append(len(text))
    return "".join(out), where


def _kind(digits: str, x_end: bool) -> str | None:
    if len(digits) == 17 and x_end:
        return ID_KIND if _ric_valid(digits + "X") else None
    if x_end:
        return None
    if len(digits) in (15, 18) and valid_resident_id(digits):
        return ID_KIND
    if _MOBILE.fullmatch(digits):
        return MOBILE_KIND
    return None


def _grouped_like_a_number(groups: list[str], x_end: bool) -> bool:
    """Digit groups as people space an ID (6 digits, then groups of 3 or more; or any grouping of 18 characters,
    which the check digit then decides) or a mobile (3-4-4, 3-8, 7-4)."""
    sizes = [len(g) for g in groups]
    if (sizes[0] == 6 and all(n >= 3 for n in sizes[1:])) or sum(sizes) + x_end == 18:
        return True
    if groups[0] in ("86", "0086"):
        sizes = sizes[1:]
    return not x_end and sizes in ([3, 4, 4], [3, 8], [7, 4], [11])


def _in_hex_word(t: str, s: int, e: int) -> bool:
    """Is ``t[s:e]`` part of a longer hex word (a digest, a hash)?"""
    if not ((s and _ALNUM.match(t[s - 1])) or _ALNUM.match(t[e:e + 1])):
        return False
    a, b = s, e
    while a and _ALNUM.match(t[a - 1]):
        a -= 1
    while b < len(t) and _ALNUM.match(t[b]):
        b += 1
    return bool(_HEX_WORD.fullmatch(t[a:b]))


def _hits_in_normalised(t: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every personal number in NFKC text ``t``."""
    if sum(map(str.isdigit, t)) < 11:
        return []
    t = _BRACKETED_PREFIX.sub(lambda m: " " + m.group(0)[1:-1] + " ", t)
    t = _OPAQUE.sub(lambda m: "#" * len(m.group(0)), t)  # same length: the spans still point into the text
    hits: list[tuple[int, int, str]] = []
    for m in _SCIENTIFIC.finditer(t):
        # A number cell written out as text in scientific notation (4.30102199003072e+17, 1.3812345678E10).
        value = float(m.group(0))
        if _id_typed_as_number(value):
            hits.append((*m.span(), ID_KIND))
        elif value.is_integer() and _MOBILE.fullmatch(str(int(value))):
            hits.append((*m.span(), MOBILE_KIND))
    for m in _JOINED.finditer(t):
        token = m.group(0)
        x_end = token[-1:] in ("X", "x")
        groups = _GROUP.findall(token)
        if _grouped_like_a_number(groups, x_end) and not _in_hex_word(t, *m.span()):
            kind = _kind("".join(groups), x_end)
            if kind:
                hits.append((*m.span(), kind))
    if not _TOKEN_OF_ELEVEN.search(t):
        return hits  # no run that the loop below could read as a number (see _TOKEN_OF_ELEVEN)
    taken = [(a, b) for a, b, _ in hits]
    for m in _TOKEN.finditer(t):
        s, e = m.span()
        if any(a <= s < b for a, b in taken):
            continue
        as_number = False
        core = t[s:e]  # the run itself, without a float's trailing .0
        if s >= 2 and t[s - 1] in ".," and t[s - 2].isdigit():
            continue  # the digits after a decimal point (or a thousands comma) are not a number of their own
        if t[e:e + 1] in (".", ",") and t[e + 1:e + 2].isdigit():
            z = _TRAILING_ZEROS.match(t, e)
            if not z or t[e:e + 1] == ",":
                continue  # 1234.56, 1,234: a figure, not a number someone is identified by
            e = z.end()  # 13812345678.0: a mobile number stored as a number and written out as text
            as_number = True
        if _in_hex_word(t, s, e):
            continue  # digits inside a hex digest or hash are not a number anyone wrote down
        token = core
        x_end = token[-1:] in ("X", "x")
        groups = [g.group(0) for g in _GROUP.finditer(token)]
        found: set[str] = set()
        # A number written in groups is one number only when the groups make up the whole run, as people
        # group them (430102 19900307 2318; +86 138 1234 5678); a group that is a number on its own counts
        # anywhere. Sub-runs of longer runs (coordinates in an SVG path: 1696 506 1408) are not numbers.
        candidates = [(g, x_end and i == len(groups) - 1 and token.rstrip("Xx").endswith(g)) for i, g in enumerate(groups)]
        if len(groups) > 1 and _grouped_like_a_number(groups, x_end):
            candidates.append(("".join(groups), x_end))
        for digits, ends_in_x in candidates:
            kind = _kind(digits, ends_in_x)
            if not kind and as_number and len(digits) == 18 and _id_typed_as_number(float(digits)):
                kind = ID_KIND  # an ID that went through a number cell: its last digits are lost
            if kind:
                found.add(kind)
        # The whole token is the place: a number written with spaces is one number, masked as one.
        hits.extend((s, e, k) for k in sorted(found))
    return hits


def _text_of(value: Any) -> str | None:
    """The text a cell value would show, for detection; None when it cannot hold a personal number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        # A mobile number typed into a number cell reads 13812345678.0.
        return str(int(value)) if value.is_integer() and abs(value) < 1e19 else repr(value)
    return str(value)


def _hits(value: Any) -> tuple[str, list[tuple[int, int, str]]]:
    """(normalised text, hits) for any cell value."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        # A number cell is one number: no spacing or prefix to read, so it is decided without the text scanner.
        if abs(value) < 1e10 or (isinstance(value, float) and (math.isnan(value) or math.isinf(value)
                                                              or not value.is_integer())):
            return "", []  # a count or a figure (a number with a fraction is never a personal number)
        digits = str(int(abs(value)))
        if _MOBILE.fullmatch(digits):
            return digits, [(0, len(digits), MOBILE_KIND)]
        if valid_resident_id(digits) or _id_typed_as_number(float(value)):
            return digits, [(0, len(digits), ID_KIND)]
        return digits, []
    text = _text_of(value)
    if text is None or _digits(text) < 11:
        return "", []
    t, hits = _text_hits(text)
    return t, list(hits)


@lru_cache(maxsize=1 << 16)
def _text_hits(text: str) -> tuple[str, tuple[tuple[int, int, str], ...]]:
    """A text cell's hits, remembered by its text: the same long cells (an option list 1，2，…，102, a region's
    note) come back in every period a province files, and normalising them is the cell pass's main cost."""
    t, _ = _normalised(text)
    return t, tuple(_hits_in_normalised(t))


def _kinds(hits: Iterable[tuple[int, int, str]]) -> list[str]:
    found = {k for _, _, k in hits}
    return [k for k in (ID_KIND, MOBILE_KIND) if k in found]


def find_personal(value: Any) -> list[str]:
    """The kinds of personal number in a cell value (text, int or float): resident ID number, mobile number."""
    return _kinds(_hits(value)[1])


def mask(text: str) -> str:
    """``text`` with every personal number replaced by ［已隐去］ (unchanged when it holds none)."""
    if not isinstance(text, str) or sum(c.isdigit() for c in text) < 11:
        return text
    t, where = _normalised(text)
    hits = _hits_in_normalised(t)
    if not hits:
        return text
    out, last = [], 0
    for s, e, _ in sorted(hits):
        a, b = where[s], where[e]
        if a < last:
            continue  # the same token, found as two kinds
        out.append(text[last:a])
        out.append(MASK)
        last = b
    out.append(text[last:])
    return "".join(out)


# --- the 联系电话 slot of a footer -----------------------------------------------------------------------------

# The footer row, as the form prints it: 填报人：_____联系电话：_____负责人签名：_____ (the readers recognise it by the
# same labels). Its phone slot is 联系电话, or the words filers put in its place (电话, 手机, 联系方式).
_FOOTER_ROW = re.compile(r"(填报人|填表人|制表人|联系电话|负责人|审核人|联系人)\s*[:：]")
_FOOTER_LABEL = re.compile(r"(填报人|填表人|制表人|联系电话|联系方式|手机号码|手机号|手机|电话|负责人签名|单位负责人|负责人|"
                           r"审核人|联系人|填报日期|日期)\s*[:：]?")
_PHONE_LABELS = {"联系电话", "联系方式", "手机号码", "手机号", "手机", "电话"}


def _phone_slots(texts: Sequence[str]) -> dict[int, list[tuple[int, int]]]:
    """Per cell of one row (NFKC texts): the spans that are the footer's 联系电话 slot (none if not a footer row).

    The slot runs from ``联系电话：`` to the next footer label in the same cell, or, when the label ends its
    cell, over the following cells of the row up to one holding another label. A footer row starts with one of its labels
    (填报人：, 联系电话：…); the 填报单位 line, a data row or the 备注 row is never one.
    """
    slots: dict[int, list[tuple[int, int]]] = {}
    first = next((t.strip() for t in texts if t.strip()), "")
    if not _FOOTER_ROW.match(first):
        return slots  # a data, header or 备注 row: no phone slot there
    open_slot = False
    for c, t in enumerate(texts):
        labels = list(_FOOTER_LABEL.finditer(t)) if t else []
        if open_slot and t:
            end = labels[0].start() if labels else len(t)
            slots.setdefault(c, []).append((0, end))
            open_slot = bool(not labels)
        for k, m in enumerate(labels):
            if m.group(1) not in _PHONE_LABELS:
                continue
            end = labels[k + 1].start() if k + 1 < len(labels) else len(t)
            slots.setdefault(c, []).append((m.end(), end))
            if k + 1 == len(labels) and not t[m.end():].strip():
                open_slot = True
    return slots


def _digit_count_uncached(text: str) -> int:
    return sum(map(str.isdigit, text))


# The digits of a long text cell, remembered by its text: the same long cells (an option list 1，2，…，102) come back in
# every workbook of a form, and counting them character by character was a third of the cell pass (issue 18).
_digit_count = lru_cache(maxsize=4096)(_digit_count_uncached)  # texts of 2048 characters at most: a bounded cache


def _digits(text: str) -> int:
    """``sum(map(str.isdigit, text))``; long texts from the cache."""
    return _digit_count(text) if 32 <= len(text) <= 2048 else sum(map(str.isdigit, text))


def _may_hold_a_number(value: Any) -> bool:
    """A quick filter (most cells of a form are short numbers or words): could this cell hold a personal number?"""
    if isinstance(value, str):
        return len(value) >= 11 and _digits(value) >= 11
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) < 1e10


def _row_may_hold(row: Sequence[Any]) -> bool:
    """``any(map(_may_hold_a_number, row))``, with the common cells (text, floats, empty) decided inline: this runs
    over every cell of every workbook (issue 18)."""
    for v in row:
        kind = type(v)
        if kind is str:
            if len(v) >= 11 and _digits(v) >= 11:
                return True
        elif kind is float or kind is int:
            if not abs(v) < 1e10:
                return True
        elif v is not None and _may_hold_a_number(v):
            return True
    return False


def _may_hit(value: Any) -> bool:
    """False only for a cell in which :func:`_hits` finds nothing for certain (empty, a short text, a number below
    10 digits); anything else (dates, odd types) is scanned."""
    kind = type(value)
    if kind is str:
        return len(value) >= 11 and _digits(value) >= 11
    if kind is float or kind is int:
        return not abs(value) < 1e10
    return value is not None and kind is not bool


def _row_hits(row: Sequence[Any], judged: set[str] | None = None) -> Iterator[tuple[int, list[str], bool]]:
    """(column index, kinds, footer) for each cell of a row holding a personal number outside the 联系电话 slot.
    ``judged``, when given, has every number met in the row added (allowed in the slot or not: see :func:`_judged`)."""
    if not _row_may_hold(row):
        return
    # Only cells that can hold a number are scanned first (a row with one long option list has many short cells);
    # the whole row is scanned, as before, only when one of them does.
    if not any(h for v in row if _may_hit(v) for h in _hits(v)[1]):
        return
    scanned = [(c, *_hits(v)) for c, v in enumerate(row) if v not in (None, "")]
    if judged is not None:
        judged.update(_key(t[s:e]) for c, t, hits in scanned if hits and _may_hold_a_number(row[c]) for s, e, _ in hits)
    texts = [""] * len(row)
    for c, t, _ in scanned:
        texts[c] = t if t else str(row[c])
    slots = _phone_slots(texts)
    for c, _, hits in scanned:
        kept = [(s, e, k) for s, e, k in hits
                if not (k == MOBILE_KIND and any(a <= s and e <= b for a, b in slots.get(c, [])))]
        if kept:
            yield c, _kinds(kept), bool(slots)


def _letter(ci: int) -> str:
    from sbk.forms.spec import column_letter

    return column_letter(ci + 1)


def _what(kinds: list[str]) -> str:
    return "、".join(k.split(" ")[0] for k in kinds)


_REFUSED = "整个文件不予导入"


def personal_findings_in_name(shown: str) -> list[Finding]:
    """A file whose name or folder holds a personal number: refused, since the path would be stored with every row
    (``source_file``); it is masked in every finding."""
    kinds = find_personal(shown)
    if not kinds:
        return []
    where = "文件名" if find_personal(PurePosixPath(shown).name) else "文件所在文件夹的名称"
    return [PERSONAL_DATA.finding(shown, "", "", f"{where}含{_what(kinds)}（不显示号码）：请改名后重新放入，{_REFUSED}")]


def personal_findings_in_sheets(shown: str, sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]
                                ) -> tuple[list[Finding], dict[str, str]]:
    """Personal numbers in every sheet name and every cell: (findings, {sheet name: label to show instead}).

    A sheet whose name holds a personal number is shown as its position (第2张工作表), never by name, in
    every finding about this file.
    """
    findings, labels, _ = _sheet_pass(shown, sheets)
    return findings, labels


def _sheet_pass(shown: str, sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]
                ) -> tuple[list[Finding], dict[str, str], set[str]]:
    """:func:`personal_findings_in_sheets`, and the numbers it met (what :func:`_judged` would find, gathered in
    the same pass over the cells rather than a second one)."""
    findings: list[Finding] = []
    labels: dict[str, str] = {}
    judged: set[str] = set()
    for i, (name, cells) in enumerate(sheets, 1):
        t, hits = _hits(name)
        judged.update(_key(t[s:e]) for s, e, _ in hits)
        kinds = _kinds(hits)
        if kinds:
            labels[name] = labels[mask(name)] = f"第{i}张工作表"  # masked too: findings made elsewhere carry it so
            findings.append(PERSONAL_DATA.finding(shown, labels[name], "",
                                                  f"工作表名称含{_what(kinds)}（不显示号码）：调度表不应含个人信息，"
                                                  f"请改名后重新放入，{_REFUSED}"))
        sheet = labels.get(name, name)
        for r, row in enumerate(cells, 1):
            if not _row_may_hold(row):
                continue  # most rows (checked here too, before a generator is made for each)
            for c, kinds, footer in _row_hits(row, judged):
                where = "签名栏" if footer else "单元格"
                hint = "（手机号码只可填在“联系电话：”之后）" if footer and kinds == [MOBILE_KIND] else ""
                findings.append(PERSONAL_DATA.finding(shown, sheet, f"{_letter(c)}{r}",
                                                      f"{where}含{_what(kinds)}（不显示号码）{hint}：调度表不应含个人信息，"
                                                      f"请删除后重新放入，{_REFUSED}"))
    return findings, labels, judged


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _resolve(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for p in (str(PurePosixPath(base).parent) + "/" + target).split("/"):
        if p == "..":
            if parts:
                parts.pop()
        elif p not in ("", "."):
            parts.append(p)
    return "/".join(parts)


# --- the whole file: every part of the package, not only its cells ----------------------------------------------
#
# A workbook is more than its cells: page headers and footers, document properties, defined names, hyperlinks,
# data-validation lists, number formats, formulas, comments and their authors, shared strings no cell uses,
# text boxes, charts. Rather than enumerate the places a number can hide, every part of the file is read:
# - a zip package (.xlsx, .xlsm, .xlsb, .ods): every XML part's text and attribute values (defusedxml; a part
#   that is not well-formed is read as loose text), every binary part's text (the BIFF12 records of .xlsb
#   record by record, anything else as runs of text), an embedded workbook or document one level down;
# - a compound file (.xls): every stream's text, the BIFF8 records of the workbook record by record.
# Decompression is bounded as the reader's (``sbk.containers.read_package`` with ``sbk.workbooks.LIMITS``).
# The cells themselves were checked by ``personal_findings_in_sheets`` (which knows the 联系电话 slot): a number
# found there, or in a sheet name, is not reported again where the package stores the same cell.

_HEADER_FOOTER = "页眉页脚"
_ADVICE = {
    _HEADER_FOOTER: "请在“页面布局 → 页眉和页脚”中删除",
    "文档属性": "请在“文件 → 信息 → 检查问题 → 检查文档”中删除文档属性和个人信息，或在“文件 → 信息 → 属性”中删除",
    "自定义文档属性": "请在“文件 → 信息 → 属性 → 高级属性 → 自定义”中删除",
    "保存路径": "请在“文件 → 信息 → 检查问题 → 检查文档”中删除文档属性和个人信息",
    "批注作者": "请在“文件 → 信息 → 检查问题 → 检查文档”中删除文档属性和个人信息（含批注作者）",
    "批注": "请删除批注",
    "定义名称": "请在“公式 → 名称管理器”中删除",
    "超链接": "请删除该超链接",
    "数据验证": "请在“数据 → 数据验证”中删除该序列",
    "条件格式": "请在“开始 → 条件格式 → 管理规则”中删除",
    "数字格式": "请在“设置单元格格式 → 数字 → 自定义”中删除该格式",
    "公式": "请删除公式中的号码",
}


def _advice(label: str) -> str:
    for prefix, advice in _ADVICE.items():
        if label.startswith(prefix):
            return advice
    return "请删除"


def _key(span: str) -> str:
    """One personal number's identity however it is written (a mobile: its 11 digits; an ID: its first 15 digits, all
    that survive a number cell), so that the same number met in a cell and in the part storing it is one."""
    span = span.strip()
    if _SCIENTIFIC.fullmatch(span):
        digits = str(int(float(span)))
    else:
        digits = re.sub(r"[^0-9Xx]", "", _TRAILING_ZEROS.sub("", span)).upper()
    return digits[-11:] if _MOBILE.fullmatch(digits) else digits[:15]


def _judged(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> set[str]:
    """The personal numbers in the cells and sheet names, which the cell pass has already found or allowed."""
    keys: set[str] = set()
    for name, cells in sheets:
        t, hits = _hits(name)
        keys.update(_key(t[s:e]) for s, e, _ in hits)
        for row in cells:
            for value in row:
                if _may_hold_a_number(value):
                    t, hits = _hits(value)
                    keys.update(_key(t[s:e]) for s, e, _ in hits)
    return keys


# Header and footer codes (&"宋体,加粗", &K00FF00, &P, &&); a font size (&14) may run into digits typed after it,
# so each reading of it is tried.
_HF_CODES = re.compile(r'&"[^"]*"|&K(?:[0-9A-Fa-f]{6}|[0-9]{2}[+-][0-9]{3})|&[A-Za-z]')


def _header_footer_texts(text: str) -> list[str]:
    base = _HF_CODES.sub(" ", text.replace("&&", "＆"))
    return [base] + [re.sub(rf"&[0-9]{{{n}}}", " ", base) for n in (1, 2, 3)]


class _Found:
    """Personal numbers found in one file's package, by place (sheet, cell, what it is)."""

    def __init__(self, judged: set[str], labels: dict[str, str], sheet_names: Iterable[str] = ()) -> None:
        self.judged = judged
        self.labels = labels
        self.sheet_names = set(sheet_names)  # the sheets whose cells the cell pass has read
        self.places: dict[tuple[str, str, str], set[str]] = {}
        self.keys: set[str] = set()  # the numbers found

    def text(self, sheet: str, cell: str, label: str, text: str | None) -> None:
        if not text or len(text) < 11:
            return
        for t in _header_footer_texts(text) if label == _HEADER_FOOTER else [text]:
            if sum(map(str.isdigit, t)) < 11:
                continue
            n, hits = _text_hits(t)
            for s, e, kind in hits:
                key = _key(n[s:e])
                if key not in self.judged:
                    self.places.setdefault((self.labels.get(sheet, sheet), cell, label), set()).add(kind)
                    self.keys.add(key)

    def binary(self, sheet: str, cell: str, label: str, data: bytes) -> None:
        for piece in _binary_texts(data):
            self.text(sheet, cell, label, piece)
            # Bytes next to a string in a record can read as letters ("430102199003072317A"): the digits are then
            # read on their own too, as the hex-digest rule would otherwise skip them.
            if _GLUED.search(piece):
                self.text(sheet, cell, label, _GLUED.sub(" ", piece))

    def findings(self, shown: str) -> list[Finding]:
        out = []
        for (sheet, cell, label), kinds in self.places.items():
            place = f"{label} " if label[-1:].isascii() else label  # 文档属性 creator 含…, 页眉页脚含…
            what = _what(_kinds((0, 0, k) for k in kinds))
            out.append(PERSONAL_DATA.finding(shown, sheet, cell, f"{place}含{what}（不显示号码）：调度表不应含个人信息，"
                                                                 f"{_advice(label)}后重新放入，{_REFUSED}"))
        return out


_GLUED = re.compile(r"(?<=[0-9])(?=[A-Za-z])|(?<=[A-Za-z])(?=[0-9])")
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\ufffd\ud800-\udfff]+")


def _binary_texts(data: bytes) -> Iterator[str]:
    """Runs of text in binary data that could hold a number: read as 8-bit text and as UTF-16 at both alignments
    (Excel's binary formats store strings either way)."""
    if len(data) < 11:
        return
    for text in (data.decode("latin-1"), data[:len(data) // 2 * 2].decode("utf-16-le", "replace"),
                 data[1:1 + (len(data) - 1) // 2 * 2].decode("utf-16-le", "replace")):
        for piece in _CONTROLS.split(text):
            if len(piece) >= 11 and sum(map(str.isdigit, piece)) >= 11:
                yield piece


# -- XML parts --

# Elements whose text is read as one (rich text is split into runs: a number typed across two runs is one number).
_PARAGRAPHS = {"si", "is", "text", "p", "h"}


class _XmlWalk:
    """Every text and attribute value of an XML part that could hold a number, streamed, with the path of elements
    leading to it; for an .ods content.xml also the sheet and cell being read, for a sheet its hyperlinks."""

    def __init__(self) -> None:
        self.stack: list[tuple[str, Any]] = []  # (local tag, the element's attributes as parsed)
        self.table, self.row, self.col, self.cell = "", 0, 0, ""
        self.links: dict[str, str] = {}  # a sheet's hyperlinks: relationship id → cell

    def items(self, data: bytes, skip: frozenset[str] = frozenset()) -> Iterator[tuple[str, str]]:
        """(attribute name, or '' for text; the value) for each value of 11 characters or more; the text of
        elements ``skip`` is not read."""
        from defusedxml.ElementTree import iterparse  # type: ignore[import-not-found,import-untyped,unused-ignore]

        names: dict[str, str] = {}
        stack = self.stack
        inside = 0
        for event, el in iterparse(io.BytesIO(data), events=("start", "end")):
            tag = names.get(el.tag) or names.setdefault(el.tag, _local(el.tag))
            if event == "start":
                attrib = el.attrib
                stack.append((tag, attrib))
                if tag in _TRACKED:
                    self._start(tag, attrib)
                inside += tag in _PARAGRAPHS
                for name, value in attrib.items():
                    if len(value) >= 11:
                        yield _local(name), value
                continue
            if tag in _PARAGRAPHS:
                inside -= 1
                if not inside and tag not in skip:
                    yield "", "".join(el.itertext())
            elif not inside and el.text and len(el.text) >= 11 and tag not in skip:
                yield "", el.text
            stack.pop()
            if tag in _TRACKED:
                self._end(tag, el.attrib)
            if not inside:
                if el.tail and len(el.tail) >= 11:
                    yield "", el.tail  # the parent's text after this element
                el.clear()

    def _start(self, tag: str, attrib: Any) -> None:
        if tag == "table":
            self.table, self.row = _attr(attrib, "name") or "", 0
        elif tag == "table-row":
            self.col = 0
        elif tag in ("table-cell", "covered-table-cell"):
            self.cell = f"{_letter(self.col)}{self.row + 1}"
        elif tag == "hyperlink":
            self.links[_attr(attrib, "id") or ""] = _attr(attrib, "ref") or ""

    def _end(self, tag: str, attrib: Any) -> None:
        if tag in ("table-cell", "covered-table-cell"):
            self.col += _count(_attr(attrib, "number-columns-repeated"))
            self.cell = ""
        elif tag == "table-row":
            self.row += _count(_attr(attrib, "number-rows-repeated"))

    def has(self, tag: str) -> dict[str, str] | None:
        """The attributes (by local name) of the nearest element ``tag`` on the path, or None."""
        found = next((a for t, a in reversed(self.stack) if t == tag), None)
        return None if found is None else {_local(k): v for k, v in found.items()}


_TRACKED = {"table", "table-row", "table-cell", "covered-table-cell", "hyperlink"}


def _attr(attrib: Any, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    return next((v for k, v in attrib.items() if k == name or k.endswith("}" + name)), None)


def _count(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 1


# A value (text or attribute) with 11 digits (ASCII, full-width or a character reference) not split by markup.
_CANDIDATE = re.compile(r"""(?:[0-9０-９]|&#)(?:[^<>"'0-9０-９]*(?:[0-9０-９]|&#)){10}""")
_SHEET_VALUES = re.compile(r"<(?:\w+:)?v(?:\s[^>]*)?>[^<]*</(?:\w+:)?v>|<((?:\w+:)?is)(?:\s[^>]*)?>.*?</\1>", re.DOTALL)
_MARKUP = re.compile(r"""[<>"'=]""")
# _CANDIDATE on the UTF-8 bytes themselves: digits, full-width digits (EF BC 90-99, whatever comes before them) and
# "&#" are each read as one digit, the markup characters as "<", everything else dropped; 11 digits in a row then
# match where _CANDIDATE matches the text (bytes.translate and a substring search, in C: issue 18).
_FULL_WIDTH_DIGIT = re.compile(rb"\xef\xbc[\x90-\x99]")
_DIGITS_AND_MARKUP = bytes.maketrans(b"0123456789<>\"'", b"0000000000<<<<")
_NEITHER = bytes(b for b in range(256) if b not in b"0123456789<>\"'")
_PROLOG = re.compile(rb"(?:\xef\xbb\xbf)?\s*(?:<\?[^<>]*\?>\s*)*")
_PLAIN_VALUE = re.compile(rb"<v>[^<]*</v>|<is><t(?:\s[^<>]*)?>[^<]*</t></is>")


def _candidate_in_bytes(data: bytes) -> bool:
    """``_CANDIDATE.search(data.decode("utf-8", "replace"))``, on the bytes."""
    data = data.replace(b"&#", b"0")
    if b"\xef\xbc" in data:
        data = _FULL_WIDTH_DIGIT.sub(b"0", data)
    return b"00000000000" in data.translate(_DIGITS_AND_MARKUP, _NEITHER)


# ASCII digits read as "0", the markup characters as "<", every other byte as ".": the same length as the part, so a
# place found in it is the same place in the part (full-width digits and "&#" are first rewritten in place).
_DIGITISH = bytes(ord("0") if c in b"0123456789" else ord("<") if c in b"<>\"'" else ord(".") for c in range(256))
_DIGITISH_RUN = re.compile(rb"0(?:\.*+0){10}")


def _runs_only_in_plain_values(body: bytes) -> bool:
    """True when every run of 11 digits with no markup between them (as :func:`_candidate_in_bytes` counts them:
    a full-width digit or "&#" is one digit) lies inside a plain <v>…</v> or <is><t>…</t></is>, which
    ``_PLAIN_VALUE`` takes out; else False (the caller then takes the values out and looks again).
    issue 18: taking every value out of every sheet was most of the part pass, and such runs are few."""
    marked = body.replace(b"&#", b"0#") if b"&#" in body else body
    if b"\xef\xbc" in marked:
        marked = _FULL_WIDTH_DIGIT.sub(b"..0", marked)
    marked = marked.translate(_DIGITISH)
    at = 0
    while (m := _DIGITISH_RUN.search(marked, at)) is not None:
        at = body.rfind(b"<", 0, m.start())
        if body.startswith(b"<v>", at):
            value = _PLAIN_VALUE.match(body, at)
        elif body.startswith(b"<t", at) and body.startswith(b"<is>", at - 4):
            value = _PLAIN_VALUE.match(body, at - 4)
        else:
            return False
        if value is None or value.end() < m.end():
            return False
        at = value.end()  # the rest of this value holds only its own digits
    return True


def _nothing_beside_values(body: bytes) -> bool:
    """Does a sheet part hold no 11 digits outside its cell values (``_SHEET_VALUES``), which the cell pass read?

    Decided on the bytes when it can be (issue 18: decoding and rewriting every sheet was a fifth of the pass). When
    no tag but the root comes right after text (as office suites write), taking values out never joins two runs of
    text, so the digits left are those between the values: with every plain <v>…</v> and <is><t>…</t></is> read as markup (all are among
    the values taken out), no 11 of them in a row means none once the values are out. Otherwise exactly as before."""
    rest = body[_PROLOG.match(body).end():]  # type: ignore[union-attr]  # (it matches the empty string)
    after_text = (rest.count(b"<") - rest.count(b"</")) - (rest.count(b"><") - rest.count(b"></"))
    if after_text == (rest[:1] == b"<" and rest[1:2] != b"/") and (
            _runs_only_in_plain_values(body) or not _candidate_in_bytes(_PLAIN_VALUE.sub(b"<", body))):
        return True
    return not _CANDIDATE.search(_SHEET_VALUES.sub("", body.decode("utf-8", "replace")))


def _loose_texts(data: bytes) -> Iterator[str]:
    """The text of a part that is not well-formed XML (or that defusedxml refuses: entity declarations), markup
    characters read as spaces, so that text, attribute values and declared entity values are all read."""
    import html

    text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8", errors="replace")
    yield html.unescape(_MARKUP.sub(" ", text))


def _is_xml(data: bytes) -> bool:
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"<") or head[:4] in (b"\xff\xfe<\x00", b"\xfe\xff\x00<")


_OOXML_SHEET = re.compile(r"xl/(?:worksheets|macrosheets|dialogsheets|chartsheets)/[^/]+\.(?:xml|bin)", re.IGNORECASE)


def _ooxml_place(part: str, walk: _XmlWalk, attr: str, sheet_of: dict[str, str],
                 link_refs: dict[tuple[str, str], str]) -> tuple[str, str, str]:
    """(sheet, cell, what) of a value in an OOXML part."""
    p = part.lower()
    tags = [t for t, _ in walk.stack]
    sheet = sheet_of.get(part, "")
    if p.startswith("docprops/core"):
        return "", "", f"文档属性 {tags[-1]}" if len(tags) > 1 else "文档属性"
    if p.startswith("docprops/app"):
        return "", "", f"文档属性 {tags[1]}" if len(tags) > 1 else "文档属性"
    if p.startswith("docprops/custom"):
        prop = walk.has("property") or {}
        return "", "", f"自定义文档属性 {prop.get('name', '')}".rstrip()
    if _OOXML_SHEET.fullmatch(part):
        if "headerFooter" in tags:
            return sheet, "", _HEADER_FOOTER
        cell = walk.has("c")
        if cell is not None:
            return sheet, cell.get("r", ""), "公式" if tags[-1] == "f" else "单元格"
        for tag, label, ref in (("hyperlink", "超链接", "ref"), ("dataValidation", "数据验证", "sqref"),
                                ("conditionalFormatting", "条件格式", "sqref")):
            found = walk.has(tag)
            if found is not None:
                return sheet, (found.get(ref) or "").split(" ")[0], label
        return sheet, "", "工作表设置"
    if p.endswith(".rels"):
        rel = walk.has("Relationship") or {}
        if rel.get("Type", "").endswith("/hyperlink"):
            source = _rels_source(part)
            return sheet_of.get(source, ""), link_refs.get((source, rel.get("Id", "")), ""), "超链接"
        return "", "", f"文件结构（{part}）"
    if p == "xl/workbook.xml":
        for tag, label in (("definedName", "定义名称"), ("sheet", "工作表名称"), ("absPath", "保存路径")):
            if tag in tags:
                return "", "", label
        return "", "", "工作簿设置"
    if p.startswith("xl/sharedstrings"):
        return "", "", "共享字符串表"
    if p.startswith("xl/styles"):
        return "", "", "数字格式" if "numFmt" in tags else "样式"
    if p.startswith("xl/persons/"):
        return "", "", "批注作者"
    if re.match(r"xl/(?:comments|threadedcomments/)", p):
        if "author" in tags or attr in ("author", "personId", "userId"):
            return sheet, "", "批注作者"
        comment = walk.has("comment") or walk.has("threadedComment") or {}
        return sheet, comment.get("ref", ""), "批注"
    for prefix, label in (("xl/drawings/vml", "批注形状"), ("xl/drawings/", "图形或文本框"), ("xl/charts/", "图表"),
                          ("xl/pivot", "数据透视表"), ("xl/externallinks/", "外部链接"), ("xl/connections", "数据连接"),
                          ("xl/querytables/", "数据连接"), ("xl/tables/", "表格"), ("customxml/", "自定义 XML 数据")):
        if p.startswith(prefix):
            return sheet, "", label
    return "", "", f"部件 {part}"


_ODS_HEADER_FOOTER = {"header", "footer", "header-left", "footer-left", "header-first", "footer-first"}
_ODS_NUMBER_STYLES = {"number-style", "currency-style", "percentage-style", "date-style", "time-style",
                      "boolean-style", "text-style"}


def _ods_place(part: str, walk: _XmlWalk, attr: str) -> tuple[str, str, str]:
    """(sheet, cell, what) of a value in an OpenDocument part."""
    tags = [t for t, _ in walk.stack]
    if part == "meta.xml":
        prop = walk.has("user-defined")
        if prop is not None:
            return "", "", f"自定义文档属性 {prop.get('name', '')}".rstrip()
        return "", "", f"文档属性 {tags[-1]}" if len(tags) > 2 else "文档属性"
    if _ODS_HEADER_FOOTER.intersection(tags):
        return "", "", _HEADER_FOOTER
    if _ODS_NUMBER_STYLES.intersection(tags):
        return "", "", "数字格式"
    if part != "content.xml":
        return "", "", {"styles.xml": "样式", "settings.xml": "设置"}.get(part, f"部件 {part}")
    if "annotation" in tags:
        return walk.table, walk.cell, "批注作者" if "creator" in tags else "批注"
    if walk.cell:
        if attr == "formula":
            return walk.table, walk.cell, "公式"
        return walk.table, walk.cell, "超链接" if "a" in tags else "单元格"
    for tag, label in (("named-range", "定义名称"), ("named-expression", "定义名称"), ("database-range", "定义名称"),
                       ("content-validation", "数据验证"), ("table", "工作表名称")):
        if tag in tags:
            return walk.table if tag == "table" else "", "", label
    return "", "", "内容"


def _rels_source(rels: str) -> str:
    """xl/worksheets/_rels/sheet1.xml.rels → xl/worksheets/sheet1.xml (the part the relationships belong to)."""
    p = PurePosixPath(rels)
    folder = p.parent.parent
    name = p.name[: -len(".rels")]
    return name if str(folder) in ("", ".") else f"{folder}/{name}"


def _rel_targets(members: dict[str, bytes], part: str) -> dict[str, tuple[str, str]]:
    """{id: (type, resolved target)} of a part's relationships (empty when it has none or they cannot be read)."""
    data = members.get(_rels_name(part))
    if data is None:
        return {}
    return dict(_rel_targets_of(part, data) if len(data) <= _REMEMBERED_PART_BYTES else _rel_targets_uncached(part, data))


@lru_cache(maxsize=1024)
def _rels_name(part: str) -> str:
    """xl/worksheets/sheet1.xml → xl/worksheets/_rels/sheet1.xml.rels (remembered: the same few names in every file)."""
    p = PurePosixPath(part)
    return f"{p.parent}/_rels/{p.name}.rels" if str(p.parent) != "." else f"_rels/{p.name}.rels"


# Relationships and workbook parts are mostly the same bytes in every workbook a province saves: what they say is
# remembered by their bytes (issue 18), small ones only.
_REMEMBERED_PART_BYTES = 64 * 1024


@lru_cache(maxsize=1024)
def _rel_targets_of(part: str, data: bytes) -> dict[str, tuple[str, str]]:
    return _rel_targets_uncached(part, data)


def _rel_targets_uncached(part: str, data: bytes) -> dict[str, tuple[str, str]]:
    from defusedxml.ElementTree import fromstring  # type: ignore[import-not-found,import-untyped,unused-ignore]

    try:
        root = fromstring(data)
    except Exception:  # noqa: BLE001 - a damaged rels part only costs the place names; its text is still read
        return {}
    return {r.get("Id", ""): (r.get("Type", ""), _resolve(part, r.get("Target", "")))
            for r in root if _local(r.tag) == "Relationship" and r.get("TargetMode") != "External"}


def _wide_string(payload: bytes, at: int) -> tuple[str, int]:
    """An XLWideString of BIFF12 (u32 count, UTF-16 characters) at ``at``: (text, the offset after it)."""
    (count,) = struct.unpack_from("<I", payload, at)
    if count == 0xFFFFFFFF:  # XLNullableWideString: null
        return "", at + 4
    return payload[at + 4:at + 4 + 2 * count].decode("utf-16-le", "replace"), at + 4 + 2 * count


_WORKBOOK_PARTS = ("xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/workbook.bin", "xl/_rels/workbook.bin.rels")


def _sheet_parts(members: dict[str, bytes]) -> dict[str, str]:
    """{sheet part: sheet name} of an .xlsx/.xlsm (xl/workbook.xml) or an .xlsb (BrtBundleSh records of xl/workbook.bin)."""
    parts = tuple(members.get(name) for name in _WORKBOOK_PARTS)
    if sum(len(b) for b in parts if b is not None) <= _REMEMBERED_PART_BYTES:
        return dict(_sheet_parts_of(parts))
    return _sheet_parts_uncached(members)


@lru_cache(maxsize=256)
def _sheet_parts_of(parts: tuple[bytes | None, ...]) -> dict[str, str]:
    return _sheet_parts_uncached({name: b for name, b in zip(_WORKBOOK_PARTS, parts) if b is not None})


def _sheet_parts_uncached(members: dict[str, bytes]) -> dict[str, str]:
    from defusedxml.ElementTree import fromstring  # type: ignore[import-not-found,import-untyped,unused-ignore]

    from sbk.containers import _records

    out: dict[str, str] = {}
    try:
        if "xl/workbook.xml" in members:
            targets = _rel_targets(members, "xl/workbook.xml")
            for el in fromstring(members["xl/workbook.xml"]).iter():
                if _local(el.tag) == "sheet":
                    rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                    if rid in targets:
                        out[targets[rid][1]] = el.get("name", "")
        elif "xl/workbook.bin" in members:
            targets = _rel_targets(members, "xl/workbook.bin")
            for rtype, payload in _records(members["xl/workbook.bin"]):
                if rtype == _BRT_BUNDLE_SH and len(payload) >= 12:
                    rid, at = _wide_string(payload, 8)
                    name, _ = _wide_string(payload, at)
                    if rid in targets:
                        out[targets[rid][1]] = name
    except Exception:  # noqa: BLE001 - a damaged workbook part only costs the sheet names in the findings
        pass
    return out


# BIFF12 (.xlsb) records read by what they hold ([MS-XLSB] 2.3.2): cells start with their column.
_BRT_ROW_HDR, _BRT_BUNDLE_SH, _BRT_HLINK, _BRT_BEGIN_COMMENT = 0, 156, 494, 635
_BRT_CELL_TYPES = set(range(1, 19)) | {62}
_BRT_FORMULAS = {8, 9, 10, 11}
_BRT_LABELS = {479: _HEADER_FOOTER, 39: "定义名称", 44: "数字格式", 632: "批注作者", 637: "批注", 19: "共享字符串表",
               156: "工作表名称", 2071: "保存路径", 494: "超链接"}


def _xlsb_part(part: str, data: bytes, sheet: str, found: _Found, link_refs: dict[tuple[str, str], str]) -> None:
    from sbk.containers import _records

    row, comment_ref = 0, ""
    generic = "工作表设置" if _OOXML_SHEET.fullmatch(part) else f"部件 {part}"
    for rtype, payload in _records(data):
        cell = ""
        if rtype == _BRT_ROW_HDR and len(payload) >= 4:
            row = struct.unpack_from("<I", payload)[0] + 1
            continue
        if rtype in _BRT_CELL_TYPES and len(payload) >= 4:
            cell = f"{_letter(struct.unpack_from('<I', payload)[0])}{row}"
            label = "公式" if rtype in _BRT_FORMULAS else "单元格"
        elif rtype in (_BRT_HLINK, _BRT_BEGIN_COMMENT) and len(payload) >= 16 + 4 * (rtype == _BRT_BEGIN_COMMENT):
            first_row, _, first_col, _ = struct.unpack_from("<IIII", payload, 4 * (rtype == _BRT_BEGIN_COMMENT))
            cell = f"{_letter(first_col)}{first_row + 1}"
            if rtype == _BRT_BEGIN_COMMENT:
                comment_ref = cell
                continue
            rid, _ = _wide_string(payload, 16)
            link_refs[(part, rid)] = cell
            label = "超链接"
        else:
            label = _BRT_LABELS.get(rtype, generic)
            if rtype == 637:
                cell = comment_ref
        found.binary(sheet if label not in ("共享字符串表", "定义名称", "工作表名称", "数字格式", "保存路径") else "",
                     cell, label, payload)


# -- zip packages and compound files --

# XML parts in which the walk met no personal number, by digest of (part name, what was skipped, kind, bytes),
# with the hyperlinks a sheet part attaches: the theme, the styles and most other parts an office suite writes
# are byte-identical in every workbook a province saves, so each is walked once per process, not once per file.
# A part is remembered only when no value in it holds a number at all (whether or not the cell pass has
# judged it), so what it would add to another file's findings is nothing.
# A small part is known by its bytes themselves (issue 18: hashing the theme and styles again in every file cost more
# than the rest of the lookup; the reader hands the same bytes objects from file to file, whose hash Python keeps), a
# larger one by a digest of them; the parts held by their bytes are bounded in total.
_CLEAN_PARTS: dict[tuple[str, frozenset[str], bool, bool, bytes], dict[str, str]] = {}
_CLEAN_PARTS_MAX = 4096
_CLEAN_PART_BYTES = 16 * 1024
_CLEAN_HELD_MAX = 32 * 1024 * 1024
_clean_held = 0


def _clean_key(part: str, values: frozenset[str], ods: bool, body: bytes
               ) -> tuple[str, frozenset[str], bool, bool, bytes]:
    """(part, values skipped, ods, digested, the bytes or their digest)."""
    if len(body) <= _CLEAN_PART_BYTES:
        return part, values, ods, False, body
    return part, values, ods, True, hashlib.blake2b(body, digest_size=20).digest()


def _remember_clean(key: tuple[str, frozenset[str], bool, bool, bytes], links: dict[str, str]) -> None:
    global _clean_held
    held = len(key[4])
    if len(_CLEAN_PARTS) < _CLEAN_PARTS_MAX and _clean_held + held <= _CLEAN_HELD_MAX:
        _CLEAN_PARTS[key] = links
        _clean_held += held


def _zip_package(data: bytes, found: _Found, limits: dict[str, int], embedded: str = "") -> None:
    """Every part of a zip package. ``embedded``: the part of the outer workbook this package is embedded as (its
    places are then named as that object, not as the workbook's own)."""
    from sbk.containers import CFB_MAGIC, read_package

    members = read_package(data, limits)
    ods = members.get("mimetype", b"").startswith(b"application/vnd.oasis.opendocument") or (
        "content.xml" in members and "xl/workbook.xml" not in members)
    sheet_of = {} if ods or embedded else _sheet_parts(members)
    for sheet_part, name in list(sheet_of.items()):
        for _, target in _rel_targets(members, sheet_part).values():
            sheet_of.setdefault(target, name)  # comments, drawings, tables… belong to their sheet
    xlsb = "xl/workbook.bin" in members
    link_refs: dict[tuple[str, str], str] = {}
    # Relationships last: a hyperlink's target is named by the cell its sheet attaches it to.
    for part in sorted(members, key=lambda n: n.endswith(".rels")):
        body = members[part]
        sheet = sheet_of.get(part, "")
        whole = (sheet, "", _embedded_label(embedded) if embedded else f"部件 {part}")
        if _is_xml(body):
            # The values of a sheet the cell pass has read (most of a workbook's bytes) are not read again: only the
            # rest of the part (formulas, header and footer, hyperlinks…), and only when it holds 11 digits.
            values = (frozenset({"v", "is"}) if not ods and sheet in found.sheet_names and _OOXML_SHEET.fullmatch(part)
                      else frozenset())
            if values and b"<hyperlink" not in body and _nothing_beside_values(body):
                continue
            key = None
            if not embedded:
                key = _clean_key(part, values, ods, body)
                known = _CLEAN_PARTS.get(key)
                if known is not None:
                    link_refs.update({(part, rid): ref for rid, ref in known.items()})
                    continue
            walk = _XmlWalk()
            # Every value is tried with nothing judged first: a part none of whose values holds a number is
            # remembered as clean; a value that holds one is then judged as the file's own (``found``).
            probe = _Found(set(), {})
            clean = True
            try:
                for attr, value in walk.items(body, values):
                    place = (whole if embedded else _ods_place(part, walk, attr) if ods else
                             _ooxml_place(part, walk, attr, sheet_of, link_refs))
                    probe.text(*place, value)
                    if probe.places:
                        clean = False
                        probe.places.clear()
                        found.text(*place, value)
                link_refs.update({(part, rid): ref for rid, ref in walk.links.items()})
                if key is not None and clean:
                    _remember_clean(key, dict(walk.links))
            except Exception:  # noqa: BLE001 - not well-formed, or refused by defusedxml: read as loose text instead
                for text in _loose_texts(body):
                    found.text(*whole, text)
        elif not embedded and (body[:2] == b"PK" or body[:8] == CFB_MAGIC):
            _embedded(part, body, found, limits)
        elif xlsb and not embedded and re.fullmatch(r"xl/(?!printersettings/|embeddings/|activex/|media/|vbaproject)"
                                                    r"[^.]*\.bin", part, flags=re.IGNORECASE):
            _xlsb_part(part, body, sheet, found, link_refs)
        else:
            found.binary(*whole, body)


def _embedded(part: str, body: bytes, found: _Found, limits: dict[str, int]) -> None:
    """A workbook or document embedded as an object (xl/embeddings/…): read one level down, within the same limits."""
    from sbk.containers import CFB_MAGIC, ContainerError

    try:
        if body[:8] == CFB_MAGIC:
            _compound_file(body, found, embedded=part, limits=limits)
        else:
            _zip_package(body, found, limits, embedded=part)
    except (ContainerError, OSError, ValueError):
        found.binary("", "", _embedded_label(part), body)  # not a package after all: its text is still read


# BIFF8 (.xls) records read by what they hold ([MS-XLS] 2.3): cells start with their row and column.
_BIFF_BOF, _BIFF_CONTINUE, _BIFF_BOUNDSHEET_ID, _BIFF_STRING, _BIFF_HLINK = 0x0809, 0x003C, 0x0085, 0x0207, 0x01B8
_BIFF_CELL_TYPES = {0x0006: "公式", 0x0204: "单元格", 0x00FD: "单元格", 0x00D6: "单元格", 0x001C: "批注作者"}
_BIFF_LABELS = {0x0014: _HEADER_FOOTER, 0x0015: _HEADER_FOOTER, 0x089C: _HEADER_FOOTER, 0x0018: "定义名称",
                0x00FC: "共享字符串表", 0x01BE: "数据验证", 0x041E: "数字格式", 0x01B6: "批注", 0x005C: "文档属性 上次保存者",
                0x0085: "工作表名称", 0x01B8: "超链接", 0x0207: "公式"}
_WORKBOOK_WIDE = {"共享字符串表", "定义名称", "数字格式", "文档属性 上次保存者", "工作表名称"}


def _biff8_records(stream: bytes) -> Iterator[tuple[int, int, bytes]]:
    """(offset, type, payload) with each CONTINUE joined to the record it continues (a long string spans them)."""
    i, current = 0, None
    while i + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, i)
        payload = stream[i + 4:i + 4 + size]
        if rtype == _BIFF_CONTINUE and current is not None:
            current = (current[0], current[1], current[2] + payload)
        else:
            if current is not None:
                yield current
            current = (i, rtype, payload)
        i += 4 + size
    if current is not None:
        yield current


def _biff8(stream: bytes, found: _Found) -> None:
    sheets: dict[int, str] = {}
    sheet, cell = "", ""
    for offset, rtype, payload in _biff8_records(stream):
        if rtype == _BIFF_BOUNDSHEET_ID and len(payload) >= 8:
            cch, high = payload[6], payload[7] & 1
            raw = payload[8:8 + cch * (2 if high else 1)]
            sheets[struct.unpack_from("<I", payload)[0]] = raw.decode("utf-16-le" if high else "latin-1", "replace")
        if rtype == _BIFF_BOF:
            sheet = sheets.get(offset, "")
            continue
        label = _BIFF_CELL_TYPES.get(rtype) or _BIFF_LABELS.get(rtype, "工作表设置" if sheet else "工作簿设置")
        if rtype in _BIFF_CELL_TYPES and len(payload) >= 4:
            row, col = struct.unpack_from("<HH", payload)
            cell = f"{_letter(col)}{row + 1}"
        elif rtype == _BIFF_HLINK and len(payload) >= 8:
            row, _, col, _ = struct.unpack_from("<HHHH", payload)
            cell = f"{_letter(col)}{row + 1}"
        elif rtype != _BIFF_STRING:  # STRING holds the result of the FORMULA before it: that formula's cell
            cell = ""
        found.binary("" if label in _WORKBOOK_WIDE else sheet, cell, label, payload)


def _compound_file(data: bytes, found: _Found, embedded: str = "", limits: dict[str, int] | None = None) -> None:
    """Every stream of an OLE2 compound file (an .xls, or an object embedded in a workbook)."""
    import olefile  # type: ignore[import-not-found,import-untyped,unused-ignore]

    from sbk.containers import ContainerError

    with olefile.OleFileIO(data) as ole:
        properties = _Found(found.judged, found.labels)
        if not embedded:
            # The document properties by name (author, last_saved_by, company…), as olefile reads them.
            meta = ole.get_metadata()
            for name in meta.SUMMARY_ATTRIBS + meta.DOCSUM_ATTRIBS:
                value = getattr(meta, name, None)
                if isinstance(value, bytes):
                    value = _decode(value)
                if isinstance(value, str):
                    found.text("", "", f"文档属性 {name}", value)
            properties.judged = found.judged | found.keys  # the raw streams next: only what olefile does not name
        for entry in ole.listdir(streams=True, storages=False):
            name = "/".join(entry)
            body = ole.openstream(entry).read()
            if embedded:
                found.binary("", "", _embedded_label(embedded), body)
                zipped = body.find(b"PK\x03\x04", 0, 4096)
                if zipped >= 0 and limits is not None:
                    # An OLE object wrapping a file (the Package or Ole10Native stream): a workbook or document
                    # inside is read too, still as this object.
                    with contextlib.suppress(ContainerError):
                        _zip_package(body[zipped:], found, limits, embedded=embedded)
            elif name in ("Workbook", "Book"):
                _biff8(body, found)
            elif name.endswith("SummaryInformation"):
                properties.binary("", "", "文档属性", body)
            else:
                found.binary("", "", f"部件 {name}", body)
        for place, kinds in properties.places.items():
            found.places.setdefault(place, set()).update(kinds)


def _embedded_label(part: str) -> str:
    return "宏代码（VBA 工程）" if "vbaproject" in part.lower() else f"嵌入对象 {part}"


def personal_findings_in_package(path: str | Path, shown: str, sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]],
                                 labels: dict[str, str] | None = None, *, judged: set[str] | None = None,
                                 data: bytes | None = None) -> list[Finding]:
    """Personal numbers anywhere in a workbook file beyond its cells (see the section comment above): page headers
    and footers, document properties, defined names, hyperlinks, data validation, number formats, formulas,
    comments and their authors, shared strings no cell uses, drawings, charts, embedded objects.

    ``sheets`` are the (name, cells) the cell pass read; a number in them is not reported again. A file whose parts
    cannot be read within the limits is refused as unscannable: unread text is never trusted to be clean.
    ``judged``: the numbers the cell pass met in ``sheets``, when it has gathered them (else they are found here).
    ``data``: the file's bytes as the reader read them (else the file is read here).
    """
    from sbk.containers import CFB_MAGIC, ContainerError
    from sbk.workbooks import LIMITS

    found = _Found(_judged(sheets) if judged is None else judged, labels or {}, (name for name, _ in sheets))
    try:
        if data is None:
            with open(path, "rb") as fh:
                data = fh.read()
        if data[:8] == CFB_MAGIC:
            _compound_file(data, found)
        elif data[:2] == b"PK":
            _zip_package(data, found, LIMITS)
    except (KeyboardInterrupt, SystemExit):
        raise
    except Exception as exc:  # noqa: BLE001 - a part that cannot be read: refuse rather than trust it unread
        detail = exc.kind if isinstance(exc, ContainerError) else type(exc).__name__
        return [UNSCANNABLE.finding(shown, "", "", f"无法逐一读取文件的各个部分以检查个人信息（{detail}）："
                                                   "请另存为 .xlsx 后重新放入")]
    return found.findings(shown)


def personal_findings_in_workbook(path: str | Path, shown: str, sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]],
                                  data: bytes | None = None) -> tuple[list[Finding], dict[str, str]]:
    """The whole-workbook pass: file name, sheet names, every cell, and every other part of the file.

    ``sheets`` are the (name, cells) the reader already read (every sheet, hidden ones too); ``data``, the file's
    bytes it read them from (the parts are then read from the same bytes, not from the file again). Returns the
    findings and the labels to show instead of sheet names that hold personal data.
    """
    findings = personal_findings_in_name(shown)
    fs, labels, judged = _sheet_pass(shown, sheets)
    findings += fs
    if sheets:  # a workbook that could not be opened is already refused by the reader; its parts are not read
        findings += personal_findings_in_package(path, shown, sheets, labels, judged=judged, data=data)
    return findings, labels


# --- CSV ---------------------------------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    # Neither decodes: digits are ASCII in both, so the text is still searched (the reader reports the encoding).
    return data.decode("utf-8", errors="replace")


def personal_findings_in_csv(path: str | Path, shown: str) -> list[Finding]:
    """Personal numbers in any cell of a CSV (UTF-8, with or without BOM, or GB18030), header row included.

    Public for every reader of CSV files (published, tidy, receipts, official layout): call it before the
    file is parsed and refuse the file when it returns any ERROR. Cells are named as Excel shows the CSV
    (C5: column C, row 5); a 联系电话 slot in a footer row is allowed as in a workbook.
    """
    findings = personal_findings_in_name(shown)
    p = Path(path)
    try:
        if p.stat().st_size > CSV_BYTES:
            return findings + [UNSCANNABLE.finding(shown, "", "", f"文件超过 {CSV_BYTES} 字节，无法检查个人信息")]
        text = _decode(p.read_bytes())
    except OSError as exc:
        return findings + [UNSCANNABLE.finding(shown, "", "", f"无法读取（{type(exc).__name__}）")]
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        # A malformed CSV is still searched, one line as one cell.
        rows = [[line] for line in text.splitlines()]
    # Excel opens a CSV as one sheet named after the file: the finding points where the filer will look.
    fs, _ = personal_findings_in_sheets(shown, [("" if find_personal(p.stem) else p.stem, rows)])
    return findings + fs


# --- sbk scan ----------------------------------------------------------------------------------------------------

def _sheets(path: Path) -> tuple[list[tuple[str, list[list[Any]]]], str | None, bytes | None]:
    """Every sheet's cells (hidden sheets too), read within the same bounds as ingest (a value in XFD1048576 is
    a reason, not a 512 GB allocation); or the reason the workbook cannot be read; and the file's bytes as read."""
    from sbk.workbooks import _read_file

    sheets, findings, data = _read_file(path)
    if not sheets and findings:
        return [], findings[0].message, data
    return [(raw.name, raw.cells) for raw in sheets], None, data


def _parquet_values(path: Path) -> Iterator[tuple[str, Any]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for col in table.column_names:
        for i, value in enumerate(table.column(col).to_pylist()):
            if value is not None:
                yield f"{col}[{i}]", value


_DATA_URI = re.compile(r"data:([a-z]+/[a-z0-9.+-]+)((?:;[a-z-]+=[^;,\"]*)*);base64,([A-Za-z0-9+/=]+)")


def _personal_in_text(shown: str, text: str) -> list[Finding]:
    """Personal numbers in a text file, line by line, including data a page carries base64-encoded.

    Embedded images are not text anyone typed and are skipped; a chart's data download (``data:text/csv;base64``)
    is decoded and searched like the rest of the page.
    """
    import base64
    import binascii

    out: list[Finding] = []
    for n, line in enumerate(text.splitlines(), 1):
        parts = [_DATA_URI.sub("", line)]
        for m in _DATA_URI.finditer(line):
            if m.group(1).startswith("text/"):
                with contextlib.suppress(binascii.Error, ValueError):
                    parts.append(base64.b64decode(m.group(3)).decode("utf-8-sig", errors="replace"))
        for part in parts:
            for kind in find_personal(part):
                out.append(PERSONAL_DATA.finding(shown, "", "", f"含{kind}（不显示号码）", n))
    return out


def _personal_in_zip(path: Path, shown: str) -> list[Finding]:
    """Personal numbers in the text files of a zip archive (each named ``archive.zip/member``); other members and
    members larger than ``CSV_BYTES`` unpacked are reported as not scanned, never skipped silently."""
    import zipfile

    out: list[Finding] = []
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if info.is_dir():
                continue
            where = f"{shown}/{info.filename}"
            out.extend(personal_findings_in_name(where))
            if PurePosixPath(info.filename).suffix.lower() not in {".csv", *_TEXT_SUFFIXES}:
                out.append(NOT_SCANNED.finding(mask(where), "", "", "不是 CSV 或文本文件，未检查其中是否有个人信息"))
            elif info.file_size > CSV_BYTES:  # as stated by the archive; the read below is bounded too
                out.append(UNSCANNABLE.finding(mask(where), "", "", f"解压后超过 {CSV_BYTES} 字节，无法检查个人信息"))
            else:
                with archive.open(info) as member:
                    data = member.read(CSV_BYTES + 1)
                if len(data) > CSV_BYTES:
                    out.append(UNSCANNABLE.finding(mask(where), "", "", f"解压后超过 {CSV_BYTES} 字节，无法检查个人信息"))
                else:
                    out.extend(_personal_in_text(where, _decode(data)))
    return out


def scan_paths(paths: Iterable[str | Path]) -> list[Finding]:
    """Scan files and folders; one finding per place holding personal data, and one per file not looked into.

    Folders are walked as ingest walks them (``sbk.workbooks.discover``): the same files, the same findings
    for lock files, hidden files, links out of the folder and folders that cannot be listed.
    """
    from sbk.workbooks import RESAVE_SUFFIXES, discover, display_path

    out: list[Finding] = []
    files: list[Path] = []
    for p in map(Path, paths):
        found = discover(p)
        out.extend(found.findings)
        files.extend(found.files)
    for f in files:
        shown = display_path(f)
        suffix = f.suffix.lower()
        try:
            if suffix in _WORKBOOK_SUFFIXES or suffix in RESAVE_SUFFIXES:
                sheets, why, data = _sheets(f)
                if why is not None:
                    out.extend(personal_findings_in_name(shown))
                    out.append(UNSCANNABLE.finding(mask(shown), "", "", f"无法检查其中是否有个人信息：{why}"))
                    continue
                out.extend(personal_findings_in_workbook(f, shown, sheets, data)[0])
            elif suffix == ".csv":
                out.extend(personal_findings_in_csv(f, shown))
            elif suffix == ".parquet":
                out.extend(personal_findings_in_name(shown))
                for where, value in _parquet_values(f):
                    for kind in find_personal(value):
                        out.append(PERSONAL_DATA.finding(shown, "", where, f"含{kind}（不显示号码）"))
            elif suffix in _TEXT_SUFFIXES:
                out.extend(personal_findings_in_name(shown))
                out.extend(_personal_in_text(shown, f.read_text(encoding="utf-8", errors="replace")))
            elif suffix == ".zip":  # a report's input rows (<analysis>.inputs.zip): each CSV in it, as text
                out.extend(personal_findings_in_name(shown))
                out.extend(_personal_in_zip(f, shown))
            else:
                out.extend(personal_findings_in_name(shown))
                out.append(NOT_SCANNED.finding(mask(shown), "", "", "不是表格、CSV 或文本文件，未检查其中是否有个人信息"))
        except Exception as exc:  # noqa: BLE001 - an unreadable file is reported, not skipped silently
            out.append(UNSCANNABLE.finding(mask(shown), "", "", f"{type(exc).__name__}"))
    return out
