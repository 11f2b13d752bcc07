"""Failures in one line: a file sbk may not read, a full disk, Ctrl-C, an --out that is a file, a busy folder, a bad
build record, a check with nothing to check, a period without data, control characters from a file. Each ends in
one line on stderr saying what to do, with its exit status, and never in a traceback."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_JOBS, write_monthly
from filelock import FileLock
from openpyxl import load_workbook

from sbk.cli import main
from sbk.ingest import ingest

VALUES = {"": 12.5, "430100": 300.12, "430200": 80.0}


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    return lines[0]


def _tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _sbk(*args: str, cwd: Path, prefix: tuple[str, ...] = (), **kw) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([*prefix, sys.executable, "-m", "sbk.cli", *args], cwd=cwd, capture_output=True, text=True, check=False,
                          env=env, timeout=300, **kw)


def _published_only(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw" / "published", raw / "published")
    return raw


# --- the file system says no ---------------------------------------------------------------------------------


@pytest.mark.parametrize("unreadable", ["raw/m.xlsx", "raw/430000"])
def test_a_file_or_folder_sbk_may_not_read_is_one_line_exit_1_and_nothing_is_written(tmp_path, unreadable):
    # We run as root, which reads any file; dropping the capabilities that let root ignore file modes (as a
    # normal user is) makes the mode bits count, so this is the PermissionError a user meets, not a simulation.
    # A folder that cannot be listed must not be skipped: the set would be written without its files.
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to drop CAP_DAC_OVERRIDE")
    raw = _published_only(tmp_path)
    write_monthly(raw / "m.xlsx", "2015-03", VALUES)
    write_monthly(raw / "430000" / "m.xlsx", "2015-04", VALUES)
    (tmp_path / unreadable).chmod(0)
    proc = _sbk("ingest", "raw", "--out", "out", cwd=tmp_path,
                prefix=("setpriv", "--bounding-set=-dac_override,-dac_read_search"))
    (tmp_path / unreadable).chmod(0o755)
    assert proc.returncode == 1
    # Every file under the raw folder is read or named in a finding: the one it may not read is named.
    _one_line(proc.stderr)
    assert [line for line in proc.stdout.splitlines() if line.startswith(f"{unreadable}: error read.unreadable_path ")]
    assert not [p for p in (tmp_path / "out").glob("*") if p.name != ".sbk.lock"]


def test_a_full_disk_is_one_line_exit_1_and_the_previous_set_stands(tmp_path):
    # A real ENOSPC: the output folder is a small tmpfs, mounted in a private mount namespace of the test's own.
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("needs root and unshare to mount a small tmpfs")
    old_raw = _published_only(tmp_path)
    new_raw = tmp_path / "new"
    shutil.copytree(old_raw, new_raw)
    demo = REPO / "data" / "raw" / "demo"
    shutil.copytree(demo, new_raw / "demo", ignore=lambda d, names: [n for n in names if "2015" in n])
    old = tmp_path / "old"
    assert _sbk("ingest", "raw", "--out", str(old), cwd=tmp_path).returncode == 0
    # Room for the old set and a little more, not for the new set staged beside it.
    size_kb = sum(-(-p.stat().st_size // 4096) * 4 for p in old.iterdir() if p.is_file()) + 32
    out = tmp_path / "out"
    out.mkdir()
    script = (f'mount -t tmpfs -o size={size_kb}k tmpfs "$1" && cp -a "$2"/. "$1"/ && '
              f'{sys.executable} -m sbk.cli ingest new --out "$1" 2>"$3"; echo $? >"$4"; '
              'cd "$1" && sha256sum * .sbk.lock >"$5"; ls -a >>"$5"')
    done = subprocess.run(["unshare", "-m", "sh", "-c", script, "sh", str(out), str(old), str(tmp_path / "err"),
                           str(tmp_path / "rc"), str(tmp_path / "after")], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=300, check=False)
    if done.returncode != 0 or not (tmp_path / "rc").exists():
        pytest.skip(f"could not mount a tmpfs here: {done.stderr.strip()}")
    assert (tmp_path / "rc").read_text().strip() == "1"
    line = _one_line((tmp_path / "err").read_text())
    assert line.startswith("sbk ingest: no space left on the disk") and "free some space" in line
    after = (tmp_path / "after").read_text()
    for name, digest in _tree(old).items():  # every file of the old set as it was
        assert f"{digest}  {name}" in after
    assert ".staging" not in after.split()  # the partial new set was removed, freeing the space


# --- Ctrl-C --------------------------------------------------------------------------------------------------


def _interrupt(args: list[str], at_work: Callable[[subprocess.Popen], bool], cwd: Path, after: float) -> subprocess.Popen:
    """Start sbk, wait until ``at_work`` says it is at work, then press Ctrl-C: SIGINT to the process group, as a
    terminal does."""
    # The `sbk` program a user runs (the console script), not `python -m sbk.cli`: under -m a Ctrl-C that lands
    # inside runpy's own frames is re-raised by the interpreter as a SIGINT death at exit, after sbk's one line.
    proc = subprocess.Popen([str(Path(sys.executable).parent / "sbk"), *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    while not at_work(proc) and proc.poll() is None:
        time.sleep(0.001)
    time.sleep(after)
    assert proc.poll() is None, "finished before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)
    return proc


def _reading(folder: Path) -> Callable[[subprocess.Popen], bool]:
    """The process has a file under ``folder`` open: it is reading its inputs."""
    def check(proc: subprocess.Popen) -> bool:
        fds = Path(f"/proc/{proc.pid}/fd")
        try:
            return any(os.readlink(fd).startswith(str(folder)) for fd in fds.iterdir())
        except OSError:  # a descriptor closed while we looked
            return False

    return check


def test_ctrl_c_during_ingest_exits_130_with_one_line(tmp_path):
    # (that the next run completes after any interruption is proved by the kill tests in test_interrupt.py)
    out, raw = tmp_path / "out", tmp_path / "raw"
    shutil.copytree(REPO / "data" / "raw", raw)
    proc = _interrupt(["ingest", str(raw), "--out", str(out)], _reading(raw), tmp_path, 0.0)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "interrupted" in _one_line(err) and "run the command again" in err


def test_ctrl_c_during_a_report_build_exits_130_with_one_line(tmp_path, processed_dir):
    out = tmp_path / "reports"
    proc = _interrupt(["run", "--period", "2016Q4", "--province", "430000", "--analysis", "cardholder_db", "coverage",
                       "-j", "2", "--processed", str(processed_dir), "--out", str(out)],
                      lambda _: (out / ".sbk.lock").exists(), REPO, 1.0)  # it holds the folder: the build began
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert "interrupted" in _one_line(err)


# --- usage and busy folders ----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["run", "ingest"])
def test_an_out_that_names_a_file_is_a_usage_error_in_one_line(command, tmp_path, processed_dir, capsys):
    afile = tmp_path / "notes.txt"
    afile.write_text("mine", encoding="utf-8")
    args = ["run", "--processed", str(processed_dir)] if command == "run" else ["ingest", str(REPO / "data" / "raw" / "published")]
    assert main([*args, "--out", str(afile)]) == 2
    assert "names a file" in _one_line(capsys.readouterr().err)
    assert afile.read_text(encoding="utf-8") == "mine"


def test_a_busy_output_folder_is_waited_for_saying_so_once_then_refused_in_one_line(tmp_path, capsys, monkeypatch):
    raw = _published_only(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.setenv("SBK_LOCK_TIMEOUT", "0.5")
    with FileLock(out / ".sbk.lock"):  # another writer at work
        assert main(["ingest", str(raw), "--out", str(out)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in "".join(lines), lines
    assert "waits for it" in lines[0] and "still being written" in lines[1] and "nothing was written" in lines[1]
    assert [p.name for p in out.iterdir()] == [".sbk.lock"]


# --- checks that must check something ------------------------------------------------------------------------


def test_verify_with_nothing_to_verify_fails(tmp_path, processed_dir, capsys):
    assert main(["verify", "/nonexistent", "--processed", str(processed_dir)]) == 2
    assert "no such file or folder" in _one_line(capsys.readouterr().err)
    empty = tmp_path / "reports"
    empty.mkdir()
    assert main(["verify", "--out", str(empty), "--processed", str(processed_dir)]) == 1
    out = capsys.readouterr().out
    assert "build.nothing_to_verify" in out and "all reports rebuild" not in out


def test_verify_fails_on_a_report_without_its_record_and_on_a_malformed_record(tmp_path, built_reports, processed_dir,
                                                                               capsys):
    reports = tmp_path / "reports"
    shutil.copytree(built_reports, reports)
    no_record = reports / "2016Q4" / "430000" / "cardholder_db"
    no_record.with_suffix(".json").unlink()
    no_record.with_suffix(".html").write_text("<p>tampered</p>", encoding="utf-8")
    broken = reports / "2016Q4" / "430000" / "applications.json"
    broken.write_text('{"job": ', encoding="utf-8")
    listed = reports / "2016Q4" / "430000" / "bank_cooperation.json"
    listed.write_text("[]", encoding="utf-8")
    assert main(["verify", "--out", str(reports), "--processed", str(processed_dir),
                 str(no_record.with_suffix(".html")), str(broken), str(listed)]) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert [line.split(": ")[1].split()[:2] for line in out] == [
        ["error", "build.record_malformed"], ["error", "build.record_malformed"], ["error", "build.record_missing"]]
    assert out[2].startswith(f"{no_record.with_suffix('.html').as_posix()}: ")


def test_a_period_or_province_without_data_is_refused_and_nothing_is_indexed(tmp_path, processed_dir, capsys):
    reports = tmp_path / "reports"
    # 北京 (110000) files from 2016 in the demo: nothing in 2015.
    for period, province in [("2017Q1", "430000"), ("2015Q4", "110000"), ("2016-11", "430000")]:
        assert main(["run", "--period", period, "--province", province, "--analysis", "cardholder_db", "coverage",
                     "--processed", str(processed_dir), "--out", str(reports)]) == 1
        assert f"no data for period {period} and province {province}" in _one_line(capsys.readouterr().err)
    assert not [p for p in reports.rglob("*") if p.name != ".sbk.lock"]


def test_the_index_drops_reports_whose_data_was_removed_and_says_so(tmp_path, built_reports, capsys):
    reports = tmp_path / "reports"
    shutil.copytree(built_reports, reports)
    processed = tmp_path / "processed"  # the demo province removed from data/raw: published figures only
    assert ingest(_published_only(tmp_path), processed).ok
    assert main(["reports", "--out", str(reports), "--processed", str(processed)]) == 0
    err = capsys.readouterr().err
    assert "left out of the index" in _one_line(err) and "430000" in err
    index = (reports / "index.html").read_text(encoding="utf-8")
    for period, province, analysis in SAMPLE_JOBS:
        published_only = province == "national" and analysis in ("coverage", "issuance_trend")  # the roll-up read forms
        assert (f'href="{period}/{province}/{analysis}.html"' in index) == published_only
    # and sbk verify does not pass a report it can no longer rebuild
    job = reports / "2016Q4" / "430000" / "cardholder_db.html"
    assert main(["verify", "--out", str(reports), "--processed", str(processed), str(job)]) == 1
    assert "build.data_missing" in capsys.readouterr().out


# --- text from files ------------------------------------------------------------------------------------------


def _with_control_characters(path: Path, marks: dict[str, str]) -> None:
    """Put control characters into a saved workbook's text as Excel stores them (``_x001B_``)."""
    with zipfile.ZipFile(path) as zf:
        members = {i.filename: zf.read(i) for i in zf.infolist()}
    for name, data in members.items():
        for mark, escaped in marks.items():
            data = data.replace(mark.encode(), escaped.encode())
        members[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_control_characters_from_a_workbook_are_escaped_and_each_finding_is_one_line(raw, capsys):
    path = write_monthly(raw / "m.xlsx", "2015-03", {"": 12.5, "430100": "ESCMARK", "430200": 80.0}, total=None)
    wb = load_workbook(path)
    wb["Sheet1"].title = "Sheet\n1 error forged.rule 伪造"  # a newline in a sheet name would start a line of its own
    wb.save(path)
    _with_control_characters(path, {"ESCMARK": "3_x001B_[2J_x0007_"})
    assert main(["validate", str(raw)]) == 1
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    lines = out.strip().splitlines()
    assert all(re.match(r"^\S.*: (error|warning) [a-z_]+\.[a-z0-9_.]+ ", line) for line in lines), lines
    hit = [line for line in lines if "\\x1b" in line]
    assert hit and "Sheet\\n1" in hit[0] and "\\x1b[2J\\x07" in hit[0], lines
    assert not any(line.startswith("1 error forged.rule") for line in lines)


def test_control_characters_are_escaped_in_the_csv_findings_too(raw, capsysbinary):
    # The CSV is printed to the terminal as often as it is saved: a raw ESC there acts, a newline forges a row.
    path = write_monthly(raw / "m.xlsx", "2015-03", {"": 12.5, "430100": "ESCMARK", "430200": 80.0}, total=None)
    wb = load_workbook(path)
    wb["Sheet1"].title = "Sheet\n1 error forged.rule 伪造"
    wb.save(path)
    _with_control_characters(path, {"ESCMARK": "3_x001B_[2J_x0007_"})
    assert main(["validate", str(raw), "--format", "csv"]) == 1
    out = capsysbinary.readouterr().out.decode("utf-8-sig")
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", out), repr(out)
    lines = out.splitlines()
    assert lines[0] == "path,sheet,cell,line,severity,code,rule,message"
    assert all(re.match(r"^[^,]*m\.xlsx,", line) for line in lines[1:]), lines  # one finding per line
    hit = [line for line in lines if "\\x1b[2J\\x07" in line]
    assert hit and "Sheet\\n1" in hit[0] and ",D5," in hit[0]
