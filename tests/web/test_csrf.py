from __future__ import annotations

import pytest
from django.test import Client

from meterbill.billing.models import Finding


@pytest.mark.django_db
def test_it_refuses_a_post_without_a_csrf_token(alice, small_building):
    finding = Finding.objects.create(
        period=small_building["period"],
        subject="register:1",
        rule="register_decrease",
        severity="block",
        message="m",
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)

    response = client.post(f"/review/{finding.pk}/accept/", {"reason": "x"})

    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.status == "open"


@pytest.mark.django_db
def test_it_refuses_a_login_without_a_csrf_token(alice):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "alice", "password": "pw-alice"})

    assert response.status_code == 403
