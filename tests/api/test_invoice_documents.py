"""GET /api/invoices/{id}/pdf/ and /xml/: the stored documents, scoped."""

from __future__ import annotations

import pytest

from .conftest import NORTH_MARK, SOUTH_MARK


def _body(response):
    return b"".join(response.streaming_content)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "content_type"), [("pdf", "application/pdf"), ("xml", "application/xml")]
)
def test_it_serves_a_north_document_to_alice(kind, content_type, alice, north, api_for):
    invoice = north["invoice"]

    response = api_for(alice).get(f"/api/invoices/{invoice.pk}/{kind}/")

    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert NORTH_MARK.encode() in _body(response)
    assert f"N2026-000001.{kind}" in response["Content-Disposition"]


@pytest.mark.django_db
def test_it_serves_the_pdf_to_a_client_that_accepts_only_pdf(alice, north, api_for):
    invoice = north["invoice"]

    response = api_for(alice).get(
        f"/api/invoices/{invoice.pk}/pdf/", HTTP_ACCEPT="application/pdf"
    )

    assert response.status_code == 200
    assert _body(response).startswith(b"%PDF")


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["pdf", "xml"])
def test_it_answers_404_for_a_south_document(kind, alice, north, south, api_for):
    invoice = south["invoice"]

    response = api_for(alice).get(f"/api/invoices/{invoice.pk}/{kind}/")

    assert response.status_code == 404
    assert SOUTH_MARK.encode() not in response.content


@pytest.mark.django_db
def test_it_shows_an_invoice_with_its_lines_and_their_trace(alice, north, api_for):
    invoice = north["invoice"]

    data = api_for(alice).get(f"/api/invoices/{invoice.pk}/").json()

    assert data["full_number"] == "N2026-000001"
    assert data["total_gross"] == "57.72"
    assert [line["net_amount"] for line in data["lines"]] == ["50.00"]
    register = north["register"].pk
    assert data["lines"][0]["trace"] == {
        "readings": [{"register": register, "value": "110"}]
    }
