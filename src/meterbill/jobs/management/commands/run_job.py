"""``meterbill run-job ID``: run one queued background job here and now.

Exit code 0 when it is done, 1 when it failed or was not queued.
"""

from __future__ import annotations

from django.core.management import BaseCommand, CommandError

from meterbill.jobs.models import Job
from meterbill.jobs.runner import run_job


class Command(BaseCommand):
    help = "Run one queued background job."

    def add_arguments(self, parser) -> None:
        parser.add_argument("job", type=int, help="job id")

    def handle(self, *args, **opts) -> None:
        state = Job.objects.filter(pk=opts["job"]).values_list("state", flat=True)
        if not state:
            raise CommandError(f"no job {opts['job']}")
        job = run_job(opts["job"])
        if job is None:
            raise CommandError(
                f"job {opts['job']} is {state[0]}, not queued; nothing run"
            )
        self.stdout.write(f"job {job.pk} ({job.get_kind_display()}): {job.state}")
        if job.state != Job.State.DONE:
            raise CommandError(f"job {job.pk} failed: {job.message}", returncode=1)
