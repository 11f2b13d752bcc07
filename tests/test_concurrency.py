"""Two writers at once: two `sbk ingest` into one folder, two `sbk run` on one report folder. The second waits for
the first (the output folder's lock), so the folder afterwards equals, byte for byte, what one of them writes alone."""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
from conftest import REPO, write_monthly

# Recorded in SECURITY.md. Each trial starts two real processes with a random offset between them.
INGEST_TRIALS = 4
RUN_TRIALS = 2


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its sha256; the (empty) lock file is not an output."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".sbk.lock"}


def _together(first: list[str], second: list[str], offset: float, cwd: Path) -> list[tuple[int, str]]:
    """Start two sbk commands ``offset`` seconds apart; their exit statuses and stderr."""
    procs = []
    for i, args in enumerate((first, second)):
        if i:
            time.sleep(offset)
        procs.append(subprocess.Popen([sys.executable, "-m", "sbk.cli", *args], cwd=cwd, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE, text=True))
    return [(p.wait(timeout=600), p.stderr.read()) for p in procs]


def _one_wait_message(stderr: str) -> bool:
    waits = stderr.count("waits for it")
    assert waits <= 1, stderr  # said once, not on every poll
    return waits == 1


def test_two_ingests_at_once_leave_exactly_the_set_one_of_them_writes_alone(tmp_path):
    # Two small inputs whose sets differ in which tables they have: A one monthly form, B the same and the demo
    # province's receipts, targets and region population (tables B alone has); C, an earlier set in the folder.
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    write_monthly(a / "m.xlsx", "2016-12", {"": 12.5, "430100": 300.12, "430200": 80.0})
    shutil.copytree(a, b)
    for csv in (REPO / "data" / "raw" / "demo").glob("*.csv"):
        shutil.copy(csv, b / csv.name)
    write_monthly(c / "m.xlsx", "2016-11", {"": 12.0, "430100": 300.0, "430200": 79.0})
    clean = {k: tmp_path / f"clean_{k}" for k in "abc"}
    results = _together(["ingest", "a", "--out", str(clean["a"])], ["ingest", "b", "--out", str(clean["b"])], 0, tmp_path)
    assert [rc for rc, _ in results] == [0, 0], results
    assert _together(["ingest", "c", "--out", str(clean["c"])], ["--version"], 0, tmp_path)[0][0] == 0
    alone = {k: _tree(v) for k, v in clean.items()}
    assert set(alone["b"]) - set(alone["a"]) >= {"receipts.parquet", "targets.parquet", "region_population.parquet"}
    rng = random.Random(14)
    waited = 0
    for trial in range(INGEST_TRIALS):
        out = tmp_path / f"out_{trial}"
        if trial:  # the folder holds an earlier set (the first trial starts without a folder)
            shutil.copytree(clean["c"], out)
        first, second = rng.sample(["a", "b"], 2)
        offset = rng.uniform(0, 0.3)
        results = _together(["ingest", first, "--out", str(out)], ["ingest", second, "--out", str(out)], offset, tmp_path)
        assert [rc for rc, _ in results] == [0, 0], results
        now = _tree(out)
        assert now in (alone["a"], alone["b"]), f"trial {trial} ({first} then {second} {offset:.2f} s later) left a mixed set"
        waited += sum(_one_wait_message(err) for _, err in results)
    assert waited, "no trial had one ingest wait for the other: the lock was never tested"


def test_two_report_builds_at_once_leave_exactly_the_reports_one_of_them_builds_alone(tmp_path, processed_dir,
                                                                                     built_reports):
    # One report from two data states: the demo data (built_reports holds what a build of it writes alone), and
    # the same with its 2016Q4 持卡库 plan revised.
    new_data = tmp_path / "new_data"
    shutil.copytree(processed_dir, new_data)
    table = new_data / "quarterly_cardholder_db.parquet"
    df = pd.read_parquet(table)
    df.loc[df["period"] == "2016Q4", "next_quarter_plan"] = "完成与全国持卡库的对接（修订）"
    df.to_parquet(table, index=False)

    def run(data: Path, out: Path) -> list[str]:
        return ["run", "--period", "2016Q4", "--province", "430000", "--analysis", "cardholder_db",
                "--processed", str(data), "--out", str(out)]

    alone = {"old": _tree(built_reports)}

    def new_alone() -> dict[str, str]:  # built only when a trial ends with the new build
        if "new" not in alone:
            ref = tmp_path / "clean_new"
            shutil.copytree(built_reports, ref)
            assert subprocess.run([sys.executable, "-m", "sbk.cli", *run(new_data, ref)], cwd=REPO,
                                  capture_output=True, check=False).returncode == 0
            alone["new"] = _tree(ref)
            assert alone["new"]["2016Q4/430000/cardholder_db.html"] != alone["old"]["2016Q4/430000/cardholder_db.html"]
        return alone["new"]

    rng = random.Random(1414)
    waited = 0
    for trial in range(RUN_TRIALS):
        out = tmp_path / f"out_{trial}"
        shutil.copytree(built_reports, out)
        # The new build first, so that both write (the old one then rebuilds what the new one replaced).
        offset = rng.uniform(0, 1.0)
        results = _together(run(new_data, out), run(processed_dir, out), offset, REPO)
        assert [rc for rc, _ in results] == [0, 0], results
        now = _tree(out)
        assert now == alone["old"] or now == new_alone(), f"trial {trial} ({offset:.2f} s apart) left reports from both"
        waited += sum(_one_wait_message(err) for _, err in results)
    assert waited, "no trial had one build wait for the other: the lock was never tested"
