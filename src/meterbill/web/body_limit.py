"""Refuse a request body larger than its URL allows, before anything reads it.

Django's CSRF middleware reads ``request.POST`` of every POST, and a multipart body
is then parsed and its files written to a temporary file on disk, before any view
can look at the size; an anonymous client could fill the disk that way. This
middleware, placed before the session and CSRF middlewares, answers
413 to a request whose ``Content-Length`` is over the limit of its URL without
reading a byte of the body.

A body sent without ``Content-Length`` (chunked transfer) needs no upload handler
of ours: Django's WSGI request reads at most ``Content-Length`` bytes of the body
(none when it is missing), and its multipart parser parses nothing then, so such
a request reaches the view with empty ``POST`` and ``FILES`` and writes nothing.

Limits (the multipart envelope and the other fields included):

- ``/imports/``: ``IMPORT_MAX_BYTES`` (a reading file) + 64 KB;
- ``/allocation/bills/upload/``: ``PROVIDER_INVOICE_MAX_BYTES`` (a provider's XML
  invoice) + 64 KB;
- every other URL: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's limit of a form's
  fields, 2.5 MB) + 64 KB; this covers the advance invoices' temperature file
  (1 MB at most, ``web.invoice_forms.MAX_TEMPERATURE_BYTES``).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.html import escape
from django.utils.translation import gettext as _

# The multipart boundaries, part headers and small fields around the file.
ENVELOPE = 64 * 1024
# Django's own default of DATA_UPLOAD_MAX_MEMORY_SIZE, used when it is None.
DEFAULT_FIELDS_BYTES = 2_621_440

UPLOAD_URLS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^/imports/$"), "IMPORT_MAX_BYTES"),
    (re.compile(r"^/allocation/bills/upload/$"), "PROVIDER_INVOICE_MAX_BYTES"),
]


def body_limit(path: str) -> int:
    """The largest body (bytes) a request to ``path`` may send."""
    fields = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or DEFAULT_FIELDS_BYTES
    for pattern, setting in UPLOAD_URLS:
        if pattern.match(path):
            return int(getattr(settings, setting)) + ENVELOPE
    return fields + ENVELOPE


def too_large(limit: int) -> HttpResponse:
    """The 413 answer: a small page of its own, as no session or user is known."""
    text = _("The request is larger than the upload limit of %(limit)s.") % {
        "limit": filesizeformat(limit)
    }
    return HttpResponse(
        f"<!doctype html><title>413</title><p>{escape(text)}</p>",
        status=413,
        headers={"Connection": "close"},
    )


class BodyLimitMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request.path_info)
        declared = request.META.get("CONTENT_LENGTH") or ""
        if declared.strip().isdigit() and int(declared) > limit:
            return too_large(limit)
        return self.get_response(request)
