"""The package installs: the wheel carries the notebooks, the policy catalog and the published record, and the
commands a user runs work from it in a fresh virtual environment, outside any checkout.

The fresh venv gets sbk from the wheel only; its dependencies are the test venv's, reached through a ``.pth`` line
(and their Jupyter data files, nbconvert's templates, through JUPYTER_PATH), because downloading the whole scientific
stack again would take minutes and a network. What is under test is what the wheel itself ships and how the
installed sbk finds it; the dependency list is the one pyproject.toml declares and CI installs.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(REPO)], check=True, capture_output=True)
    (built,) = out.glob("sbk-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict[str, str]]:
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    env = {**os.environ, "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("PYTHONPATH", None)
    return venv / "bin" / "sbk", env


def test_the_wheel_ships_every_notebook_the_catalog_and_the_published_record(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for nb in (REPO / "notebooks").glob("*.ipynb"):
        assert f"sbk/_bundled/notebooks/{nb.name}" in names
    for doc in (REPO / "policy_catalog").rglob("*.yaml"):
        assert f"sbk/_bundled/policy_catalog/{doc.relative_to(REPO / 'policy_catalog').as_posix()}" in names
    for csv in ("published_figures.csv", "targets.csv", "population.csv"):
        assert f"sbk/_bundled/published/{csv}" in names
    modules = {p.relative_to(REPO).as_posix() for p in (REPO / "sbk").rglob("*.py")}
    assert modules <= names, sorted(modules - names)


def test_installed_sbk_checks_the_catalog_writes_a_template_ingests_and_builds_outside_a_checkout(installed, tmp_path):
    sbk, env = installed
    project = tmp_path / "project"  # the project folder is the current folder: data/raw, data/processed, reports

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(sbk), *args], cwd=project, env=env, capture_output=True, text=True, timeout=600)

    project.mkdir()
    where = subprocess.run([str(sbk.parent / "python"), "-c", "import sbk.resources as r; print(r.in_checkout(), r.resource_dir('notebooks'))"],
                           cwd=project, env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith("False ") and "site-packages" in where, where
    done = run("catalog", "check")
    assert done.returncode == 0 and "catalog ok" in done.stdout, done.stdout + done.stderr
    done = run("template", "--form", "monthly", "--province", "430000", "--period", "2016-06", "-o", "blank.xlsx")
    assert done.returncode == 0 and (project / "blank.xlsx").stat().st_size > 0, done.stderr
    assert run("demo", "--out", "data/raw/demo").returncode == 0
    done = run("ingest", "data/raw", "--out", "data/processed")
    assert done.returncode == 0 and (project / "data" / "processed" / "datapackage.json").is_file(), done.stdout + done.stderr
    done = run("run", "--processed", "data/processed", "--out", "reports", "--period", "2016-12", "--province", "430000",
               "--analysis", "issuance_trend")
    assert done.returncode == 0 and "1 built" in done.stdout, done.stdout + done.stderr
    html = (project / "reports" / "2016-12" / "430000" / "issuance_trend.html").read_text(encoding="utf-8")
    assert "<img" in html and "合成示例" in html
    assert "Traceback" not in done.stderr
