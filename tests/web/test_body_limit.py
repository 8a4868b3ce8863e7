"""A request body over the limit of its URL is refused (413) before anything reads
it, for anonymous clients too (web.body_limit)."""

from __future__ import annotations

import io

import pytest
from django.test import Client, RequestFactory

from meterbill.web.body_limit import ENVELOPE, BodyLimitMiddleware, body_limit


class Unreadable(io.RawIOBase):
    """A request body that fails the test if anything reads it."""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer):  # type: ignore[no-untyped-def]
        raise AssertionError("the body was read")


def _post(path: str, length: int | None):
    request = RequestFactory().post(path, data=b"", content_type="multipart/form-data")
    request.META["wsgi.input"] = Unreadable()
    request._stream = Unreadable()  # what request.body / POST would read
    if length is None:
        request.META.pop("CONTENT_LENGTH", None)
    else:
        request.META["CONTENT_LENGTH"] = str(length)
    return request


def test_it_answers_413_without_reading_a_body_over_the_import_limit(settings):
    settings.IMPORT_MAX_BYTES = 1000
    reached = []
    middleware = BodyLimitMiddleware(lambda request: reached.append(request))

    # 1000 bytes of file + the 64 KB envelope is the limit of /imports/
    response = middleware(_post("/imports/", 1000 + ENVELOPE + 1))

    assert response.status_code == 413
    assert b"larger than the upload limit" in response.content
    assert reached == []


def test_it_lets_a_body_within_the_limit_through(settings):
    settings.IMPORT_MAX_BYTES = 1000
    reached = []
    middleware = BodyLimitMiddleware(lambda request: reached.append(request) or 200)

    middleware(_post("/imports/", 1000 + ENVELOPE))

    assert len(reached) == 1


def test_other_urls_get_the_limit_of_a_forms_fields(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, 2.5 MB
    settings.IMPORT_MAX_BYTES = 50 << 20
    settings.PROVIDER_INVOICE_MAX_BYTES = 10 << 20

    assert body_limit("/accounts/login/") == 2_621_440 + 65_536
    assert body_limit("/periods/7/advances/") == 2_621_440 + 65_536
    assert body_limit("/imports/") == 52_428_800 + 65_536
    assert body_limit("/allocation/bills/upload/") == 10_485_760 + 65_536


@pytest.mark.django_db
def test_an_anonymous_post_over_the_limit_is_refused_before_csrf(settings):
    # given no session, no CSRF token: the CSRF middleware would read the body
    # (and store its files) before answering 403
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        "/accounts/login/", {"f": io.BytesIO(b"x" * (1000 + ENVELOPE + 1))}
    )

    assert response.status_code == 413


def test_a_body_without_content_length_is_never_read():
    # chunked transfer: Django's request reads at most Content-Length bytes (none
    # here), so POST and FILES stay empty and no file is written
    request = _post("/imports/", None)
    seen = []

    BodyLimitMiddleware(lambda r: seen.append((dict(r.POST), dict(r.FILES))))(request)

    assert seen == [({}, {})]
