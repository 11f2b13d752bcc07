"""One writer per output folder: a lock held while ``sbk ingest`` writes ``data/processed`` or ``sbk run`` writes
``reports/``, so two runs at once never leave a mix of both.

The lock is ``.sbk.lock`` in the folder itself (filelock, an ``flock``: the kernel releases it when its holder
dies, so a killed run never leaves the folder locked). A second writer says once that it waits, and gives up
after ``SBK_LOCK_TIMEOUT`` seconds (default 900) with one line saying what to do.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sbk.errors import SbkError

__all__ = ["LOCK_NAME", "lock_timeout", "output_folder", "output_lock"]

LOCK_NAME = ".sbk.lock"
_DEFAULT_TIMEOUT = 900.0  # a whole national ingest takes under a minute and a full build a few: 15 min is generous


def lock_timeout() -> float:
    """Seconds a second writer waits before it gives up (``SBK_LOCK_TIMEOUT``)."""
    raw = os.environ.get("SBK_LOCK_TIMEOUT", "")
    try:
        value = float(raw) if raw else _DEFAULT_TIMEOUT
    except ValueError:
        raise SbkError(f"SBK_LOCK_TIMEOUT={raw!r} is not a number of seconds", exit_code=2) from None
    return max(value, 0.0)


def output_folder(folder: Path, option: str = "--out", create: bool = True) -> Path:
    """Refuse (exit 2) a path that is a file or lies under one; create the folder unless ``create`` is False."""
    if folder.is_symlink() and not folder.exists():
        raise SbkError(f"{option} {folder} is a link to {os.readlink(folder)}, which does not exist: "
                       "create that folder or give another", exit_code=2)
    for p in (folder, *folder.parents):
        if p.exists() and not p.is_dir():
            raise SbkError(f"{option} {folder} names a file ({p}), not a folder: give a folder", exit_code=2)
        if p.exists():
            break
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


@contextmanager
def output_lock(folder: Path, what: str, on_wait: Callable[[str], None] | None = None,
                timeout: float | None = None) -> Iterator[None]:
    """Hold ``folder``'s writer lock; ``what`` names the writer in messages (e.g. "sbk ingest").

    When another process holds it, ``on_wait`` gets one message and this waits up to ``timeout`` seconds,
    then raises SbkError (exit 1) without having written anything.
    """
    # Imported here: the readers (sbk validate, the reading workers) know the lock file's name but never take it.
    from filelock import FileLock, Timeout

    output_folder(folder)
    timeout = lock_timeout() if timeout is None else timeout
    lock = FileLock(folder / LOCK_NAME, thread_local=False)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        if on_wait is not None:
            on_wait(f"{folder} is being written by another sbk process; {what} waits for it (up to {timeout:g} s)")
        try:
            lock.acquire(timeout=timeout)
        except Timeout:
            raise SbkError(f"{folder} was still being written by another sbk process after {timeout:g} s: "
                           f"let it finish (or stop it) and run {what} again; nothing was written") from None
    try:
        yield
    finally:
        lock.release()

