"""``meterbill api-token USERNAME`` prints the user's token, creating it once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from meterbill.audit.models import AuditEvent


def _token(*args):
    out = StringIO()
    call_command("api_token", *args, stdout=out)
    return out.getvalue().strip()


@pytest.mark.django_db
def test_it_creates_a_token_that_opens_the_api(alice, north):
    key = _token("alice")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    response = client.get("/api/residences/")

    assert Token.objects.get(user=alice).key == key
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="api.token.create")
    assert key not in str(event.after)


@pytest.mark.django_db
def test_it_prints_the_same_token_twice(alice):
    assert _token("alice") == _token("alice")
    assert AuditEvent.objects.filter(action="api.token.create").count() == 1


@pytest.mark.django_db
def test_it_replaces_the_token_on_reset(alice):
    first = _token("alice")

    second = _token("alice", "--reset")

    assert second != first
    assert not Token.objects.filter(key=first).exists()


@pytest.mark.django_db
def test_it_names_an_unknown_user(alice):
    with pytest.raises(CommandError, match="field username: unknown user 'mallory'"):
        _token("mallory")
