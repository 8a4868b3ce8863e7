"""What each role may open, in the north branch (ROLE_PERMISSIONS)."""

from __future__ import annotations

import pytest

SCREENS = {
    "dashboard": "/dashboard/",
    "residences": "/residences/",
    "readings": "/readings/",
    "review": "/review/",
    "billrun": "/periods/{period}/billrun/",
    "invoices": "/invoices/",
    "audit": "/audit/",
    "portal": "/portal/",
}

ALLOWED = {
    "administrator": {
        "dashboard",
        "residences",
        "readings",
        "review",
        "invoices",
        "audit",
    },
    "branch_manager": {
        "dashboard",
        "residences",
        "readings",
        "review",
        "billrun",
        "invoices",
    },
    "billing_operator": {
        "dashboard",
        "residences",
        "readings",
        "review",
        "billrun",
        "invoices",
    },
    "meter_reader": {"dashboard", "residences", "readings"},
    "auditor": {"dashboard", "residences", "review", "invoices", "audit"},
    "customer": set(),  # the portal needs a linked customer: see test_portal
}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_it_opens_only_the_screens_of_the_role(
    role, role_user, client_for, small_building
):
    client = client_for(role_user(role))
    period = small_building["period"].pk

    statuses = {
        name: client.get(url.format(period=period)).status_code
        for name, url in SCREENS.items()
    }

    assert {name for name, code in statuses.items() if code == 200} == ALLOWED[role]
    assert {code for name, code in statuses.items() if name not in ALLOWED[role]} <= {
        403,
        404,
    }


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["meter_reader", "auditor", "customer"])
def test_it_forbids_resolving_a_finding_to_a_role_without_it(
    role, role_user, client_for, small_building
):
    from meterbill.billing.models import Finding

    finding = Finding.objects.create(
        period=small_building["period"],
        subject="residence:1",
        rule="negative_common",
        severity="review",
        message="m",
    )
    client = client_for(role_user(role))

    response = client.post(f"/review/{finding.pk}/accept/")

    assert response.status_code == 403
    finding.refresh_from_db()
    assert finding.status == "open"


@pytest.mark.django_db
def test_it_shows_only_the_allowed_modules_in_the_navigation(role_user, client_for):
    client = client_for(role_user("meter_reader"))

    html = client.get("/dashboard/").content.decode()

    assert 'href="/readings/"' in html
    assert 'href="/invoices/"' not in html
    assert 'href="/audit/"' not in html


@pytest.mark.django_db
def test_it_lets_an_administrator_at_the_root_see_every_branch(
    branches, south, role_user, client_for
):
    admin = role_user("administrator", "hq")
    client = client_for(admin)

    response = client.get(f"/invoices/{south['invoice'].pk}/")

    assert response.status_code == 200
