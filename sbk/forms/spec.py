"""Field specifications: what one column of a form *is*, written once.

A ``Field`` records a column's name, where it is printed (its header path;
the column letter follows from its place in the layout), its official label
and unit, its kind, whether it is summed into the 合计 / 全省 row, its option
list and how a blank is judged. A ``Layout`` is a form: its title, the
填报单位 line, and its fields in order. Everything else is derived from them:
cell reading at ingest (``sbk.workbooks``), the pandera schema and the regular
checks (``sbk.forms.rules``), Parquet types and sort keys (``sbk.ingest``),
the total check (``sbk.validate``), the template's two-level headers
(``sbk.template``) and the data package's field titles and units.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from functools import cached_property

from sbk.findings import Severity
from sbk.forms.options import _Labelled

__all__ = ["PROVENANCE", "Field", "Kind", "Layout", "column_letter"]

PROVENANCE = ("source_file", "source_sheet", "source_row")


def column_letter(number: int) -> str:
    """The spreadsheet column letters of a 1-based column number: 1 → A, 27 → AA.

    openpyxl's get_column_letter does this, but importing openpyxl costs ~0.4 s in every `sbk validate`
    (a person waits for it) that never opens a workbook with it; tests/test_field_spec.py checks the two agree.
    """
    if number < 1:
        raise ValueError(f"column numbers start at 1, not {number}")
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


class Kind(str, Enum):
    SEQ = "seq"  # 序号: read to recognise the 合计 row, never stored
    CODE = "code"  # 行政区划代码
    NAME = "name"  # 地区 / 银行名称
    FIGURE_10K = "figure_10k"  # a 万人 figure: non-negative, two decimals (数字统一保留小数点后两位)
    PERCENT = "percent"  # a rate in % between 0 and 100
    COUNT = "count"  # a non-negative whole number (台, 个)
    OPTIONS = "options"  # a list of option numbers (①，③…), stored as a list of ints
    OPTION = "option"  # exactly one option number, stored as an integer
    NAMES = "names"  # a list of names (合作地市名称)
    TEXT = "text"  # free text
    FLAG = "flag"  # a true/false the reader derives (not on the form)

    @property
    def numeric(self) -> bool:
        # Identity, not ``in (…)``: asked for every cell read, and a str-Enum's == compares text (issue 18).
        return self is Kind.FIGURE_10K or self is Kind.PERCENT or self is Kind.COUNT

    @property
    def is_list(self) -> bool:
        return self in (Kind.OPTIONS, Kind.NAMES)

    @property
    def integer(self) -> bool:
        """Stored as a nullable integer (validated as a number first, so 12.5 gets the form's message)."""
        return self in (Kind.COUNT, Kind.OPTION)


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind
    header: str | None = None  # as printed on the form, levels joined by "/"; None: no column of its own
    label: str = ""  # official title in tables; default: the header without its unit, levels joined by "·"
    unit: str | None = None
    summed: bool = False  # added up in the 合计 / 全省 row
    options: type[_Labelled] | int | None = None  # an option enumeration, or the highest item number
    blank: Severity | None = None  # how a blank cell is judged: allowed (None), a warning, an error
    hint: str = ""  # what to write, shown when a blank is reported
    note: str | None = None  # a text column read from the same cell ("其他：…", "5.00（离退休人员）")
    note_label: str = ""
    never_falls: Severity | None = None  # a cumulative figure: below the previous period is a finding
    carries_over: bool = False  # “无新拓展领域” means: as in the previous quarter
    stored: bool = True  # kept in the tidy table (表三's region columns are not)
    quote: str = ""  # the 填写说明 sentence for this column

    @property
    def title(self) -> str:
        if self.label:
            return self.label
        parts = [re.sub(r"\s*[（(][^）)]*[）)]\s*$", "", p) for p in (self.header or self.name).split("/")]
        return "·".join(parts)

    @property
    def levels(self) -> list[str]:
        return (self.header or "").split("/")

    @property
    def other_option(self) -> int | None:
        return int(self.options.other()) if isinstance(self.options, type) else None

    @property
    def max_option(self) -> int | None:
        if self.options is None:
            return None
        return len(self.options) if isinstance(self.options, type) else int(self.options)


@dataclass(frozen=True)
class Layout:
    form: str
    table: str
    title: str  # the form's title as printed
    header_lines: tuple[str, ...]  # the 填报单位 line(s) as printed, with blanks
    fields: tuple[Field, ...]  # the printed columns in order (A, B, …), with the notes they carry
    total_label: str | None  # the 合计 / 全省 row, if the form has one
    row_key: tuple[str, ...]  # what a row is about within one filing (region or bank)
    anchor: str  # a header label that marks the header row
    kind: str  # "monthly" or "quarterly" (the period the form is filed for)
    remark: str | None = None  # the 备注 row as printed, if the form has one

    @cached_property
    def columns(self) -> tuple[Field, ...]:
        """The fields printed as columns, in column order."""
        return tuple(f for f in self.fields if f.header)

    @cached_property
    def letters(self) -> dict[str, str]:
        return {f.name: column_letter(i + 1) for i, f in enumerate(self.columns)}

    def letter(self, field: str) -> str | None:
        return self.letters.get(field)

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @cached_property
    def cell_of(self) -> dict[str, str]:
        """Fields with no column of their own → the field whose cell they are written in."""
        out = {f.note: f.name for f in self.fields if f.note}
        out["province_code"] = "region_code"
        return out

    @cached_property
    def notes(self) -> tuple[Field, ...]:
        """The text columns read from another column's cell."""
        return tuple(Field(f.note, Kind.TEXT, label=f.note_label) for f in self.fields if f.note)

    @cached_property
    def stored_fields(self) -> tuple[Field, ...]:
        """The tidy table's own columns in order: each column followed by the note read from its cell."""
        out: list[Field] = []
        notes = {n.name: n for n in self.notes}
        for f in self.fields:
            if f.stored and f.kind is not Kind.SEQ:
                out.append(f)
                if f.note:
                    out.append(notes[f.note])
        return tuple(out)

    @cached_property
    def summed(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.summed)

    @cached_property
    def sort_key(self) -> list[str]:
        return ["province_code", "period", *(k for k in self.row_key if k in self.by_name)]

    @cached_property
    def header_levels(self) -> int:
        return max(len(f.levels) for f in self.columns)
