"""The version of the code a result was made with: one hash of the package source and the policy catalog."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from sbk import __version__
from sbk.resources import resource_dir

__all__ = ["source_hash"]

REPO = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def source_hash() -> str:
    """sha256 of sbk's version, every ``sbk/**/*.py``, ``sbk/data/*.csv`` (the tile layout) and every
    ``policy_catalog/**/*.yaml`` (paths and bytes).

    The source, not the commit id, so unrelated commits leave results current. Computed once per process:
    a long-lived process (a Dask worker) keeps reporting the code it imported, which is what it runs.
    """
    h = hashlib.sha256(__version__.encode())
    # The same hash from a checkout and from the installed wheel: paths are hashed relative to each folder.
    for name, folder, pattern in (("sbk", REPO / "sbk", "*.py"), ("sbk", REPO / "sbk", "data/*.csv"),
                                  ("policy_catalog", resource_dir("policy_catalog"), "*.yaml")):
        for p in sorted(q for q in folder.rglob(pattern) if "_bundled" not in q.relative_to(folder).parts):
            h.update(f"{name}/{p.relative_to(folder).as_posix()}".encode())
            h.update(p.read_bytes())
    return h.hexdigest()
