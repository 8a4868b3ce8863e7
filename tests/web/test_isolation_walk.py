"""Every URL of the project, filled with the south branch's ids, requested by alice
(north) and by an anonymous visitor: never a 200 that shows south's data, and no
state change in south."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from .conftest import SOUTH_MARK

WORDS = {"kind": ["pdf", "xml"], "verb": ["accept", "correct", "reject"]}


def _patterns(resolvers, prefix=""):
    for p in resolvers:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            params = list(p.pattern.converters) or list(p.pattern.regex.groupindex)
            yield f"{prefix}{p.name}", params


def _values(param, south):
    if param in WORDS:
        return WORDS[param]
    if param.endswith("_id") and param != "object_id":
        obj = south.get(param[: -len("_id")])
        return [obj.pk] if obj else [south["residence"].pk]
    if param == "app_label":
        return ["premises", "invoicing", "billing", "metering"]
    # pk, object_id, … : every south object's id.
    return sorted({obj.pk for key, obj in south.items() if key != "event"})


def _urls(south):
    for name, params in _patterns(get_resolver().url_patterns):
        combos = [{}]
        for param in params:
            combos = [{**c, param: v} for c in combos for v in _values(param, south)]
        for kwargs in combos:
            try:
                yield reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue


def _content(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _walk(client, south):
    seen = 0
    for url in _urls(south):
        if url.endswith("/logout/"):
            continue  # would end the session the walk runs in
        for method in (client.get, client.post):
            response = method(url)

            assert response.status_code in (200, 302, 400, 403, 404, 405), url
            assert SOUTH_MARK.encode() not in _content(response), url
            if response.status_code == 302:
                followed = client.get(response["Location"])
                assert SOUTH_MARK.encode() not in _content(followed), url
        seen += 1
    return seen


@pytest.mark.django_db
def test_it_never_shows_alice_an_object_of_the_south_branch(alice, south, client_for):
    client = client_for(alice)

    seen = _walk(client, south)

    assert seen > 30
    assert client.get("/dashboard/").status_code == 200  # still logged in
    south["finding"].refresh_from_db()
    assert south["finding"].status == "open"
    assert south["reading"].register.readings.count() == 2
    assert south["bill_run"].period.billrun_set.count() == 1


@pytest.mark.django_db
def test_it_sends_an_anonymous_visitor_to_the_login_page(south, client):
    for url in _urls(south):
        if url.endswith(("/login/", "/logout/")):
            continue

        response = client.get(url)

        # Pages redirect to the login; the API answers 401 (tests/api walks it too).
        assert response.status_code in (302, 401, 404, 405), url
        if response.status_code == 401:
            assert url.startswith("/api/"), url
        if response.status_code == 302:
            assert "login" in response["Location"], url
