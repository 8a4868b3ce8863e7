"""T5 (new user's walk through `import-tariff --format urdb`).

1. `meterbill import-tariff --help` crashes: the help text of --vat is
   "VAT % if no VatRate exists", and argparse reads "% i" as a format directive
   (TypeError: %i format: a real number is required, not dict).
2. `import-tariff --format urdb` as the README writes it (no --vat) stores a version
   of category S at 0 %, which add_version accepts; the bill run then fails the whole
   chunk ("RatingError: VAT category S: rate 0.00 not allowed"), naming neither the
   tariff nor a contract, and every other contract of the chunk stays unbilled.
   `add-tariff --vat 0` (category S) is accepted the same way. Either the save
   should refuse it naming --vat, or the bill run should hold only the contracts
   on that tariff with a finding naming it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.management import CommandError, call_command

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.invoicing.models import Invoice
from meterbill.premises.models import ContractService
from meterbill.tariffs.management.commands.import_tariff import Command
from meterbill.tariffs.models import Tariff, TariffVersion


def test_import_tariff_help_prints():
    parser = Command().create_parser("meterbill", "import_tariff")

    assert "--vat" in parser.format_help()


def test_a_standard_rated_version_at_zero_percent_does_not_fail_the_chunk(
    small_building,
):
    """Refused when saved (naming --vat), or the bill run goes through and names the
    tariff in a finding: either is fine, a failed chunk is not."""
    try:
        call_command(
            "add_tariff", code="COLD", utility="cold", valid_from="2026-11-16",
            unit_price="6.00", vat="0",
        )  # fmt: skip
    except CommandError as exc:
        assert "vat" in str(exc).lower()
        return

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    assert run.status == "done"
    assert Finding.objects.filter(period=small_building["period"]).exists()


def test_a_version_stored_at_standard_zero_holds_only_its_contracts(small_building):
    """A version saved at S 0 % before the save refused it: the bill run holds the
    contract on it with a finding naming the tariff and bills the others."""
    bad = Tariff.objects.create(
        organisation=small_building["tariff"].organisation,
        code="BAD",
        name="Bad VAT",
        utility=small_building["utility"],
    )
    TariffVersion.objects.create(
        tariff=bad,
        valid_from=date(2020, 1, 1),
        currency="RON",
        unit_price_net=Decimal("5.00"),
        vat_category="S",
        vat_rate_percent=Decimal(0),
    )
    ContractService.objects.filter(contract__number="C1").update(tariff=bad)

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    assert run.status == "done"
    finding = Finding.objects.get(period=small_building["period"], rule="tariff_error")
    assert "tariff BAD" in finding.message
    assert "VAT category S: rate 0" in finding.message
    billed = Invoice.objects.filter(period=small_building["period"])
    assert sorted(billed.values_list("contract__number", flat=True)) == ["C2", "C3"]
