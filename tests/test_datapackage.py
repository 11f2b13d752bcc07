"""The processed folder is a data package other tools accept: Frictionless validates it, DuckDB reads every table
with its list columns and dates, and each field name has one type across tables."""

from __future__ import annotations

import json
import shutil

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
from conftest import REPO

from sbk.analysis.common import load
from sbk.ingest import ingest
from sbk.storage import list_columns


@pytest.fixture(scope="module")
def package(processed_dir) -> dict:
    return json.loads((processed_dir / "datapackage.json").read_text(encoding="utf-8"))


def test_frictionless_validates_the_whole_data_package(processed_dir):
    from frictionless import validate

    report = validate(processed_dir / "datapackage.json")
    errors = [(t.name, e.type, e.message) for t in report.tasks for e in t.errors][:10]
    assert report.valid, errors
    assert len(report.tasks) == len(list(processed_dir.glob("*.parquet")))


def test_duckdb_reads_every_table_list_columns_as_json_arrays_and_dates_as_dates(processed_dir):
    con = duckdb.connect()
    for path in sorted(processed_dir.glob("*.parquet")):
        assert con.execute(f"select count(*) from '{path}'").fetchall()[0][0] == pq.read_metadata(path).num_rows
    items = con.execute(f"select region_name, json_array_length(service_items), service_items::JSON->>0 "
                    f"from '{processed_dir / 'quarterly_work.parquet'}' where region_name = '长沙市' limit 1").fetchall()[0]
    assert items[1] > 0 and items[2].isdigit(), items
    cities = con.execute(f"select partner_cities::JSON->>0 from '{processed_dir / 'quarterly_bank.parquet'}' "
                     "where partner_cities is not null limit 1").fetchall()[0]
    assert cities and cities[0], cities
    kinds = {r[0]: r[1] for r in con.execute(f"describe select * from '{processed_dir / 'published_figures.parquet'}'").fetchall()}
    assert kinds["date"] == "DATE" and kinds["value"] == "DOUBLE"
    received = {r[0]: r[1] for r in con.execute(f"describe select * from '{processed_dir / 'receipts.parquet'}'").fetchall()}
    assert received["received_on"] == "DATE"


def test_one_type_per_field_name_across_tables(package):
    seen: dict[str, set[str]] = {}
    for res in package["resources"]:
        for f in res["schema"]["fields"]:
            seen.setdefault(f["name"], set()).add(f["type"])
    assert {n: t for n, t in seen.items() if len(t) > 1} == {}
    assert seen["year_end"] == {"integer"} and seen["source_row"] == {"integer"}


def test_list_columns_are_declared_arrays_and_come_back_as_lists(processed_dir, package):
    declared = {f["name"] for r in package["resources"] for f in r["schema"]["fields"] if f["type"] == "array"}
    assert {"service_items", "service_channels", "partner_cities", "new_issuing_cities", "local_items"} <= declared
    assert declared <= list_columns()
    work = load(processed_dir, "quarterly_work")
    first = work["service_items"].dropna().iloc[0]
    assert isinstance(first, list) and all(isinstance(v, int) for v in first)
    bank = load(processed_dir, "quarterly_bank")
    assert any(isinstance(v, list) and all(isinstance(c, str) for c in v) for v in bank["partner_cities"])


def test_every_source_has_a_title_and_path_and_the_licence_is_an_id(package):
    assert all(s.get("title") and s.get("path") for s in package["sources"])
    assert any("合成示例数据" in s["title"] for s in package["sources"] if s["synthetic"])
    assert [lic["name"] for lic in package["licenses"]] == ["ODC-By-1.0"]
    assert "source_url" in package["licenses"][0]["title"]


def test_an_empty_findings_table_has_typed_columns_not_null(processed_dir):
    schema = pq.read_schema(processed_dir / "findings.parquet")
    assert all(str(f.type) != "null" for f in schema), schema
    assert str(schema.field("line").type) == "int64" and str(schema.field("message").type) == "string"


def test_a_package_of_the_published_record_alone_validates_with_no_null_typed_column(tmp_path):
    raw = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw" / "published", raw / "published")
    out = tmp_path / "out"
    assert ingest(raw, out).ok
    # With no filing the form tables are empty, never typed null: the descriptor still validates.
    from frictionless import validate

    assert validate(out / "datapackage.json").valid
    for path in out.glob("*.parquet"):
        assert all(str(f.type) != "null" for f in pq.read_schema(path)), path.name
    assert pd.read_parquet(out / "published_figures.parquet")["date"].map(type).eq(__import__("datetime").date).all()
