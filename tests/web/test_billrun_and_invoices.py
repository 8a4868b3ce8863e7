"""Launching the bill run from the browser (it runs as a background job), then
finding, opening and downloading the invoices it issued."""

from __future__ import annotations

import re

import pytest

from meterbill.invoicing.models import Invoice
from meterbill.jobs.models import Job
from meterbill.jobs.worker import run_queued


@pytest.fixture
def billed(small_building, alice, client_for, out_dir):
    client = client_for(alice)
    period = small_building["period"]
    response = client.post(f"/periods/{period.pk}/billrun/")
    queued = client.get(response["Location"])
    run_queued()  # what `meterbill worker` does beside the web server
    return {"client": client, "response": response, "period": period, "queued": queued}


@pytest.mark.django_db
def test_it_runs_the_bill_run_in_the_background_and_shows_the_summary(billed):
    job = Job.objects.get()

    page = billed["client"].get(billed["response"]["Location"])

    assert billed["response"]["Location"] == f"/jobs/{job.pk}/"
    assert b"Queued" in billed["queued"].content
    assert b"hx-get" in billed["queued"].content  # the page polls while it waits
    assert job.state == "done"
    assert b"3 documents written (PDF and XML)." in page.content
    assert b"hx-get" not in page.content
    # 66 m3 at 5.00 RON + 3 fixed charges of 2.00 RON: 336.00 net of cold water.
    assert b"336.00 RON" in page.content
    billed["period"].refresh_from_db()
    assert billed["period"].state == "invoiced"


@pytest.mark.django_db
def test_it_forbids_the_bill_run_to_an_auditor(small_building, role_user, client_for):
    client = client_for(role_user("auditor"))

    response = client.post(f"/periods/{small_building['period'].pk}/billrun/")

    assert response.status_code == 403
    assert not Invoice.objects.exists()


@pytest.mark.django_db
def test_it_finds_an_invoice_by_customer_and_by_apartment(billed):
    client = billed["client"]

    by_customer = client.get("/invoices/", {"q": "Customer 2"})
    by_apartment = client.get("/invoices/", {"q": "R1/3"})

    assert len(re.findall(rb'href="/invoices/\d+/"', by_customer.content)) == 1
    assert b"Customer 2" in by_customer.content
    assert b"Customer 3" in by_apartment.content
    assert b"Customer 1" not in by_apartment.content


@pytest.mark.django_db
def test_it_explains_an_invoice_with_its_readings(billed):
    invoice = Invoice.objects.get(customer__code="K1")

    page = billed["client"].get(f"/invoices/{invoice.pk}/")

    assert page.status_code == 200
    assert b"Readings used" in page.content
    assert b"100 (2026-10-31)" in page.content
    assert b"110 (2026-11-30)" in page.content


@pytest.mark.django_db
def test_it_downloads_the_pdf_and_the_xml(billed):
    invoice = Invoice.objects.get(customer__code="K1")

    pdf = billed["client"].get(f"/invoices/{invoice.pk}/pdf/")
    xml = billed["client"].get(f"/invoices/{invoice.pk}/xml/")

    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert invoice.full_number.encode() in b"".join(xml.streaming_content)


@pytest.mark.django_db
def test_it_serves_no_file_from_outside_the_documents_folder(billed, tmp_path):
    invoice = Invoice.objects.get(customer__code="K1")
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF secret")
    Invoice.objects.filter(pk=invoice.pk).update(pdf_file=str(secret))

    response = billed["client"].get(f"/invoices/{invoice.pk}/pdf/")

    assert response.status_code == 404


@pytest.mark.django_db
def test_it_shows_the_period_on_the_dashboard_with_its_counts(billed):
    page = billed["client"].get("/dashboard/").content.decode()

    assert "2026-11" in page
    assert "nothing: ready to close" in page
