"""Login, failed login, lockout after 5 failures and logout, each in the trail."""

from __future__ import annotations

import pytest
from django.test import Client

from meterbill.audit.models import AuditEvent


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


@pytest.mark.django_db
def test_it_logs_alice_in_and_records_it(alice):
    client = Client()

    response = _login(client, "alice", "pw-alice")

    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    event = AuditEvent.objects.get(action="auth.login")
    assert event.user == alice
    assert event.branch == alice.branch


@pytest.mark.django_db
def test_it_records_a_failed_login_without_the_password(alice):
    client = Client()

    response = _login(client, "alice", "wrong-secret")

    assert response.status_code == 200
    assert b"Wrong username or password" in response.content
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.user == alice
    assert event.after["username"] == "alice"
    assert "wrong-secret" not in str(event.after)


@pytest.mark.django_db
def test_it_locks_a_username_after_five_failures(alice):
    client = Client()
    for _ in range(5):
        _login(client, "alice", "wrong")

    response = _login(client, "alice", "pw-alice")

    assert response.status_code == 429
    assert b"Too many failed logins" in response.content
    assert client.get("/dashboard/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.locked_out").exists()


@pytest.mark.django_db
def test_it_lets_the_right_password_in_after_four_failures(alice):
    client = Client()
    for _ in range(4):
        _login(client, "alice", "wrong")

    response = _login(client, "alice", "pw-alice")

    assert response.status_code == 302
    assert response["Location"] == "/"


@pytest.mark.django_db
def test_it_logs_out_and_records_it(alice):
    client = Client()
    _login(client, "alice", "pw-alice")

    response = client.post("/logout/")

    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", user=alice).exists()


def test_it_ends_sessions_after_eight_hours_and_at_browser_close(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
