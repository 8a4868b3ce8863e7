from datetime import date
from decimal import Decimal

from meterbill.tariffs.compile import StoredVersion, vat_for, vat_schedule, versions_for
from meterbill.tariffs.models import TariffComponent, VatRate

D = Decimal


def test_it_loads_the_versions_in_force_during_the_period(
    small_building, add_version, django_assert_num_queries
):
    # given COLD from 1 Jan (5.00), 1 Oct (5.50), 16 Nov (6.00) and 1 Dec (7.00)
    add_version(date(2026, 10, 1), unit_price="5.50")
    mid = add_version(date(2026, 11, 16), unit_price="6.00")
    add_version(date(2026, 12, 1), unit_price="7.00")
    tariff = small_building["tariff"]

    # (versions, their components, their lookup tables: three queries)
    with django_assert_num_queries(3):
        found = versions_for([tariff.pk], date(2026, 11, 1), date(2026, 11, 30))

    # then November sees the October version (in force on its first day) and the
    # one from 16 Nov; the January one was replaced before, December's is later
    versions = found[tariff.pk]
    assert [v.valid_from for v in versions] == [date(2026, 10, 1), date(2026, 11, 16)]
    assert isinstance(versions[1], StoredVersion)
    assert versions[1].version_id == mid.pk
    # and a version without component rows is a unit price and a fixed charge
    unit, fixed = versions[1].components
    assert (unit.code, unit.unit_price, unit.unit_code) == ("(unit)", D("6.00"), "MTQ")
    assert (fixed.code, fixed.amount_per_month) == ("(fixed)", D("2.00"))


def test_component_rows_are_compiled_in_position_order(small_building):
    version = small_building["tariff"].versions.get()
    for position, code in ((2, "B"), (1, "A")):
        TariffComponent.objects.create(
            version=version,
            position=position,
            kind="fixed",
            code=code,
            description=code,
            params={"amount_per_month": "1"},
        )

    found = versions_for(
        [small_building["tariff"].pk], date(2026, 11, 1), date(2026, 11, 30)
    )

    assert [c.code for c in found[small_building["tariff"].pk][0].components] == [
        "A",
        "B",
    ]


def test_the_organisations_vat_rate_wins_over_the_versions_own(org, small_building):
    # given the version's own 11% and the organisation's S at 19% from 1 Nov
    VatRate.objects.create(
        organisation=org,
        category="S",
        rate_percent=D("19"),
        valid_from=date(2026, 11, 1),
    )
    versions = versions_for(
        [small_building["tariff"].pk], date(2026, 11, 1), date(2026, 11, 30)
    )[small_building["tariff"].pk]

    schedule = vat_for(vat_schedule(org.pk), versions)

    # then S is 19% from 1 Nov, and the version's own 11% from its first day
    # until then (a day the organisation has no S rate for); Z, E and AE are 0
    # and O has no rate from the start
    assert [(s.valid_from, s.rates.get("S")) for s in schedule] == [
        (date.min, None),
        (date(2026, 1, 1), D("11")),
        (date(2026, 11, 1), D("19")),
    ]
    assert schedule[0].rates["O"] is None
    assert schedule[0].rates["E"] == 0


def test_without_a_vat_rate_the_versions_own_rate_applies(org, small_building):
    versions = versions_for(
        [small_building["tariff"].pk], date(2026, 11, 1), date(2026, 11, 30)
    )[small_building["tariff"].pk]

    schedule = vat_for(vat_schedule(org.pk), versions)

    assert schedule[-1].valid_from == date(2026, 1, 1)
    assert schedule[-1].rates["S"] == D("11")
