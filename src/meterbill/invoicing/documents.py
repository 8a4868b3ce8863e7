"""Invoice documents, written under ``OUT_DIR/<branch>/<period>/``:

- ``<number>.pdf``: rendered by WeasyPrint from a Django template as PDF/A-3b, with
  the invoice's CII embedded (Factur-X, EN 16931 profile);
- ``<number>.xml``: UBL 2.1 (CIUS-RO for Romanian sellers, EN 16931 core otherwise);
- ``<number>.cii.xml``: the same invoice in UN/CEFACT CII.

Amounts are formatted from Decimal with babel for the customer's language; the PDF
lists the readings used (estimates marked), how each shared cost was split, a
consumption history chart per utility (inline SVG, ``formats.chart_svg``) and, for
euro invoices of a seller with an IBAN, the EPC payment QR code (``formats.epc_qr``).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from babel.dates import format_date
from babel.numbers import format_decimal
from django import db
from django.conf import settings
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext

from meterbill.formats import chart_svg, epc_qr
from meterbill.formats.einvoice.cii import facturx_pdf

from .einvoice import exemptions_of, invoice_cii, invoice_xml
from .history import UtilityHistory, consumption_history
from .models import Invoice

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")

LABELS = {
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "advance": "Advance invoice",
        "corrects": "Corrects invoice",
        "reason": "reason",
        "history": "Consumption history",
        "history_estimated": "period billed on an estimated reading",
        "qr": "Scan with your banking app to pay by SEPA credit transfer.",
        "page": "Page",
        "issue_date": "Issue date",
        "due_date": "Due date",
        "period": "Period",
        "contract": "Contract",
        "seller": "Seller",
        "buyer": "Customer",
        "vat_id": "VAT ID",
        "vat_exemption": "VAT exemption reason",
        "no_vat": "no VAT",
        "reg_no": "Reg. no.",
        "customer_no": "Customer no.",
        "lines": "Charges",
        "description": "Description",
        "quantity": "Quantity",
        "unit": "Unit",
        "unit_price": "Unit price",
        "vat": "VAT",
        "net": "Net",
        "on": "on",
        "total_net": "Total without VAT",
        "total_vat": "Total VAT",
        "total_due": "Amount due",
        "total_credited": "Amount credited",
        "readings": "Readings used",
        "meter": "Meter",
        "opening": "Opening index",
        "closing": "Closing index",
        "consumption": "Consumption",
        "estimated": "estimated",
        "allocation": "How shared costs were split",
        "key": "Key",
        "share": "Share",
        "key_total": "Key total",
        "split": "Split",
        "result": "Your part",
        "payment": "Payment",
        "pay_to": "Please pay to",
        "reference": "reference",
        "by": "by",
    },
    "ro": {
        "invoice": "Factură",
        "credit_note": "Factură de stornare",
        "advance": "Factură de avans",
        "corrects": "Corectează factura",
        "reason": "motiv",
        "history": "Istoricul consumului",
        "history_estimated": "perioadă facturată pe un index estimat",
        "qr": "Scanați cu aplicația băncii pentru a plăti prin transfer SEPA.",
        "page": "Pagina",
        "issue_date": "Data emiterii",
        "due_date": "Scadență",
        "period": "Perioada",
        "contract": "Contract",
        "seller": "Furnizor",
        "buyer": "Client",
        "vat_id": "Cod TVA",
        "vat_exemption": "Motivul scutirii sau neaplicării TVA",
        "no_vat": "fără TVA",
        "reg_no": "Nr. Reg. Com.",
        "customer_no": "Cod client",
        "lines": "Servicii facturate",
        "description": "Descriere",
        "quantity": "Cantitate",
        "unit": "U.M.",
        "unit_price": "Preț unitar",
        "vat": "TVA",
        "net": "Valoare",
        "on": "la",
        "total_net": "Total fără TVA",
        "total_vat": "Total TVA",
        "total_due": "Total de plată",
        "total_credited": "Total stornat",
        "readings": "Citiri folosite",
        "meter": "Contor",
        "opening": "Index vechi",
        "closing": "Index nou",
        "consumption": "Consum",
        "estimated": "estimat",
        "allocation": "Repartizarea costurilor comune",
        "key": "Criteriu",
        "share": "Cotă",
        "key_total": "Total criteriu",
        "split": "De repartizat",
        "result": "Partea dvs.",
        "payment": "Plată",
        "pay_to": "Vă rugăm să plătiți în contul",
        "reference": "referința",
        "by": "până la",
    },
}


def _num(value: Decimal, lang: str, places: int) -> str:
    return format_decimal(
        value, format=f"#,##0.{'0' * places}", locale=lang, decimal_quantization=True
    )


def _price(value: Decimal, lang: str) -> str:
    """A unit price as stored: at least 2 decimals, up to the 6 it keeps (0.495,
    0.0012), so that quantity × price reads as the line's amount."""
    return format_decimal(
        value, format="#,##0.00####", locale=lang, decimal_quantization=True
    )


def _date(day: date | None, lang: str) -> str:
    return format_date(day, format="medium", locale=lang) if day else ""


def _qty(value: Decimal, lang: str) -> str:
    # Quantities keep their meaningful decimals (at most 3), never float.
    q = value.quantize(Decimal("0.001")).normalize()
    places = max(0, -q.as_tuple().exponent)  # type: ignore[operator]
    return _num(value, lang, min(places, 3))


def _readings(lines: list, lang: str) -> list[dict]:
    out = []
    for line in lines:
        t = line.trace
        for c in t.get("consumption", []) + t.get("allocators", []):
            closing = c.get("closing") or {}
            est = c.get("estimate")
            opening = c.get("opening") or {}
            out.append(
                {
                    "utility": line.description.split(" – ")[0],
                    "register": c.get("meter") or f"#{c['register']}",
                    "opening": f"{_qty(Decimal(opening['value']), lang)} "
                    f"({opening['read_on']})"
                    if opening
                    else "–",
                    "closing": (
                        f"{_qty(Decimal(est['value']), lang)} ({est['read_on']})"
                        if est
                        else f"{_qty(Decimal(closing['value']), lang)} "
                        f"({closing['read_on']})"
                        if closing
                        else "–"
                    ),
                    "estimated": bool(est),
                    "quantity": _qty(Decimal(c["quantity"]), lang),
                }
            )
    return out


def _shares(lines: list, lang: str) -> list[dict]:
    """How each shared line was split, from its trace: the key, the apartment's
    value of it over the key's total, times what was split (a common quantity or a
    provider bill's cost), giving the line's quantity or amount."""
    out = []
    for line in lines:
        s = line.trace.get("share")
        if not s:
            continue
        if "common_quantity" in s:
            split = f"{_qty(Decimal(s['common_quantity']), lang)} {line.unit}"
            result = f"{_qty(line.quantity, lang)} {line.unit}"
        elif "cost" in s:
            split = _num(Decimal(s["cost"]), lang, 2)
            result = _num(line.net_amount, lang, 2)
        else:
            split = result = ""
        value = _qty(Decimal(s["value"]), lang)
        total = _qty(Decimal(s["key_total"]), lang)
        text = f"{s['key']}: {value} / {total}"
        if split:
            text += f" × {split} = {result}"
        out.append(
            {
                "description": line.description,
                "key": s["key"],
                "value": value,
                "key_total": total,
                "split": split,
                "result": result,
                "text": text,
            }
        )
    return out


def history_charts(history: list[UtilityHistory], lang: str) -> list[str]:
    """One SVG bar chart per utility and unit; the last bar is the invoiced period."""
    labels = LABELS[lang]
    charts: list[str] = []
    for h in history:
        last = h.periods[-1].period_id
        bars = [
            chart_svg.Bar(
                f"{p.ends_on.month:02d}/{p.ends_on.year % 100:02d}",
                p.quantity,
                _qty(p.quantity, lang),
                p.estimated,
                p.period_id == last,
            )
            for p in h.periods
        ]
        title = f"{h.utility} ({h.unit})"
        charts.append(
            chart_svg.svg(title, bars, labels["history_estimated"], f"h{len(charts)}")
        )
    return charts


def epc_payload(inv: Invoice) -> str:
    """The EPC QR payload of a euro invoice to pay, or "" when none applies: the
    EPC code orders a SEPA credit transfer, which exists in euro only (a RON
    invoice is paid by a domestic transfer); credit notes and settlements that
    leave nothing to pay have no amount; a seller without an IBAN has no account."""
    seller = inv.frozen.get("seller", {})
    if (
        inv.currency != "EUR"
        or inv.kind == Invoice.Kind.CREDIT_NOTE
        or inv.total_gross <= 0
        or not seller.get("iban")
    ):
        return ""
    try:
        return epc_qr.payload(
            seller.get("name", ""),
            seller["iban"],
            inv.total_gross,
            inv.full_number,
            seller.get("bic", ""),
        )
    except epc_qr.EpcError as exc:
        log.warning(
            "no EPC QR code", extra={"invoice": inv.full_number, "error": str(exc)}
        )
        return ""


def render_pdf_html(inv: Invoice, history: list[UtilityHistory] | None = None) -> str:
    """The invoice's HTML for WeasyPrint. ``history`` is the contract's consumption
    history (:func:`history.consumption_history`, read for many invoices at once);
    without it, it is read for this invoice."""
    frozen = inv.frozen
    lang = frozen.get("buyer", {}).get("language", "en")
    lang = lang if lang in LABELS else "en"
    lines = sorted(inv.lines.all(), key=lambda ln: ln.position)
    money = lambda v: _num(v, lang, 2)  # noqa: E731
    if history is None and inv.kind != Invoice.Kind.CREDIT_NOTE:
        history = consumption_history([inv]).get(inv.pk, [])
    payload = epc_payload(inv)
    exemptions = exemptions_of(inv, lines)
    context = {
        "lang": lang,
        "t": {**LABELS[lang], "invoice": LABELS[lang][inv.kind]},
        "inv": inv,
        "frozen": frozen,
        "seller": frozen["seller"],
        "buyer": frozen["buyer"],
        "issue_date": _date(inv.issue_date, lang),
        "due_date": _date(inv.due_date, lang),
        "period": f"{_date(inv.period.starts_on, lang)} – "
        f"{_date(inv.period.ends_on, lang)}"
        if inv.period
        else "",
        "lines": [
            {
                "position": ln.position,
                "description": ln.description,
                "quantity": _qty(ln.quantity, lang),
                "unit": _unit(ln.unit, lang),
                "unit_price": _price(ln.unit_price_net, lang),
                # Category O has no VAT rate at all (BR-O-05).
                "vat_rate": ""
                if ln.vat_category == "O"
                else _num(ln.vat_rate_percent, lang, 0),
                "net": money(ln.net_amount),
            }
            for ln in lines
        ],
        "vat_groups": [
            {
                "category": g["category"],
                "rate": ""
                if g["category"] == "O"
                else _num(Decimal(g["rate_percent"]), lang, 0),
                "exemption": exemptions.get(g["category"]),
                "base": money(Decimal(g["base"])),
                "vat": money(Decimal(g["vat"])),
            }
            for g in frozen.get("vat_breakdown", [])
        ],
        "total_net": money(inv.total_net),
        "total_vat": money(inv.total_vat),
        "total_gross": f"{money(inv.total_gross)} {inv.currency}",
        "readings": _readings(lines, lang),
        "shares": _shares(lines, lang),
        "charts": history_charts(history or [], lang)
        if inv.kind != Invoice.Kind.CREDIT_NOTE
        else [],
        "qr_svg": epc_qr.svg(payload) if payload else "",
    }
    return render_to_string("invoicing/invoice.html", context)


def _unit(unit: str, lang: str) -> str:
    """A line's unit word in the document's language ("month" → "lună"); symbols
    such as m3 and kWh have no catalogue entry and stay as they are."""
    with translation.override(lang):
        return gettext(unit) if unit else unit


_fonts: dict[int, Any] = {}


def font_config() -> Any:
    """One WeasyPrint font configuration for every document a thread renders:
    building one per document was most of a small invoice's rendering time. Pango
    objects are not shared between threads (a threaded server renders in several);
    a forked pool worker runs as the thread that forked it and inherits its
    configuration, already warm."""
    from weasyprint.text.fonts import FontConfiguration

    thread = threading.get_ident()
    if thread not in _fonts:
        _fonts[thread] = FontConfiguration()
    return _fonts[thread]


def html_to_pdf(html: str, variant: str | None = "pdf/a-3b") -> bytes:
    """WeasyPrint's rendering, as PDF/A-3b unless ``variant`` is None (a plain PDF):
    pure, so it can run in a worker process."""
    from weasyprint import HTML

    options = {"pdf_variant": variant} if variant else {}
    return HTML(string=html).write_pdf(font_config=font_config(), **options)


def in_pool(
    render: Callable[[T], R], jobs: list[T], workers: int | None = None
) -> list[R]:
    """``render`` over ``jobs`` in order, in a pool of forked processes (by default
    one per core when there is enough work for more than one). Jobs go to the
    workers a few at a time, never so many that a worker stays idle."""
    workers = workers_for(len(jobs)) if workers is None else workers
    if workers <= 1:
        return [render(job) for job in jobs]
    font_config()  # built once here, inherited by the workers
    # The workers render strings and never touch the database, and they leave with
    # os._exit, so an inherited connection is never used or closed by them. Closing
    # ours before the fork is hygiene we can afford only outside a transaction:
    # inside one (a caller's atomic block) it would end the transaction.
    if not any(c.in_atomic_block for c in db.connections.all(initialized_only=True)):
        db.connections.close_all()
    ctx = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
        chunk = max(1, min(4, len(jobs) // workers))
        return list(pool.map(render, jobs, chunksize=chunk))


def factur_x(job: tuple[str, bytes]) -> bytes:
    """The invoice PDF with its CII embedded: a Factur-X (EN 16931 profile) PDF/A-3
    that a person reads and a machine imports."""
    html, cii = job
    return facturx_pdf(html_to_pdf(html), cii)


def render_pdf(inv: Invoice) -> bytes:
    return factur_x((render_pdf_html(inv), invoice_cii(inv)))


def document_dir(inv: Invoice) -> Path:
    """``OUT_DIR/<branch code>/<period name>``; refuses anything that would lead
    outside ``OUT_DIR`` (names are checked when created, this guards old data)."""
    period = inv.period.name if inv.period else "no-period"
    root = Path(settings.OUT_DIR).resolve()
    folder = (root / inv.branch.code / period).resolve()
    if not folder.is_relative_to(root) or folder == root:
        raise ValueError(
            f"invoice {inv.full_number}: branch {inv.branch.code!r} or period "
            f"{period!r} would put documents outside {root}"
        )
    return folder


def workers_for(count: int) -> int:
    # Font subsetting makes a page cost most of a second of CPU; use every core.
    return min(os.cpu_count() or 1, max(1, count // 4))


def write_documents(invoices: QuerySet[Invoice], force: bool = False) -> int:
    """Write the PDF and the XML of each invoice that has none yet; returns how many.

    The HTML and XML are built here (they need the database); the HTML → PDF step
    runs in a pool of processes, one per core.
    """
    todo = list(
        invoices.select_related("branch", "period", "corrects").prefetch_related(
            "lines"
        )
    )
    todo = [inv for inv in todo if force or not inv.pdf_file]
    if not todo:
        return 0
    started = time.perf_counter()
    history = consumption_history(todo)
    pages = [render_pdf_html(inv, history.get(inv.pk, [])) for inv in todo]
    xmls = [invoice_xml(inv) for inv in todo]
    ciis = [invoice_cii(inv) for inv in todo]
    pdfs = in_pool(factur_x, list(zip(pages, ciis, strict=True)))

    for inv, pdf_bytes, xml_bytes, cii_bytes in zip(
        todo, pdfs, xmls, ciis, strict=True
    ):
        folder = document_dir(inv)
        folder.mkdir(parents=True, exist_ok=True)
        pdf = folder / f"{inv.full_number}.pdf"
        xml = folder / f"{inv.full_number}.xml"
        pdf.write_bytes(pdf_bytes)
        xml.write_bytes(xml_bytes)
        (folder / f"{inv.full_number}.cii.xml").write_bytes(cii_bytes)
        inv.pdf_file, inv.xml_file = str(pdf), str(xml)
    Invoice.objects.bulk_update(todo, ["pdf_file", "xml_file"], batch_size=500)
    log.info(
        "documents written",
        extra={"count": len(todo), "seconds": time.perf_counter() - started},
    )
    return len(todo)
