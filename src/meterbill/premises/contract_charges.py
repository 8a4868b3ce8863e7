"""A contract's fees and one-off items (``ContractCharge``): added, changed, ended
or withdrawn through these functions (the web screens and the CLI call them), each
change recorded in the audit trail; and the link of a one-off item to the invoice
that billed it, set at issue and released when that invoice is cancelled."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction

from meterbill.audit import trail
from meterbill.engine.components import RatingError, check_vat_rate
from meterbill.engine.rating import Line
from meterbill.tariffs.compile import vat_schedule

from .actions import snapshot
from .models import ContractCharge

ONCE = ContractCharge.Recurrence.ONCE
# EN 16931 BR-E-10, BR-AE-10, BR-O-10: these categories state why no VAT is due.
EXEMPTION_NEEDED = frozenset({"E", "AE", "O"})
UNIT_CODE = re.compile(r"[A-Z0-9]{2,3}")


class ChargeRefused(Exception):
    """The charge cannot be saved, ended or withdrawn; says which field and why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def check_charge(charge: ContractCharge) -> None:
    """Refuse a charge that could not be billed as entered (ChargeRefused)."""
    if not charge.description.strip():
        raise ChargeRefused("description", "a charge needs a description")
    quantity, price = Decimal(charge.quantity), Decimal(charge.unit_price_net)
    if not _stored(quantity, 3) or quantity <= 0:
        raise ChargeRefused(
            "quantity", f"{quantity} is not above zero with 3 decimals at most"
        )
    if not _stored(price, 4) or price < 0:
        raise ChargeRefused(
            "unit_price_net", f"{price} is not zero or more with 4 decimals at most"
        )
    if not UNIT_CODE.fullmatch(charge.unit_code):
        raise ChargeRefused(
            "unit_code", f"{charge.unit_code!r} is not a UN/ECE Rec 20 code (C62)"
        )
    if charge.valid_to is not None and charge.valid_to < charge.valid_from:
        raise ChargeRefused("valid_to", "ends before it starts")
    contract = charge.contract
    if contract.valid_to is not None and charge.valid_from > contract.valid_to:
        raise ChargeRefused(
            "valid_from",
            f"contract {contract.number} ends on {contract.valid_to}, before "
            f"{charge.valid_from}",
        )
    _check_vat(charge)


def _stored(value: Decimal, decimals: int) -> bool:
    """Finite and with no more decimals than the column keeps."""
    if not value.is_finite():
        return False
    try:
        return value == value.quantize(Decimal(1).scaleb(-decimals))
    except InvalidOperation:  # more digits than the context's precision
        return False


def _check_vat(charge: ContractCharge) -> None:
    rate = charge.vat_rate_percent
    if rate is None:
        org_id = charge.contract.branch.organisation_id
        rates = [s for s in vat_schedule(org_id) if s.valid_from <= charge.valid_from]
        if not rates or charge.vat_category not in rates[-1].rates:
            raise ChargeRefused(
                "vat_rate_percent",
                f"the organisation has no VAT rate for category "
                f"{charge.vat_category} on {charge.valid_from}: enter one",
            )
        rate = rates[-1].rates[charge.vat_category]
    try:
        check_vat_rate(charge.vat_category, rate)
    except RatingError as exc:
        raise ChargeRefused("vat_rate_percent", str(exc)) from None
    reason = charge.vat_exemption_reason.strip() or charge.vat_exemption_code
    if charge.vat_category in EXEMPTION_NEEDED and not reason:
        raise ChargeRefused(
            "vat_exemption_reason",
            f"VAT category {charge.vat_category} needs the reason no VAT is "
            "charged (a text or a VATEX code), which the e-invoice states",
        )


def _refuse_billed(charge: ContractCharge, verb: str) -> None:
    if charge.invoice_id is not None:
        raise ChargeRefused(
            "invoice",
            f"cannot {verb} a one-off item already billed by invoice "
            f"{charge.invoice}; cancel that invoice first",
        )


def _record(action: str, charge: ContractCharge, user: Any, before: Any) -> None:
    after = snapshot(charge) if charge.pk else None
    trail.record(
        action,
        user=user,
        branch=charge.contract.branch,
        obj=charge,
        before=before,
        after=after,
    )


def save_contract_charge(charge: ContractCharge, user: Any) -> ContractCharge:
    """Add a charge or change one (not a one-off item already billed)."""
    check_charge(charge)
    with transaction.atomic():
        before = None
        if charge.pk:
            stored = ContractCharge.objects.select_for_update().get(pk=charge.pk)
            _refuse_billed(stored, "change")
            before = snapshot(stored)
        charge.save()
        action = "contract.charge_changed" if before else "contract.charge_added"
        _record(action, charge, user, before)
    return charge


def end_contract_charge(
    charge: ContractCharge, ends_on: date, user: Any
) -> ContractCharge:
    """A monthly charge is billed up to ``ends_on`` included, not after."""
    if charge.recurrence == ONCE:
        raise ChargeRefused(
            "valid_to", "a one-off item is not ended: withdraw it before it is billed"
        )
    if ends_on < charge.valid_from:
        raise ChargeRefused(
            "valid_to", f"{ends_on} is before the charge starts ({charge.valid_from})"
        )
    with transaction.atomic():
        before = snapshot(charge)
        charge.valid_to = ends_on
        charge.save(update_fields=["valid_to"])
        _record("contract.charge_ended", charge, user, before)
    return charge


def withdraw_contract_charge(charge: ContractCharge, user: Any) -> None:
    """Delete a one-off item that no invoice has billed."""
    if charge.recurrence != ONCE:
        raise ChargeRefused("valid_to", "a monthly charge is ended, not withdrawn")
    with transaction.atomic():
        stored = ContractCharge.objects.select_for_update().get(pk=charge.pk)
        _refuse_billed(stored, "withdraw")
        before = snapshot(stored)
        trail.record(
            "contract.charge_withdrawn",
            user=user,
            branch=charge.contract.branch,
            obj=stored,
            before=before,
        )
        stored.delete()


def mark_billed(billed: Iterable[tuple[int, Sequence[Line]]]) -> int:
    """Link each one-off item found on the lines to the invoice that bills it
    (``(invoice id, its lines)``), unless an invoice already has it: the credit
    note of a cancel carries the same lines and must not take it. Two queries."""
    invoice_of: dict[int, int] = {}
    for invoice_id, lines in billed:
        for line in lines:
            found = line.trace.get("contract_charge")
            if isinstance(found, dict) and found.get("recurrence") == ONCE:
                invoice_of[int(found["id"])] = invoice_id
    if not invoice_of:
        return 0
    rows = list(
        ContractCharge.objects.filter(pk__in=invoice_of, invoice__isnull=True).only(
            "pk"
        )
    )
    for row in rows:
        row.invoice_id = invoice_of[row.pk]
    ContractCharge.objects.bulk_update(rows, ["invoice"])
    return len(rows)


def release_billed(invoice_id: int) -> int:
    """A cancelled invoice no longer bills its one-off items: the next bill run
    (or the rebill) bills them again."""
    return ContractCharge.objects.filter(invoice_id=invoice_id).update(invoice=None)
