"""Interrupted runs: killing `sbk ingest` at any moment leaves the previous outputs (or a complete new set) and the next run completes."""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO

KILL_POINTS = [0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4]  # seconds after start; recorded in SECURITY.md


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
    outcomes = set()
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
        outcomes.add("old" if now == old else "new" if now == new else "staged")
        assert run(new_raw, out).wait() == 0
        assert _digest(out) == new and not (out / ".staging").exists()
    assert outcomes  # which states were hit depends on the machine's speed; all are whole
