"""Personal data: resident ID numbers (居民身份证号码) and mobile numbers (手机号码), wherever they are written.

Raw folders can pick up personal records by mistake (the Ningbo application
forms list names and ID numbers; a filer types a colleague's ID into 备注, names
a sheet after a person, or attaches a roster sheet). One detector serves every
path in and out: ingest runs it over each workbook as a whole (every cell of
every sheet, hidden ones too, text and numbers, the header, footer and 备注
rows, sheet names, cell comments, the file's name and folders) and over every
CSV before it is parsed; ``sbk scan`` runs it over any folder. A hit refuses the whole file. Findings name the place and never the
number, and every finding's text goes through :func:`mask`
(``sbk.findings.Rule.finding`` calls it), so a message that echoes what a
filer wrote cannot print a personal number either.

What counts as a personal number (``FORMS`` lists them): after NFKC (so
full-width digits count), digit groups joined by single spaces or dashes are
read as one number when they make up the whole run and are grouped as people
write such numbers (430102 19900307 2318; 138 1234 5678), and the number is

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
digits after the point are not a number on their own), and digits inside a hex
digest (the sha256 values of build records).

The footer of every form asks for ``联系电话：_____``: a phone number in that slot
is the filer's, allowed and never copied (the readers skip footer rows). The
slot is in a footer row (one starting with 填报人：, 联系电话：…), after
联系电话： or the words filers put for it (电话, 手机, 联系方式), up to the next
label. A mobile number anywhere else (the 填报单位 line and the 备注 row have no
slot), and a resident ID anywhere, refuses the file.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

from stdnum.cn import ric  # type: ignore[import-not-found,import-untyped,unused-ignore]

from sbk.findings import ERROR, Finding, rule

__all__ = [
    "FORMS",
    "MASK",
    "PERSONAL_DATA",
    "UNSCANNABLE",
    "find_personal",
    "mask",
    "personal_findings_in_comments",
    "personal_findings_in_csv",
    "personal_findings_in_name",
    "personal_findings_in_sheets",
    "personal_findings_in_workbook",
    "scan_paths",
    "valid_resident_id",
]

PERSONAL_DATA = rule("privacy.personal_data", "个人信息", ERROR, "every file",
                     "resident ID numbers and mobile numbers never reach processed data, reports or findings")
UNSCANNABLE = rule("privacy.unscannable", "无法扫描", ERROR, "every file")

MASK = "［已隐去］"
ID_KIND = "居民身份证号码 resident ID number"
MOBILE_KIND = "手机号码 mobile number"

# The forms of personal number detected (SECURITY.md counts them; tests/test_privacy.py proves each).
FORMS = (
    "18-digit resident ID, check digit valid (X or x last)",
    "15-digit resident ID, birth place and date valid",
    "resident ID with spaces or dashes between digit groups",
    "resident ID in full-width digits",
    "18-digit resident ID typed as a number (digits lost by Excel)",
    "11-digit mobile number as text",
    "mobile number typed as a number (13812345678.0)",
    "mobile number with spaces or dashes (138 1234 5678, 138-1234-5678)",
    "mobile number with +86, 86, 0086 or (+86) before it",
    "mobile number in full-width digits",
)

# Bounds for reading parts of a workbook beyond its cells (comments): a part larger than this is not read
# and the file is refused as unscannable, rather than trusted unread.
COMMENT_PART_BYTES = 5 * 1024 * 1024
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
_HEX_WORD = re.compile(r"[0-9A-Fa-f]{16,}")
_MOBILE = re.compile(r"(?:0086|86)?1[3-9][0-9]{9}")
_TRAILING_ZEROS = re.compile(r"\.0+(?![0-9])")
_SCIENTIFIC = re.compile(r"(?<![0-9.])[0-9]\.[0-9]+[eE]\+?(?:1[0-7])(?![0-9])")
_ALNUM = re.compile(r"[0-9A-Za-z]")


def _ric_valid(number: str) -> bool:
    try:
        return bool(ric.is_valid(number))
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
        return _ric_valid(widened[:-1] + ric.calc_check_digit(widened))
    return False


def _id_typed_as_number(value: float) -> bool:
    """An 18-digit number whose leading digits are a birth place and date: an ID that Excel stored as a number."""
    if not (1e17 <= abs(value) < 1e18):
        return False
    digits = str(int(abs(value)))
    return _ric_valid(digits[:17] + ric.calc_check_digit(digits))


def _normalised(text: str) -> tuple[str, list[int]]:
    """NFKC per character (full-width digits become ASCII) and, for each normalised character, its original index."""
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
    if sizes[0] == 6 and all(n >= 3 for n in sizes[1:]) or sum(sizes) + x_end == 18:
        return True
    if groups[0] in ("86", "0086"):
        sizes = sizes[1:]
    return not x_end and sizes in ([3, 4, 4], [3, 8], [7, 4], [11])


def _hits_in_normalised(t: str) -> list[tuple[int, int, str]]:
    """(start, end, kind) of every personal number in NFKC text ``t``."""
    if sum(c.isdigit() for c in t) < 11:
        return []
    t = _BRACKETED_PREFIX.sub(lambda m: " " + m.group(0)[1:-1] + " ", t)
    hits: list[tuple[int, int, str]] = []
    for m in _SCIENTIFIC.finditer(t):
        # A number cell written out as text in scientific notation (4.30102199003072e+17, 1.3812345678E10).
        value = float(m.group(0))
        if _id_typed_as_number(value):
            hits.append((*m.span(), ID_KIND))
        elif value.is_integer() and _MOBILE.fullmatch(str(int(value))):
            hits.append((*m.span(), MOBILE_KIND))
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
        if (s and _ALNUM.match(t[s - 1])) or _ALNUM.match(t[e:e + 1]):
            a, b = s, e
            while a and _ALNUM.match(t[a - 1]):
                a -= 1
            while b < len(t) and _ALNUM.match(t[b]):
                b += 1
            if _HEX_WORD.fullmatch(t[a:b]):
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
        if abs(value) < 1e10 or isinstance(value, float) and (math.isnan(value) or math.isinf(value)
                                                              or not value.is_integer()):
            return "", []  # a count or a figure (a number with a fraction is never a personal number)
        digits = str(int(abs(value)))
        if _MOBILE.fullmatch(digits):
            return digits, [(0, len(digits), MOBILE_KIND)]
        if valid_resident_id(digits) or _id_typed_as_number(float(value)):
            return digits, [(0, len(digits), ID_KIND)]
        return digits, []
    text = _text_of(value)
    if text is None or sum(map(str.isdigit, text)) < 11:
        return "", []
    t, _ = _normalised(text)
    return t, _hits_in_normalised(t)


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


def _may_hold_a_number(value: Any) -> bool:
    """A quick filter (most cells of a form are short numbers or words): could this cell hold a personal number?"""
    if isinstance(value, str):
        return len(value) >= 11 and sum(map(str.isdigit, value)) >= 11
    return isinstance(value, (int, float)) and not isinstance(value, bool) and not abs(value) < 1e10


def _row_hits(row: Sequence[Any]) -> Iterator[tuple[int, list[str], bool]]:
    """(column index, kinds, footer) for each cell of a row holding a personal number outside the 联系电话 slot."""
    if not any(map(_may_hold_a_number, row)):
        return
    scanned = [(c, *_hits(v)) for c, v in enumerate(row) if v not in (None, "")]
    if not any(h for _, _, h in scanned):
        return
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
    from openpyxl.utils import get_column_letter

    return get_column_letter(ci + 1)


def _what(kinds: list[str]) -> str:
    return "、".join(k.split(" ")[0] for k in kinds)


_REFUSED = "整个文件不予导入"


def personal_findings_in_name(shown: str) -> list[Finding]:
    """A file whose name or folder holds a personal number: refused, since the path would be stored with every row
    (``source_file``); it is masked in every finding."""
    kinds = find_personal(shown)
    where = "文件名" if find_personal(PurePosixPath(shown).name) else "文件所在文件夹的名称"
    return [PERSONAL_DATA.finding(shown, "", "", f"{where}含{_what(kinds)}（不显示号码）：请改名后重新放入，{_REFUSED}")] if kinds else []


def personal_findings_in_sheets(shown: str, sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]
                                ) -> tuple[list[Finding], dict[str, str]]:
    """Personal numbers in every sheet name and every cell: (findings, {sheet name: label to show instead}).

    A sheet whose name holds a personal number is shown as its position (第2张工作表), never by name, in
    every finding about this file.
    """
    findings: list[Finding] = []
    labels: dict[str, str] = {}
    for i, (name, cells) in enumerate(sheets, 1):
        kinds = find_personal(name)
        if kinds:
            labels[name] = labels[mask(name)] = f"第{i}张工作表"  # masked too: findings made elsewhere carry it so
            findings.append(PERSONAL_DATA.finding(shown, labels[name], "",
                                                  f"工作表名称含{_what(kinds)}（不显示号码）：调度表不应含个人信息，"
                                                  f"请改名后重新放入，{_REFUSED}"))
        sheet = labels.get(name, name)
        for r, row in enumerate(cells, 1):
            for c, kinds, footer in _row_hits(row):
                where = "签名栏" if footer else "单元格"
                hint = "（手机号码只可填在“联系电话：”之后）" if footer and kinds == [MOBILE_KIND] else ""
                findings.append(PERSONAL_DATA.finding(shown, sheet, f"{_letter(c)}{r}",
                                                      f"{where}含{_what(kinds)}（不显示号码）{hint}：调度表不应含个人信息，"
                                                      f"请删除后重新放入，{_REFUSED}"))
    return findings, labels


# --- comments ----------------------------------------------------------------------------------------------------

_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _xml(zf: zipfile.ZipFile, name: str) -> Any:
    """A part of the package parsed safely (defusedxml: no entities, no external references), size bounded."""
    from defusedxml import ElementTree  # type: ignore[import-not-found,import-untyped,unused-ignore]

    info = zf.getinfo(name)
    if info.file_size > COMMENT_PART_BYTES:
        raise ValueError(f"{name}: {info.file_size} bytes")
    with zf.open(info) as fh:
        data = fh.read(COMMENT_PART_BYTES + 1)
    if len(data) > COMMENT_PART_BYTES:
        raise ValueError(f"{name}: over {COMMENT_PART_BYTES} bytes")
    return ElementTree.fromstring(data)


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


def _rels(zf: zipfile.ZipFile, part: str) -> list[tuple[str, str, str]]:
    """(id, type, resolved target) of a part's relationships."""
    p = PurePosixPath(part)
    name = f"{p.parent}/_rels/{p.name}.rels"
    if name not in zf.namelist():
        return []
    return [(r.get("Id", ""), r.get("Type", ""), _resolve(part, r.get("Target", "")))
            for r in _xml(zf, name) if _local(r.tag) == "Relationship"]


def _comment_parts(zf: zipfile.ZipFile) -> dict[str, int]:
    """Comment parts (legacy and threaded) by the 1-based position of the sheet they belong to (0: unknown)."""
    names = set(zf.namelist())
    owner: dict[str, int] = {}
    if "xl/workbook.xml" in names:
        targets = {rid: target for rid, _, target in _rels(zf, "xl/workbook.xml")}
        sheets = [el for el in _xml(zf, "xl/workbook.xml").iter() if _local(el.tag) == "sheet"]
        for i, el in enumerate(sheets, 1):
            sheet_part = targets.get(el.get(f"{_REL_NS}id", ""), "")
            if sheet_part in names:
                for _, kind, target in _rels(zf, sheet_part):
                    if kind.endswith(("/comments", "/threadedComment")):
                        owner[target] = i
    for n in names:
        # Comments not reached through the relationships are still read (a damaged or hand-made package).
        if re.fullmatch(r"xl/(?:comments[^/]*|threadedComments/[^/]*)\.xml", n, flags=re.IGNORECASE):
            owner.setdefault(n, 0)
    return owner


def _comments(zf: zipfile.ZipFile, part: str) -> Iterator[tuple[str, str]]:
    """(cell, text) of every comment in a comments part."""
    for el in _xml(zf, part).iter():
        if _local(el.tag) in ("comment", "threadedComment"):
            yield el.get("ref", ""), "".join(el.itertext())


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODS_CONTENT_BYTES = 200 * 1024 * 1024  # the whole sheet data of an .ods; streamed, so memory stays small


def _ods_comments(zf: zipfile.ZipFile) -> Iterator[tuple[int, str, str]]:
    """(sheet position, cell, text) of every annotation in an OpenDocument spreadsheet (.ods), streamed."""
    from defusedxml.ElementTree import iterparse  # type: ignore[import-not-found,import-untyped,unused-ignore]

    info = zf.getinfo("content.xml")
    if info.file_size > ODS_CONTENT_BYTES:
        raise ValueError(f"content.xml: {info.file_size} bytes")
    table, row, col = 0, 0, 0
    with zf.open(info) as fh:
        for event, el in iterparse(fh, events=("start", "end")):
            tag = _local(el.tag)
            if event == "start":
                if tag == "table":
                    table, row = table + 1, 0
                elif tag == "table-row":
                    col = 0
            elif tag == "annotation":
                yield table, f"{_letter(col)}{row + 1}", "".join(el.itertext())
            elif tag in ("table-cell", "covered-table-cell"):
                col += int(el.get(f"{_ODS_TABLE}number-columns-repeated", "1"))
                el.clear()
            elif tag == "table-row":
                row += int(el.get(f"{_ODS_TABLE}number-rows-repeated", "1"))
                el.clear()


def personal_findings_in_comments(path: str | Path, shown: str, sheet_names: Sequence[str],
                                  labels: dict[str, str] | None = None) -> list[Finding]:
    """Personal numbers in cell comments: of an .xlsx/.xlsm package (legacy notes and threaded comments) or an
    .ods (annotations).

    The finding names the cell the comment is attached to. A package whose comments cannot be read within
    the bounds is refused as unscannable: unread text is never trusted to be clean.
    """
    labels = labels or {}
    findings: list[Finding] = []
    try:
        if not zipfile.is_zipfile(path):
            return []
        with zipfile.ZipFile(path) as zf:
            if "content.xml" in zf.namelist() and "xl/workbook.xml" not in zf.namelist():
                found: Iterable[tuple[int, str, str]] = _ods_comments(zf)
            else:
                found = ((position, ref, text) for part, position in sorted(_comment_parts(zf).items())
                         if part in zf.namelist() for ref, text in _comments(zf, part))
            for position, ref, text in found:
                name = sheet_names[position - 1] if 0 < position <= len(sheet_names) else ""
                sheet = labels.get(name, name)
                kinds = find_personal(text)
                if kinds:
                    findings.append(PERSONAL_DATA.finding(shown, sheet, ref,
                                                          f"单元格批注含{_what(kinds)}（不显示号码）：请删除批注后重新放入，"
                                                          f"{_REFUSED}"))
    except Exception as exc:  # noqa: BLE001 - any failure to read comments: refuse rather than trust them unread
        findings.append(UNSCANNABLE.finding(shown, "", "", f"无法读取单元格批注以检查个人信息（{type(exc).__name__}）："
                                                           "请删除批注或重新导出后再放入"))
    return findings


def personal_findings_in_workbook(path: str | Path, shown: str, sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]
                                  ) -> tuple[list[Finding], dict[str, str]]:
    """The whole-workbook pass: file name, sheet names, every cell, comments.

    ``sheets`` are the (name, cells) the reader already read (every sheet, hidden ones too). Returns the
    findings and the labels to show instead of sheet names that hold personal data.
    """
    findings = personal_findings_in_name(shown)
    fs, labels = personal_findings_in_sheets(shown, sheets)
    findings += fs
    if sheets:  # a workbook that could not be opened is already refused by the reader; its comments are not read
        findings += personal_findings_in_comments(path, shown, [n for n, _ in sheets], labels)
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

def _sheets(path: Path) -> list[tuple[str, list[list[Any]]]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    try:
        return [(name, wb.get_sheet_by_name(name).to_python()) for name in wb.sheet_names]
    finally:
        wb.close()


def _parquet_values(path: Path) -> Iterator[tuple[str, Any]]:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    for col in table.column_names:
        for i, value in enumerate(table.column(col).to_pylist()):
            if value is not None:
                yield f"{col}[{i}]", value


def scan_paths(paths: Iterable[str | Path]) -> list[Finding]:
    """Scan files and folders; one finding per place holding personal data."""
    out: list[Finding] = []
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p])
    for f in files:
        shown = f.as_posix()
        suffix = f.suffix.lower()
        try:
            if suffix in _WORKBOOK_SUFFIXES:
                out.extend(personal_findings_in_workbook(f, shown, _sheets(f))[0])
            elif suffix == ".csv":
                out.extend(personal_findings_in_csv(f, shown))
            elif suffix == ".parquet":
                out.extend(personal_findings_in_name(shown))
                for where, value in _parquet_values(f):
                    for kind in find_personal(value):
                        out.append(PERSONAL_DATA.finding(shown, "", where, f"含{kind}（不显示号码）"))
            elif suffix in _TEXT_SUFFIXES:
                out.extend(personal_findings_in_name(shown))
                for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                    # Embedded images (base64) are not text anyone typed.
                    line = re.sub(r"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+", "", line)
                    for kind in find_personal(line):
                        out.append(PERSONAL_DATA.finding(shown, "", "", f"含{kind}（不显示号码）", n))
        except Exception as exc:  # noqa: BLE001 - an unreadable file is reported, not skipped silently
            out.append(UNSCANNABLE.finding(shown, "", "", f"{type(exc).__name__}"))
    return out
