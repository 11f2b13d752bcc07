"""What the ingest speed-ups of issue 18 must not give up: the privacy pass still sees every part of every file,
and ``sbk ingest`` / ``sbk validate`` stay on a light import path (no Dask, no notebook machinery)."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import VALUES_SAMPLE, write_monthly
import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from sbk.storage import _json_list, _json_lists
from sbk.template import save_workbook
from sbk.workbooks import read_workbook


def test_a_part_seen_clean_in_one_workbook_does_not_hide_a_number_in_the_next(raw):
    first = write_monthly(raw / "a.xlsx", "2015-03", VALUES_SAMPLE)
    wb = load_workbook(first)
    wb.properties.creator = "13812345678"
    second = save_workbook(wb, raw / "b.xlsx")
    wb.properties.creator = "sbk"
    third = save_workbook(wb, raw / "c.xlsx")
    # One process reads all three, as a worker does: the clean parts of the first are remembered by content.
    assert [f.code for f in read_workbook(first)[1]] == []
    sheets, findings = read_workbook(second)
    assert sheets == []
    assert [(f.code, f.cell, f.message.split("（")[0]) for f in findings] == [("privacy.personal_data", "", "文档属性 creator 含手机号码")]
    assert "13812345678" not in findings[0].message
    assert [f.code for f in read_workbook(third)[1]] == []


def test_ingest_and_validate_import_neither_dask_nor_the_notebook_machinery(raw, tmp_path):
    write_monthly(raw / "2015-03.xlsx", "2015-03", VALUES_SAMPLE)
    script = (
        "import sys\n"
        "from sbk.cli import main\n"
        f"main(['validate', {str(raw)!r}])\n"
        f"main(['ingest', {str(raw)!r}, '--out', {str(tmp_path / 'out')!r}])\n"
        "heavy = {'dask', 'distributed', 'papermill', 'nbconvert', 'nbclient', 'jupyter_client', 'matplotlib'}\n"
        "print(__import__('json').dumps(sorted({m.split('.')[0] for m in sys.modules} & heavy)))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == []


def test_the_readers_worker_process_reads_a_bank_table_without_importing_pandas_or_pandera(tmp_path):
    # What ``sbk ingest`` runs in its spawned workers (sbk.workbooks.read_batch), on the demo's workbooks (表四's
    # bank names go through the catalog): the records come back, and the worker never imported pandas or pandera.
    from sbk.demo import generate

    written = sorted(p for p in generate(tmp_path / "raw") if p.suffix == ".xlsx")
    files = [next(p for p in written if "Q4" in p.name), written[0]]
    script = (
        "import json, sys, multiprocessing as mp\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from pathlib import Path\n"
        "from sbk.workbooks import read_batch\n"
        "if __name__ == '__main__':\n"
        f"    batch = [(Path(p), p) for p in {[str(f) for f in files]!r}]\n"
        "    with ProcessPoolExecutor(1, mp_context=mp.get_context('spawn')) as pool:\n"
        "        got, _, _ = pool.submit(read_batch, batch).result()\n"
        "        loaded = pool.submit(eval, 'sorted(__import__(\"sys\").modules)').result()\n"
        "    forms = sorted({s.form for sheets, _ in got for s in sheets})\n"
        "    print(json.dumps([forms, sum(len(s.records) for sheets, _ in got for s in sheets),\n"
        "                      sorted({m.split('.')[0] for m in loaded} & {'pandas', 'pandera', 'numpy', 'pyarrow'})]))\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    forms, rows, heavy = json.loads(run.stdout.strip().splitlines()[-1])
    assert "q4" in forms and rows > 0
    assert heavy == []


def test_a_rerun_that_finds_everything_up_to_date_imports_neither_pandas_nor_pandera(raw, tmp_path):
    write_monthly(raw / "2015-03.xlsx", "2015-03", VALUES_SAMPLE)
    out = tmp_path / "out"
    script = (
        "import json, sys\n"
        "from sbk.ingest import ingest\n"
        f"result = ingest({str(raw)!r}, {str(out)!r})\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'pandera', 'pyarrow'})\n"
        "print(json.dumps([result.up_to_date, [p.name for p in result.written], heavy]))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False) for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    first, second = (json.loads(run.stdout.strip().splitlines()[-1]) for run in runs)
    assert first[0] is False and "monthly_issuance.parquet" in first[1] and first[2] != []
    assert second == [True, [], []]


@given(st.one_of(st.lists(st.integers()), st.lists(st.one_of(st.integers(), st.booleans(), st.text(), st.floats()))))
def test_a_list_cell_is_stored_as_the_json_text_json_dumps_writes(value):
    assert _json_list(value) == json.dumps(value, ensure_ascii=False)


_CELL = st.one_of(st.none(), st.lists(st.integers(0, 3), max_size=3),
                  st.lists(st.one_of(st.integers(0, 2), st.booleans(), st.sampled_from([1.0, 2.0])), max_size=2))


@given(st.lists(_CELL, max_size=30))
def test_a_column_of_list_cells_is_written_as_each_cell_alone_even_where_lists_repeat(column):
    # [1], [True] and [1.0] are equal as Python values but are different JSON: a remembered text must not leak.
    assert _json_lists(column) == [None if v is None else json.dumps(v, ensure_ascii=False) for v in column]


def test_the_collector_is_paused_only_inside_the_block_and_back_after_an_error():
    import gc

    from sbk.bulk import collector_paused

    assert gc.isenabled()
    with pytest.raises(KeyboardInterrupt), collector_paused():
        assert not gc.isenabled()
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # an inner block does not switch it back on early
        raise KeyboardInterrupt
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_the_program_keeps_hypothesis_out_and_ends_without_a_last_collection(raw):
    # As ``sbk`` runs (sbk.cli.as_program): pandera's checks load without hypothesis (a test dependency it imports
    # only to offer example data), the findings still come, and the process ends with its objects frozen. Called
    # in-process with arguments (tests, notebooks), main leaves both alone.
    write_monthly(raw / "2015-03.xlsx", "2015-03", {**VALUES_SAMPLE, "430100": -1.0})
    script = (
        "import gc, sys\n"
        "from sbk.cli import as_program, main\n"
        "with as_program():\n"
        f"    status = main(['validate', {str(raw)!r}, '--format', 'json'])\n"
        "    inside = sys.modules.get('hypothesis') is not None\n"
        "print(status, inside, gc.get_freeze_count() > 0)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    *report, last = run.stdout.strip().splitlines()
    assert last == "1 False True"
    assert [(f["code"], f["cell"]) for f in json.loads("\n".join(report))] == [
        ("monthly.cumulative_holders_10k.non_negative", "D5")]
    plain = subprocess.run([sys.executable, "-c", "import gc, sys\nfrom sbk.cli import main\n"
                            f"main(['validate', {str(raw)!r}])\nimport hypothesis\nprint(gc.get_freeze_count())"],
                           capture_output=True, text=True, check=False)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip().splitlines()[-1] == "0"


def test_the_reading_workers_are_forked_only_from_a_process_without_pyarrow_or_other_threads():
    from sbk.ingest import start_method

    assert "pyarrow" in sys.modules and start_method() == "spawn"  # this test process: pandas imported
    script = ("import threading, time\n"
              "from sbk.ingest import start_method\n"
              "print(start_method())\n"
              "t = threading.Thread(target=time.sleep, args=(0.5,))\n"
              "t.start()\n"
              "print(start_method())\n"
              "t.join()\n"
              "import pandas\n"
              "print(start_method())\n")
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["fork", "spawn", "spawn"]


def test_forked_and_spawned_reading_workers_write_the_same_set(raw, tmp_path):
    # 70 workbooks: enough for the worker pool (64 or more). ``sbk ingest`` forks its workers; this test process,
    # which has imported pandas, spawns them.
    from sbk.ingest import ingest

    for i in range(70):
        period = f"{2016 + i // 12}-{i % 12 + 1:02d}"
        write_monthly(raw / f"{period}.xlsx", period, {**VALUES_SAMPLE, "430100": 300.0 + i})
    forked = subprocess.run([sys.executable, "-m", "sbk.cli", "ingest", str(raw), "--out", str(tmp_path / "forked")],
                            capture_output=True, text=True, check=False)
    assert forked.returncode == 0, forked.stderr
    spawned = ingest(raw, tmp_path / "spawned")
    assert spawned.ok and spawned.files == 70
    names = sorted(p.name for p in (tmp_path / "forked").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "spawned").iterdir()) and "monthly_issuance.parquet" in names
    for name in names:
        assert (tmp_path / "forked" / name).read_bytes() == (tmp_path / "spawned" / name).read_bytes(), name
