"""Jupyter-first: every notebook runs as opened (no papermill), and JupyterLab serves them with the project kernel."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import REPO

NOTEBOOKS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def workspace(processed_dir, tmp_path_factory) -> Path:
    """notebooks/ next to data/processed, as in the repository, with the embedded data ingested."""
    root = tmp_path_factory.mktemp("workspace")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    shutil.copytree(processed_dir, root / "data" / "processed")
    return root


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_top_to_bottom_as_opened(workspace, name):
    path = workspace / "notebooks" / name
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "sbk"
    NotebookClient(nb, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors, [f"{e.ename}: {e.evalue}" for e in errors]
    text = json.dumps([c.outputs for c in nb.cells if c.cell_type == "code"], ensure_ascii=False)
    assert "无数据" not in text or name == "_template.ipynb" or "national" in text, "defaults should find the embedded data"
    assert "image/png" in text


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_jupyter_lab_lists_the_notebooks_and_the_project_kernel():
    port, token = _free_port(), "sbk-test-token"
    jupyter = Path(sys.executable).parent / "jupyter"
    proc = subprocess.Popen(
        [str(jupyter), "lab", "--no-browser", "--allow-root", "--ip=127.0.0.1", f"--port={port}", f"--IdentityProvider.token={token}",
         f"--ServerApp.root_dir={REPO / 'notebooks'}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        def get(path: str) -> dict:
            req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"token {token}"})
            with urllib.request.urlopen(req, timeout=5) as resp:
                return json.loads(resp.read())

        deadline = time.monotonic() + 60
        while True:
            try:
                get("/api/status")
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("jupyter lab did not start")
                time.sleep(0.5)
        listed = {item["name"] for item in get("/api/contents")["content"]}
        assert set(NOTEBOOKS) <= listed
        specs = get("/api/kernelspecs")["kernelspecs"]
        assert "sbk" in specs and specs["sbk"]["spec"]["display_name"] == "Python (sbk)"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
