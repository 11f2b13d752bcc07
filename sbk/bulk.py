"""Bulk work: the cyclic garbage collector paused while a run makes many objects that all live to its end.

Reading and checking ten years of national filings makes about a hundred thousand row records and their frames;
they stay alive until the set is written, so a collection finds nothing to free, yet CPython starts a full one
every time enough new objects accumulate, walking all of them again: a fifth of the checking time and half of
receiving the workers' results, measured on the benchmark set (issue 18). Reference counting still frees
everything that is not in a cycle, and the collector takes up its usual schedule when the work is over, the block's
objects then counted as old ones (a forced collection there would walk every object again: it cost more than it
saved in the reading workers).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "leave_uncollected"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (nested blocks are fine); the collector is restored after it,
    however it ends (an error, Ctrl-C), and collects the cycles made meanwhile on its next run."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            # Everything made in the block goes to the oldest generation as it is, unexamined (freezing moves it to
            # the permanent generation, unfreezing from there to the oldest): switched back on with the block's
            # objects still counted as new, the collector would examine them all at its next allocation.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def leave_uncollected() -> None:
    """Called as a process is about to end: its last collection, which the interpreter runs at exit over every object
    still alive (the libraries' modules, the tables made), is skipped. It frees nothing the end of the process does
    not free anyway; the objects are only frozen (``gc.freeze``), so cycles with finalisers are not run: every output is
    written and closed before this point. Measured: 0.25 s of a one-workbook ``sbk validate``, 0.4 s at the end of
    a national ingest (issue 18)."""
    gc.freeze()
