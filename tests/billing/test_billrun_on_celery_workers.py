"""The bill run fanned out over a real Celery worker process (Redis broker), on the
real test database: only where a second process can reach that database (PostgreSQL,
MariaDB) and a Redis server answers on 127.0.0.1:6379."""

import os
import socket
import subprocess
import sys
import time
from datetime import date

import pytest
from django.db import connection

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice

BROKER = "redis://127.0.0.1:6379/7"


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def _database_url() -> str:
    s = connection.settings_dict
    scheme = {"postgresql": "postgres", "mysql": "mysql"}[connection.vendor]
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"{scheme}://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT']}/{s['NAME']}"


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
@pytest.mark.django_db(transaction=True)
def test_chunks_run_on_a_worker_and_issue_each_invoice_once(small_building, settings):
    if connection.vendor == "sqlite":
        pytest.skip("a worker process cannot see SQLite's in-memory test database")
    settings.BILLRUN_CHUNK_SIZE = 1
    from meterbill.celery import app

    app.conf.broker_url = BROKER
    app.conf.result_backend = BROKER
    proc = _start_worker()
    try:
        run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    finally:
        proc.terminate()
        proc.wait(timeout=30)

    assert run.summary["failed_chunks"] == 0
    assert run.summary["issued"] == 3
    numbers = sorted(Invoice.objects.values_list("number", flat=True))
    assert numbers == [1, 2, 3]


def _start_worker() -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "CELERY_RESULT_BACKEND": BROKER,
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "meterbill.celery",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "warning",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
    )
    time.sleep(5)
    return proc
