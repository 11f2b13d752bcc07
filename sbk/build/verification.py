"""``sbk verify``: rebuild reports on fresh kernels into a temporary folder and list those whose bytes differ."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Iterable

from sbk.build.record import ReportRecord
from sbk.build.runner import build_job

__all__ = ["verify"]


def verify(reports: Path, processed: Path, only: Iterable[Path] | None = None) -> list[str]:
    """Rebuild each report (or those under ``only``) into a temporary folder; list those that differ."""
    metas = sorted(reports.glob("*/*/*.json"))
    if only:
        prefixes = [Path(p).resolve() for p in only]
        metas = [m for m in metas if any(str(m.resolve()).startswith(str(p).removesuffix(".html")) for p in prefixes)]
    differing: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for meta_path in metas:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            if "job" not in meta:
                continue  # not a build record
            job = ReportRecord.from_dict(meta).job
            build_job(job, processed, Path(tmp), force=True)
            fresh = job.paths(Path(tmp))["html"].read_bytes()
            current = job.paths(reports)["html"]
            if not current.exists() or current.read_bytes() != fresh:
                differing.append(str(current))
    return differing
