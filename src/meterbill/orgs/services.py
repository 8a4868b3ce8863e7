"""Setting up organisations' branches."""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction

from meterbill.audit import trail

from .models import Branch, Organisation

SAFE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,15}")


class SetupRefused(Exception):
    """A set-up step cannot be done; the message says why in one line."""


def organisation_named(name: str | None) -> Organisation:
    """The organisation called ``name``, or the only one when no name is given."""
    orgs = Organisation.objects.all()
    if name:
        orgs = orgs.filter(name=name)
    found = list(orgs[:2])
    if len(found) == 1:
        return found[0]
    if not found:
        raise SetupRefused(f"no organisation {name!r}" if name else "no organisation")
    raise SetupRefused("several organisations: name one with --organisation")


def add_branch(
    org: Organisation,
    code: str,
    name: str,
    parent_code: str | None = None,
    time_zone: str = "UTC",
    user: Any = None,
) -> Branch:
    from zoneinfo import available_timezones

    if not SAFE_CODE.fullmatch(code):
        raise SetupRefused(
            f"branch code {code!r}: 1 to 16 letters, digits, '_' or '-' (it names "
            f"invoice series and document folders)"
        )
    if time_zone not in available_timezones():
        raise SetupRefused(f"unknown time zone {time_zone!r}")
    parent = None
    if parent_code:
        parent = Branch.objects.filter(organisation=org, code=parent_code).first()
        if parent is None:
            raise SetupRefused(f"no branch {parent_code!r} to put {code!r} under")
    try:
        with transaction.atomic():
            branch = Branch.objects.create(
                organisation=org,
                code=code,
                name=name,
                parent=parent,
                time_zone=time_zone,
            )
            trail.record(
                "branch.add",
                user=user,
                branch=branch,
                obj=branch,
                after={"code": code, "name": name, "parent": parent_code},
            )
    except IntegrityError as exc:
        raise SetupRefused(f"branch {code!r} exists already") from exc
    return branch
