"""Batch printing for dispatch: one PDF per residence with the period's invoices in
the order a distributor walks the building, behind a cover page.

The invoices' HTML bodies (from :func:`documents.render_pdf_html`) are joined into one
document, each starting on a new page, and rendered once: WeasyPrint lays out fonts
and styles once for the whole batch instead of once per invoice, which is faster than
rendering single PDFs and merging them. The batch is a print file, not an archived
invoice document, so it is a plain PDF (the PDF/A-3 Factur-X files stay the
invoices' legal documents).
"""

from __future__ import annotations

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

from meterbill.audit import trail
from meterbill.billing.models import Period
from meterbill.premises.models import Residence

from .documents import html_to_pdf, render_pdf_html
from .models import Invoice, PrintJob

log = logging.getLogger(__name__)

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)

# In a batch each page's footer names the invoice it belongs to, since the page
# counter runs over the whole file.
_BATCH_STYLE = """
  @page { @bottom-right { content: string(invoice) " · " counter(page) " / "
                          counter(pages); font-size: 8pt; color: #555; } }
  section.invoice { break-before: page; }
  section.invoice h1 { string-set: invoice content(); }
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


def batch_html(batch: Batch, period: Period, printed_on: date) -> str:
    """One HTML document: the cover page, then each invoice's body on new pages."""
    pages = [render_pdf_html(inv) for inv in batch.invoices]
    style = _STYLE.search(pages[0]) if pages else None
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
    bodies = []
    for page in pages:
        body = _BODY.search(page)
        bodies.append(
            f'<section class="invoice">{body.group(1) if body else ""}</section>'
        )
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<style>{style.group(1) if style else ''}{_BATCH_STYLE}</style></head>"
        f"<body>{cover}{''.join(bodies)}</body></html>"
    )


def render_batch(html: str) -> tuple[bytes, int]:
    """The batch PDF and its number of pages."""
    from weasyprint import HTML

    document = HTML(string=html).render()
    return document.write_pdf(), len(document.pages)


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
        pdf, pages = render_batch(batch_html(batch, period, printed_on))
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
    for inv in invoices:
        html_to_pdf(render_pdf_html(inv))
    return time.perf_counter() - started
