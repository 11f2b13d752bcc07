"""The version of the code a result was made with: one hash of the package source and the policy catalog."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from sbk import __version__

__all__ = ["source_hash"]

REPO = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def source_hash() -> str:
    """sha256 of sbk's version, every ``sbk/**/*.py`` and every ``policy_catalog/**/*.yaml`` (paths and bytes).

    The source, not the commit id, so unrelated commits leave results current. Computed once per process:
    a long-lived process (a Dask worker) keeps reporting the code it imported, which is what it runs.
    """
    h = hashlib.sha256(__version__.encode())
    for folder, pattern in (("sbk", "*.py"), ("policy_catalog", "*.yaml")):
        for p in sorted((REPO / folder).rglob(pattern)):
            h.update(p.relative_to(REPO).as_posix().encode())
            h.update(p.read_bytes())
    return h.hexdigest()
