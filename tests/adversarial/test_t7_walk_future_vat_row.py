"""T7 (new user's walk): a VAT rate change entered ahead of time leaves the days
before it without a VAT rate.

The walk adds on Configuration → VAT schedule the rate S 21 % from 2027-01-01 (the
organisation had no row yet; its versions carry their own rate, COLD at 11 %).
The screen saves it, and from then on every S line before 2027-01-01 fails:
"component (unit): no VAT rate for category S on 2026-12-01", in the preview and
in the bill run (tariff_error, the invoices held). `compile.vat_for` says the
version's own rate completes the schedule "for a category the organisation has
no rate for on that day", but it drops the version's rate as soon as the category
has a row on any day, even a later one."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from builders import preview_get
from meterbill.tariffs.models import TariffVersion, VatRate


def test_a_future_vat_row_keeps_the_versions_rate_before_it(
    small_building, manager, client_for, org
):
    # given the organisation's first VAT row: S 21 % from 2027-01-01 (a change
    # announced ahead), and the COLD version with its own rate, S 11 %
    VatRate.objects.create(
        organisation=org,
        category="S",
        rate_percent=Decimal("21"),
        valid_from=date(2027, 1, 1),
    )
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    client = client_for(manager)

    # when the preview rates December 2026 (before the new row)
    response = preview_get(
        client,
        version,
        small_building["apartments"][0],
        "2026-12-01",
        "2026-12-31",
        consumption="10",
    )

    # then December is rated at the version's 11 % (today: "component (unit): no
    # VAT rate for category S on 2026-12-01", and the bill run holds the invoices)
    assert response.status_code == 200
    result = response.context["result"]
    assert result.error == ""
    assert {line.vat_rate for line in result.rating.lines} == {Decimal("11")}
