"""Questions other areas ask about invoices."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import QuerySet, Sum

from meterbill.metering.models import Register

from .models import Invoice

# Invoices that stand: issued and not cancelled.
STANDING = (Invoice.State.ISSUED, Invoice.State.SENT, Invoice.State.PAID)
UNPAID = (Invoice.State.ISSUED, Invoice.State.SENT)


def invoice_using(register: Register, day: date) -> Invoice | None:
    """The standing consumption invoice whose period covers ``day`` and that bills
    the premises of ``register``'s meter: a reading it used must not change any more
    (cancel or correct the invoice first)."""
    meter = register.meter
    invoices = Invoice.objects.filter(
        state__in=STANDING,
        kind=Invoice.Kind.INVOICE,
        period__starts_on__lte=day,
        period__ends_on__gte=day,
    )
    if meter.apartment_id:
        invoices = invoices.filter(apartment_id=meter.apartment_id)
    elif meter.service_point_id:
        invoices = invoices.filter(contract__service_point_id=meter.service_point_id)
    elif meter.residence_id:
        # A main meter feeds the common consumption of every apartment.
        invoices = invoices.filter(apartment__residence_id=meter.residence_id)
    else:
        return None
    return invoices.order_by("pk").first()


def balance_of(invoices: QuerySet[Invoice]) -> Decimal:
    """What the customer owes: every unpaid document counted with its sign. A
    cancelled invoice still counts, because the credit note that cancels it counts
    against it; a credit note is negative."""
    debit = invoices.exclude(kind=Invoice.Kind.CREDIT_NOTE).filter(
        state__in=(*UNPAID, Invoice.State.CANCELLED)
    )
    credit = invoices.filter(kind=Invoice.Kind.CREDIT_NOTE, state__in=UNPAID)
    total = Decimal(0)
    for qs, sign in ((debit, 1), (credit, -1)):
        amount = qs.aggregate(s=Sum("total_gross"))["s"] or Decimal(0)
        total += sign * amount
    return total
