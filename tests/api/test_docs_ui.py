"""/api/docs/ (Swagger UI) and /api/redoc/ (Redoc) read the schema in the browser,
with their scripts from our own static files, never from a CDN."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "script"), [("/api/docs/", "swagger-ui"), ("/api/redoc/", "redoc")]
)
def test_it_serves_the_docs_page_from_local_static_files(alice, client, url, script):
    client.force_login(alice)

    page = client.get(url).content.decode()

    sources = re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', page)
    assert sources
    assert all(s.startswith("/static/drf_spectacular_sidecar/") for s in sources)
    assert any(script in s for s in sources)
    for s in sources:
        assert finders.find(s.removeprefix("/static/")), s
    assert "/api/schema/" in page
    if script == "swagger-ui":
        assert '"validatorUrl": null' in page
    # Nothing from another host: no CDN, no web fonts, no online validator.
    assert "https://" not in page
    assert "http://" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_it_asks_an_anonymous_visitor_to_log_in(client, url):
    response = client.get(url)

    assert response.status_code == 401
