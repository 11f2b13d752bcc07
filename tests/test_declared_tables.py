"""Every table a notebook loads is declared for its analysis, and a report depends on nothing but declared rows.

Incremental rebuilds hash only the declared tables (``ANALYSES[name].tables``; ``NATIONAL_TABLES`` for the
national reports), and of those only the rows a report may read: its province's, of periods up to its own
(``sbk.build.slice_hash``). A notebook reading anything else would leave its report stale when that changes.

So each notebook's code runs here, in this process, on the embedded data, once for every kind of period it is
built for and for the national reports, with ``sbk.analysis.common.load`` and ``pandas.read_parquet``
recording every table opened. Then:

- a province report loads only declared tables;
- every report shows exactly the same (text, tables and chart pixels) when ``load`` gives it only the rows
  its build record hashes, and nothing for other tables (as if they had not been ingested). National reports
  open the province tables too, to find no rows of province "national" in them; this proves they need none.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO
from sbk.build import ANALYSES, NATIONAL, NATIONAL_ANALYSES, ROLLUP_ANALYSES, national_period
from sbk.build.registry import tables_read

# Periods with later data in the embedded set, so that reading a later period's rows would show.
MONTH, QUARTER, PROVINCE = "2016-06", "2016Q2", "430000"


def _jobs(processed: Path) -> list[tuple[str, str, str]]:
    jobs = [(MONTH if kind == "monthly" else QUARTER, PROVINCE, a.name) for a in ANALYSES.values() for kind in a.kinds
            if a.provincial]
    # The published series at the latest published month; the provinces' roll-up at the periods they filed.
    jobs += [(national_period(processed), NATIONAL, name) for name in NATIONAL_ANALYSES if name not in ROLLUP_ANALYSES]
    return jobs + [(MONTH if kind == "monthly" else QUARTER, NATIONAL, name) for name in ROLLUP_ANALYSES
                   for kind in ANALYSES[name].kinds]


def _slice(df: pd.DataFrame, province: str, period: str) -> pd.DataFrame:
    """The rows ``slice_hash`` covers: the province's (unless national), periods up to the report's."""
    from sbk.build.record import _period_key

    if df.empty:
        return df
    keep = pd.Series(True, index=df.index)
    if province != NATIONAL and "province_code" in df.columns:
        keep &= df["province_code"].astype(str) == province
    if "period" in df.columns:
        limit = _period_key(period)
        keep &= df["period"].astype(str).map(_period_key) <= limit
    return df[keep]


def _run_notebook(monkeypatch, processed: Path, period: str, province: str, analysis: str,
                  only_declared: bool) -> tuple[set[str], set[str], list[str]]:
    """Run the notebook's code in this process: (tables loaded, parquet tables read by anything, transcript)."""
    import IPython.core.display_functions as display_functions
    import IPython.display
    import matplotlib
    import matplotlib.pyplot as plt
    import nbformat
    import numpy as np
    from IPython.core.formatters import DisplayFormatter

    import sbk.analysis.common as common

    matplotlib.use("Agg")
    loaded: set[str] = set()
    read: set[str] = set()
    transcript: list[str] = []
    declared = set(tables_read(analysis, province))
    original_load, original_read_parquet = common.load, pd.read_parquet

    def load(processed_dir, table):
        loaded.add(table)
        if only_declared and table not in declared:
            return pd.DataFrame()
        df = original_load(processed_dir, table)
        return _slice(df, province, period) if only_declared else df

    def read_parquet(path, *args, **kwargs):
        p = Path(path)
        if p.parent.resolve() == processed.resolve():
            read.add(p.stem)
        return original_read_parquet(path, *args, **kwargs)

    formatter = DisplayFormatter()

    def figures() -> None:
        for num in plt.get_fignums():
            fig = plt.figure(num)
            fig.canvas.draw()
            transcript.append("figure " + hashlib.sha256(np.asarray(fig.canvas.buffer_rgba()).tobytes()).hexdigest())
        plt.close("all")

    def display(*objs, **kwargs):
        figures()  # a chart shows where it is made, before what is displayed next
        for obj in objs:
            data, _ = formatter.format(obj)
            transcript.append(json.dumps(data, sort_keys=True, ensure_ascii=False, default=str))

    # Every module that took its own reference to ``load`` (``from sbk.analysis.common import load``).
    import sbk.analysis.applications, sbk.analysis.banks, sbk.analysis.bulletin  # noqa: F401, E401
    import sbk.analysis.cardholder_db, sbk.analysis.coverage, sbk.analysis.issuance  # noqa: F401, E401
    import sbk.analysis.national  # noqa: F401
    for name, module in list(sys.modules.items()):
        if name.startswith("sbk") and getattr(module, "load", None) is original_load:
            monkeypatch.setattr(module, "load", load)
    monkeypatch.setattr(pd, "read_parquet", read_parquet)
    monkeypatch.setattr(IPython.display, "display", display)
    monkeypatch.setattr(display_functions, "display", display)
    monkeypatch.chdir(REPO / "notebooks")

    # Only this notebook's figures go into its transcript: a figure another test left open (a chart function
    # called outside a kernel returns its figure open) would otherwise be counted in the first run and not the next.
    plt.close("all")
    nb = nbformat.read(REPO / "notebooks" / f"{analysis}.ipynb", as_version=4)
    namespace = {"period": period, "province": province, "processed_dir": str(processed)}
    stdout = io.StringIO()
    try:
        with matplotlib.rc_context(), warnings.catch_warnings(), contextlib.redirect_stdout(stdout):
            warnings.simplefilter("ignore")
            for cell in nb.cells:
                if cell.cell_type == "code" and "parameters" not in cell.metadata.get("tags", []):
                    exec(compile(cell.source, f"{analysis}.ipynb", "exec"), namespace)
                    figures()
    except Exception as exc:  # a notebook that fails without a table shows that it needs it
        transcript.append(f"raised {type(exc).__name__}: {exc}")
    finally:
        plt.close("all")
        monkeypatch.undo()
    transcript.append(stdout.getvalue())
    return loaded, read, transcript


@pytest.fixture(scope="module")
def jobs(processed_dir):
    return _jobs(processed_dir)


def test_the_sample_covers_every_analysis_every_kind_of_period_and_the_national_reports(jobs):
    assert {j[2] for j in jobs} == set(ANALYSES)
    national = [j for j in jobs if j[1] == NATIONAL]
    assert {j[2] for j in national} == set(NATIONAL_ANALYSES)
    assert len(jobs) == (sum(len(a.kinds) for a in ANALYSES.values() if a.provincial)
                         + sum(len(ANALYSES[a].kinds) if a in ROLLUP_ANALYSES else 1 for a in NATIONAL_ANALYSES))


def test_every_table_a_notebook_loads_is_declared_and_nothing_else_changes_the_report(monkeypatch, processed_dir, jobs):
    problems = []
    for period, province, analysis in jobs:
        loaded, read, full = _run_notebook(monkeypatch, processed_dir, period, province, analysis, only_declared=False)
        declared = set(tables_read(analysis, province))
        assert loaded, f"{analysis} {province} {period}: the recorder saw no table loaded"
        if read - loaded:
            problems.append(f"{analysis} {province} {period} reads {sorted(read - loaded)} without common.load")
        if province != NATIONAL and loaded - declared:
            problems.append(f"{analysis} loads {sorted(loaded - declared)}, not declared in ANALYSES[{analysis!r}].tables")
        _, _, restricted = _run_notebook(monkeypatch, processed_dir, period, province, analysis, only_declared=True)
        if restricted != full:
            which = f"ANALYSES[{analysis!r}].national_tables" if province == NATIONAL else f"ANALYSES[{analysis!r}].tables"
            problems.append(f"{analysis} {province} {period} shows something else when it can read only the rows "
                            f"{which} hashes (loads {sorted(loaded)})")
    assert not problems, "\n".join(problems)
