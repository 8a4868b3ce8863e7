"""``meterbill add-contract-charge --contract C1 --description "Meter rent"
--amount 3.50``: a fee billed every month on a contract (prorated by days), or
with ``--once`` a one-off item billed by the next invoice (a connection fee)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from meterbill.premises.contract_charges import ChargeRefused, save_contract_charge
from meterbill.premises.models import Contract, ContractCharge

# The model's field → the option that sets it, for error messages.
OPTIONS = {
    "unit_price_net": "--amount",
    "vat_rate_percent": "--vat-rate",
    "vat_exemption_reason": "--vat-exemption-reason",
    "valid_from": "--valid-from",
    "valid_to": "--valid-to",
    "unit_code": "--unit-code",
}


def _decimal(option: str, text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise CommandError(f"{option}: {text!r} is not a number") from None
    if not value.is_finite():
        raise CommandError(f"{option}: {text!r} is not a number")
    return value


def _date(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{option}: {exc}") from None


class Command(BaseCommand):
    help = "Add a monthly fee or (--once) a one-off item to a contract."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--contract", required=True, help="contract number")
        parser.add_argument("--branch", help="branch code, when numbers repeat")
        parser.add_argument("--description", required=True)
        parser.add_argument(
            "--amount", required=True, help="unit price net (per month unless --once)"
        )
        parser.add_argument("--quantity", default="1")
        parser.add_argument("--unit-code", default="C62", help="UN/ECE Rec 20")
        parser.add_argument("--code", default="", help="item code")
        parser.add_argument("--once", action="store_true", help="a one-off item")
        parser.add_argument("--vat-category", default="S", help="S, Z, E, AE or O")
        parser.add_argument(
            "--vat-rate", help="percent; default: the organisation's rate"
        )
        parser.add_argument("--vat-exemption-reason", default="")
        parser.add_argument("--vat-exemption-code", default="", help="VATEX-EU-…")
        parser.add_argument(
            "--valid-from", help="YYYY-MM-DD (a one-off item: due on); default today"
        )
        parser.add_argument("--valid-to", help="YYYY-MM-DD; default open-ended")

    def handle(self, *args, **o) -> None:
        charge = ContractCharge(
            contract=self._contract(o["contract"], o["branch"]),
            code=o["code"],
            description=o["description"],
            quantity=_decimal("--quantity", o["quantity"]),
            unit_code=o["unit_code"],
            unit_price_net=_decimal("--amount", o["amount"]),
            vat_category=o["vat_category"],
            vat_rate_percent=_decimal("--vat-rate", o["vat_rate"])
            if o["vat_rate"] is not None
            else None,
            vat_exemption_reason=o["vat_exemption_reason"],
            vat_exemption_code=o["vat_exemption_code"],
            recurrence="once" if o["once"] else "monthly",
            valid_from=_date("--valid-from", o["valid_from"])
            if o["valid_from"]
            else timezone.localdate(),
            valid_to=_date("--valid-to", o["valid_to"]) if o["valid_to"] else None,
        )
        try:
            save_contract_charge(charge, user=None)
        except ChargeRefused as refused:
            option = OPTIONS.get(refused.field, "--" + refused.field.replace("_", "-"))
            raise CommandError(f"{option}: {refused.message}") from None
        how = "once" if o["once"] else "every month"
        self.stdout.write(
            f"charge {charge.pk} on contract {charge.contract.number}: "
            f"{charge.description}, {charge.quantity} × {charge.unit_price_net} "
            f"{how} from {charge.valid_from}"
        )

    def _contract(self, number: str, branch: str | None) -> Contract:
        found = Contract.objects.select_related("branch").filter(number=number)
        if branch:
            found = found.filter(branch__code=branch)
        contracts = list(found[:2])
        if not contracts:
            where = f" in branch {branch}" if branch else ""
            raise CommandError(f"--contract: no contract {number}{where}")
        if len(contracts) > 1:
            raise CommandError(
                f"--contract: {number} exists in several branches; give --branch"
            )
        return contracts[0]
