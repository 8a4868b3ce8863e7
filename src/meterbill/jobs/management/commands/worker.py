"""``meterbill worker``: run the background jobs that users launch in the browser
(bill runs, reading imports, invoice documents), polling the job table.

``make serve`` starts one beside the web server. Any number may run: each job is
claimed by one of them. ``--once`` runs what is queued and exits.
"""

from __future__ import annotations

import os
import signal
import threading

from django.core.management import BaseCommand

from meterbill.jobs.runner import reap, worker_name
from meterbill.jobs.worker import run_queued, serve


class Command(BaseCommand):
    help = "Run queued background jobs (bill runs, imports, documents)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--once", action="store_true", help="run what is queued, then exit"
        )
        parser.add_argument(
            "--poll", type=float, default=0, help="seconds between looks (default 1)"
        )
        parser.add_argument(
            "--parent",
            type=int,
            default=0,
            help="process id: stop when that process has ended",
        )

    def handle(self, *args, **opts) -> None:
        reap()
        if opts["once"]:
            ran = run_queued()
            self.stdout.write(f"{ran} job(s) run")
            return
        stop = threading.Event()
        worker_pid = os.getpid()

        def on_term(*_args) -> None:
            # The PDF pool's forked processes inherit this handler: they just end.
            if os.getpid() != worker_pid:
                os._exit(1)
            stop.set()  # the worker lets the job in hand finish, then stops

        signal.signal(signal.SIGTERM, on_term)
        self.stdout.write(f"job worker {worker_name()} waiting for jobs")
        try:
            serve(stop, opts["poll"] or None, parent=opts["parent"])
        except KeyboardInterrupt:
            stop.set()
