"""T6 (issue 4, huge numbers): docs/limits.md says tariff version prices "keep at
most 15 significant digits on every database" (what SQLite gives back exactly),
and ``add-tariff --unit-price`` refuses more. A component's ``unit_price`` is
checked only for its range (below 10^12) and 6 decimals, so
``"1234567890.123457"`` (16 digits) is saved; the bill run copies it to
``InvoiceLine.unit_price_net``, which SQLite keeps as a double: the issued line
reads 1234567890.123460, not the tariff's price (and ``"999999999999.999999"``
reads back as 10^12, which the column's converter refuses: every page showing
the invoice fails). Expected: the component is refused at save like the simple
price, or the invoice line keeps the exact price."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from django.db import connection

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import InvoiceLine
from meterbill.orgs.services import SetupRefused
from meterbill.tariffs.services import add_tariff_version

pytestmark = pytest.mark.django_db
PRICE = "1234567890.123457"


def test_a_component_price_is_refused_or_billed_exactly(small_building, org):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL and MariaDB keep 18 digits exactly")
    small_building["tariff"].versions.update(valid_from=date(2026, 1, 1))
    try:
        add_tariff_version(
            org,
            "COLD",
            "cold",
            date(2026, 11, 1),
            D("5.00"),
            D("11"),
            components=[
                {
                    "kind": "unit_price",
                    "code": "WATER",
                    "description": "Water",
                    "params": {"unit_price": PRICE},
                }
            ],
        )
    except SetupRefused:
        return  # refused at save, as --unit-price 1234567890.123457 is

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    prices = set(InvoiceLine.objects.values_list("unit_price_net", flat=True))
    assert prices == {D(PRICE)}
