"""The demo's tariff with components: cold water gets a new version on 16 November
2026, in the middle of the demo period, so every cold-water invoice shows both
halves of the month, each with its dates, price and part of the fixed charge."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from meterbill.orgs.models import Organisation
from meterbill.tariffs.services import add_tariff_version

PRICE_CHANGE = date(2026, 11, 16)

COLD_WATER_COMPONENTS = [
    {
        "kind": "unit_price",
        "code": "WATER",
        "description": "Cold water",
        "params": {"unit_price": "8.1200", "descriptions": {"ro": "Apă rece"}},
    },
    {
        "kind": "fixed",
        "code": "SUBSCRIPTION",
        "description": "Cold water subscription",
        "params": {
            "amount_per_month": "4.50",
            "descriptions": {"ro": "Abonament apă rece"},
        },
    },
]


def add_demo_tariffs(org: Organisation) -> None:
    """Add the mid-period cold-water version (audited like any other)."""
    add_tariff_version(
        org,
        "COLD-WATER",
        "cold_water",
        PRICE_CHANGE,
        Decimal(0),
        Decimal("11"),
        components=COLD_WATER_COMPONENTS,
    )
