"""Where sbk finds what it ships with: the analysis notebooks, the policy catalog and the published record.

In a checkout they are the repository's own folders (``notebooks/``, ``policy_catalog/``,
``data/raw/published/``), so that a maintainer's edit is what runs. Installed from the wheel they are the
copies packaged with it (``sbk/_bundled/...``, see ``[tool.setuptools.package-dir]`` in pyproject.toml).
The folders a user works in (raw data, processed data, reports) are never resources: they are the command's
arguments, relative to the current folder (``data/raw``, ``data/processed``, ``reports`` by default).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

__all__ = ["CHECKOUT", "resource_dir", "in_checkout"]

CHECKOUT = Path(__file__).resolve().parents[1]
_IN_CHECKOUT = {"notebooks": "notebooks", "policy_catalog": "policy_catalog", "published": "data/raw/published"}


def in_checkout() -> bool:
    """True when sbk runs from a source checkout (its notebooks folder beside the package)."""
    return (CHECKOUT / "notebooks").is_dir() and (CHECKOUT / "pyproject.toml").is_file()


def resource_dir(name: str) -> Path:
    """The folder of one shipped resource: 'notebooks', 'policy_catalog' or 'published'."""
    if name not in _IN_CHECKOUT:
        raise KeyError(name)
    if in_checkout():
        return CHECKOUT / _IN_CHECKOUT[name]
    return Path(str(files("sbk") / "_bundled" / name))
