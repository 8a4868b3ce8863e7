"""add-tariff and the web's version form ask one rule
(``tariffs.services.utility_invoiced_through``): a new version of a tariff of a
utility starts after the last period invoiced to a contract with a line or a service
of that utility; a draft invoice does not count."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import CommandError, call_command

from meterbill.tariffs.models import TariffVersion


def _invoice_without_lines(small_building, state: str) -> None:
    """An invoice of contract C1 (a cold water service on COLD) for November 2026
    with no line at all: only the contract's service ties it to cold water."""
    from meterbill.invoicing.models import Invoice, InvoiceSeries
    from meterbill.premises.models import Contract

    contract = Contract.objects.get(number="C1")
    series = InvoiceSeries.objects.create(branch=contract.branch, prefix="N", year=2026)
    Invoice.objects.create(
        branch=contract.branch,
        state=state,
        series=series,
        number=1 if state != "draft" else None,
        full_number="N-2026-000001" if state != "draft" else "",
        idempotency_key="n:1",
        customer=contract.customer,
        contract=contract,
        apartment=contract.apartment,
        period=small_building["period"],
        currency="RON",
    )


def _add_cold_tariff(valid_from: str) -> None:
    call_command(
        "add_tariff", code="COLD2", utility="cold", valid_from=valid_from,
        unit_price="6.00", vat="11",
    )  # fmt: skip


def test_a_contract_service_of_the_utility_makes_its_period_invoiced(small_building):
    _invoice_without_lines(small_building, "issued")

    with pytest.raises(CommandError) as caught:
        _add_cold_tariff("2026-11-30")
    _add_cold_tariff("2026-12-01")

    assert str(caught.value) == (
        "periods up to 2026-11-30 are invoiced; a new price starts after them "
        "(correct invoiced periods with credit notes)"
    )
    assert list(
        TariffVersion.objects.filter(tariff__code="COLD2").values_list(
            "valid_from", flat=True
        )
    ) == [date(2026, 12, 1)]


def test_a_draft_invoice_leaves_its_period_open(small_building):
    _invoice_without_lines(small_building, "draft")

    _add_cold_tariff("2026-11-15")

    assert TariffVersion.objects.filter(
        tariff__code="COLD2", valid_from=date(2026, 11, 15)
    ).exists()


def test_the_cli_and_the_version_form_see_the_same_last_day(small_building):
    from meterbill.tariffs.services import utility_invoiced_through
    from meterbill.web.config_services import last_invoiced_day

    tariff = small_building["tariff"]
    before = last_invoiced_day(tariff)
    _invoice_without_lines(small_building, "cancelled")

    assert before is None
    assert last_invoiced_day(tariff) == date(2026, 11, 30)
    assert utility_invoiced_through(tariff.organisation_id, tariff.utility_id) == date(
        2026, 11, 30
    )
