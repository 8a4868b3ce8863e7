"""Pausing Python's cyclic garbage collector around bulk work.

A bill run or an import makes millions of small objects (tuples, Decimals, lines)
and keeps them until it writes them. None of them is part of a reference cycle, so
reference counting frees them; but the cyclic collector, triggered by every few
hundred allocations, scans the ever larger set of live objects again and again. On
the rating and import benchmarks that cost half of the time. ``paused`` turns it
off for the duration of a block and back on (if it was on) afterwards.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """Run the block without the cyclic garbage collector."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
