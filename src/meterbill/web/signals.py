"""Logins, failed logins, logouts and lockouts go into the audit trail."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import (
    user_logged_in,
    user_logged_out,
    user_login_failed,
)
from django.dispatch import receiver

from meterbill.audit import trail
from meterbill.orgs.models import User


def _client(request: Any) -> dict[str, str]:
    if request is None:
        return {}
    return {"ip": request.META.get("REMOTE_ADDR", "")}


@receiver(user_logged_in, dispatch_uid="meterbill.audit.login")
def record_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    trail.record(
        "auth.login", user=user, branch=user.branch, obj=user, after=_client(request)
    )


@receiver(user_logged_out, dispatch_uid="meterbill.audit.logout")
def record_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is None:
        return
    trail.record("auth.logout", user=user, branch=user.branch, obj=user)


def _known_user(username: str) -> User | None:
    return User.objects.filter(username=username).select_related("branch").first()


@receiver(user_login_failed, dispatch_uid="meterbill.audit.login_failed")
def record_login_failed(
    sender: Any, credentials: dict, request: Any = None, **kwargs: Any
) -> None:
    # The password is never recorded: Django has already masked it, and only the
    # username is kept.
    username = str(credentials.get("username", ""))[:150]
    user = _known_user(username)
    trail.record(
        "auth.login_failed",
        user=user,
        branch=user.branch if user else None,
        object_type="orgs.user",
        object_id=str(user.pk) if user else "",
        after={"username": username, **_client(request)},
    )


@receiver(user_locked_out, dispatch_uid="meterbill.audit.locked_out")
def record_locked_out(
    sender: Any, request: Any = None, username: str = "", **kwargs: Any
) -> None:
    user = _known_user(username or "")
    trail.record(
        "auth.locked_out",
        user=user,
        branch=user.branch if user else None,
        object_type="orgs.user",
        object_id=str(user.pk) if user else "",
        after={"username": username, **_client(request)},
    )
