"""T2 adversarial: a provider bill or a distribution rule changed after invoices
of the period were issued. The issued invoices keep the old shares; a later run
issues the held ones with shares of the new figure, so the residence is billed a
total that matches neither bill (demo, A1 heat: 47 invoices issued from 9,741.60,
bill replaced by 20,000.00, the finding of A1/3 accepted, re-run: A1/3 gets
596.02, A1 billed 10,047.31 in all). The change must be refused (or held)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.models import DistributionRule, ProviderBill
from meterbill.invoicing.models import Invoice, InvoiceSeries

D = Decimal


@pytest.fixture
def issued(small_building, provider):
    """The residence's bill of 600.00 RON, and one issued November invoice."""
    apartment = small_building["apartments"][0]
    contract = apartment.contract_set.get()
    ProviderBill.objects.create(
        residence=small_building["residence"],
        period=small_building["period"],
        utility=small_building["utility"],
        provider=provider,
        quantity=D("66"),
        amount_net=D("600.00"),
        vat_rate_percent=D("19"),
        currency="RON",
    )
    series = InvoiceSeries.objects.create(
        branch=contract.branch, prefix="N", year=2026, next_number=2
    )
    return Invoice.objects.create(
        branch=contract.branch,
        state=Invoice.State.ISSUED,
        series=series,
        number=1,
        full_number="N-2026-000001",
        idempotency_key="t2-invoiced-1",
        customer=contract.customer,
        contract=contract,
        apartment=apartment,
        period=small_building["period"],
        issue_date=date(2026, 12, 4),
    )


def test_a_provider_bill_of_an_invoiced_residence_is_not_replaced(
    issued, place, operator, client_for
):
    # given November invoiced from a bill of 600.00 RON
    client = client_for(operator)

    # when the operator enters 900.00 RON for the same residence, period, utility
    client.post(
        "/allocation/bills/new/",
        {
            **place,
            "reference": "AN-2",
            "quantity": "66",
            "amount_net": "900.00",
            "vat_rate_percent": "19",
            "currency": "RON",
        },
    )

    # then the bill the invoices were issued from stays (today: replaced)
    assert ProviderBill.objects.get().amount_net == D("600.00")


def test_a_rule_cannot_start_inside_an_invoiced_period(
    issued, small_building, operator, client_for
):
    # given November invoiced (the residence has no rule of its own)
    client = client_for(operator)

    # when the operator saves a rule for the residence from 1 November
    client.post(
        "/allocation/rules/new/",
        {
            "residence": small_building["residence"].pk,
            "utility": small_building["utility"].pk,
            "valid_from": "2026-11-01",
            "splits": "cost",
            "rule_type": "key",
            "key": "area",
        },
    )

    # then it is refused: issued invoices were split without it (as a tariff
    # version must start after the last invoiced period)
    assert not DistributionRule.objects.exists()
