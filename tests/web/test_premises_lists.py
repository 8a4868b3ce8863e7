"""The premises lists search, page and cost the same number of queries whatever
the number of rows (no query per row)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from builders import make_contract
from meterbill.metering.models import Meter
from meterbill.premises.models import Apartment

LISTS = ["/meters/", "/customers/", "/contracts/", "/residences/"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _grow(small_building, n):
    """n more apartments in R1, each with a water meter under MAIN and a contract."""
    residence, tariff = small_building["residence"], small_building["tariff"]
    main = Meter.objects.get(serial="MAIN")
    for i in range(n):
        apartment = Apartment.objects.create(
            residence=residence, number=f"x{i}", area_m2=Decimal(40)
        )
        Meter.objects.create(
            branch=residence.branch,
            kind="apartment",
            utility=small_building["utility"],
            serial=f"X{i}",
            apartment=apartment,
            parent=main,
        )
        make_contract(
            residence.branch,
            f"CX{i}",
            f"KX{i}",
            f"Extra {i}",
            [tariff],
            apartment=apartment,
        )


@pytest.mark.django_db
def test_it_costs_the_same_queries_for_3_and_13_rows(small_building, alice, client_for):
    client = client_for(alice)
    before = {url: _queries(client, url) for url in LISTS}

    _grow(small_building, 10)
    after = {url: _queries(client, url) for url in LISTS}

    assert after == before


@pytest.mark.django_db
def test_it_searches_and_pages_the_meters(small_building, alice, client_for):
    _grow(small_building, 30)
    client = client_for(alice)

    # 4 fixture meters (W1-W3, MAIN) + 30 = 34 → pages of 25: 25 + 9.
    first = client.get("/meters/")
    second = client.get("/meters/?page=2")
    found = client.get("/meters/?q=X1")

    assert len(first.context["page"]) == 25
    assert len(second.context["page"]) == 9
    # X1 and X10-X19: 11 serials contain "X1".
    assert found.context["page"].paginator.count == 11
