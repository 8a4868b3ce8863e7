"""The VAT schedule screen asks categories E, AE and O why no VAT is charged (an
exemption reason or a VATEX code, EN 16931 BR-E-10, BR-AE-10, BR-O-10) and
refuses one on S and Z (BR-S-10, BR-Z-10); the reason is listed and audited."""

from __future__ import annotations

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.tariffs.models import VatRate

from .conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(branches):
    return make_user("ada", branches["north"], "administrator")


def _rate(category, rate="0"):
    return {"category": category, "rate_percent": rate, "valid_from": "2027-01-01"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        # E with neither a reason nor a code
        (_rate("E"), "exemption_reason"),
        ({**_rate("O", ""), "exemption_reason": "   "}, "exemption_reason"),
        # not a code of the VATEX list
        ({**_rate("AE"), "exemption_code": "REVERSE"}, "exemption_code"),
        # S charges VAT: it states no exemption
        ({**_rate("S", "19"), "exemption_reason": "Exempt"}, "exemption_reason"),
        ({**_rate("Z"), "exemption_code": "VATEX-EU-132"}, "exemption_reason"),
    ],
)
def test_it_refuses_an_exemption_against_en16931(admin, client_for, data, field):
    response = client_for(admin).post("/config/vat/new/", data)

    assert response.status_code == 422
    assert list(response.context["form"].errors) == [field]
    assert not VatRate.objects.exists()


def test_it_stores_lists_and_audits_a_reason_and_code(admin, client_for):
    client = client_for(admin)
    data = {
        **_rate("E"),
        "exemption_reason": "Exempt under Article 132 of Directive 2006/112/EC",
        "exemption_code": " vatex-eu-132 ",
    }

    response = client.post("/config/vat/new/", data)
    page = client.get("/config/vat/").content.decode()

    # the code is stored in upper case, without the spaces
    assert response.status_code == 302
    rate = VatRate.objects.get()
    assert (rate.category, rate.exemption_code) == ("E", "VATEX-EU-132")
    assert "Article 132 of Directive 2006/112/EC · VATEX-EU-132" in page
    event = AuditEvent.objects.get(action="vat_rate.add")
    assert event.after["exemption_code"] == "VATEX-EU-132"


def test_a_code_alone_is_enough(admin, client_for):
    data = {**_rate("AE"), "exemption_code": "VATEX-EU-AE"}

    response = client_for(admin).post("/config/vat/new/", data)

    assert response.status_code == 302
    assert VatRate.objects.get().exemption_reason == ""
