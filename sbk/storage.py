"""How processed tables are stored, so that any tool reads them (Frictionless, DuckDB, R's arrow, pandas).

- **List columns** (the options ticked in a cell, the names listed in one: 服务事项, 合作地市, 新增发卡城市) are
  stored as JSON text (``["长沙市","株洲市"]``, ``[1,2,9]``) and declared ``array`` in the data package:
  Frictionless's array type reads JSON text, DuckDB reads it with its JSON functions, and a CSV export keeps
  it whole. Parquet's native list type would be neater, but Frictionless reports every such cell as a type
  error. The Arrow field carries ``sbk:encoding = json`` so that ``decode`` can give Python lists back.
- **Dates** (the date a figure was published or stated, the date a filing was received) are Arrow ``date32``.
- **Years** are integers in every table (``year_end``).
- **No column of type null**: a column with no values (an empty findings table) gets the type it has when
  it has rows, so that the schema is the same whether a run found something or not.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pandas as pd
import pyarrow as pa

__all__ = ["DATE_COLUMNS", "INTEGER_COLUMNS", "decode", "encode", "field_type", "list_columns", "to_arrow"]

JSON_KEY = b"sbk:encoding"


@lru_cache(maxsize=1)
def list_columns() -> frozenset[str]:
    """The list columns, from the field specs (options and names), and the 备注's new issuing cities."""
    from sbk.forms import TABLES  # lazily: a notebook decoding a table need not load the form rules

    names = {f.name for t in TABLES.values() for f in t.fields if f.kind.is_list}
    return frozenset(names | {"new_issuing_cities"})

DATE_COLUMNS = {"published_figures": ("date",), "receipts": ("received_on",)}
# Integers in every table they appear in; `line` is the line of a text file a finding points at (0: none).
INTEGER_COLUMNS = {"year_end", "line"}
# Columns that are text when the table has rows: the empty findings table keeps them text.
_TEXT_WHEN_EMPTY = pa.string()


def _as_list(value: Any) -> list[Any] | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return [v.item() if hasattr(v, "item") else v for v in list(value)]


_INTS = {int}


def _json_list(value: Any) -> str | None:
    """A list cell as JSON text (None stays None)."""
    if type(value) is list and (not value or set(map(type, value)) == _INTS):
        # Option numbers, most list cells: the text json.dumps writes, without its per-call set-up (issue 18).
        return "[" + ", ".join(map(str, value)) + "]"
    listed = _as_list(value)
    return None if listed is None else json.dumps(listed, ensure_ascii=False)


def _json_lists(values: Iterable[Any]) -> list[str | None]:
    """``_json_list`` of every cell of a column. Option lists repeat (a decade of filings holds a few hundred
    distinct ones in a hundred thousand cells), so each list of option numbers is written out once."""
    memo: dict[tuple[int, ...], str] = {}
    out: list[str | None] = []
    for value in values:
        if type(value) is list and value and set(map(type, value)) == _INTS:
            key = tuple(value)  # ints only (not bool, not float): equal keys are lists written alike
            text = memo.get(key)
            if text is None:
                text = memo[key] = _json_list(value)  # type: ignore[assignment]  # a list gives text, never None
            out.append(text)
        else:
            out.append(_json_list(value))
    return out


def encode(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """``df`` as it is stored: list columns as JSON text, dates as dates, years as integers."""
    df = df.copy()
    for col in df.columns:
        if col in list_columns():
            df[col] = pd.Series(_json_lists(df[col]), index=df.index, dtype="object")
    for col in DATE_COLUMNS.get(table, ()):
        if col in df.columns:
            df[col] = pd.Series([None if pd.isna(v) else dt.date.fromisoformat(str(v)[:10]) for v in df[col]],
                                index=df.index, dtype="object")
    for col in INTEGER_COLUMNS & set(df.columns):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    return df


def to_arrow(df: pd.DataFrame) -> pa.Table:
    """The Arrow table written to Parquet: JSON list columns marked, dates as date32, no null-typed column."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    fields = []
    for f in table.schema:
        t = f.type
        if f.name in list_columns():
            fields.append(pa.field(f.name, pa.string(), metadata={JSON_KEY: b"json"}))
        elif pa.types.is_null(t):
            fields.append(pa.field(f.name, pa.int64() if f.name in INTEGER_COLUMNS else _TEXT_WHEN_EMPTY))
        elif pa.types.is_date(t):
            fields.append(pa.field(f.name, pa.date32()))
        else:
            fields.append(f)
    return table.cast(pa.schema(fields, metadata=table.schema.metadata))


def decode(df: pd.DataFrame, schema: pa.Schema) -> pd.DataFrame:
    """A stored table as the analyses use it: JSON list columns back to lists (None stays None)."""
    for f in schema:
        if f.metadata and f.metadata.get(JSON_KEY) == b"json" and f.name in df.columns:
            df[f.name] = pd.Series([None if v is None or (isinstance(v, float) and pd.isna(v)) else json.loads(v)
                                    for v in df[f.name]], index=df.index, dtype="object")
    return df


def field_type(name: str, arrow_type: pa.DataType) -> str:
    """The Table Schema type of a stored column."""
    if name in list_columns():
        return "array"
    if pa.types.is_boolean(arrow_type):
        return "boolean"
    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_floating(arrow_type):
        return "number"
    if pa.types.is_date(arrow_type):
        return "date"
    return "string"
