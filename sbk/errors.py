"""Failures that are not findings about the data: a busy output folder, an output path that is a file, Ctrl-C.

Each is reported by the CLI as one line saying what to do, never as a traceback.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["SbkError", "exit_with_parent", "ignore_sigint", "sigint_held", "worker_initializer"]


class SbkError(Exception):
    """A failure to report in one line (the message says what to do), with the exit status it ends in."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def ignore_sigint() -> None:
    """Initializer of worker processes: Ctrl-C in a terminal reaches the whole process group, and the main
    process alone answers it (one line, exit 130) instead of every worker printing a traceback. A worker started
    inside ``sigint_held`` has it held back until now: ignored from here on, and let through (to be ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


@contextmanager
def sigint_held() -> Iterator[None]:
    """Ctrl-C held back while worker processes start. A worker inherits the signal mask (forked, or spawned: the
    mask survives exec), so one started here cannot be interrupted before its initializer ignores Ctrl-C (it would
    print a traceback of its own); this process gets a Ctrl-C pressed meanwhile as the block ends."""
    if not hasattr(signal, "pthread_sigmask") or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def exit_with_parent(parent: int | None = None, poll_seconds: float = 0.5) -> None:
    """End this worker process when its main process (``parent``, the id the main process passed: it may have died
    before this runs) has gone, killed with SIGKILL or by the out-of-memory killer: otherwise a worker blocked
    sending its result down a pipe no one reads waits forever. A daemon thread watches the parent's id (the
    standard library has no portable parent-death signal)."""
    parent = os.getppid() if parent is None else parent

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_seconds)
        os._exit(1)

    threading.Thread(target=watch, name="sbk-exit-with-parent", daemon=True).start()


def worker_initializer(parent: int | None = None) -> None:
    """Initializer of sbk's worker processes (reading workbooks, building reports; ``initargs=(os.getpid(),)``):
    Ctrl-C is answered by the main process alone (``ignore_sigint``), and a worker never outlives its main
    process (``exit_with_parent``); it ends without a last collection of what it made (``sbk.bulk``)."""
    import atexit
    import gc

    from sbk.bulk import leave_uncollected

    ignore_sigint()
    exit_with_parent(parent)
    gc.enable()  # a forked worker inherits the collector paused where its parent's bulk work paused it (sbk.bulk)
    atexit.register(leave_uncollected)
