"""What happens to an invoice after it is issued: sent, paid, cancelled, rebilled,
corrected. An issued invoice is never edited: every change of amounts is a new
numbered document (a credit note, EN 16931 type 381, or an additional invoice, 380)
whose ``corrects`` names the original (BG-3, preceding invoice reference).

Every transition locks the invoice row (``select_for_update``), checks the state it
starts from, and is recorded in the audit trail. Credit notes carry positive amounts:
EN 16931 puts the sign in the document type, not in the amounts.

State machine (kind invoice or advance)::

    issued ──mark_sent──> sent ──mark_paid──> paid
       │                   │                    │
       └─────────cancel_invoice / rebill────────┴──> cancelled
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from meterbill.audit import trail
from meterbill.billing import inputs
from meterbill.billing.models import Finding, Period
from meterbill.engine.billing import Charge, PeriodIn, bill_direct, bill_residence
from meterbill.engine.money import round_money
from meterbill.engine.rating import Line
from meterbill.premises.contract_charges import release_billed
from meterbill.premises.models import Contract, Customer

from .issue import IssueContext, issue_charges
from .models import Invoice, InvoiceLine, PenaltyAssessment
from .queries import amount_due, credit_notes_of

log = logging.getLogger(__name__)

ZERO = Decimal(0)
S = Invoice.State
K = Invoice.Kind
OPEN = (S.ISSUED, S.SENT, S.PAID)  # issued, not cancelled


class InvoiceStateError(Exception):
    """A transition asked of an invoice in a state (or of a kind) that forbids it."""


@dataclass(frozen=True)
class Correction:
    """The documents ``correct_past_period`` issued; either may be None."""

    credit_note: Invoice | None
    additional_invoice: Invoice | None


def _locked(invoice: Invoice) -> Invoice:
    assert transaction.get_connection().in_atomic_block, "lock inside a transaction"
    return Invoice.objects.select_for_update().get(pk=invoice.pk)


def _require(inv: Invoice, states: Iterable[str], action: str, kinds=None) -> None:
    if inv.state not in states:
        raise InvoiceStateError(
            f"invoice {inv}: cannot {action} an invoice that is {inv.state}"
        )
    if kinds is not None and inv.kind not in kinds:
        raise InvoiceStateError(f"invoice {inv}: cannot {action} a {inv.kind}")


def _audit(action: str, inv: Invoice, user: Any, before: dict, after: dict) -> None:
    trail.record(
        action, user=user, branch=inv.branch, obj=inv, before=before, after=after
    )


def mark_sent(invoice: Invoice, user: Any) -> Invoice:
    """issued → sent: the document reached the customer."""
    with transaction.atomic():
        inv = _locked(invoice)
        _require(inv, [S.ISSUED], "send")
        inv.state, inv.sent_at = S.SENT, timezone.now()
        inv.save(update_fields=["state", "sent_at"])
        _audit("invoice.sent", inv, user, {"state": S.ISSUED}, {"state": S.SENT})
    return inv


def mark_paid(
    invoice: Invoice, user: Any, paid_on: date, amount: Decimal | None = None
) -> Invoice:
    """issued or sent → paid. ``amount``, when given, is the payment received: it
    must be the amount due (``queries.amount_due``: the gross total less the credit
    notes that stand against the invoice), as part payments and overpayments are not
    recorded; it goes into the audit event.

    The credit notes of the invoice not yet paid are set off against it in the same
    transaction: each becomes paid on the payment day (its issue day if later),
    with an ``invoice.set_off`` audit event, so that the invoice and its credit
    notes leave the customer's balance together. A credit note's own "paid" is
    its refund or set-off: refused while the invoice it corrects is unpaid, as it
    is set off when that invoice is paid (docs/invoices.md, "Paying an invoice")."""
    with transaction.atomic():
        inv = _locked(invoice)
        before = inv.state
        _require(inv, [S.ISSUED, S.SENT], "mark as paid")
        if inv.kind == K.CREDIT_NOTE:
            _require_refundable(inv)
        notes = list(credit_notes_of(inv).select_for_update())
        due = amount_due(inv, notes)
        if amount is not None and amount != due:
            raise InvoiceStateError(
                f"invoice {inv}: payment of {amount} {inv.currency} is not the "
                f"amount due {due} {inv.currency}{_credited_by(notes)}; part "
                "payments and overpayments are not recorded"
            )
        if inv.issue_date and paid_on < inv.issue_date:
            raise InvoiceStateError(
                f"invoice {inv}: paid on {paid_on}, before its issue date "
                f"{inv.issue_date}"
            )
        inv.state, inv.paid_on = S.PAID, paid_on
        inv.save(update_fields=["state", "paid_on"])
        set_off = [n for n in notes if n.state in (S.ISSUED, S.SENT)]
        after: dict[str, Any] = {
            "state": S.PAID,
            "paid_on": paid_on.isoformat(),
            "amount": str(due if amount is None else amount),
        }
        if set_off:
            after["set_off"] = [n.full_number for n in set_off]
        _audit("invoice.paid", inv, user, {"state": before}, after)
        for note in set_off:
            _set_off(note, inv, user, paid_on)
    return inv


def _credited_by(notes: Sequence[Invoice]) -> str:
    """Names the credit notes that reduced an amount due, for a refusal."""
    if not notes:
        return ""
    named = ", ".join(f"{n.full_number} ({n.total_gross})" for n in notes)
    return f" (gross total less credit note{'s' if len(notes) > 1 else ''} {named})"


def _require_refundable(note: Invoice) -> None:
    """A credit note is refunded only once the invoice it corrects is paid (or
    cancelled): before, it is set off when that invoice is paid."""
    if note.corrects_id is None:
        return
    original = Invoice.objects.get(pk=note.corrects_id)
    if original.state in (S.ISSUED, S.SENT):
        raise InvoiceStateError(
            f"credit note {note}: invoice {original} it corrects is unpaid; the "
            f"credit note is set off when {original} is paid"
        )


def _set_off(note: Invoice, inv: Invoice, user: Any, paid_on: date) -> None:
    before = note.state
    note.state = S.PAID
    note.paid_on = max(paid_on, note.issue_date) if note.issue_date else paid_on
    note.save(update_fields=["state", "paid_on"])
    _audit(
        "invoice.set_off",
        note,
        user,
        {"state": before},
        {
            "state": S.PAID,
            "paid_on": note.paid_on.isoformat(),
            "against": inv.full_number,
            "amount": str(note.total_gross),
        },
    )


def cancel_invoice(
    invoice: Invoice, user: Any, reason: str, issue_date: date | None = None
) -> Invoice:
    """Cancel an issued invoice (or advance invoice) by a full credit note: the same
    lines and totals, positive amounts, type 381, ``corrects`` → the original.
    Returns the credit note; the original becomes cancelled."""
    with transaction.atomic():
        inv = _locked(invoice)
        return _cancel(inv, user, reason, issue_date or timezone.localdate())


def _cancel(inv: Invoice, user: Any, reason: str, issue_date: date) -> Invoice:
    _require(inv, OPEN, "cancel", kinds=[K.INVOICE, K.ADVANCE])
    if inv.kind == K.ADVANCE and inv.settled_by_id:
        raise InvoiceStateError(
            f"advance invoice {inv}: already deducted by invoice {inv.settled_by}"
        )
    lines = _left_to_credit(inv)
    if not any(line.net_amount for line in lines):
        raise InvoiceStateError(
            f"invoice {inv}: earlier credit notes credited all of it; "
            "nothing is left to cancel"
        )
    note = _issue(inv, lines, K.CREDIT_NOTE, f"cancel:{inv.pk}", reason, issue_date)
    before = inv.state
    inv.state = S.CANCELLED
    inv.save(update_fields=["state"])
    release_billed(inv.pk)  # its one-off contract items are billed again
    # A cancelled penalty invoice releases its days for a new assessment
    # (invoicing.penalties, PenaltyAssessment.in_force).
    PenaltyAssessment.objects.filter(penalty_invoice=inv).update(in_force=None)
    _audit(
        "invoice.cancelled",
        inv,
        user,
        {"state": before},
        {"state": S.CANCELLED, "credit_note": note.full_number, "reason": reason},
    )
    _audit_issue("invoice.credit_note_issued", note, user)
    return note


def creditable(invoice: Invoice) -> dict[int, tuple[Decimal, Decimal]]:
    """Per line of ``invoice`` (by id): the quantity and net amount that can still be
    credited, i.e. the line's own less what the credit notes correcting this
    invoice credited for the line's key. Lines with a negative quantity (a
    settlement's advance deductions) cannot be credited."""
    left = _summed(_left_to_credit(invoice))
    out = {}
    for ln in _lines_of([invoice.pk])[invoice.pk]:
        qty, net = left.get(_key(_engine_line(ln)), [ZERO, ZERO])
        if ln.quantity > 0 and net > 0:
            out[ln.pk] = (min(qty, ln.quantity), min(net, ln.net_amount))
    return out


def credit_lines(
    invoice: Invoice,
    user: Any,
    reason: str,
    quantities: Mapping[int, Decimal],
    issue_date: date | None = None,
) -> Invoice:
    """A credit note for part of an invoice: for each chosen line (by id) the
    quantity given, at the line's unit price, net = quantity × price rounded to the
    cent once (the line's remaining net when the whole remaining quantity is
    credited, so that crediting everything gives back exactly what was billed).
    The invoice stays in force for the rest; ``corrects`` → the invoice."""
    day = issue_date or timezone.localdate()
    if not reason.strip():
        raise InvoiceStateError(f"invoice {invoice}: a credit note needs a reason")
    with transaction.atomic():
        inv = _locked(invoice)
        _require(inv, OPEN, "credit", kinds=[K.INVOICE])
        lines = credit_preview(inv, quantities)
        seq = Invoice.objects.filter(corrects=inv).count()
        note = _issue(inv, lines, K.CREDIT_NOTE, f"credit:{inv.pk}:{seq}", reason, day)
        _audit(
            "invoice.credited",
            inv,
            user,
            {},
            {
                "credit_note": note.full_number,
                "lines": {str(k): str(v) for k, v in sorted(quantities.items())},
                "reason": reason,
            },
        )
        _audit_issue("invoice.credit_note_issued", note, user)
    return note


def credit_preview(invoice: Invoice, quantities: Mapping[int, Decimal]) -> list[Line]:
    """The lines ``credit_lines`` issues for ``quantities``, without issuing them."""
    _require(invoice, OPEN, "credit", kinds=[K.INVOICE])
    left = creditable(invoice)
    by_id = {ln.pk: ln for ln in _lines_of([invoice.pk])[invoice.pk]}
    lines = [
        _credited(invoice, by_id.get(line_id), left.get(line_id), qty)
        for line_id, qty in sorted(quantities.items())
    ]
    if not lines:
        raise InvoiceStateError(f"invoice {invoice}: choose at least one line")
    return lines


def _credited(
    inv: Invoice,
    ln: InvoiceLine | None,
    left: tuple[Decimal, Decimal] | None,
    qty: Decimal,
) -> Line:
    if ln is None or left is None:
        raise InvoiceStateError(f"invoice {inv}: no creditable line chosen")
    if not 0 < qty <= left[0]:
        raise InvoiceStateError(
            f"invoice {inv}, line {ln.position}: credit between 0 and "
            f"{left[0].normalize():f} {ln.unit}, got {qty}"
        )
    full = qty == left[0]
    net = left[1] if full else round_money(qty * ln.unit_price_net, inv.currency)
    if net <= 0:
        # a credit note of 0.00 would still take a number of the gapless series
        raise InvoiceStateError(
            f"invoice {inv}, line {ln.position}: {qty} {ln.unit} credits "
            f"{net} {inv.currency}; a credit note must credit at least a cent"
        )
    line = _engine_line(ln)
    trace = {
        **line.trace,
        "credit": {"line": ln.position, "quantity": str(qty), "rule": "chosen"},
    }
    return replace(line, quantity=qty, net_amount=min(net, left[1]), trace=trace)


def rebill_preview(invoice: Invoice) -> list[Line]:
    """The lines ``rebill`` would issue now on the new invoice, without issuing."""
    _require(invoice, OPEN, "rebill", kinds=[K.INVOICE])
    return _current_charge(invoice).lines


def correction_preview(invoice: Invoice) -> tuple[list[Line], list[Line]]:
    """What ``correct_past_period`` would issue now, without issuing it: the lines
    of the additional invoice (increases) and of the credit note (decreases)."""
    _require(invoice, OPEN, "correct", kinds=[K.INVOICE])
    billed = _billed_by_chain(invoice)
    current = _summed(_current_charge(invoice).lines)
    return _billable(*_differences(billed, current))


def rebill(
    invoice: Invoice, user: Any, reason: str, issue_date: date | None = None
) -> tuple[Invoice, Invoice]:
    """Cancel-and-rebill: a full credit note for the original, then a new invoice
    computed by the engine from the period's current data (readings, tariffs,
    shares) for the same contract, ``corrects`` → the original."""
    day = issue_date or timezone.localdate()
    with transaction.atomic():
        inv = _locked(invoice)
        _require(inv, OPEN, "rebill", kinds=[K.INVOICE])
        _require_alone(inv)
        charge = _current_charge(inv)
        note = _cancel(inv, user, reason, day)
        new = _issue(inv, charge.lines, K.INVOICE, f"rebill:{inv.pk}", reason, day)
        _audit_issue("invoice.rebilled", new, user)
    return note, new


def correct_past_period(
    invoice: Invoice, user: Any, reason: str = "", issue_date: date | None = None
) -> Correction:
    """Bill only the net difference between what the period's current data give and
    what the whole chain of documents of the invoice has billed for it so far
    (:func:`invoice_chain`: the original, its credit notes, rebills and earlier
    corrections, whichever of them is clicked), so the difference is billed once.

    Lines are compared by (utility, description, unit, unit price, VAT category and
    rate): a decrease goes on a credit note, an increase on an additional invoice,
    each line with the difference of quantity and of net amount, so the documents
    of the chain always add up, to the cent, to what the current data give.
    """
    day = issue_date or timezone.localdate()
    with transaction.atomic():
        inv = _locked(invoice)
        _require(inv, OPEN, "correct", kinds=[K.INVOICE])
        billed = _billed_by_chain(inv)
        current = _summed(_current_charge(inv).lines)
        increases, decreases = _billable(*_differences(billed, current))
        seq = Invoice.objects.filter(corrects=inv).count()
        note = more = None
        if decreases:
            key = f"correct:{inv.pk}:{seq}:credit"
            note = _issue(inv, decreases, K.CREDIT_NOTE, key, reason, day)
            _audit_issue("invoice.correction_credit_note", note, user)
        if increases:
            key = f"correct:{inv.pk}:{seq}:invoice"
            more = _issue(inv, increases, K.INVOICE, key, reason, day)
            _audit_issue("invoice.correction_invoice", more, user)
    return Correction(note, more)


def invoice_chain(invoice: Invoice) -> list[Invoice]:
    """The original invoice and every document that corrects it, directly or through
    a later correction, in the order they were issued (by id).

    One query per generation of the chain (a chain is a few documents deep)."""
    root = invoice
    while root.corrects_id:
        root = Invoice.objects.get(pk=root.corrects_id)
    found = {root.pk: root}
    frontier = [root.pk]
    while frontier:
        children = list(
            Invoice.objects.filter(corrects_id__in=frontier).exclude(pk__in=found)
        )
        found.update({c.pk: c for c in children})
        frontier = [c.pk for c in children]
    return sorted(found.values(), key=lambda i: i.pk)


# --- helpers -------------------------------------------------------------------


def _audit_issue(action: str, doc: Invoice, user: Any) -> None:
    _audit(
        action,
        doc,
        user,
        {},
        {
            "number": doc.full_number,
            "kind": doc.kind,
            "corrects": doc.corrects.full_number if doc.corrects else None,
            "total_gross": str(doc.total_gross),
            "reason": doc.reason,
        },
    )


def _issue(
    original: Invoice,
    lines: Sequence[Line],
    kind: str,
    key: str,
    reason: str,
    issue_date: date,
) -> Invoice:
    """Issue one document for the original's contract through ``issue_charges`` (its
    numbering, totals and frozen parties), then mark its kind and what it corrects.
    A credit note keeps the parties frozen on the original and has no due date."""
    issued = issue_document(
        original.branch_id,
        original.contract,
        original.period_id,
        lines,
        key,
        issue_date,
        original.series.prefix,
    )
    issued.kind, issued.corrects, issued.reason = kind, original, reason[:200]
    fields = ["kind", "corrects", "reason"]
    if kind == K.CREDIT_NOTE:
        issued.frozen = {**issued.frozen, **credit_note_parties(original)}
        issued.due_date = None
        fields += ["frozen", "due_date"]
    issued.save(update_fields=fields)
    return issued


def credit_note_parties(inv: Invoice) -> dict[str, Any]:
    """The parties a credit note keeps from the invoice it corrects, as that
    invoice froze them."""
    return {
        k: inv.frozen[k] for k in ("seller", "buyer", "contract") if k in inv.frozen
    }


def issue_document(
    branch_id: int,
    contract: Contract,
    period_id: int | None,
    lines: Sequence[Line],
    key: str,
    issue_date: date,
    series_prefix: str = "",
) -> Invoice:
    """One numbered invoice for a contract from engine lines, idempotent by ``key``
    (a second call with the same key returns the first document)."""
    from meterbill.orgs.models import Branch

    branch = Branch.objects.select_related("organisation").get(pk=branch_id)
    ctx = IssueContext(
        branch, branch.organisation, period_id, None, issue_date, series_prefix
    )
    charge = Charge(contract.pk, contract.apartment_id, lines=list(lines))
    customers = Customer.objects.in_bulk([contract.customer_id])
    issued = issue_charges(ctx, [charge], {contract.pk: contract}, customers, key)
    if issued:
        return Invoice.objects.select_related("corrects", "series").get(pk=issued[0].pk)
    return Invoice.objects.get(idempotency_key=f"{key}:contract:{contract.pk}")


def _lines_of(invoice_ids: Iterable[int]) -> dict[int, list[InvoiceLine]]:
    out: dict[int, list[InvoiceLine]] = defaultdict(list)
    for ln in InvoiceLine.objects.filter(invoice_id__in=list(invoice_ids)).order_by(
        "invoice_id", "position"
    ):
        out[ln.invoice_id].append(ln)
    return out


def _engine_line(ln: InvoiceLine) -> Line:
    trace = dict(ln.trace)
    utility = str(trace.pop("utility", "") or "")
    return Line(
        utility,
        ln.description,
        ln.quantity,
        ln.unit,
        ln.unit_code,
        ln.unit_price_net,
        ln.net_amount,
        ln.vat_category,
        ln.vat_rate_percent,
        trace,
        starts_on=ln.starts_on,
        ends_on=ln.ends_on,
    )


LineKey = tuple[str, str, str, str, Decimal, str, Decimal]


def _key(line: Line) -> LineKey:
    return (
        line.utility_code,
        line.description,
        line.unit,
        line.unit_code,
        line.unit_price_net.normalize(),
        line.vat_category,
        line.vat_rate_percent.normalize(),
    )


def _summed(lines: Iterable[Line], sign: int = 1) -> dict[LineKey, list[Decimal]]:
    out: dict[LineKey, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for line in lines:
        out[_key(line)][0] += sign * line.quantity
        out[_key(line)][1] += sign * line.net_amount
    return out


def _billed_by_chain(inv: Invoice) -> dict[LineKey, list[Decimal]]:
    """Quantity and net per line key over every issued document of the invoice's
    chain: invoices add, credit notes subtract. A cancelled invoice still counts,
    as the credit note that cancelled it counts against it."""
    docs = [d for d in invoice_chain(inv) if d.state != S.DRAFT]
    return _signed_total(docs)


def _signed_total(docs: Sequence[Invoice]) -> dict[LineKey, list[Decimal]]:
    lines = _lines_of(d.pk for d in docs)
    total: dict[LineKey, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for doc in docs:
        sign = -1 if doc.kind == K.CREDIT_NOTE else 1
        for key, (qty, net) in _summed(map(_engine_line, lines[doc.pk]), sign).items():
            total[key][0] += qty
            total[key][1] += net
    return total


def _left_to_credit(inv: Invoice) -> list[Line]:
    """The invoice's lines less what the credit notes correcting it credited already,
    per line key (one line per key, the first of the key as its model). Positive
    lines never go below zero; negative ones (advance deductions) are kept whole,
    as no partial credit note touches them."""
    own = [_engine_line(ln) for ln in _lines_of([inv.pk])[inv.pk]]
    notes = Invoice.objects.filter(corrects=inv, kind=K.CREDIT_NOTE).exclude(
        state=S.DRAFT
    )
    credited = _signed_total(list(notes))  # negative: credit notes subtract
    left: dict[LineKey, Line] = {}
    for line in own:
        key = _key(line)
        if key in left:
            prev = left[key]
            line = replace(
                prev,
                quantity=prev.quantity + line.quantity,
                net_amount=prev.net_amount + line.net_amount,
            )
        left[key] = line
    out = []
    for key, line in left.items():
        if line.quantity > 0 and line.net_amount > 0 and key in credited:
            qty = max(line.quantity + credited[key][0], ZERO)
            net = max(line.net_amount + credited[key][1], ZERO)
            line = replace(line, quantity=qty, net_amount=net)
        if line.quantity or line.net_amount:
            out.append(line)
    return out


def _require_alone(inv: Invoice) -> None:
    """Cancel-and-rebill replaces one invoice by another: refused while another
    invoice of the chain is in force, as the new invoice would bill the period
    again next to it ("Correct the period" bills the net difference instead)."""
    others = [
        d.full_number
        for d in invoice_chain(inv)
        if d.pk != inv.pk and d.kind == K.INVOICE and d.state in OPEN
    ]
    if others:
        raise InvoiceStateError(
            f"invoice {inv}: {', '.join(others)} of the same period are in force; "
            "correct the period instead of rebilling"
        )


def _billable(
    increases: list[Line], decreases: list[Line]
) -> tuple[list[Line], list[Line]]:
    """The lines of each document, or none when the document would be of 0.00 (a
    quantity difference without money): a numbered document of nothing would
    take a number of the gapless series."""

    def worth(lines: list[Line]) -> list[Line]:
        return lines if sum((ln.net_amount for ln in lines), ZERO) > 0 else []

    return worth(increases), worth(decreases)


def _differences(
    billed: dict[LineKey, list[Decimal]], current: dict[LineKey, list[Decimal]]
) -> tuple[list[Line], list[Line]]:
    increases: list[Line] = []
    decreases: list[Line] = []
    for key in sorted(set(billed) | set(current), key=str):
        qty = current.get(key, [ZERO, ZERO])[0] - billed.get(key, [ZERO, ZERO])[0]
        net = current.get(key, [ZERO, ZERO])[1] - billed.get(key, [ZERO, ZERO])[1]
        if not net and not qty:
            continue
        utility, description, unit, unit_code, price, category, rate = key
        target = increases if net > 0 or (net == 0 and qty > 0) else decreases
        target.append(
            Line(
                utility,
                description,
                abs(qty),
                unit,
                unit_code,
                price,
                abs(net),
                category,
                rate,
                {
                    "correction": {
                        "billed_quantity": str(billed.get(key, [ZERO])[0]),
                        "current_quantity": str(current.get(key, [ZERO])[0]),
                        "rule": "current data − billed so far, per line",
                    }
                },
            )
        )
    return increases, decreases


def current_charge(contract: Contract, period: Period) -> Charge:
    """What the engine bills the contract for the period from today's data: the
    same inputs and engine calls as the bill run, for one residence or contract.
    Findings an operator accepted or corrected no longer hold the charge."""
    pin = PeriodIn(period.starts_on, period.ends_on, period.name)
    org_id = period.branch.organisation_id
    overrides = inputs.rule_overrides(period.branch_id)
    utilities = inputs.utilities_for(org_id)
    charge: Charge | None = None
    if contract.apartment is not None:
        residence_id = contract.apartment.residence_id
        residences, _contracts = inputs.residences_input([residence_id], period)
        result = bill_residence(residences[0], utilities, pin, overrides)
        charge = next((c for c in result.charges if c.contract_id == contract.pk), None)
    else:
        _direct, services, regs = inputs.direct_input([contract.pk], period)
        fees = inputs.contract_charges_input([contract], period)
        charge, _seen = bill_direct(
            contract.pk, services.get(contract.pk, {}), regs[contract.pk],
            utilities, pin, overrides, fees.get(contract.pk, ()),
        )  # fmt: skip
    if charge is None:
        raise InvoiceStateError(
            f"contract {contract}: not the contract in force for its apartment "
            f"in period {period.name}"
        )
    resolved = set(
        Finding.objects.filter(
            period=period,
            status__in=[Finding.Status.ACCEPTED, Finding.Status.CORRECTED],
        ).values_list("register_id", "rule")
    )
    charge.findings = [
        f for f in charge.findings if (f.register_id, f.rule) not in resolved
    ]
    return charge


def _current_charge(inv: Invoice) -> Charge:
    if inv.period is None:
        raise InvoiceStateError(f"invoice {inv}: has no period to recompute")
    charge = current_charge(inv.contract, inv.period)
    if charge.held:
        rules = sorted({f.rule for f in charge.findings if f.holds_invoice})
        raise InvoiceStateError(
            f"invoice {inv}: the period's current data are held for review "
            f"({', '.join(rules)}); resolve the findings first"
        )
    if not charge.lines:
        raise InvoiceStateError(f"invoice {inv}: the current data bill nothing")
    return charge
