"""``meterbill serve-demo``: migrate, build the demo portfolio and its bill runs if
the database is empty, then serve the web application on 127.0.0.1:8000."""

from __future__ import annotations

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
        call_command("runserver", f"127.0.0.1:{options['port']}", use_reloader=False)
