"""``meterbill api-token USERNAME [--reset]``: print the user's API token, creating
it first if the user has none."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from meterbill.audit import trail


class Command(BaseCommand):
    help = "Print a user's API token (created if missing; --reset replaces it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument(
            "--reset", action="store_true", help="replace the existing token"
        )

    def handle(self, *args: Any, username: str, reset: bool, **options: Any) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"field username: unknown user {username!r}")
        if not user.is_active:
            raise CommandError(f"field username: user {username!r} is inactive")

        with transaction.atomic():
            if reset:
                Token.objects.filter(user=user).delete()
            token, created = Token.objects.get_or_create(user=user)
            if created:
                # The key itself never goes into the trail.
                trail.record(
                    "api.token.reset" if reset else "api.token.create",
                    branch=getattr(user, "branch", None),
                    object_type="orgs.user",
                    object_id=str(user.pk),
                    after={"username": user.username},
                )
        self.stdout.write(token.key)
