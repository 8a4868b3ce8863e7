from __future__ import annotations

import pytest
from django.test import Client

# The request runs the whole middleware stack (sessions, axes), which may query: with
# the database mark its connection is the test's, closed with it (without it, the
# PostgreSQL test database could not be dropped at the end of the run).
pytestmark = pytest.mark.django_db


def test_it_shows_no_stack_trace_on_a_server_error(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "web.urls_boom"
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Traceback" not in response.content
    assert b"hunter2" not in response.content
