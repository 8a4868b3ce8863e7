"""The formula preview: a version rated on one apartment with its own data, the
lines and the formula trace shown, nothing written."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest


@pytest.fixture
def version(small_building):
    """COLD from 2027: 5.00 RON/m3 and a formula for the stairs' cleaning."""
    from meterbill.tariffs.models import TariffComponent, TariffVersion

    v = TariffVersion.objects.create(
        tariff=small_building["tariff"],
        valid_from=date(2027, 1, 1),
        currency="RON",
        unit_price_net=Decimal(0),
        vat_rate_percent=Decimal(11),
    )
    TariffComponent.objects.create(
        version=v,
        position=1,
        kind="unit_price",
        code="water",
        description="Cold water",
        params={"unit_price": "5.00"},
    )
    TariffComponent.objects.create(
        version=v,
        position=2,
        kind="formula",
        code="stairs",
        description="Stairs cleaning",
        formula="round(area * 0.035, 2) + persons * 1.5",
    )
    return v


@pytest.mark.django_db
def test_it_previews_a_version_on_an_apartments_last_period(
    alice, small_building, version, client_for
):
    from meterbill.audit.models import AuditEvent
    from meterbill.invoicing.models import Invoice

    apartment = small_building["apartments"][1]  # apt 2: 50 m2, 2 persons
    client = client_for(alice)
    events = AuditEvent.objects.count()

    response = client.get(
        "/config/preview/", {"version": version.pk, "apartment": apartment.pk}
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert result.error == ""
    # No dates: the last period, November 2026, and its consumption as the bill
    # run takes it: W2 read 200 on 31 Oct and 220 on 30 Nov, 20 m3 of its own;
    # the main meter 66 m3 less the apartments' 60 leaves 6 m3 common, by
    # persons 1 / 2 / 3: 2 m3; 22 m3 in all.
    assert result.quantity == Decimal(22)
    assert result.billed.period == small_building["period"]
    assert [(source, qty) for source, _t, qty in result.billed.items] == [
        ("own", Decimal(20)),
        ("common", Decimal(2)),
    ]
    lines = {line.component: line.net_amount for line in result.rating.lines}
    # water: 22 m3 × 5.00 = 110.00
    # stairs: round(50 × 0.035, 2) + 2 × 1.5 = 1.75 + 3.00 = 4.75
    assert lines == {"water": Decimal("110.00"), "stairs": Decimal("4.75")}
    totals = result.rating.totals
    # The organisation has no VAT schedule: the version's S 11 % applies.
    # VAT 114.75 × 11 % = 12.6225 → 12.62; total 127.37.
    assert (totals.tax_exclusive, totals.vat_total, totals.tax_inclusive) == (
        Decimal("114.75"),
        Decimal("12.62"),
        Decimal("127.37"),
    )
    html = response.content.decode()
    assert "round(area * 0.035, 2)" in html  # the formula trace, call by call
    assert "1.75" in html
    assert "as the bill run of 2026-11 takes it" in html
    assert "share of the common consumption" in html
    assert AuditEvent.objects.count() == events
    assert not Invoice.objects.exists()


@pytest.mark.django_db
def test_it_takes_the_bill_runs_estimate_of_a_missing_reading(
    alice, small_building, version, client_for
):
    from meterbill.metering.models import Reading

    # given apt 1's closing reading of 30 November is missing
    apartment = small_building["apartments"][0]
    Reading.objects.filter(
        register__meter__apartment=apartment, read_on=date(2026, 11, 30)
    ).delete()
    client = client_for(alice)

    response = client.get(
        "/config/preview/",
        {
            "version": version.pk,
            "apartment": apartment.pk,
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-30",
        },
    )

    # then the bill run's estimate: 10 m3 over the 31 days to 31 Oct, 10 / 31 a
    # day × 30 = 9.677; common: 66 − (9.677 + 20 + 30) = 6.323, 1 of 6 persons:
    # 1.054 (to 3 places); 10.731 in all; nothing saved
    result = response.context["result"]
    assert [(source, qty) for source, _t, qty in result.billed.items] == [
        ("own", Decimal("9.677")),
        ("common", Decimal("1.054")),
    ]
    assert result.quantity == Decimal("10.731")
    assert not Reading.objects.filter(
        register__meter__apartment=apartment, read_on=date(2026, 11, 30)
    ).exists()


@pytest.mark.django_db
def test_dates_of_no_period_measure_the_index_readings(
    alice, small_building, version, client_for
):
    apartment = small_building["apartments"][1]
    client = client_for(alice)

    response = client.get(
        "/config/preview/",
        {
            "version": version.pk,
            "apartment": apartment.pk,
            "starts_on": "2026-11-01",
            "ends_on": "2026-11-29",
        },
    )

    # no period of these dates: the readings in them, 200 on 31 Oct, none after
    # but 220 on 30 November (outside): nothing measured
    result = response.context["result"]
    assert result.billed is None
    assert result.quantity == Decimal(0)


@pytest.mark.django_db
def test_it_previews_a_typed_consumption_over_chosen_days(
    alice, small_building, version, client_for
):
    apartment = small_building["apartments"][0]  # apt 1: 50 m2, 1 person
    client = client_for(alice)

    response = client.get(
        "/config/preview/",
        {
            "version": version.pk,
            "apartment": apartment.pk,
            "starts_on": "2026-12-01",
            "ends_on": "2026-12-31",
            "consumption": "7.5",
        },
    )

    lines = {
        ln.component: ln.net_amount for ln in response.context["result"].rating.lines
    }
    # water: 7.5 × 5.00 = 37.50; stairs: 1.75 + 1 × 1.5 = 3.25
    assert lines == {"water": Decimal("37.50"), "stairs": Decimal("3.25")}


@pytest.mark.django_db
def test_it_shows_a_rating_error_instead_of_failing(
    alice, small_building, version, client_for
):
    from meterbill.tariffs.models import TariffComponent

    TariffComponent.objects.create(
        version=version,
        position=3,
        kind="formula",
        code="per_m2",
        description="Per m2 of a vacant flat",
        formula="consumption / (persons - 1)",
    )
    apartment = small_building["apartments"][0]  # 1 person: divides by zero
    client = client_for(alice)

    response = client.get(
        "/config/preview/",
        {"version": version.pk, "apartment": apartment.pk, "consumption": "3"},
    )

    assert response.status_code == 200
    assert "division by zero" in response.context["result"].error
    assert 'id="preview-error"' in response.content.decode()


@pytest.mark.django_db
def test_it_asks_for_both_dates(alice, small_building, version, client_for):
    client = client_for(alice)

    response = client.get(
        "/config/preview/",
        {
            "version": version.pk,
            "apartment": small_building["apartments"][0].pk,
            "starts_on": "2026-12-01",
        },
    )

    assert response.status_code == 422
    assert "ends_on" in response.context["form"].errors


@pytest.mark.django_db
def test_it_shows_why_a_category_s_version_at_0_percent_cannot_be_rated(
    alice, small_building, version, client_for
):
    # Saved before add-tariff and the version form refused it: category S at 0 %
    # while the organisation has no S rate of its own (EN 16931 BR-S-05).
    version.vat_rate_percent = Decimal(0)
    version.save()
    apartment = small_building["apartments"][1]
    client = client_for(alice)

    response = client.get(
        "/config/preview/",
        {"version": version.pk, "apartment": apartment.pk, "consumption": "3"},
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert result.rating is None
    assert result.error == "VAT category S: rate 0.00 not allowed"
    assert 'id="preview-error"' in response.content.decode()


@pytest.mark.django_db
def test_apartments_are_offered_in_the_order_people_count(
    alice, small_building, client_for
):
    from meterbill.premises.models import Apartment

    # given R1's apartments 1, 2, 3 and a tenth
    Apartment.objects.create(
        residence=small_building["residence"], number="10", area_m2=50, persons=1
    )

    response = client_for(alice).get("/config/preview/")

    # then 10 comes after 3, not between 1 and 2
    choices = [
        str(label) for _v, label in response.context["form"]["apartment"].field.choices
    ]
    assert [c.split("/")[-1] for c in choices if "/" in c] == ["1", "2", "3", "10"]
