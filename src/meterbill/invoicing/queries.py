"""Questions other areas ask about invoices."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import date
from decimal import Decimal

from django.db.models import (
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce

from meterbill.metering.models import Register

from .models import Invoice

# Invoices that stand: issued and not cancelled.
STANDING = (Invoice.State.ISSUED, Invoice.State.SENT, Invoice.State.PAID)
UNPAID = (Invoice.State.ISSUED, Invoice.State.SENT)
MONEY: DecimalField = DecimalField(max_digits=18, decimal_places=2)
ZERO = Decimal(0)
# The credit notes that count against the invoice they correct (``corrects``):
# issued, sent or paid; a cancelled (or draft) one does not.
STANDING_CREDIT = Q(kind=Invoice.Kind.CREDIT_NOTE, state__in=STANDING)
# The documents a customer's balance counts, each with its sign: an invoice not
# paid, cancelled ones included (the credit note that cancels it counts against
# it), except one paid before it was cancelled (its credit note is then owed
# back, until refunded); a credit note not yet refunded or set off.
OWED = ~Q(kind=Invoice.Kind.CREDIT_NOTE) & (
    Q(state__in=UNPAID) | Q(state=Invoice.State.CANCELLED, paid_on__isnull=True)
)
OWED_BACK = Q(kind=Invoice.Kind.CREDIT_NOTE, state__in=UNPAID)


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


def days_invoiced(keys: Collection[tuple[int, date]]) -> set[tuple[int, date]]:
    """The (register id, day) pairs of ``keys`` that a standing consumption invoice
    covers, by ``invoice_using``'s rule (the invoices of the meter's apartment, of
    its service point, or of its residence's apartments for a main meter), in two
    queries however many pairs there are."""
    if not keys:
        return set()
    premises = {
        pk: (apartment, point, residence)
        for pk, apartment, point, residence in Register.objects.filter(
            pk__in={register for register, _day in keys}
        ).values_list(
            "pk",
            "meter__apartment_id",
            "meter__service_point_id",
            "meter__residence_id",
        )
    }
    apartments = {a for a, _p, _r in premises.values() if a}
    points = {p for a, p, _r in premises.values() if not a and p}
    residences = {r for a, p, r in premises.values() if not a and not p and r}
    first = min(day for _register, day in keys)
    last = max(day for _register, day in keys)
    # (which premises, its id) -> the periods of its standing invoices
    periods: dict[tuple[str, int], list[tuple[date, date]]] = defaultdict(list)
    for apartment, point, residence, starts_on, ends_on in Invoice.objects.filter(
        Q(apartment_id__in=apartments)
        | Q(contract__service_point_id__in=points)
        | Q(apartment__residence_id__in=residences),
        state__in=STANDING,
        kind=Invoice.Kind.INVOICE,
        period__starts_on__lte=last,
        period__ends_on__gte=first,
    ).values_list(
        "apartment_id",
        "contract__service_point_id",
        "apartment__residence_id",
        "period__starts_on",
        "period__ends_on",
    ):
        for kind, pk in (("a", apartment), ("p", point), ("r", residence)):
            if pk:
                periods[kind, pk].append((starts_on, ends_on))

    def covered(register: int, day: date) -> bool:
        apartment, point, residence = premises.get(register, (None, None, None))
        if apartment:
            key = ("a", apartment)
        elif point:
            key = ("p", point)
        elif residence:
            key = ("r", residence)
        else:
            return False
        return any(s <= day <= e for s, e in periods.get(key, ()))

    return {(register, day) for register, day in keys if covered(register, day)}


def balance_of(invoices: QuerySet[Invoice]) -> Decimal:
    """What the customer owes: the documents ``OWED`` less those ``OWED_BACK``."""
    debit = invoices.filter(OWED)
    credit = invoices.filter(OWED_BACK)
    total = Decimal(0)
    for qs, sign in ((debit, 1), (credit, -1)):
        amount = qs.aggregate(s=Sum("total_gross"))["s"] or Decimal(0)
        total += sign * amount
    return total


def credit_notes_of(invoice: Invoice) -> QuerySet[Invoice]:
    """The credit notes that stand against ``invoice``: ``corrects`` → it, issued,
    sent or paid (a cancelled or draft one does not count), in issue order. The
    same credit notes ``invoicing.penalties`` subtracts from the overdue amount."""
    return Invoice.objects.filter(STANDING_CREDIT, corrects_id=invoice.pk).order_by(
        "pk"
    )


def with_amount_due(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """``invoices`` annotated with ``credited`` (the gross of the credit notes that
    stand against each, :func:`credit_notes_of`) and ``amount_due`` (its gross total
    less ``credited``): one query for a whole list. A credit note's own amount due
    is its gross total (nothing credits a credit note)."""
    credited = (
        Invoice.objects.filter(STANDING_CREDIT, corrects=OuterRef("pk"))
        .values("corrects")
        .annotate(total=Sum("total_gross"))
        .values("total")
    )
    return invoices.annotate(
        credited=Coalesce(
            Subquery(credited, output_field=MONEY), Value(ZERO), output_field=MONEY
        ),
    ).annotate(
        amount_due=ExpressionWrapper(
            F("total_gross") - F("credited"), output_field=MONEY
        )
    )


def amount_due(invoice: Invoice, notes: Sequence[Invoice] | None = None) -> Decimal:
    """What the customer pays for ``invoice``: its gross total less the gross of
    the credit notes that stand against it (:func:`credit_notes_of`), whether they
    are still to be set off (issued, sent) or already paid. ``notes``: those credit
    notes when the caller read them already (``corrections.mark_paid`` locks them,
    the payment form names them). The rule of ``mark_paid`` and the payment form;
    ``invoicing.penalties`` subtracts the same credit notes from the overdue amount
    (docs/invoices.md, "Paying an invoice"). A list: :func:`with_amount_due`."""
    if notes is None:
        notes = list(credit_notes_of(invoice))
    return invoice.total_gross - sum((n.total_gross for n in notes), ZERO)
