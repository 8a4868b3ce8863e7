"""Without a token or a session, every endpoint answers 401."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/api/residences/", "/api/readings/", "/api/invoices/", "/api/schema/"],
)
def test_it_refuses_an_anonymous_caller(path):
    response = APIClient().get(path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
def test_it_refuses_a_wrong_token(north):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000")

    response = client.get("/api/residences/")

    assert response.status_code == 401
