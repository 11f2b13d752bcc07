"""The warm kernel: reports built on a reused kernel are byte-identical to reports built on fresh ones."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from sbk.build import runner
from sbk.build import NOTEBOOKS, Job, build_job
from sbk.warm import WarmKernel

# Everything a notebook could leave behind in a kernel that a fresh kernel would not have.
POLLUTER = """
import os, warnings
import matplotlib, matplotlib.pyplot as plt
import pandas as pd
period, province, processed_dir = "1999-01", "110000", "/nowhere"
matplotlib.rcParams.update({"figure.figsize": (2, 2), "font.size": 30, "axes.grid": False, "figure.dpi": 40})
pd.set_option("display.max_rows", 3)
pd.set_option("display.precision", 1)
warnings.simplefilter("error")
plt.figure(); plt.plot([1, 2, 3])
os.chdir("/")
for _ in range(5):
    pass
"""


def _notebook(tmp_path: Path, source: str) -> Path:
    p = tmp_path / "polluter.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, p)
    return p


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*.*")) if p.is_file()}


def test_a_reused_kernel_builds_the_same_bytes_as_fresh_kernels_even_after_a_polluting_notebook(tmp_path, processed_dir):
    jobs = [Job("2016Q4", "430000", "coverage"), Job("2016-12", "430000", "bulletin")]
    cold, warm_out = tmp_path / "cold", tmp_path / "warm"
    for job in jobs:
        build_job(job, processed_dir, cold, force=True)  # a fresh kernel for each
    warm = WarmKernel("python3", NOTEBOOKS)
    try:
        for job in jobs:
            warm.execute(_notebook(tmp_path, POLLUTER), {}, tmp_path)
            build_job(job, processed_dir, warm_out, force=True, warm=warm)
        assert warm.reports == 4  # one kernel for all four notebooks
    finally:
        warm.shutdown()
    got, want = _files(warm_out), _files(cold)
    assert set(got) == set(want) and len(want) == 8  # page, notebook, record and input rows of each
    for name in want:
        assert got[name] == want[name], f"{name} differs between a reused and a fresh kernel"


def test_each_notebook_starts_with_an_empty_namespace_and_counts_cells_from_one(tmp_path):
    warm = WarmKernel("python3", NOTEBOOKS)
    try:
        warm.execute(_notebook(tmp_path, "left_over = 42"), {}, tmp_path)
        nb = warm.execute(_notebook(tmp_path, "print('left_over' in dir(), __import__('os').getcwd())"), {}, tmp_path)
    finally:
        warm.shutdown()
    cell = nb.cells[-1]
    assert cell.outputs[0]["text"].split() == ["False", str(NOTEBOOKS)]  # the folder the kernel started in
    assert cell.execution_count == 1


def test_a_dead_worker_kernel_is_replaced_before_the_next_report(tmp_path):
    first = runner._warm_kernel()
    try:
        with pytest.raises(Exception):
            first.execute(_notebook(tmp_path, "import os; os._exit(1)"), {}, tmp_path)
        second = runner._warm_kernel()
        assert second is not first and second.alive()
    finally:
        runner._close_worker_kernel()


def test_socket_folders_of_dead_owners_are_removed_and_live_ones_kept(tmp_path):
    import os
    import subprocess
    import sys

    from sbk.warm import remove_orphan_socket_folders

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid now names no process
    dead = tmp_path / f"sbk-kernel-{gone.pid}-abc123"
    live = tmp_path / f"sbk-kernel-{os.getpid()}-def456"
    other = tmp_path / "sbk-kernel-notapid"  # not ours by name: never touched
    for folder in (dead, live, other):
        folder.mkdir()
        (folder / "k-1").write_text("")
    assert remove_orphan_socket_folders(tmp_path) == 1
    assert not dead.exists()
    assert live.exists() and other.exists()
