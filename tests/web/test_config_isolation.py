"""The configuration screens (web/urls_config.py) walked with the ids of another
organisation's dictionaries and tariffs and of the south branch's series and
severities: a north administrator, who may do everything, never sees them and
changes nothing. (tests/web/test_isolation_walk.py walks the same URLs as alice
and anonymously.)"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from .conftest import SOUTH_MARK, make_user
from .test_isolation_walk import _content, _urls

CONFIG_ACTIONS = r"^(utility|provider|invoice_series|rule_setting|vat_rate|tariff)"


@pytest.fixture
def elsewhere(south):
    """south's world plus configuration alice's organisation must not see: another
    organisation's utility, provider, tariff, version, component, lookup table and
    VAT rate, and the south branch's invoice series and a severity setting."""
    from meterbill.billing.models import RuleSetting
    from meterbill.orgs.models import Branch, Organisation
    from meterbill.premises.models import Provider, Utility
    from meterbill.tariffs.models import (
        LookupTable,
        Tariff,
        TariffComponent,
        TariffVersion,
        VatRate,
    )

    other = Organisation.objects.create(
        name=f"{SOUTH_MARK} SA", country="MD", currency="MDL"
    )
    Branch.objects.create(organisation=other, code="X", name=f"{SOUTH_MARK} X")
    utility = Utility.objects.create(
        organisation=other, code="zw", name=f"{SOUTH_MARK} water", kind="cold_water"
    )
    tariff = Tariff.objects.create(
        organisation=other, code="ZT", name=f"{SOUTH_MARK} T", utility=utility
    )
    version = TariffVersion.objects.create(
        tariff=tariff,
        valid_from=date(2026, 1, 1),
        currency="MDL",
        unit_price_net=Decimal(7),
        vat_rate_percent=Decimal(20),
    )
    component = TariffComponent.objects.create(
        version=version,
        position=1,
        kind="unit_price",
        code="zc",
        description=f"{SOUTH_MARK} c",
        params={"unit_price": "7"},
    )
    RuleSetting.objects.create(branch=south["branch"], rule="high_use", severity="off")
    return {
        **south,
        "utility": utility,
        "provider": Provider.objects.create(organisation=other, name=SOUTH_MARK),
        "tariff": tariff,
        "version": version,
        "component": component,
        "table": LookupTable.objects.create(
            version=version, name="zone", rows=[[SOUTH_MARK, "7"]]
        ),
        "vat_rate": VatRate.objects.create(
            organisation=other,
            category="S",
            rate_percent=Decimal(20),
            valid_from=date(2026, 1, 1),
        ),
        "series": south["invoice"].series,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["administrator", "branch_manager"])
def test_it_never_shows_or_changes_configuration_outside_the_users_reach(
    role, branches, elsewhere, client_for
):
    from meterbill.audit.models import AuditEvent
    from meterbill.billing.models import RuleSetting
    from meterbill.invoicing.models import InvoiceSeries
    from meterbill.tariffs.models import LookupTable, TariffComponent

    client = client_for(make_user(f"north-{role}", branches["north"], role))
    urls = [url for url in _urls(elsewhere) if url.startswith("/config/")]

    for url in urls:
        for method in (client.get, client.post):
            response = method(url)

            assert response.status_code in (200, 302, 403, 404, 405, 422), url
            assert SOUTH_MARK.encode() not in _content(response), url

    assert len(urls) > 25
    assert not AuditEvent.objects.filter(action__regex=CONFIG_ACTIONS).exists()
    assert RuleSetting.objects.get(branch=elsewhere["branch"]).severity == "off"
    series = InvoiceSeries.objects.get(pk=elsewhere["series"].pk)
    assert (series.prefix, series.year) == ("S", 2026)
    assert TariffComponent.objects.get(pk=elsewhere["component"].pk).position == 1
    assert LookupTable.objects.get(pk=elsewhere["table"].pk).rows[0][1] == "7"


@pytest.mark.django_db
def test_it_refuses_to_preview_another_branchs_apartment(alice, elsewhere, client_for):
    client = client_for(alice)

    response = client.get(
        "/config/preview/",
        {
            "version": elsewhere["version"].pk,
            "apartment": elsewhere["apartment"].pk,
            "consumption": "10",
        },
    )

    assert response.status_code == 422
    errors = response.context["form"].errors
    assert set(errors) == {"version", "apartment"}
    assert SOUTH_MARK.encode() not in response.content


@pytest.mark.django_db
def test_it_does_not_let_a_manager_put_a_series_in_another_branch(
    branches, south, client_for
):
    from meterbill.invoicing.models import InvoiceSeries

    manager = make_user("nora", branches["north"], "branch_manager")
    client = client_for(manager)

    response = client.post(
        "/config/series/new/",
        {"branch": south["branch"].pk, "prefix": "SX", "year": "2027"},
    )

    assert response.status_code == 422
    assert "branch" in response.context["form"].errors
    assert not InvoiceSeries.objects.filter(prefix="SX").exists()
