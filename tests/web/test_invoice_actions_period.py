"""Advance invoices for a period and their settlement, from the browser."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.invoicing.test_corrections_helpers import make_gas_point

from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading

D = Decimal


@pytest.fixture
def gas(org, branches, out_dir):
    return make_gas_point(org, branches)


def _csv(temperatures) -> SimpleUploadedFile:
    rows = "".join(f"{day},{t}\n" for day, t in sorted(temperatures.items()))
    return SimpleUploadedFile(
        "temps.csv", f"date,temperature_c\n{rows}".encode(), "text/csv"
    )


def _issue_advance(client, gas):
    url = f"/periods/{gas['period'].pk}/advances/"
    contract = gas["contract"].pk
    review = client.post(
        url, {"temperatures_file": _csv(gas["temperatures"]), "contracts": [contract]}
    )
    text = review.context["form"].cleaned_data["temperatures_text"]
    done = client.post(
        url, {"temperatures_text": text, "contracts": [contract], "confirm": "yes"}
    )
    return review, done


def test_it_issues_an_advance_from_an_uploaded_temperature_file(gas, bob, client_for):
    review, done = _issue_advance(client_for(bob), gas)

    # then the review names the 365 days of temperatures and the contract; the
    # advance is 31 × (1 + 0.5 × 18) = 310 m3 × 2.00 + fixed 10.00 = 630.00 net,
    # VAT 21 % 132.30, gross 762.30 (docs/invoices.md)
    assert b"365 days" in review.content and b"G1" in review.content
    assert done.status_code == 302
    adv = Invoice.objects.get(kind="advance")
    assert (adv.total_net, adv.total_gross) == (D("630.00"), D("762.30"))


def test_it_names_the_line_and_field_of_a_bad_temperature(gas, bob, client_for):
    bad = SimpleUploadedFile(
        "temps.csv", b"date,temperature_c\n2026-01-01,3\n2026-01-02,warm\n"
    )

    response = client_for(bob).post(
        f"/periods/{gas['period'].pk}/advances/",
        {"temperatures_file": bad, "contracts": [gas["contract"].pk]},
    )

    assert b"temps.csv:3: field temperature_c: &#x27;warm&#x27; is not a number" in (
        response.content
    )
    assert not Invoice.objects.exists()


def test_it_settles_the_periods_advances(gas, bob, client_for):
    client = client_for(bob)
    _issue_advance(client, gas)
    # 350 m3 used in December
    Reading.objects.create(
        register=gas["register"],
        read_on=date(2026, 12, 31),
        value=gas["last_index"] + 350,
        source="manual",
    )
    url = f"/periods/{gas['period'].pk}/settle/"

    form = client.get(url)
    done = client.post(url, {"confirm": "yes"})

    # then 700.00 + 10.00 − 630.00 = 80.00 net, 96.80 gross; the advance points at
    # the settlement, and the settlement's page lists the advance it deducted
    assert b"762.30" in form.content
    assert done.status_code == 302
    settlement = Invoice.objects.get(kind="invoice")
    assert (settlement.total_net, settlement.total_gross) == (D("80.00"), D("96.80"))
    adv = Invoice.objects.get(kind="advance")
    assert adv.settled_by_id == settlement.pk
    page = client.get(f"/invoices/{settlement.pk}/").content.decode()
    assert "Settles the advance invoices" in page and adv.full_number in page
    # and the settlement's documents are left to a background documents job
    from meterbill.jobs.models import Job

    assert Job.objects.filter(kind="documents", period=gas["period"]).exists()


def test_alice_of_the_north_cannot_open_the_south_period(gas, alice, client_for):
    client = client_for(alice)

    assert client.get(f"/periods/{gas['period'].pk}/advances/").status_code == 404
    assert (
        client.post(
            f"/periods/{gas['period'].pk}/settle/", {"confirm": "yes"}
        ).status_code
        == 404
    )
