"""print_batch writes one PDF per residence: a cover page, then each invoice on
new pages; it records a PrintJob and an audit event."""

import subprocess

from meterbill.audit.models import AuditEvent
from meterbill.invoicing.models import Invoice, PrintJob
from meterbill.invoicing.printing import print_batch


def pdf_pages(path) -> int:
    info = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return int(next(ln for ln in info.splitlines() if ln.startswith("Pages:"))[6:])


def numbers_by_apartment(building) -> list[str]:
    return [
        Invoice.objects.get(apartment=apt).full_number for apt in building["apartments"]
    ]


def pdf_text(path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_it_prints_a_cover_and_one_page_per_invoice(billed_building, tmp_path):
    period = billed_building["period"]

    result = print_batch(period, tmp_path)

    # then one file for R1: cover + three one-page invoices, in delivery order
    path = tmp_path / "N-2026-11-R1.pdf"
    assert [job.file_path for job in result.jobs] == [str(path)]
    assert pdf_pages(path) == 4
    pages = pdf_text(path).split("\f")
    assert "Residence 1" in pages[0] and "Invoices" in pages[0]
    numbers = numbers_by_apartment(billed_building)
    assert numbers[0] in pages[1] and numbers[1] in pages[2]
    assert numbers[2] in pages[3]


def test_it_records_a_print_job_and_an_audit_event(billed_building, tmp_path, alice):
    period = billed_building["period"]

    result = print_batch(period, tmp_path, user=alice)

    job = PrintJob.objects.get()
    assert result.jobs == [job]
    assert (job.invoice_count, job.pages) == (3, 4)
    assert (job.residence, job.created_by, job.period) == (
        billed_building["residence"],
        alice,
        period,
    )
    event = AuditEvent.objects.get(action="print.batch")
    assert event.object_id == str(job.pk)
    assert event.user_id == alice.pk
    assert event.after["invoices"] == numbers_by_apartment(billed_building)


def test_each_invoice_keeps_its_own_page_numbers(billed_building, tmp_path):
    period = billed_building["period"]

    print_batch(period, tmp_path, workers=2)

    # then each invoice page's footer names its invoice and counts its own pages
    # (one page each), in delivery order, also when two processes render
    pages = pdf_text(tmp_path / "N-2026-11-R1.pdf").split("\f")
    for number, page in zip(
        numbers_by_apartment(billed_building), pages[1:4], strict=True
    ):
        assert f"{number} · Page 1 / 1" in page
