"""Failures that are not findings about the data: a busy output folder, an output path that is a file, Ctrl-C.

Each is reported by the CLI as one line saying what to do, never as a traceback.
"""

from __future__ import annotations

import signal

__all__ = ["SbkError", "ignore_sigint"]


class SbkError(Exception):
    """A failure to report in one line (the message says what to do), with the exit status it ends in."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def ignore_sigint() -> None:
    """Initializer of worker processes: Ctrl-C in a terminal reaches the whole process group, and the main
    process alone answers it (one line, exit 130) instead of every worker printing a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
