"""``meterbill serve-demo``: migrate, build the demo portfolio and its bill runs if
the database is empty, then serve the web application on 127.0.0.1:8000 with a job
worker beside it (``meterbill worker``: bill runs, imports and documents launched in
the browser run there, not in the request)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

from django.core.management import BaseCommand, call_command

from meterbill.orgs.models import Organisation


class Command(BaseCommand):
    help = "Migrate, load the demo data if there is none, and run the web server."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args, **options) -> None:
        call_command("migrate", verbosity=0)
        if not Organisation.objects.exists():
            call_command("demo", stdout=self.stdout)
        self.stdout.write(
            f"Log in at http://127.0.0.1:{options['port']}/ as admin, buc-operator, "
            "… (password meterbill-demo; see docs/web.md)"
        )
        worker = WorkerProcess(self.stdout.write)
        worker.start()
        # A process manager stops us with SIGTERM: end as Ctrl-C does, worker too.
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        try:
            # DEBUG is off (as in production): runserver then serves the static
            # files only when told to.
            call_command(
                "runserver",
                f"127.0.0.1:{options['port']}",
                use_reloader=False,
                insecure_serving=True,
            )
        finally:
            worker.stop()


class WorkerProcess:
    """``meterbill worker`` as a child process, started again if it dies (the job
    it was running is then marked failed by the new one, and can be resumed)."""

    def __init__(self, say) -> None:
        self.say = say
        self.stopping = threading.Event()
        self.proc: subprocess.Popen | None = None
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def _spawn(self) -> subprocess.Popen:
        # A session of its own: when the worker dies, its leftover children (the
        # PDF pool) are ended with it, as one process group.
        # --parent: it stops by itself if this process is killed before it can
        # stop it. Our interpreter, our arguments: no outside input.
        return subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "meterbill.cli",
                "worker",
                "--parent",
                str(os.getpid()),
            ],
            start_new_session=True,
        )

    def _end_group(self, sig: int) -> None:
        assert self.proc is not None
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass

    def start(self) -> None:
        self.proc = self._spawn()
        self.thread.start()

    def _watch(self) -> None:
        while not self.stopping.is_set():
            assert self.proc is not None
            code = self.proc.wait()
            if self.stopping.is_set():
                return
            self._end_group(signal.SIGKILL)
            self.say(f"job worker stopped (exit code {code}); starting a new one")
            self.stopping.wait(1)
            self.proc = self._spawn()

    def stop(self) -> None:
        """Let the worker finish the job in hand (a minute at most), then end it."""
        self.stopping.set()
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                pass
        self._end_group(signal.SIGKILL)
