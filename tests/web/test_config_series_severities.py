"""Invoice series and validation severities of a branch from the browser."""

from __future__ import annotations

import pytest

from .conftest import make_user


@pytest.fixture
def manager(branches):
    return make_user("nora", branches["north"], "branch_manager")


@pytest.mark.django_db
def test_it_creates_a_series_and_records_it(manager, branches, client_for):
    from meterbill.audit.models import AuditEvent
    from meterbill.invoicing.models import InvoiceSeries

    client = client_for(manager)

    response = client.post(
        "/config/series/new/",
        {"branch": branches["north"].pk, "prefix": "N", "year": "2027"},
    )

    assert response.status_code == 302
    series = InvoiceSeries.objects.get(prefix="N", year=2027)
    assert series.next_number == 1
    event = AuditEvent.objects.get(action="invoice_series.add")
    assert event.after == {
        "branch": branches["north"].pk,
        "prefix": "N",
        "year": 2027,
        "next_number": 1,
    }
    assert event.branch_id == branches["north"].pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("prefix", "year", "field", "message"),
    [
        ("N/1", "2027", "prefix", "1 to 16 letters"),
        ("S", "2026", "prefix", "Another branch of the organisation"),
        ("N", "1999", "year", "A year from 2000 to 2100."),
    ],
)
def test_it_refuses_a_bad_series_on_its_field(
    manager, branches, south, client_for, prefix, year, field, message
):
    client = client_for(manager)

    response = client.post(
        "/config/series/new/",
        {"branch": branches["north"].pk, "prefix": prefix, "year": year},
    )

    assert response.status_code == 422
    assert message in response.context["form"].errors[field][0]


@pytest.mark.django_db
def test_it_keeps_an_issued_series_numbering_and_refuses_its_deletion(
    branches, south, client_for
):
    from meterbill.invoicing.models import InvoiceSeries

    # bob's branch issued S2026-000001 from series S/2026 (tests/web/conftest.py).
    bob_manager = make_user("sam", branches["south"], "branch_manager")
    series = south["invoice"].series
    client = client_for(bob_manager)

    edit = client.post(
        f"/config/series/{series.pk}/",
        {"prefix": "Q", "year": "2030", "next_number": "1"},
    )
    delete = client.post(f"/config/series/{series.pk}/delete/", follow=True)

    assert edit.status_code == 302  # disabled fields keep their values
    series.refresh_from_db()
    assert (series.prefix, series.year, series.next_number) == ("S", 2026, 1)
    assert InvoiceSeries.objects.filter(pk=series.pk).exists()
    assert "cannot be deleted" in delete.content.decode()


@pytest.mark.django_db
def test_it_sets_severities_per_rule_and_reading_source(manager, branches, client_for):
    from meterbill.audit.models import AuditEvent
    from meterbill.billing.inputs import rule_overrides
    from meterbill.engine.validation import severity

    north = branches["north"]
    client = client_for(manager)

    response = client.post(
        f"/config/severities/{north.pk}/",
        {"high_use": "block", "high_use@portal": "off", "low_use": ""},
    )

    assert response.status_code == 302
    overrides = rule_overrides(north.pk)
    assert overrides == {"high_use": "block", "high_use@portal": "off"}
    # The bill run's reading of them: portal readings off, others block, and an
    # untouched rule keeps its default (low_use: review).
    assert severity("high_use", overrides, "portal") == "off"
    assert severity("high_use", overrides, "manual") == "block"
    assert severity("low_use", overrides, "manual") == "review"
    event = AuditEvent.objects.get(action="rule_setting.change")
    assert event.before == {}
    assert event.after == overrides


@pytest.mark.django_db
def test_it_removes_an_override_set_back_to_the_default(manager, branches, client_for):
    from meterbill.audit.models import AuditEvent
    from meterbill.billing.models import RuleSetting

    north = branches["north"]
    RuleSetting.objects.create(branch=north, rule="spike", severity="warn")
    client = client_for(manager)

    client.post(f"/config/severities/{north.pk}/", {"spike": ""})

    assert not RuleSetting.objects.filter(branch=north).exists()
    event = AuditEvent.objects.get(action="rule_setting.change")
    assert (event.before, event.after) == ({"spike": "warn"}, {})


@pytest.mark.django_db
def test_it_refuses_an_unknown_severity_on_its_row(manager, branches, client_for):
    from meterbill.billing.models import RuleSetting

    client = client_for(manager)

    response = client.post(
        f"/config/severities/{branches['north'].pk}/", {"spike": "panic"}
    )

    assert response.status_code == 422
    assert "spike" in response.context["form"].errors
    assert 'id="rule-spike"' in response.content.decode()
    assert not RuleSetting.objects.exists()


@pytest.mark.django_db
def test_it_shows_severities_read_only_to_an_auditor(branches, client_for):
    auditor = make_user("audrey", branches["north"], "auditor")
    client = client_for(auditor)
    url = f"/config/severities/{branches['north'].pk}/"

    page = client.get(url)
    post = client.post(url, {"spike": "off"})

    assert page.status_code == 200
    assert "<select" not in page.content.decode()
    assert post.status_code == 403


@pytest.mark.django_db
def test_it_never_writes_back_a_counter_that_moved_while_the_form_was_open(
    manager, branches
):
    from meterbill.invoicing.models import InvoiceSeries
    from meterbill.web.config_services import ConfigRefused, save_series

    series = InvoiceSeries.objects.create(
        branch=branches["north"], prefix="N", year=2027
    )
    shown = InvoiceSeries.objects.get(pk=series.pk)  # the form's copy: next 1
    # Meanwhile a bill run issues four numbers.
    InvoiceSeries.objects.filter(pk=series.pk).update(next_number=5)

    shown.prefix = "NN"
    with pytest.raises(ConfigRefused):
        save_series(shown, user=manager)
    shown.prefix = "N"
    save_series(shown, user=manager)

    series.refresh_from_db()
    assert (series.prefix, series.next_number) == ("N", 5)
