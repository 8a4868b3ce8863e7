"""Every API route, filled with the south branch's ids, requested by alice (north)
with her token and by an anonymous caller: never south's data, no state change in
south, and nothing at all without credentials."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from .conftest import SOUTH_MARK


def _api_patterns(resolvers, namespace=""):
    for p in resolvers:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _api_patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name and namespace == "api":
            yield f"api:{p.name}", list(p.pattern.regex.groupindex)


def _south_ids(south):
    objects = [obj for key, obj in south.items() if key != "event"]
    return sorted({obj.pk for obj in [*objects, south["invoice"].contract]})


# 9 lists, the schema and its two pages (Swagger UI, Redoc); 9 details and the
# invoice's PDF and XML, per south id.
def _expected(south):
    return 12 + 11 * len(_south_ids(south))


def _urls(south):
    ids = _south_ids(south)
    for name, params in _api_patterns(get_resolver().url_patterns):
        if "format" in params:
            continue
        if not params:
            yield reverse(name)
            continue
        for pk in ids:
            yield reverse(name, kwargs={params[0]: pk})


def _content(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _walk(client, south):
    seen = 0
    for url in _urls(south):
        for method in (client.get, client.post, client.put, client.delete):
            response = method(url)

            assert response.status_code in (200, 400, 403, 404, 405), (method, url)
            assert SOUTH_MARK.encode() not in _content(response), url
        seen += 1
    return seen


@pytest.mark.django_db
def test_it_never_shows_alice_an_object_of_the_south_branch(
    alice, north, south, api_for
):
    client = api_for(alice)

    seen = _walk(client, south)

    assert seen == _expected(south)
    south["finding"].refresh_from_db()
    assert south["finding"].status == "open"
    assert south["register"].readings.count() == 2
    assert south["residence"].__class__.objects.filter(pk=south["residence"].pk)


@pytest.mark.django_db
def test_it_walks_every_api_route_with_a_session_too(alice, north, south, client):
    client.force_login(alice)

    assert _walk(client, south) == _expected(south)


@pytest.mark.django_db
def test_it_answers_an_anonymous_caller_401_everywhere(south):
    client = APIClient()

    for url in _urls(south):
        for method in (client.get, client.post):
            assert method(url).status_code == 401, url


@pytest.mark.django_db
def test_an_id_filter_beyond_64_bits_is_a_bad_request(north, alice, api_for):
    response = api_for(alice).get(
        "/api/readings/", {"register": "99999999999999999999"}
    )

    assert response.status_code == 400
