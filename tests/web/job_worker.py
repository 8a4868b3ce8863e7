"""A job worker for the browser tests: ``meterbill worker``'s loop in a thread of
the test process, on the live server's in-memory SQLite connection (a worker
process could not see that database)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def background_worker() -> Iterator[Callable[[], None]]:
    """Gives a function that starts the worker; the worker stops on leaving."""
    from django.db import connections

    from meterbill.jobs.worker import serve

    shared = connections["default"]
    stop = threading.Event()
    threads: list[threading.Thread] = []

    def work() -> None:
        connections["default"] = shared
        serve(stop, poll_seconds=0.2)

    def start() -> None:
        shared.inc_thread_sharing()
        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        threads.append(thread)

    try:
        yield start
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
            shared.dec_thread_sharing()
