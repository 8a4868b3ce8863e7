"""T3 adversarial (fixed by F4): the EPC QR payload let a line break in a field
shift the fields after it; the browser upload refused a UTF-16 CSV that the
import reads (``meterbill import-readings`` imports it); a failed import offered
a "Run it again" that could not work and left empty upload folders behind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from meterbill.formats import epc_qr

from .conftest import make_user

IBAN = "DE89370400440532013000"  # the EPC069-12 example IBAN, valid checksum
THEIRS = "GB33BUKB20201555555555"  # another valid IBAN


def test_a_line_break_in_the_beneficiary_name_is_refused():
    # a name "ACME\n<IBAN>" puts a second IBAN on line 7, where banking apps read
    # the beneficiary's account: the payment goes to THEIRS, not IBAN
    with pytest.raises(epc_qr.EpcError, match="name"):
        epc_qr.payload(f"ACME\n{THEIRS}", IBAN, Decimal("10.00"), "INV-1")


def test_a_line_break_in_the_remittance_text_is_refused():
    # line 11 is the last field used; a line break adds a 12th/13th line
    with pytest.raises(epc_qr.EpcError, match="remittance"):
        epc_qr.payload("ACME", IBAN, Decimal("10.00"), "INV-1\nEXTRA\nMORE")


def test_the_amount_is_written_in_plain_decimal_notation():
    # Decimal("1E+2") is 100.00 in cents, so it passes the check, but the payload
    # reads "EUR1E+2", which no bank parses; EPC069-12 wants "EUR100.00"
    text = epc_qr.payload("ACME", IBAN, Decimal("1E+2"), "INV-1")
    assert text.splitlines()[7] == "EUR100.00"


def test_a_utf16_csv_is_accepted_by_the_upload_form(small_building, client_for):
    from meterbill.jobs.models import Job

    reader = make_user("rita", small_building["residence"].branch, "meter_reader")
    data = "meter,date,value\nW1,2026-12-01,101\n".encode("utf-16")  # BOM + LE

    response = client_for(reader).post(
        "/imports/",
        {
            "branch": small_building["residence"].branch.pk,
            "format": "csv",
            "file": SimpleUploadedFile("readings.csv", data),
        },
    )

    # then the import is queued, as the reader (formats.csv_readings) decodes
    # UTF-16; today the form says "does not look like a CSV readings file"
    # because its first 512 bytes hold NUL bytes
    assert response.status_code == 302
    assert Job.objects.filter(kind=Job.Kind.IMPORT).count() == 1


@pytest.mark.parametrize(
    ("name", "remittance", "field"),
    [
        ("ACME\r", "INV-1", None),  # trailing CR stripped like a space: fine
        ("AC\rME", "INV-1", "name"),
        ("AC\tME", "INV-1", "name"),
        ("ACME", "INV\x00-1", "remittance"),
    ],
)
def test_control_characters_inside_a_field_are_refused(name, remittance, field):
    if field is None:
        assert epc_qr.payload(name, IBAN, Decimal("1.00"), remittance).count("\n") == 10
    else:
        with pytest.raises(epc_qr.EpcError, match=field):
            epc_qr.payload(name, IBAN, Decimal("1.00"), remittance)


@pytest.mark.parametrize(
    "amount", ["0", "0.001", "1000000000.00", "-5.00", "NaN", "Infinity", "1E+40"]
)
def test_an_amount_out_of_range_or_past_the_cent_is_refused(amount):
    # EPC069-12: EUR 0.01 to 999999999.99, two decimals at most
    with pytest.raises(epc_qr.EpcError, match="amount"):
        epc_qr.payload("ACME", IBAN, Decimal(amount), "INV-1")


def test_the_largest_amount_is_written_whole():
    text = epc_qr.payload("ACME", IBAN, Decimal("999999999.99"), "INV-1")

    assert text.splitlines()[7] == "EUR999999999.99"


def test_an_invoice_whose_seller_name_breaks_a_line_prints_no_code_and_says_why(
    caplog,
):
    from meterbill.invoicing.documents import epc_payload
    from meterbill.invoicing.models import Invoice

    inv = Invoice(
        currency="EUR",
        kind=Invoice.Kind.INVOICE,
        total_gross=Decimal("124.32"),
        full_number="BUC-2026-000002",
        frozen={"seller": {"name": f"ACME\n{THEIRS}", "iban": IBAN}},
    )

    assert epc_payload(inv) == ""
    [record] = [r for r in caplog.records if r.getMessage() == "no EPC QR code"]
    assert record.invoice == "BUC-2026-000002"
    assert "beneficiary name" in record.error


def test_a_refused_import_offers_no_rerun_and_leaves_no_folder(
    small_building, settings, tmp_path
):
    from meterbill.jobs import runner
    from meterbill.jobs.services import launch_import

    settings.JOB_UPLOAD_DIR = tmp_path / "uploads"
    alice = make_user("alina", small_building["residence"].branch, "meter_reader")
    bad = SimpleUploadedFile("dec.csv", b"meter;when\nW1;x\n")  # no usable header
    job = launch_import(small_building["residence"].branch, alice, bad, fmt="csv")

    runner.run_job(job.pk)
    job.refresh_from_db()

    # refused as a whole: the file and its folder are gone, so running it again
    # could only fail with "upload it again"; the reason stays on the job
    assert job.state == "failed" and job.message.startswith("dec.csv")
    assert list((tmp_path / "uploads").iterdir()) == []
    assert runner.may_run_again(job) is False
    assert runner.resume(job, alice) is False


def test_a_rerun_whose_file_went_missing_keeps_the_first_reason(
    small_building, settings, tmp_path
):
    from pathlib import Path

    from meterbill.jobs import runner
    from meterbill.jobs.models import Job
    from meterbill.jobs.services import launch_import

    settings.JOB_UPLOAD_DIR = tmp_path / "uploads"
    alice = make_user("alina", small_building["residence"].branch, "meter_reader")
    good = SimpleUploadedFile("dec.csv", b"meter,date,value\nW1,2026-12-01,101\n")
    job = launch_import(small_building["residence"].branch, alice, good, fmt="csv")
    Job.objects.filter(pk=job.pk).update(state="failed", message="worker stopped")
    job.refresh_from_db()

    assert runner.resume(job, alice) is True
    Path(job.upload_path).unlink()  # removed between the resume and the run
    runner.run_job(job.pk)
    job.refresh_from_db()

    assert job.state == "failed"
    assert job.message == (
        "dec.csv: the uploaded file is gone; upload it again "
        "(it had failed: worker stopped)"
    )
    assert list((tmp_path / "uploads").iterdir()) == []  # its empty folder too
