"""Batch printing for dispatch: one PDF per residence with the period's invoices in
the order a distributor walks the building, behind a cover page.

Each invoice is rendered as its own plain PDF from the same HTML as its document
(:func:`documents.render_pdf_html`), in a pool of processes that share one font
configuration each, and the pages are joined with pypdf behind the cover page.
Measured (``bench/bench_print.py``): building the font configuration was most of a
small document's time; with it shared, one document per invoice costs what one
joined HTML document costs per invoice, runs on every core, and keeps each
invoice's own page numbers ("Page 1 / 2") in its footer. The batch is a print file,
not an archived invoice document, so it is a plain PDF (the PDF/A-3 Factur-X files
stay the invoices' legal documents).
"""

from __future__ import annotations

import io
import logging
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from pypdf import PdfReader, PdfWriter

from meterbill.audit import trail
from meterbill.billing.models import Period
from meterbill.premises.models import Residence

from .documents import (
    font_config,
    html_to_pdf,
    in_pool,
    render_pdf_html,
    workers_for,
)
from .history import consumption_history
from .models import Invoice, PrintJob

log = logging.getLogger(__name__)

_COVER_STYLE = """
  @page { size: A4; margin: 16mm 14mm 18mm 14mm; }
  body { font-family: "DejaVu Sans", sans-serif; font-size: 9pt; color: #111; }
  th, td { padding: 1.2mm 1.5mm; text-align: left; vertical-align: top; }
"""


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """``"2" < "10" < "10A" < "B"``: digit runs compare as numbers, the rest as
    case-folded text."""
    parts = re.findall(r"\d+|\D+", text.strip())
    return tuple((0, int(p)) if p.isdigit() else (1, p.casefold()) for p in parts)


def delivery_key(inv: Invoice) -> tuple[Any, ...]:
    """Staircase, floor, apartment number (natural order); invoices without an
    apartment (direct contracts) after them, by customer name."""
    apt = inv.apartment
    if apt is None:
        return (1, (), 0, (), natural_key(inv.customer.name), inv.full_number)
    return (
        0,
        natural_key(apt.staircase),
        apt.floor,
        natural_key(apt.number),
        (),
        inv.full_number,
    )


def in_delivery_order(invoices: Iterable[Invoice]) -> list[Invoice]:
    return sorted(invoices, key=delivery_key)


def printable_invoices(
    period: Period, residence: Residence | None = None
) -> QuerySet[Invoice]:
    """The period's documents to dispatch: issued ones, not drafts or cancelled."""
    qs = (
        Invoice.objects.filter(period=period)
        .exclude(state__in=[Invoice.State.DRAFT, Invoice.State.CANCELLED])
        .select_related(
            "branch", "period", "corrects", "customer", "apartment__residence"
        )
        .prefetch_related("lines")
    )
    if residence is not None:
        qs = qs.filter(apartment__residence=residence)
    return qs


@dataclass
class Batch:
    residence: Residence | None
    invoices: list[Invoice]

    @property
    def label(self) -> str:
        return self.residence.code if self.residence else "direct"


def batches(invoices: Iterable[Invoice]) -> list[Batch]:
    """Invoices grouped by residence (residence code order), each in delivery order;
    the direct contracts' invoices last, in a batch of their own."""
    groups: dict[int | None, list[Invoice]] = {}
    residences: dict[int | None, Residence | None] = {None: None}
    for inv in invoices:
        res = inv.apartment.residence if inv.apartment else None
        key = res.pk if res else None
        residences[key] = res
        groups.setdefault(key, []).append(inv)

    def order(key: int | None) -> tuple[bool, tuple[tuple[int, int | str], ...]]:
        res = residences[key]
        return (res is None, natural_key(res.code if res else ""))

    ordered = sorted(groups, key=order)
    return [Batch(residences[k], in_delivery_order(groups[k])) for k in ordered]


def cover_html(batch: Batch, period: Period, printed_on: date) -> str:
    cover = render_to_string(
        "invoicing/batch_cover.html",
        {
            "residence": batch.residence,
            "period": period,
            "count": len(batch.invoices),
            "first": batch.invoices[0].full_number if batch.invoices else "",
            "last": batch.invoices[-1].full_number if batch.invoices else "",
            "printed_on": printed_on,
        },
    )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<style>{_COVER_STYLE}</style></head><body>{cover}</body></html>"
    )


def batch_pages(batch: Batch, period: Period, printed_on: date) -> list[str]:
    """The HTML documents of a batch: the cover page, then each invoice's own."""
    history = consumption_history(batch.invoices)
    return [cover_html(batch, period, printed_on)] + [
        render_pdf_html(inv, history.get(inv.pk, [])) for inv in batch.invoices
    ]


def render_documents(pages: list[str]) -> tuple[bytes, int]:
    """Several HTML documents as one plain PDF: each laid out on its own (its own
    page numbers), their pages written together, so that fonts are subset and
    embedded once for all of them (WeasyPrint's ``Document.copy``)."""
    from weasyprint import HTML

    docs = [HTML(string=page).render(font_config=font_config()) for page in pages]
    joined = docs[0].copy([p for doc in docs for p in doc.pages])
    return joined.write_pdf(), len(joined.pages)


def render_batch(pages: list[str], workers: int | None = None) -> tuple[bytes, int]:
    """The batch PDF and its page count: ``workers`` processes (default: one per
    core) each render a run of consecutive documents, and pypdf joins the runs."""
    count = workers if workers is not None else workers_for(len(pages))
    count = max(1, min(count, len(pages)))
    size = -(-len(pages) // count)  # ceiling: runs of equal length, in order
    runs = [pages[i : i + size] for i in range(0, len(pages), size)]
    if len(runs) == 1:
        return render_documents(runs[0])
    writer = PdfWriter()
    for pdf, _pages in in_pool(render_documents, runs, len(runs)):
        writer.append(PdfReader(io.BytesIO(pdf)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue(), len(writer.pages)


@dataclass
class PrintResult:
    jobs: list[PrintJob]
    invoices: int
    seconds: float

    @property
    def invoices_per_second(self) -> float:
        return self.invoices / self.seconds if self.seconds else 0.0


def print_batch(
    period: Period,
    out_dir: Path,
    *,
    residence: Residence | None = None,
    user: Any = None,
    workers: int | None = None,
) -> PrintResult:
    """Write one batch PDF per residence (and one for the direct contracts) of the
    period's invoices under ``out_dir``, record a :class:`PrintJob` and an audit
    event ``print.batch`` for each."""
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    printed_on = timezone.localdate()
    jobs = []
    count = 0
    for batch in batches(printable_invoices(period, residence)):
        pdf, pages = render_batch(batch_pages(batch, period, printed_on), workers)
        path = out_dir / f"{period.branch.code}-{period.name}-{batch.label}.pdf"
        path.write_bytes(pdf)
        jobs.append(_record(period, batch, path, pages, user))
        count += len(batch.invoices)
    seconds = time.perf_counter() - started
    log.info(
        "batch printed",
        extra={
            "period": period.pk,
            "files": len(jobs),
            "invoices": count,
            "seconds": seconds,
        },
    )
    return PrintResult(jobs, count, seconds)


def _record(
    period: Period, batch: Batch, path: Path, pages: int, user: Any
) -> PrintJob:
    job = PrintJob.objects.create(
        branch=period.branch,
        period=period,
        residence=batch.residence,
        created_by=user if getattr(user, "pk", None) else None,
        file_path=str(path),
        invoice_count=len(batch.invoices),
        pages=pages,
    )
    trail.record(
        "print.batch",
        user=user,
        branch=period.branch,
        obj=job,
        after={
            "file": str(path),
            "residence": batch.label,
            "period": period.name,
            "invoices": [inv.full_number for inv in batch.invoices],
            "pages": pages,
        },
    )
    return job


def single_documents_seconds(invoices: Sequence[Invoice]) -> float:
    """Seconds to render the same invoices one PDF each (the invoices' own PDF/A
    rendering, without the Factur-X XML): the figure the batch is compared with."""
    started = time.perf_counter()
    history = consumption_history(invoices)
    for inv in invoices:
        html_to_pdf(render_pdf_html(inv, history.get(inv.pk, [])))
    return time.perf_counter() - started
