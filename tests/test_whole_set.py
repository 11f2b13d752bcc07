"""An ingest leaves the output folder holding exactly the set it wrote: the tables of an earlier, different input
are removed in the same atomic commit, and "up to date" means the folder holds exactly that set."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from conftest import REPO

from sbk.cli import main
from sbk.ingest import ingest


def _tree(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def _inputs(tmp_path: Path) -> tuple[Path, Path]:
    """Two inputs: the published figures with the demo's receipts, targets and population; the figures alone."""
    with_demo, alone = tmp_path / "with_demo", tmp_path / "alone"
    shutil.copytree(REPO / "data" / "raw" / "published", alone / "published")
    shutil.copytree(alone, with_demo)
    (with_demo / "demo").mkdir()
    for csv in (REPO / "data" / "raw" / "demo").glob("*.csv"):
        shutil.copy(csv, with_demo / "demo" / csv.name)
    return with_demo, alone


def test_an_ingest_over_an_earlier_different_set_leaves_exactly_the_new_set(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # processed tables name their sources relative to the working folder
    with_demo, alone = _inputs(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert main(["ingest", with_demo.name, "--out", str(out)]) == 0
    assert {"receipts.parquet", "targets.parquet", "region_population.parquet", "province_population.parquet"} <= set(_tree(out))
    (out / "notes.txt").write_text("an analyst's own file", encoding="utf-8")
    capsys.readouterr()
    assert main(["ingest", alone.name, "--out", str(out)]) == 0
    assert "4 of an earlier set removed" in capsys.readouterr().err
    assert main(["ingest", alone.name, "--out", str(fresh)]) == 0
    now = _tree(out)
    assert now.pop("notes.txt")  # not the pipeline's: kept
    assert now == _tree(fresh)  # byte for byte what an ingest of this input writes into an empty folder
    assert not (out / ".staging").exists()


def test_a_stray_table_means_the_folder_is_not_up_to_date_and_is_removed(tmp_path, capsys):
    _, alone = _inputs(tmp_path)
    out = tmp_path / "out"
    assert ingest(alone, out).ok
    before = _tree(out)
    shutil.copy(out / "population.parquet", out / "receipts.parquet")  # e.g. left by a run of an older sbk
    result = ingest(alone, out)
    assert not result.up_to_date and [p.name for p in result.removed] == ["receipts.parquet"]
    assert _tree(out) == before
    assert ingest(alone, out).up_to_date


def _stage(out: Path, fresh: Path, header: bool) -> None:
    """The state a commit killed after its COMMIT marker leaves: the changed files of the new set staged, marked."""
    staging = out / ".staging"
    staging.mkdir()
    names = sorted(p.name for p in fresh.iterdir() if p.is_file() and not p.name.startswith("."))
    for name in names:
        if not (out / name).exists() or (out / name).read_bytes() != (fresh / name).read_bytes():
            shutil.copy(fresh / name, staging / name)
    marker = (["sbk-commit complete-set"] if header else []) + (names if header else sorted(p.name for p in staging.iterdir()))
    (staging / "COMMIT").write_text("\n".join(marker), encoding="utf-8")


def test_the_next_run_finishes_a_marked_commit_and_removes_the_old_sets_tables(tmp_path):
    with_demo, alone = _inputs(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert ingest(with_demo, out).ok and ingest(alone, fresh).ok
    _stage(out, fresh, header=True)
    assert ingest(alone, out).up_to_date  # rolled forward first, then it holds exactly this input's set
    assert _tree(out) == _tree(fresh) and not (out / ".staging").exists()


def test_a_marker_of_an_older_sbk_listing_changed_files_only_removes_nothing(tmp_path):
    with_demo, alone = _inputs(tmp_path)
    out, fresh = tmp_path / "out", tmp_path / "fresh"
    assert ingest(with_demo, out).ok and ingest(alone, fresh).ok
    _stage(out, fresh, header=False)
    from sbk.ingest import _recover

    _recover(out)  # a changed-files list says nothing about what else belongs to the set: keep every table
    assert set(_tree(out)) == set(_tree(fresh)) | {"receipts.parquet", "targets.parquet", "region_population.parquet",
                                                   "province_population.parquet"}
