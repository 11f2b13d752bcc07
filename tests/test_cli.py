import subprocess
import sys

from sbk.cli import main


def test_help_lists_the_commands(capsys):
    try:
        main(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    out = capsys.readouterr().out
    for cmd in ("calendar", "regions", "reports"):
        assert cmd in out


def test_usage_errors_exit_2_with_one_line():
    proc = subprocess.run([sys.executable, "-m", "sbk.cli", "no-such-command"], capture_output=True, text=True)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1


def test_calendar_prints_the_years_deadlines(capsys):
    assert main(["calendar", "2016"]) == 0
    out = capsys.readouterr().out
    assert "2016Q3" in out and "2016-10-08" in out and "国庆" in out


def test_calendar_for_a_period_before_the_regime_is_a_data_error(capsys):
    assert main(["calendar", "--period", "2014-12"]) == 1
    assert "2015" in capsys.readouterr().err


def test_regions_lists_hunan_in_code_order(capsys):
    assert main(["regions", "湖南", "--period", "2015-03"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("430000") and lines[-1].startswith("433100")


def test_regions_unknown_province_is_a_data_error(capsys):
    assert main(["regions", "火星"]) == 1
