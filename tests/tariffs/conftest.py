"""Helpers for the tariff tests: a second version or components on the small
building's tariff (tests/conftest.py: own 10/20/30 m3, common 1/2/3 m3, COLD at
5.00 RON/m3 + 2.00 RON/month, VAT 11%)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture
def add_version(org):
    from meterbill.tariffs.services import add_tariff_version

    def add(valid_from: date, components=(), unit_price="5.00", fixed="2.00"):
        return add_tariff_version(
            org,
            "COLD",
            "cold",
            valid_from,
            Decimal(unit_price),
            Decimal("11"),
            Decimal(fixed),
            components=components,
        )

    return add


@pytest.fixture
def with_components(small_building):
    """Replace the COLD version's simple prices by component rows."""
    from meterbill.tariffs.models import TariffComponent

    version = small_building["tariff"].versions.get()

    def use(*components):
        for position, c in enumerate(components, start=1):
            TariffComponent.objects.create(version=version, position=position, **c)
        return version

    return use
