"""Interrupted runs: killing `sbk ingest` or `sbk run` at any moment leaves the previous outputs (or complete new ones) and the next run completes."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest

from conftest import REPO

KILL_POINTS = [0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4]  # seconds after start; recorded in SECURITY.md
# `sbk run` of one report takes about 4-7 s here: two kills by the clock (kernel start, execution), and two on
# events in the write phase (the moment the first report file is replaced, and the moment its record is).
RUN_KILL_POINTS = [1.0, 3.0, "issuance_trend.ipynb", "issuance_trend.json"]  # recorded in SECURITY.md


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def test_killing_ingest_at_any_moment_keeps_a_whole_set_and_the_next_run_completes(tmp_path):
    old_raw, new_raw = tmp_path / "old", tmp_path / "new"
    shutil.copytree(REPO / "data" / "raw" / "published", old_raw / "published")
    shutil.copytree(REPO / "data" / "raw", new_raw)
    clean_old, clean_new = tmp_path / "clean_old", tmp_path / "clean_new"

    def run(raw: Path, out: Path) -> subprocess.Popen:
        # Same working directory for every run: processed tables record source paths relative to it.
        return subprocess.Popen([sys.executable, "-m", "sbk.cli", "ingest", raw.name, "--out", str(out)],
                                cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    assert run(old_raw, clean_old).wait() == 0 and run(new_raw, clean_new).wait() == 0
    old, new = _digest(clean_old), _digest(clean_new)
    assert old != new
    for delay in KILL_POINTS:
        out = tmp_path / f"out_{delay}"
        shutil.copytree(clean_old, out)
        proc = run(new_raw, out)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        staged = (out / ".staging" / "COMMIT").exists()
        now = _digest(out)
        # Either untouched, or completely new, or a complete new set staged for roll-forward.
        assert now == old or now == new or staged, f"kill at {delay}s left a mixed set"
        assert run(new_raw, out).wait() == 0
        assert _digest(out) == new and not (out / ".staging").exists()


def _report_files(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _wait_for_change(path: Path, proc: subprocess.Popen) -> None:
    before = path.stat().st_ino
    while proc.poll() is None and path.stat().st_ino == before:  # an atomic replace gives a new inode
        time.sleep(0.001)


def test_killing_a_report_build_at_any_moment_keeps_whole_files_and_the_next_run_completes(tmp_path, processed_dir):
    # Two data states: the embedded data, and the same with one region's December figure revised.
    old_data, new_data = tmp_path / "old_data", tmp_path / "new_data"
    shutil.copytree(processed_dir, old_data)
    shutil.copytree(processed_dir, new_data)
    table = new_data / "monthly_issuance.parquet"
    df = pd.read_parquet(table)
    df.loc[(df["period"] == "2016-12") & (df["region_code"] == "430100"), "cumulative_holders_10k"] += 1.0
    df.to_parquet(table, index=False)

    def run(data: Path, out: Path) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "sbk.cli", "run", "--period", "2016-12", "--province", "430000",
                                 "--analysis", "issuance_trend", "--processed", str(data), "--out", str(out)],
                                cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)  # so the kill reaches the notebook kernel too

    clean_old, clean_new = tmp_path / "clean_old", tmp_path / "clean_new"
    assert run(old_data, clean_old).wait() == 0
    # The new build reads another folder: give it the same name so the two builds differ only in the data.
    assert run(new_data, clean_new).wait() == 0
    old, new = _report_files(clean_old), _report_files(clean_new)
    report = "2016-12/430000/issuance_trend.html"
    assert old[report] != new[report]
    seen = set()
    for delay in RUN_KILL_POINTS:
        out = tmp_path / f"out_{delay}"
        shutil.copytree(clean_old, out)
        proc = run(new_data, out)
        if isinstance(delay, float):
            time.sleep(delay)
        else:
            _wait_for_change(out / "2016-12" / "430000" / delay, proc)
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # it finished first: a complete new build is an allowed outcome too
            pass
        proc.wait()
        now = {k: v for k, v in _report_files(out).items() if not Path(k).name.endswith(".tmp")}
        assert set(now) == set(old), f"kill at {delay}s lost or added a report file"
        for name, digest in now.items():  # every file whole: the old one or the new one, never a part
            assert digest in (old[name], new[name]), f"kill at {delay}s left {name} half-written"
        seen.add(tuple(sorted(name for name in now if now[name] != old[name])))
        assert run(new_data, out).wait() == 0
        assert _report_files(out) == new, f"the run after a kill at {delay}s did not complete the build"
        # The killed build could not remove its kernel's socket folder; the next run did.
        assert not list(Path(tempfile.gettempdir()).glob(f"sbk-kernel-{proc.pid}-*")), "socket folder left behind"
    assert len(seen) >= 2, f"the kill points all fell in one phase: {seen}"


def _children(pid: int) -> set[int]:
    """The live (not zombie) processes whose parent is ``pid`` (Linux /proc)."""
    out = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid:
            out.add(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process table from /proc")
def test_the_reading_workers_end_when_sbk_ingest_is_killed_while_they_work(tmp_path):
    # SIGKILL (or the out-of-memory killer) to the main process alone: its workers must not wait forever to send
    # results down a pipe no one reads (they did: found orphaned after this suite's kill tests).
    proc = subprocess.Popen([sys.executable, "-m", "sbk.cli", "ingest", str(REPO / "data" / "raw"), "--out",
                             str(tmp_path / "out")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2 and proc.poll() is None:
        # Its children but multiprocessing's resource tracker (started beside spawned workers): the reading workers,
        # forked or spawned (sbk.ingest.start_method).
        workers = {p for p in _children(proc.pid)
                   if "resource_tracker" not in Path(f"/proc/{p}/cmdline").read_bytes().decode(errors="replace")}
        time.sleep(0.05)
    assert len(workers) == 2, "the ingest finished before its two reading workers were seen"
    time.sleep(0.5)  # at work
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in workers):
        time.sleep(0.1)
    left = [p for p in workers if _alive(p)]
    for p in left:
        os.kill(p, signal.SIGKILL)
    assert left == []


def test_ctrl_c_while_the_workers_read_leaves_the_batches_not_started_unread(tmp_path):
    """Ctrl-C while the main process works beside the reading workers (loading the checks' imports, checking provinces
    already read) drops the batches not yet started: the command ends once the workers' current batches are done, not
    after every file is read (a national ingest took 5 s more to answer). Seen without a clock: a file read gets a new
    access time (its access time is first put before its change time, which a relatime mount updates on a read)."""
    from sbk.ingest import _read_workbooks

    first = next((REPO / "data" / "raw" / "demo" / "110000").glob("*.xlsx"))
    files = []
    for i in range(640):  # 20 batches of 32
        path = tmp_path / f"{i:03d}.xlsx"
        shutil.copyfile(first, path)
        files.append(path)
    def backdate(path: Path) -> float:
        st = path.stat()
        os.utime(path, (st.st_mtime - 3600, st.st_mtime))
        return path.stat().st_atime
    before = {p: backdate(p) for p in files}
    probe = tmp_path / "probe.bin"
    probe.write_bytes(b"x")
    then = backdate(probe)
    probe.read_bytes()
    if probe.stat().st_atime == then:
        pytest.skip("this file system does not record reads (noatime)")

    def interrupted() -> None:
        raise KeyboardInterrupt

    collected: list = []
    with pytest.raises(KeyboardInterrupt):
        _read_workbooks([(p, p.name) for p in files], 2, {}, interrupted, lambda got, _: collected.append(got))
    import multiprocessing

    read = [p for p in files if p.stat().st_atime != before[p]]
    assert not collected
    assert len(read) <= 4 * 32  # at most the batches already handed to the two workers (and the one queued)
    assert not multiprocessing.active_children()  # the workers have ended when the interruption reaches the caller
