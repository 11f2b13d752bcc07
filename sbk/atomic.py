"""Writing files atomically: a temporary file in the same folder, flushed, then renamed over the target.

A reader (or a run killed half-way) sees either the old file or the new one, never a part.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_atomic"]


def write_atomic(target: str | Path, data: bytes, skip_if_same: bool = False) -> bool:
    """Replace ``target`` with ``data``; with ``skip_if_same``, leave it alone when it already holds them.

    Returns True when the file was written.
    """
    target = Path(target)
    if skip_if_same and target.exists() and target.read_bytes() == data:
        return False
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
