"""What a spreadsheet file is and how big its sheets are, found before any reader builds a grid.

python-calamine turns a sheet into a dense grid as soon as the sheet is opened
(``get_sheet_by_name`` → ``Range::from_sparse``): one value in ``XFD1048576``
next to one in ``A1`` asks for 512 GB and the process aborts, beyond any
``try``. So the container is opened here first, with the standard library
(zipfile), defusedxml and olefile, and each sheet's real extent — the last row
and column holding a value — is measured from the file's own records:

- ``.xlsx``/``.xlsm``: the sheet XML (``<dimension ref>`` and every ``<c>``), streamed;
- ``.xlsb``: the sheet's binary records (BrtWsDim, BrtRowHdr, the cell records);
- ``.ods``: ``content.xml`` (rows and cells with their repeat counts);
- ``.xls``: the BIFF8 records of the ``Workbook`` stream (DIMENSIONS, ROW, the cell records).

Every zip member is read to its end, so a damaged deflate stream or CRC is met
here (a ``ContainerError``), not inside a reader. Nothing in this module
evaluates anything: formulas are only noticed, macros never touched.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import lru_cache, partial
from itertools import compress
from pathlib import Path
from typing import Any

__all__ = ["CFB_MAGIC", "ContainerError", "Probe", "SheetShape", "column_number", "probe", "read_package"]

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE2 / Compound File Binary: old .xls, or an encrypted OOXML
_ODS_MIME = b"application/vnd.oasis.opendocument.spreadsheet"


class ContainerError(Exception):
    """The file cannot be read as a workbook. ``kind``: encrypted, corrupt, not_workbook, too_large, bomb."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(kind, detail)
        self.kind, self.detail = kind, detail


@dataclass
class SheetShape:
    """One sheet's extent: rows/cols up to the last value (1-based counts), and what the file declares.

    For an .xlsx probed with limits, a sheet no cell or row of which names a place beyond them has the limits as
    rows/cols instead (never less than the extent): whether the extent is within the limits is all the readers ask of
    it, and beyond them it is measured exactly (issue 18)."""

    name: str
    rows: int = 0
    cols: int = 0
    declared_rows: int = 0
    declared_cols: int = 0
    hidden_rows: set[int] = field(default_factory=set)  # 1-based row numbers: hidden, or too low to see (height 0)
    hidden_cols: set[int] = field(default_factory=set)  # 1-based column numbers: hidden, or too narrow to see
    merged: list[tuple[tuple[int, int], tuple[int, int]]] | None = None  # 0-based, calamine's shape


@dataclass
class Probe:
    kind: str  # xlsx, xlsb, ods, xls
    sheets: list[SheetShape]
    has_formulas: bool = False
    content: bytes | None = field(default=None, repr=False, compare=False)  # a zip package's bytes, as read


def _name(exc: BaseException) -> str:
    kind = type(exc)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


def column_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")


def _ref(ref: str) -> tuple[int, int]:
    """'XFD1048576' → (row 1048576, column 16384)."""
    m = _REF.match(ref.strip())
    if not m:
        raise ContainerError("corrupt", f"单元格引用 {ref[:20]} 无法识别")
    return int(m.group(2)), column_number(m.group(1))


def probe(path: Path, limits: dict[str, int]) -> Probe:
    """Open the container, check the zip limits, measure every sheet. Raises ContainerError.

    The file is read once: its bytes are kept on the result (``Probe.content``, for the reader) and its members
    are remembered for :func:`read_package` (the privacy pass reads the same package next)."""
    with open(path, "rb") as fh:
        data = fh.read()
    if data[:8] == CFB_MAGIC:
        return _probe_cfb(path)
    if not data.startswith(b"PK"):
        raise ContainerError("not_workbook")
    try:
        members = _members_in_memory(data, limits)
    except ContainerError:
        raise
    except Exception:  # noqa: BLE001 - the file itself is read again below, so its error is the one reported
        members = None
    if members is None:
        # A damaged zip: read it from the file exactly as before issue 18, so the finding names the same error
        # (in memory a seek before the start is a ValueError, on a file an OSError).
        try:
            with zipfile.ZipFile(path) as zf:
                members = _read_members(zf, limits)
        except ContainerError:
            raise
        except _ZIP_ERRORS as exc:
            # A damaged zip fails in many ways inside zipfile (bad offsets seek before the start: OSError; a flipped
            # byte in a compressed member: zlib.error or a CRC BadZipFile; an unknown method: NotImplementedError).
            raise ContainerError("corrupt", _name(exc)) from exc
    _remember(data, limits, members)
    try:
        if "xl/workbook.xml" in members:
            found = _probe_xlsx(members, limits)
        elif "xl/workbook.bin" in members:
            found = _probe_xlsb(members)
        elif members.get("mimetype", b"").strip() == _ODS_MIME or "content.xml" in members:
            found = _probe_ods(members)
        else:
            raise ContainerError("not_workbook", "zip 中没有工作簿（xl/workbook.xml、xl/workbook.bin 或 content.xml）")
    except ContainerError:
        raise
    except Exception as exc:
        raise ContainerError("corrupt", _name(exc)) from exc
    found.content = data
    return found


_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError,
               KeyError, struct.error, UnicodeDecodeError, IndexError, OverflowError)


def _members_in_memory(data: bytes, limits: dict[str, int]) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return _read_members(zf, limits, data)


_LOCAL_HEADER = struct.Struct("<4s5H3L2H")  # zipfile's structFileHeader


def _member_at_once(zf: zipfile.ZipFile, info: zipfile.ZipInfo, data: bytes, end: int) -> bytes | None:
    """A member taken straight from the package's bytes (issue 18: zipfile's reader costs ~30 µs a member in Python),
    or None when anything is out of the ordinary; zipfile then reads it, and its answer or error is the one kept.
    Accepted only when zipfile would accept it with the same bytes: the local header as zipfile checks it (magic,
    name, no encryption or patch flags), stored or deflated, the whole stream inside the member's own span (before
    ``end``, the next header), exactly the declared size out and the CRC right."""
    at = info.header_offset
    if info.flag_bits & 0x61 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        return None
    header = data[at:at + _LOCAL_HEADER.size]
    if len(header) != _LOCAL_HEADER.size:
        return None
    fields = _LOCAL_HEADER.unpack(header)
    if fields[0] != b"PK\x03\x04":  # zipfile.stringFileHeader
        return None
    name_at = at + _LOCAL_HEADER.size
    raw_name = data[name_at:name_at + fields[9]]
    try:
        name = raw_name.decode("utf-8" if fields[2] & 0x800 else (getattr(zf, "metadata_encoding", None) or "cp437"))
    except UnicodeDecodeError:
        return None
    start = name_at + fields[9] + fields[10]
    stop = start + info.compress_size
    if name != info.orig_filename or stop > min(end, len(data)):
        return None
    raw = data[start:stop]
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            return None
        out = raw
    elif info.file_size <= _INFLATED_BYTES:
        return _inflated(raw, info.file_size, info.CRC)
    else:
        return _inflate(raw, info.file_size, info.CRC)
    return out if zlib.crc32(out) == info.CRC else None


def _inflate(raw: bytes, size: int, crc: int) -> bytes | None:
    """A raw deflate stream's bytes when it ends within ``raw``, gives exactly ``size`` bytes and their CRC is
    ``crc``; else None."""
    try:
        inflate = zlib.decompressobj(-15)
        out = inflate.decompress(raw, size + 1)
    except zlib.error:
        return None
    if not inflate.eof or len(out) != size:
        return None
    return out if zlib.crc32(out) == crc else None


# The answer depends on nothing but the compressed bytes, the size and the CRC, so it is remembered by them: the theme,
# styles, relationships and content types a province's office suite writes are the same bytes in every workbook and
# are inflated once per process (issue 18). Small members only; a failed check (None) is remembered as such.
_INFLATED_BYTES = 64 * 1024
_inflated = lru_cache(maxsize=256)(_inflate)  # at most 16 MB held


# The last package read, by its bytes: the reader probes a workbook and the privacy pass then reads every part of the
# same file (issue 18: decompressing it twice was a third of the privacy pass). Matched on the whole content, so a
# changed file is never answered from here; only small packages are kept (a large one is not held between files).
_LAST_PACKAGE: tuple[bytes, tuple[tuple[str, int], ...], dict[str, bytes]] | None = None
_REMEMBER_BYTES = 16 * 1024 * 1024


def _remember(data: bytes, limits: dict[str, int], members: dict[str, bytes]) -> None:
    global _LAST_PACKAGE
    if sum(map(len, members.values())) <= _REMEMBER_BYTES:
        _LAST_PACKAGE = (data, tuple(sorted(limits.items())), members)


def read_package(data: bytes, limits: dict[str, int]) -> dict[str, bytes]:
    """Every member of a zip package (an .xlsx/.xlsm/.xlsb/.ods, or one embedded in it), within the same limits as
    :func:`probe`; a damaged or oversized package raises ContainerError."""
    last = _LAST_PACKAGE
    if last is not None and last[1] == tuple(sorted(limits.items())) and last[0] == data:
        return dict(last[2])
    try:
        members = _members_in_memory(data, limits)
    except ContainerError:
        raise
    except _ZIP_ERRORS as exc:
        raise ContainerError("corrupt", _name(exc)) from exc
    return members


def _read_members(zf: zipfile.ZipFile, limits: dict[str, int], data: bytes | None = None) -> dict[str, bytes]:
    """Every member, decompressed in bounded chunks (CRC checked at the end of each); a bomb stops early. With the
    package's ``data``, an ordinary member is taken from it at once (:func:`_member_at_once`), the rest as before."""
    infos = zf.infolist()
    if len(infos) > limits["zip_members"]:
        raise ContainerError("bomb", f"zip 中有 {len(infos)} 个部件，超过上限 {limits['zip_members']}")
    declared = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if declared > limits["uncompressed_bytes"] or declared / packed > limits["compression_ratio"]:
        raise ContainerError("bomb", f"解压后 {declared} 字节（压缩比 {declared / packed:.0f}）")
    # Where each member's span ends: the next local header, or the central directory.
    offsets = sorted({i.header_offset for i in infos} | {zf.start_dir})
    ends = {o: offsets[k + 1] if k + 1 < len(offsets) else o for k, o in enumerate(offsets)}
    out: dict[str, bytes] = {}
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        whole = None if data is None else _member_at_once(zf, info, data, ends[info.header_offset])
        if whole is not None and (total + len(whole) <= limits["uncompressed_bytes"]
                                  and (total + len(whole)) / packed <= limits["compression_ratio"]):
            total += len(whole)
            out[info.filename] = whole
            continue
        chunks = []
        with zf.open(info) as fh:
            # The sizes in the directory can lie; count what really comes out.
            while chunk := fh.read(1 << 20):
                total += len(chunk)
                if total > limits["uncompressed_bytes"] or total / packed > limits["compression_ratio"]:
                    raise ContainerError("bomb", f"解压后超过 {total} 字节（压缩比 {total / packed:.0f}）")
                chunks.append(chunk)
        out[info.filename] = b"".join(chunks)
    return out


# --- xlsx / xlsm ---------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xlsx_sheet_paths(members: dict[str, bytes]) -> list[tuple[str, str]]:
    """(sheet name, member path) in workbook order, from xl/workbook.xml and its relationships."""
    workbook, relationships = members["xl/workbook.xml"], members.get("xl/_rels/workbook.xml.rels")
    if len(workbook) + len(relationships or b"") <= 64 * 1024:
        return list(_sheet_paths_of(workbook, relationships))
    return list(_sheet_paths_uncached(workbook, relationships))


def _sheet_paths_uncached(workbook: bytes, relationships: bytes | None) -> tuple[tuple[str, str], ...]:
    from defusedxml.ElementTree import fromstring

    rels: dict[str, str] = {}
    if relationships is not None:
        for el in fromstring(relationships):
            target = el.get("Target", "")
            rels[el.get("Id", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    out = []
    for el in fromstring(workbook).iter():
        if _local(el.tag) == "sheet":
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
            out.append((el.get("name", ""), rels.get(rid, "")))
    return tuple(out)


# Remembered by the two parts' bytes (small ones): a province's workbooks mostly share them (issue 18). An error is
# never remembered.
_sheet_paths_of = lru_cache(maxsize=256)(_sheet_paths_uncached)


class _SheetShapeTarget:
    """Measures one xlsx sheet part as the parser meets its elements (a parser target: no element tree is built,
    the part being read only for its rows, columns and cells). The same defused expat parser as ``iterparse``,
    so a part that is not well-formed or declares entities raises as it did there."""

    def __init__(self, shape: SheetShape) -> None:
        self.shape = shape
        self.row = self.col = self.cells = 0
        self.content = self.formulas = self.rows_hidden_by_default = False
        self.bounded = False  # the shape's rows and cols are a bound within the limits, not the extent itself

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        tag = _local(tag)
        shape = self.shape
        if tag == "c":
            ref = attrib.get("r")
            if ref:
                r, self.col = _ref(ref)
                self.row = r if r else self.row
            else:
                self.col += 1
            self.content = False
        elif tag in ("v", "is", "f"):
            self.content = True
            self.formulas = self.formulas or tag == "f"
        elif tag == "row":
            self.row = int(attrib.get("r") or self.row + 1)
            self.col = 0
            if _xlsx_row_hidden(attrib, self.rows_hidden_by_default):
                shape.hidden_rows.add(self.row)
        elif tag == "col" and _xlsx_hidden(attrib, "width", _MIN_WIDTH):
            low, high = int(attrib.get("min") or 1), int(attrib.get("max") or attrib.get("min") or 1)
            shape.hidden_cols.update(range(low, min(high, _MAX_COLUMNS) + 1))
        elif tag == "sheetFormatPr":
            self.rows_hidden_by_default = attrib.get("zeroHeight") in ("1", "true")
        elif tag == "dimension":
            last = (attrib.get("ref") or "A1").split(":")[-1]
            shape.declared_rows, shape.declared_cols = _ref(last)

    def end(self, tag: str) -> None:
        if self.content and _local(tag) == "c":
            shape = self.shape
            shape.rows, shape.cols = max(shape.rows, self.row), max(shape.cols, self.col)
            self.cells += 1

    def close(self) -> None:
        return None


def _parse_with(target: Any, data: bytes) -> None:
    """The reference reading of an XML part: the defused expat parser, every element given to ``target``."""
    from defusedxml.ElementTree import DefusedXMLParser

    parser = DefusedXMLParser(target=target)
    parser.feed(data)
    parser.close()


# --- the fast reading of plain XML parts (issue 18) ---
#
# Hand-written for speed: the parser above calls back into Python for every element of a sheet (each <c>, <v>, <t>),
# which was most of the probe's time. A part is read here only when it is plain: UTF-8, no DOCTYPE, comment, CDATA
# section or processing instruction (so every "<" starts a tag and no entity can be declared), and well-formed to
# expat itself (checked in C, without callbacks). Its tags of interest are then found with one regular expression and
# given to the same target as the parser would give them, so both readings share one state machine. Anything out of
# the ordinary in a value read (a character reference, a tab or line break that the parser would normalise, a value
# the target refuses) sends the part back to the reference parser, whose answer, or error, is the one kept.

_XML_DECL = re.compile(rb"\A(?:\xef\xbb\xbf)?<\?xml(?:[^>?]|\?(?!>))*\?>")
_ENCODING = re.compile(rb"""encoding\s*=\s*["']([^"']*)["']""")
_ATTR = re.compile(rb"""([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_IRREGULAR = re.compile(rb"[&\t\n\r]")


class _NotPlain(Exception):
    """The part is not plain enough for the fast reading: the reference parser reads it."""


def _tag_pattern(*names: str) -> re.Pattern[bytes]:
    """Start, end and empty tags whose local name is one of ``names`` (any prefix): (slash, name, attributes, slash)."""
    alternatives = "|".join(sorted(names, key=len, reverse=True))
    return re.compile(rf"""<(/?)(?:[^\s/>:"'=]+:)?({alternatives})(?=[\s/>])((?:[^>"'/]|/(?!>)|"[^"]*"|'[^']*')*)(/?)>"""
                      .encode())


def _plain(data: bytes) -> bool:
    """Is this part plain UTF-8 XML that expat reads without complaint, with nothing but elements, text and the
    XML declaration in it?"""
    if b"<!" in data or b"\x00" in data:
        return False
    start = 0
    decl = _XML_DECL.match(data)
    if decl is not None:
        encoding = _ENCODING.search(decl.group(0))
        if encoding is not None and encoding.group(1).lower() != b"utf-8":
            return False
        start = decl.end()
    if data.find(b"<?", start) >= 0:
        return False
    import pyexpat

    parser = pyexpat.ParserCreate(None, "}")  # as ElementTree's XMLParser makes it: namespaces resolved
    try:
        parser.Parse(data, True)
    except pyexpat.ExpatError:
        return False
    return True


def _attributes(raw: bytes) -> dict[str, str]:
    """Unprefixed attributes as the parser gives them (a prefixed one is named by its namespace there, never bare)."""
    out: dict[str, str] = {}
    for name, double, single in _ATTR.findall(raw):
        if b":" in name:
            continue
        value = double or single
        if _IRREGULAR.search(value):
            raise _NotPlain
        out[name.decode()] = value.decode()
    return out


def _feed(target: Any, data: bytes, tags: re.Pattern[bytes], with_attributes: frozenset[str],
          required: tuple[str, str] | None = None) -> None:
    """Give ``target`` the elements ``tags`` finds in a plain part, in document order. ``required``: (tag, attribute)
    that every such element must carry, or the part is not plain."""
    for end, name, raw, empty in tags.findall(data):
        local = name.decode()
        if not end:
            attrib = _attributes(raw) if raw and local in with_attributes else {}
            if required is not None and local == required[0] and not attrib.get(required[1]):
                raise _NotPlain
            target.start(local, attrib)
        if end or empty:
            target.end(local)


def _read_xml(factory: Any, data: bytes, tags: re.Pattern[bytes], with_attributes: frozenset[str],
              whole: Any = None) -> Any:
    """A target (made by ``factory``, fresh for each try: a fast reading may stop half-way) given the elements of
    ``data``: by ``whole(target, data)`` (the part taken in a few regular expressions) or the elements ``tags``
    finds when the part is plain, else by the reference parser, whose answer or error is then the one kept."""
    if _plain(data):
        for fast in (whole, None):
            target = factory()
            try:
                if fast is not None:
                    fast(target, data)
                else:
                    _feed(target, data, tags, with_attributes)
                return target
            except Exception:  # noqa: BLE001 - whatever stopped it, the next reading decides (the last raises)
                continue
    target = factory()
    _parse_with(target, data)
    return target


_SHEET_TAGS = _tag_pattern("c", "v", "is", "f", "row", "col", "sheetFormatPr", "dimension")
_SHEET_ATTRIBUTES = frozenset({"c", "row", "col", "sheetFormatPr", "dimension"})
# The elements the sheet's reading looks at, written with a namespace prefix (x:c): such a sheet is read tag by tag.
_PREFIXED = re.compile(rb"""<[^\s/>:"'=<]+:(?:c|v|is|f|row|col|sheetFormatPr|dimension)[\s/>]""")
_LAYOUT = re.compile(rb"""<(row|col|sheetFormatPr|dimension)(?=[\s/>])((?:[^>"'/]++|/(?!>)|"[^"]*+"|'[^']*+')*+)/?>""")
# A cell as every office suite writes it: r first (a plain A1 reference), then plain attributes; its content runs to
# its </c> and holds no other cell and no row (either would move the reference reading's row and column). Its third
# group is the value (<v>, <is> or <f>, as the reference reading notes them) its content starts with, if it does.
_CELL_TAG = rb'<c r="([A-Z]{1,3})([1-9][0-9]{0,6})"(?:\s++[A-Za-z]++="[^"<>&]*+")*+\s*+'
_ORDINARY_CELL = re.compile(_CELL_TAG + rb"(?:/>|>(<(?:v|is|f)[\s/>])?(?:[^<]++|<(?!/?(?:c|row)[\s/>]))*+</c>)")
# An ordinary cell whose value comes after something else in its content (<extLst/><v>1</v>): rare, and then each
# cell's content is looked at (possessive quantifiers throughout: no backtracking).
_LATE_VALUE = re.compile(_CELL_TAG + rb">(?!<(?:v|is|f)[\s/>])"
                         rb"(?:[^<]++|<(?!(?:c|row|v|is|f)[\s/>]|/(?:c|row)[\s/>]))*+<(?:v|is|f)[\s/>]")
# The same cell with its whole content, for that case.
_ORDINARY_CONTENT = re.compile(_CELL_TAG + rb"(?:/>|>((?:[^<]++|<(?!/?(?:c|row)[\s/>]))*+)</c>)")
_VALUE = re.compile(rb"<(?:v|is|f)[\s/>]")
_PLAIN_ROW_NUMBERS = re.compile(rb'\x00\s+r="([0-9]{1,9})"')
_PLAIN_WIDTH = re.compile(rb'\swidth="([0-9]{1,9}(?:\.[0-9]{1,9})?)"')


_CELL_START = re.compile(rb"<c[\s/>]")
_FORMULA_START = re.compile(rb"<f[\s/>]")


# A cell that does not start with a plain reference: the reference reading would count its place on from the cell
# before it.
_UNREFERENCED_CELL = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z]{1,3}[1-9][0-9]{0,6}")')


@lru_cache(maxsize=16)
def _far_cells(rows: int, columns: int) -> re.Pattern[bytes]:
    """Plain cell references with at least as many letters as the column limit is written with, or as many digits as
    the row limit: any other reference names a place within the limits (fewer letters, an earlier column; fewer
    digits, an earlier row), so only these few need their numbers read."""
    letters = 1 if columns <= 26 else 2 if columns <= 26 + 26 * 26 else 3
    digits = len(str(max(rows, 0)))
    return re.compile(rb'<c r="(?=[A-Z]{%d}|[A-Z]{1,3}[1-9][0-9]{%d})([A-Z]{1,3})([1-9][0-9]{0,6})"'
                      % (letters, digits - 1))


def _bound(data: bytes, row_numbers: list[bytes] | None, limits: dict[str, int]) -> tuple[int, int] | None:
    """The limits (rows, columns), when every cell starts with a plain reference, every row with its number
    (``row_numbers``: theirs, or None when not every row does) and none of them names a place beyond the limits;
    None otherwise. The reference reading takes a cell's row and column from these alone (a cell or row without its
    number would count on from the one before), so no cell it finds holding a value lies beyond them, wherever the
    cells sit."""
    rows, columns = limits["rows"], limits["columns"]
    if row_numbers is None or _UNREFERENCED_CELL.search(data) or max(map(int, row_numbers), default=0) > rows:
        return None
    far = _far_cells(rows, columns).findall(data)
    if far:
        letters, digits = zip(*far)
        # Each number once (a row's cells share theirs): a few conversions, not one per cell.
        if max(map(int, set(digits))) > rows or max(column_number(c.decode()) for c in set(letters)) > columns:
            return None
    return rows, columns


@lru_cache(maxsize=1024)  # the same few <col> elements in every workbook of an office suite
def _column_seen(raw: bytes) -> bool:
    """A ``<col>`` (its attributes, as written) shown at a width that can be seen: nothing to note. Decided on plain
    attributes only; anything else goes to the target."""
    if b"hidden" in raw:
        return False
    if b"width" not in raw:
        return True
    width = _PLAIN_WIDTH.search(raw)
    return width is not None and float(width.group(1)) >= _MIN_WIDTH


def _sheet_whole(target: _SheetShapeTarget, data: bytes, limits: dict[str, int] | None = None) -> None:
    """A sheet without prefixed elements whose every cell is ordinary: the extent from the cells holding a value,
    taken together (the reference reading's row and column then come from each cell's own reference), and the
    rows that can be hidden, the columns and the format elements given to the target one by one (there are few).

    With ``limits`` (rows, columns), a sheet no cell or row of which names a place beyond them is given the limits as
    its extent (:class:`SheetShape`), without looking for the cells that hold a value and without counting them: all
    that is asked of the extent then is that it is within the limits (issue 18: looking into every cell was most
    of the probe's time). Every step is a regular expression or a bytes operation over the whole part."""
    # A prefix is declared (xmlns:x) before it is used, except xml: which every parser knows; expat has read the part.
    if (b"xmlns:" in data or b"<xml:" in data) and _PREFIXED.search(data):
        raise _NotPlain
    # Every start tag of a row (the part is well-formed: no "<" inside a tag or text), with its attributes.
    layout = _LAYOUT.findall(data)
    row_attributes = [raw for name, raw in layout if name == b"row"]
    # The rows' numbers, when every row starts with a plain one; joined (NUL cannot occur in a plain part, so no test
    # runs across two rows).
    joined = b"\x00" + b"\x00".join(row_attributes)
    numbers = _PLAIN_ROW_NUMBERS.findall(joined)
    row_numbers = numbers if len(numbers) == len(row_attributes) else None
    bound = _bound(data, row_numbers, limits) if limits is not None else None
    if bound is not None:
        cells = None
    else:
        cells = _ORDINARY_CELL.findall(data)
        if len(cells) != len(_CELL_START.findall(data)):
            raise _NotPlain
    # Rows shown at the default height (no ht, no hidden, a plain number, in a sheet whose rows are not hidden by
    # default): nothing to note, and their numbers are not needed. Decided for all rows at once.
    if row_numbers is not None and b"zeroHeight" not in data and b"ht" not in joined and b"hidden" not in joined:
        layout = [(name, raw) for name, raw in layout if name != b"row"]
    for name, raw in layout:
        if name == b"col" and _column_seen(raw):
            continue
        attrib = _attributes(raw)
        if name == b"row" and not attrib.get("r"):
            raise _NotPlain  # its number would come from the cells before it
        target.start(name.decode(), attrib)
    target.formulas = _FORMULA_START.search(data) is not None
    if cells is None:
        target.shape.rows, target.shape.cols = bound  # type: ignore[misc]
        target.bounded = True
        return
    if _LATE_VALUE.search(data):
        cells = [(letters, digits, b"v" if _VALUE.search(content) else b"")
                 for letters, digits, content in _ORDINARY_CONTENT.findall(data)]
    if cells:
        letters, digits, values = zip(*cells)
        valued_rows = list(compress(digits, values))  # the cells holding a value
        if valued_rows:
            target.shape.rows = max(map(int, valued_rows))
            target.shape.cols = max(column_number(column.decode()) for column in set(compress(letters, values)))
        target.cells = len(valued_rows)


def _probe_xlsx(members: dict[str, bytes], limits: dict[str, int] | None = None) -> Probe:
    """Every sheet's shape. With ``limits``, a sheet within them may be given a bound as its extent (see
    :func:`_sheet_whole`), unless the shared-string check needs the cells with a value counted."""
    strings = members.get("xl/sharedStrings.xml")
    counts: tuple[int, int] | None = None
    counts_error: Exception | None = None
    if strings is not None:
        try:
            counts = _xlsx_string_counts(strings)
        except Exception as exc:  # noqa: BLE001 - raised after the sheets, as when it was read after them
            counts_error = exc
        if counts is None or counts[0] > counts[1]:
            limits = None  # the count of cells with a value decides: every sheet is read exactly
    whole = _sheet_whole if limits is None else partial(_sheet_whole, limits=limits)
    shapes, formulas, cells = [], False, 0
    for name, member in _xlsx_sheet_paths(members):
        data = members.get(member)
        if data is None:
            shapes.append(SheetShape(name))
            continue
        target = _read_xml(lambda name=name: _SheetShapeTarget(SheetShape(name)), data, _SHEET_TAGS, _SHEET_ATTRIBUTES,
                           whole)
        shapes.append(target.shape)
        formulas = formulas or target.formulas
        cells += target.cells
    if counts_error is not None:
        raise counts_error
    if counts is not None:
        _check_string_table(*counts, cells)
    return Probe("xlsx", shapes, formulas)


# Below these a row (points) or a column (characters) shows nothing: what it holds is as unseen as a hidden one.
_MIN_HEIGHT, _MIN_WIDTH, _MAX_COLUMNS = 1.0, 0.5, 16384


def _size(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _xlsx_hidden(el, size_attr: str, minimum: float) -> bool:
    size = _size(el.get(size_attr))
    return el.get("hidden") in ("1", "true") or (size is not None and size < minimum)


def _xlsx_row_hidden(el, hidden_by_default: bool) -> bool:
    """A <row> hidden, of height below a point, or left at the default of a sheet whose rows are hidden by
    default (<sheetFormatPr zeroHeight="1">: only a row given a height of its own shows)."""
    if _xlsx_hidden(el, "ht", _MIN_HEIGHT):
        return True
    return hidden_by_default and not (el.get("customHeight") in ("1", "true") and (_size(el.get("ht")) or 0) > 0)


def _check_string_table(declared: int, actual: int, cells: int) -> None:
    """calamine reserves room for as many shared strings as the table declares before reading one: a count
    of 2147483647 in a 6 KB file asks for 51 GB and aborts. A declared count beyond both the strings the table
    holds and the cells that could use them is a damaged file."""
    if declared > max(actual, cells):
        raise ContainerError("corrupt", f"共享字符串表声明 {declared} 项，实有 {actual} 项")


class _StringCountTarget:
    def __init__(self) -> None:
        self.declared = self.actual = 0

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if _local(tag) == "sst":
            self.declared = max(int(attrib.get("count") or 0), int(attrib.get("uniqueCount") or 0))

    def end(self, tag: str) -> None:
        if _local(tag) == "si":
            self.actual += 1

    def close(self) -> None:
        return None


_STRING_TAGS = _tag_pattern("sst", "si")


def _xlsx_string_counts(data: bytes) -> tuple[int, int]:
    """(the larger of count and uniqueCount on <sst>, the number of <si> it holds)."""
    target = _read_xml(_StringCountTarget, data, _STRING_TAGS, frozenset({"sst"}))
    return target.declared, target.actual


# --- xlsb ----------------------------------------------------------------------------------------------

_BRT_ROW, _BRT_WS_DIM = 0, 148
_BRT_CELLS = range(1, 14)  # BrtCellBlank … BrtFmlaError and the short cells: each starts with its column (u32)


def _records(data: bytes):
    """BIFF12 records: (type, payload). Type and size are 7-bit varints (MS-XLSB 2.1.4)."""
    i, n = 0, len(data)
    while i < n:
        rtype = data[i]
        i += 1
        if rtype & 0x80:
            rtype = (rtype & 0x7F) | ((data[i] & 0x7F) << 7)
            i += 1
        size, shift = 0, 0
        for _ in range(4):
            b = data[i]
            i += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        yield rtype, data[i:i + size]
        i += size


_BRT_BEGIN_SST, _BRT_SST_ITEM = 159, 19


def _probe_xlsb(members: dict[str, bytes]) -> Probe:
    shapes, cells = [], 0
    for member in sorted(m for m in members if m.startswith("xl/worksheets/") and m.endswith(".bin")):
        shape = SheetShape(member)
        shapes.append(shape)
        row = 0
        for rtype, payload in _records(members[member]):
            if rtype == _BRT_ROW and len(payload) >= 4:
                row = struct.unpack_from("<I", payload)[0] + 1
            elif rtype in _BRT_CELLS and len(payload) >= 4 and rtype != 1:  # BrtCellBlank holds no value
                col = struct.unpack_from("<I", payload)[0] + 1
                shape.rows, shape.cols = max(shape.rows, row), max(shape.cols, col)
                cells += 1
            elif rtype == _BRT_WS_DIM and len(payload) >= 16:
                _, last_row, _, last_col = struct.unpack_from("<IIII", payload)
                shape.declared_rows, shape.declared_cols = last_row + 1, last_col + 1
    if "xl/sharedStrings.bin" in members:
        declared = actual = 0
        for rtype, payload in _records(members["xl/sharedStrings.bin"]):
            if rtype == _BRT_BEGIN_SST and len(payload) >= 8:
                declared = max(struct.unpack_from("<II", payload))
            elif rtype == _BRT_SST_ITEM:
                actual += 1
        _check_string_table(declared, actual, cells)
    return Probe("xlsb", shapes)


# --- ods -----------------------------------------------------------------------------------------------

_TABLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE_NS = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
_STYLE_NS = "{urn:oasis:names:tc:opendocument:xmlns:style:1.0}"
_POINTS = {"pt": 1.0, "in": 72.0, "cm": 72 / 2.54, "mm": 72 / 25.4, "pc": 12.0, "px": 0.75}


def _points(length: str | None) -> float | None:
    """An ODF length ('0.178in', '0cm') in points; None when absent or unreadable."""
    m = re.fullmatch(r"\s*([0-9.]+)\s*([a-z]+)\s*", length or "")
    if not m or m.group(2) not in _POINTS:
        return None
    try:
        return float(m.group(1)) * _POINTS[m.group(2)]
    except ValueError:
        return None


def _invisible_styles(el) -> tuple[str, str] | None:
    """(family, name) of an automatic row or column style that makes it too small to see (row height 0)."""
    family, name = el.get(f"{_STYLE_NS}family"), el.get(f"{_STYLE_NS}name", "")
    for child in el:
        if family == "table-row" and child.tag == f"{_STYLE_NS}table-row-properties":
            size, minimum = _points(child.get(f"{_STYLE_NS}row-height")), _MIN_HEIGHT
        elif family == "table-column" and child.tag == f"{_STYLE_NS}table-column-properties":
            # A column of half a character: about 3.5 points in the default font.
            size, minimum = _points(child.get(f"{_STYLE_NS}column-width")), 3.5
        else:
            continue
        if size is not None and size < minimum:
            return family, name
    return None


def _probe_ods(members: dict[str, bytes]) -> Probe:
    """Rows and cells of content.xml with their repeat counts; merged ranges from the spans (calamine gives none)."""
    from defusedxml.ElementTree import iterparse

    shapes: list[SheetShape] = []
    shape: SheetShape | None = None
    row = col = columns = 0
    invisible: set[tuple[str, str]] = set()  # automatic styles of zero height or width (they come before the tables)
    for event, el in iterparse(io.BytesIO(members["content.xml"]), events=("start", "end")):
        tag = el.tag
        if event == "end" and tag == f"{_STYLE_NS}style":
            if (style := _invisible_styles(el)) is not None:
                invisible.add(style)
            continue
        if event == "start":
            if tag == f"{_TABLE_NS}table":
                shape = SheetShape(el.get(f"{_TABLE_NS}name", ""), merged=[])
                shapes.append(shape)
                row = columns = 0
            elif tag == f"{_TABLE_NS}table-row":
                col = 0
            elif tag == f"{_TABLE_NS}table-column" and shape is not None:
                repeat = int(el.get(f"{_TABLE_NS}number-columns-repeated", "1"))
                if el.get(f"{_TABLE_NS}visibility") in ("collapse", "filter") or (
                        "table-column", el.get(f"{_TABLE_NS}style-name", "")) in invisible:
                    shape.hidden_cols.update(range(columns + 1, min(columns + repeat, _MAX_COLUMNS) + 1))
                columns += repeat
            continue
        if shape is None:
            continue
        if tag in (f"{_TABLE_NS}table-cell", f"{_TABLE_NS}covered-table-cell"):
            repeat = int(el.get(f"{_TABLE_NS}number-columns-repeated", "1"))
            has_value = el.get(f"{_OFFICE_NS}value-type") is not None or len(el) > 0
            if has_value:
                shape.cols = max(shape.cols, col + repeat)
                shape.rows = max(shape.rows, row + 1)  # the row's own repeat is applied at its end
                el.set("sbk-content", "1")
            spans = (int(el.get(f"{_TABLE_NS}number-rows-spanned", "1")), int(el.get(f"{_TABLE_NS}number-columns-spanned", "1")))
            if spans != (1, 1) and shape.merged is not None:
                shape.merged.append(((row, col), (row + spans[0] - 1, col + spans[1] - 1)))
            col += repeat
            el.clear()
        elif tag == f"{_TABLE_NS}table-row":
            repeat = int(el.get(f"{_TABLE_NS}number-rows-repeated", "1"))
            if shape.rows == row + 1 and repeat > 1:
                shape.rows = row + repeat  # a repeated row with a value repeats the value
            if el.get(f"{_TABLE_NS}visibility") in ("collapse", "filter") or (
                    "table-row", el.get(f"{_TABLE_NS}style-name", "")) in invisible:
                # A long run of hidden empty rows (to the sheet's end) holds nothing to warn about.
                shape.hidden_rows.update(range(row + 1, row + 1 + min(repeat, 10_000)))
            row += repeat
            el.clear()
        elif tag == f"{_TABLE_NS}table":
            shape = None
    return Probe("ods", shapes)


# --- xls (BIFF8 inside a compound file) ---------------------------------------------------------------

_BIFF_CELLS = {0x0203, 0x027E, 0x00FD, 0x0204, 0x0205, 0x0006, 0x00D6}  # NUMBER RK LABELSST LABEL BOOLERR FORMULA RSTRING
_BIFF_MULRK, _BIFF_ROW, _BIFF_DIM, _BIFF_EOF, _BIFF_FILEPASS, _BIFF_BOUNDSHEET = 0x00BD, 0x0208, 0x0200, 0x000A, 0x002F, 0x0085
_BIFF_COLINFO = 0x007D


def _biff(stream: bytes, at: int = 0):
    i = at
    while i + 4 <= len(stream):
        rtype, size = struct.unpack_from("<HH", stream, i)
        yield rtype, stream[i + 4:i + 4 + size]
        i += 4 + size


def _probe_cfb(path: Path) -> Probe:
    """An OLE2 compound file: an encrypted OOXML package (EncryptedPackage), or an old .xls (Workbook/Book)."""
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            streams = {"/".join(s) for s in ole.listdir(streams=True, storages=False)}
            if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
                raise ContainerError("encrypted")
            name = "Workbook" if "Workbook" in streams else "Book" if "Book" in streams else None
            if name is None:
                raise ContainerError("not_workbook", "复合文档中没有工作簿（可能是 Word 等其他 Office 文件）")
            stream = ole.openstream(name).read()
    except ContainerError:
        raise
    except Exception as exc:
        raise ContainerError("corrupt", _name(exc)) from exc
    try:
        return _probe_biff(stream)
    except ContainerError:
        raise
    except Exception as exc:
        raise ContainerError("corrupt", _name(exc)) from exc


def _probe_biff(stream: bytes) -> Probe:
    sheets: list[tuple[int, SheetShape]] = []
    for rtype, data in _biff(stream):
        if rtype == _BIFF_FILEPASS:
            raise ContainerError("encrypted")
        if rtype == _BIFF_BOUNDSHEET and len(data) >= 8:
            offset, kind = struct.unpack_from("<I", data)[0], data[5]
            cch, high = data[6], data[7] & 1
            raw = data[8:8 + cch * (2 if high else 1)]
            name = raw.decode("utf-16-le" if high else "latin-1", errors="replace")
            if kind == 0:  # a worksheet (not a chart or macro sheet)
                sheets.append((offset, SheetShape(name)))
        if rtype == _BIFF_EOF:
            break
    for offset, shape in sheets:
        for rtype, data in _biff(stream, offset):
            if rtype in _BIFF_CELLS and len(data) >= 4:
                r, c = struct.unpack_from("<HH", data)
                shape.rows, shape.cols = max(shape.rows, r + 1), max(shape.cols, c + 1)
            elif rtype == _BIFF_MULRK and len(data) >= 6:
                r, c_last = struct.unpack_from("<H", data)[0], struct.unpack_from("<H", data, len(data) - 2)[0]
                shape.rows, shape.cols = max(shape.rows, r + 1), max(shape.cols, c_last + 1)
            elif rtype == _BIFF_ROW and len(data) >= 16:
                r, height = struct.unpack_from("<H", data)[0], struct.unpack_from("<H", data, 6)[0]
                flags = struct.unpack_from("<H", data, 12)[0]
                # fDyZero: hidden; miyRw: the height in twips (bit 15, in older writers, marks the default height)
                if flags & 0x0020 or (not height & 0x8000 and height < _MIN_HEIGHT * 20):
                    shape.hidden_rows.add(r + 1)
            elif rtype == _BIFF_COLINFO and len(data) >= 10:
                first, last, width, _, options = struct.unpack_from("<HHHHH", data)
                if options & 0x0001 or width < _MIN_WIDTH * 256:  # fHidden; coldx in 1/256 of a character
                    shape.hidden_cols.update(range(first + 1, min(last + 1, _MAX_COLUMNS) + 1))
            elif rtype == _BIFF_DIM and len(data) >= 12:
                _, last_row, _, last_col = struct.unpack_from("<IIHH", data)
                shape.declared_rows, shape.declared_cols = last_row, last_col  # both one past the last
            elif rtype == _BIFF_EOF:
                break
    return Probe("xls", [s for _, s in sheets])
