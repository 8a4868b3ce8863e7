"""The bill run rates every contract of a chunk with one batch engine per tariff
(engine.components_batch, kept on the tariff plan); the result must be, to the
digit, what rating each charge on its own with ``components.rate_period`` gives."""

from datetime import date
from decimal import Decimal

from meterbill.billing import inputs
from meterbill.billing.billrun import bill_period
from meterbill.engine.billing import PeriodIn, bill_residence
from meterbill.engine.components import rate_period
from meterbill.engine.pricing import TariffPlan
from meterbill.invoicing.models import Invoice

D = Decimal


class _OneByOne:
    """The reference: each usage rated alone by rate_period, as the bill run did
    before the batch path."""

    def __init__(self, plan: TariffPlan) -> None:
        self.plan = plan

    def rate_many(self, usages):
        out = []
        for usage in usages:
            try:
                out.append(
                    rate_period(
                        self.plan.versions, self.plan.vat, usage, self.plan.rounding
                    )
                )
            except (ValueError, ArithmeticError) as exc:
                out.append(exc)
        return out


def _shown(lines):
    return [
        (
            ln.quantity,
            ln.unit_price_net,
            ln.net_amount,
            ln.vat_rate_percent,
            ln.starts_on,
            ln.ends_on,
            ln.trace["tariff"]["valid_from"],
            ln.trace["part"],
            ln.trace.get("source"),
        )
        for ln in lines
    ]


def test_the_batch_priced_bill_run_equals_rating_each_charge_alone(
    small_building, add_version, monkeypatch
):
    # given COLD at 5.00 RON/m3 until 15 Nov and 6.00 from 16 Nov (fixed 2.00/month)
    add_version(date(2026, 11, 16), unit_price="6.00")
    period = small_building["period"]

    # when the bill run prices the building in its batch
    bill_period(period, issue_date=date(2026, 12, 4))
    billed = {
        inv.contract_id: _shown(inv.lines.order_by("position"))
        for inv in Invoice.objects.all()
    }

    # and the same inputs are priced charge by charge with rate_period
    monkeypatch.setattr(TariffPlan, "rater", property(_OneByOne))
    residences, _contracts = inputs.residences_input(
        [small_building["residence"].pk], period
    )
    pin = PeriodIn(period.starts_on, period.ends_on, period.name)
    alone = {}
    for res in residences:
        for charge in bill_residence(
            res, inputs.utilities_for(period.branch.organisation_id), pin
        ).charges:
            alone[charge.contract_id] = _shown(charge.lines)

    # then every line is the same: quantity, price, amount, VAT, dates, version
    assert len(billed) == 3
    assert billed == alone
    # and, by hand, apartment 2 (own 20 m3 + common 2 m3 = 22 m3, 11 m3 in each
    # half): 10 × 5 + 1 × 5 + 0.5 × 2 = 56.00, then 10 × 6 + 1 × 6 + 0.5 × 2 = 67.00
    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    assert sum(row[2] for row in billed[inv.contract_id]) == D("123.00")
