"""Writing files atomically: a temporary file in the same folder, flushed, then renamed over the target.

A reader (or a run killed half-way) sees either the old file or the new one, never a part.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

__all__ = ["remove_stale_temporaries", "write_atomic"]


def write_atomic(target: str | Path, data: bytes) -> bool:
    """Replace ``target`` with ``data`` (temporary file in the same folder, fsync, rename).

    Returns True when the file was written.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return True


_TEMPORARY = re.compile(r"^\..+\.[A-Za-z0-9_]{8}\.tmp$")  # mkstemp's name for write_atomic's file


def remove_stale_temporaries(folder: str | Path) -> int:
    """Delete temporary files a killed writer left under ``folder``; return how many.

    Call it only when no other writer is at work in the folder (at the start of a run).
    """
    folder = Path(folder)
    if not folder.exists():
        return 0
    n = 0
    for p in folder.rglob(".*.tmp"):
        if p.is_file() and _TEMPORARY.match(p.name):
            p.unlink(missing_ok=True)
            n += 1
    return n
