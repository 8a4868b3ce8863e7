"""Who may open and change the configuration screens (ROLE_PERMISSIONS): every
role of the north branch, on the lists and on one change of each kind."""

from __future__ import annotations

import pytest

LISTS = {
    "home": "/config/",
    "utilities": "/config/utilities/",
    "providers": "/config/providers/",
    "series": "/config/series/",
    "severities": "/config/severities/",
    "tariffs": "/config/tariffs/",
    "preview": "/config/preview/",
    "vat": "/config/vat/",
}
DICTIONARIES = {"utilities", "providers", "series", "severities"}
READ_ALL = {"home", *DICTIONARIES, "tariffs", "preview"}

MAY_OPEN = {
    "administrator": READ_ALL | {"vat"},
    "branch_manager": READ_ALL,
    "billing_operator": {"home", "tariffs", "preview"},
    "meter_reader": set(),
    "auditor": READ_ALL | {"vat"},
    "customer": set(),
}

# One change of each kind: (name, url, data).
CHANGES = {
    "utility": ("/config/utilities/new/", "utility"),
    "series": ("/config/series/new/", "series"),
    "severity": ("/config/severities/{north}/", "severity"),
    "tariff": ("/config/tariffs/new/", "tariff"),
    "vat": ("/config/vat/new/", "vat"),
}
MAY_CHANGE = {
    "administrator": {"utility", "series", "severity", "tariff", "vat"},
    "branch_manager": {"series", "severity", "tariff"},
    "billing_operator": set(),
    "meter_reader": set(),
    "auditor": set(),
    "customer": set(),
}


def _data(kind, branches, utility):
    return {
        "utility": {
            "code": "gas",
            "name": "Gas",
            "kind": "gas",
            "unit": "m3",
            "unit_code": "MTQ",
            "quantity_decimals": "3",
        },
        "series": {"branch": branches["north"].pk, "prefix": "NX", "year": "2027"},
        "severity": {"high_use": "block"},
        "tariff": {"code": "GAS1", "name": "Gas", "utility": utility.pk},
        "vat": {"category": "S", "rate_percent": "21", "valid_from": "2027-01-01"},
    }[kind]


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(MAY_OPEN))
def test_it_opens_only_the_configuration_screens_of_the_role(
    role, role_user, client_for
):
    client = client_for(role_user(role))

    statuses = {name: client.get(url).status_code for name, url in LISTS.items()}

    assert {name for name, code in statuses.items() if code == 200} == MAY_OPEN[role]
    assert {code for code in statuses.values() if code != 200} <= {403}


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(MAY_CHANGE))
def test_it_lets_only_the_roles_that_may_change_configuration(
    role, role_user, client_for, branches, small_building
):
    from meterbill.audit.models import AuditEvent

    client = client_for(role_user(role))
    utility = small_building["utility"]

    statuses = {}
    for kind, (url, data_kind) in CHANGES.items():
        before = AuditEvent.objects.count()
        response = client.post(
            url.format(north=branches["north"].pk),
            _data(data_kind, branches, utility),
        )
        statuses[kind] = (response.status_code, AuditEvent.objects.count() - before)

    changed = {kind for kind, (code, events) in statuses.items() if events}
    assert changed == MAY_CHANGE[role], statuses
    for kind, (code, _events) in statuses.items():
        assert code == (302 if kind in MAY_CHANGE[role] else 403), (kind, code)


@pytest.mark.django_db
def test_it_shows_the_configuration_entry_only_to_roles_that_may_see_it(
    role_user, client_for
):
    reader = client_for(role_user("meter_reader"))
    operator = client_for(role_user("billing_operator"))

    reader_html = reader.get("/dashboard/").content.decode()
    operator_html = operator.get("/config/").content.decode()

    assert 'href="/config/"' not in reader_html
    assert 'href="/config/tariffs/"' in operator_html
    assert 'href="/config/utilities/"' not in operator_html
