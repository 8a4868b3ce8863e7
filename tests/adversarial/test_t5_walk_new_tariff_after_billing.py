"""T5 (new user's walk): a brand-new tariff, on a brand-new utility, that no invoice
ever used, is refused a start date before the organisation's last invoiced period.

README "Run on real data" runs `meterbill demo` (bills November 2026) and then
`add-tariff --code ELEC --utility electricity --valid-from 2000-01-01`: refused with
"periods up to 2026-11-30 are invoiced", so the walk stops at its third command and
no NEM12 / Green Button / MSCONS history can ever be billed once any branch of the
organisation has billed a later month (import-tariff --format urdb likewise). The
check in tariffs.services.add_version looks at every invoice of the organisation,
not at the invoices that used this tariff."""

from __future__ import annotations

from datetime import date

from django.core.management import call_command

from meterbill.billing.billrun import bill_period
from meterbill.tariffs.models import TariffVersion


def test_a_new_tariff_no_invoice_used_may_start_before_billed_periods(small_building):
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    call_command(
        "add_utility", code="electricity", name="Electricity", kind="electricity",
        unit="kWh", unit_code="KWH",
    )  # fmt: skip

    call_command(
        "add_tariff", code="ELEC", utility="electricity", valid_from="2000-01-01",
        unit_price="0.85", fixed_per_month="12.00", vat="21",
    )  # fmt: skip

    assert TariffVersion.objects.filter(
        tariff__code="ELEC", valid_from=date(2000, 1, 1)
    ).exists()
