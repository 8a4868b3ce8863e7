"""With CELERY_BROKER_URL set, a launched job is sent to Celery as the task
``meterbill.jobs.tasks.run_job`` (queue "jobs"), and a bill-run job fans its chunks
out as ``run_chunk`` tasks and follows them in the chunk table. Celery runs the
tasks eagerly here (in this process): the test database is SQLite in memory, which
a worker process cannot reach; tests/billing/test_billrun_on_celery_workers.py runs
real workers on PostgreSQL and MariaDB."""

from __future__ import annotations

import pytest

from meterbill.invoicing.models import Invoice
from meterbill.jobs.services import launch_bill_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def eager_celery(settings):
    from meterbill.celery import app

    settings.CELERY_BROKER_URL = "memory://"
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = False


def test_a_launched_bill_run_runs_as_celery_tasks(
    small_building,
    alice,
    settings,
    out_dir,
    eager_celery,
    django_capture_on_commit_callbacks,
):
    from meterbill.jobs.tasks import run_job

    settings.BILLRUN_CHUNK_SIZE = 1
    settings.JOB_POLL_SECONDS = 0.01

    with django_capture_on_commit_callbacks(execute=True) as sent:
        job = launch_bill_run(small_building["period"], alice)
    job.refresh_from_db()

    assert len(sent) == 1
    assert eager_celery.amqp.router.route({}, run_job.name)["queue"].name == "jobs"
    assert job.state == "done", job.message
    assert job.result["summary"]["issued"] == 3
    assert (job.step, job.done, job.total) == ("documents", 3, 3)
    assert Invoice.objects.exclude(pdf_file="").count() == 3
