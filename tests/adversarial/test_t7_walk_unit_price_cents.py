"""T7 (new user's walk): the tariff screens round unit prices to the cent.

The demo's HEAT version prices 0.495 RON/kWh (the invoice page shows 0.495), but its
version page reads "Simple prices 0.50 RON / kWh", and the formula preview shows the
line "-432 KWH 0.50 -213.84 RON" (432 × 0.50 is 216). An excise of 0.0012 RON per
unit is previewed as "10 MTQ 0.00 0.01 RON". Prices have up to 6 decimals
(docs/tariffs.md); the templates pass them through the `money` filter (2 places)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from builders import preview_get
from meterbill.tariffs.models import TariffVersion


@pytest.fixture
def version(small_building):
    v = TariffVersion.objects.get(tariff=small_building["tariff"])
    v.unit_price_net = Decimal("0.495")
    v.save()
    return v


def test_the_version_page_shows_the_unit_price_as_stored(version, manager, client_for):
    response = client_for(manager).get(f"/config/versions/{version.pk}/")

    assert response.status_code == 200
    assert "0.495" in response.content.decode()


def test_the_preview_shows_the_unit_price_of_a_line_as_rated(
    small_building, version, manager, client_for
):
    # given an excise component of 0.0012 per unit
    client = client_for(manager)
    saved = client.post(
        f"/config/versions/{version.pk}/components/new/?kind=excise",
        {"code": "EXC", "description": "Excise", "vat_category": "S",
         "unit_price": "0.0012"},
    )  # fmt: skip
    assert saved.status_code == 302

    # when the preview rates 10 m3
    response = preview_get(
        client,
        version,
        small_building["apartments"][0],
        "2026-11-01",
        "2026-11-30",
        consumption="10",
    )

    # then the line's unit price reads 0.0012 (today: 0.00, next to 0.01 RON)
    assert response.status_code == 200
    [line] = [ln for ln, _t in response.context["lines"] if ln.component == "EXC"]
    assert line.unit_price == Decimal("0.0012")
    assert "0.0012" in response.content.decode()
