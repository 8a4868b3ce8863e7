from __future__ import annotations

from django.test import Client


def test_it_shows_no_stack_trace_on_a_server_error(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = "web.urls_boom"
    client = Client(raise_request_exception=False)

    response = client.get("/boom/")

    assert response.status_code == 500
    assert b"Something went wrong" in response.content
    assert b"Traceback" not in response.content
    assert b"hunter2" not in response.content
