"""A version's own VAT rate fills in, day by day, where the organisation's schedule
has no rate for its category yet: a row entered ahead of time (S 21 % from a later
date) leaves the days before it at the version's rate (COLD at S 11 %)."""

from datetime import date
from decimal import Decimal

from django.test import Client

from builders import preview_get
from meterbill.billing.billrun import bill_period
from meterbill.engine.components import VatRates
from meterbill.invoicing.models import Invoice
from meterbill.tariffs.compile import vat_for, vat_schedule, versions_for
from meterbill.tariffs.models import TariffVersion, VatRate

D = Decimal


def cold_versions(small_building, starts_on: date, ends_on: date):
    tariff = small_building["tariff"]
    return versions_for([tariff.pk], starts_on, ends_on)[tariff.pk]


def add_s_row(org, rate: str, valid_from: date) -> None:
    VatRate.objects.create(
        organisation=org, category="S", rate_percent=D(rate), valid_from=valid_from
    )


def s_by_day(schedule: list[VatRates]) -> list[tuple[date, Decimal | None]]:
    return [(s.valid_from, s.rates.get("S")) for s in schedule]


def test_a_later_row_keeps_the_versions_rate_on_the_days_before_it(org, small_building):
    # given COLD from 1 Jan 2026 at its own S 11 % and the organisation's first
    # row, S 21 % from 1 Jan 2027
    add_s_row(org, "21", date(2027, 1, 1))
    versions = cold_versions(small_building, date(2026, 12, 1), date(2026, 12, 31))

    schedule = vat_for(vat_schedule(org.pk), versions)

    # then S: none before the version, 11 from 1 Jan 2026 (the version's own),
    # 21 from 1 Jan 2027 (the organisation's); Z, E, AE 0 and O none throughout
    assert s_by_day(schedule) == [
        (date.min, None),
        (date(2026, 1, 1), D("11")),
        (date(2027, 1, 1), D("21")),
    ]
    assert "S" not in schedule[0].rates
    for s in schedule:
        assert (s.rates["Z"], s.rates["E"], s.rates["AE"], s.rates["O"]) == (
            0,
            0,
            0,
            None,
        )


def test_the_organisations_row_wins_over_a_later_versions_own_rate(
    org, small_building, add_version
):
    # given the organisation's S 21 % from 1 Jan 2027 and a COLD version from
    # 1 Jun 2027 with its own S 11 %
    add_s_row(org, "21", date(2027, 1, 1))
    add_version(date(2027, 6, 1))
    versions = cold_versions(small_building, date(2026, 12, 1), date(2027, 6, 30))
    assert [v.valid_from for v in versions] == [date(2026, 1, 1), date(2027, 6, 1)]

    schedule = vat_for(vat_schedule(org.pk), versions)

    # then S stays at the organisation's 21 % from 1 Jan 2027, June included
    assert s_by_day(schedule) == [
        (date.min, None),
        (date(2026, 1, 1), D("11")),
        (date(2027, 1, 1), D("21")),
        (date(2027, 6, 1), D("21")),
    ]


def test_a_category_missing_from_a_row_keeps_the_versions_rate(small_building):
    # given an organisation schedule in the engine's shape (dated rows, sorted,
    # each the rates in force from its day): S 19 % from 1 Mar 2026, then a row
    # of 1 Jun 2026 without S; and COLD at its own S 11 % from 1 Jan 2026
    versions = cold_versions(small_building, date(2026, 11, 1), date(2026, 11, 30))
    schedule = [
        VatRates(date.min, {"Z": D(0)}),
        VatRates(date(2026, 3, 1), {"Z": D(0), "S": D(19)}),
        VatRates(date(2026, 6, 1), {"Z": D(0)}),
    ]

    result = vat_for(schedule, versions)

    # then S: the version's 11 % from 1 Jan, the organisation's 19 % from 1 Mar,
    # the version's 11 % again from 1 Jun (the row in force that day has no S)
    assert s_by_day(result) == [
        (date.min, None),
        (date(2026, 1, 1), D("11")),
        (date(2026, 3, 1), D("19")),
        (date(2026, 6, 1), D("11")),
    ]
    assert all(s.rates["Z"] == 0 for s in result)


def test_a_version_at_s_0_replaced_on_every_day_is_not_checked(org, small_building):
    # given the organisation's S 19 % from 2025 and COLD (from 2026) at S 0 %,
    # which the organisation's rate replaces on every day from its valid_from
    add_s_row(org, "19", date(2025, 1, 1))
    TariffVersion.objects.filter(tariff=small_building["tariff"]).update(
        vat_rate_percent=D(0)
    )
    versions = cold_versions(small_building, date(2026, 11, 1), date(2026, 11, 30))
    assert versions[0].fallback_vat == ("S", D("0.00"))

    schedule = vat_for(vat_schedule(org.pk), versions)

    # then no error: S is the organisation's 19 % on every day from 2025
    assert s_by_day(schedule) == [
        (date.min, None),
        (date(2025, 1, 1), D("19")),
        (date(2026, 1, 1), D("19")),
    ]


def test_the_preview_cuts_a_period_at_the_first_row(org, small_building, alice):
    # given the organisation's first row S 21 % from 16 Nov 2026 and COLD at its
    # own S 11 % (5.00 RON/m3, fixed 2.00 RON/month)
    add_s_row(org, "21", date(2026, 11, 16))
    version = TariffVersion.objects.get(tariff=small_building["tariff"])

    # when the preview rates November 2026 with 30 m3
    client = Client()
    client.force_login(alice)
    response = preview_get(
        client,
        version,
        small_building["apartments"][0],
        "2026-11-01",
        "2026-11-30",
        consumption="30",
    )

    # then two parts of 15 days, 15 m3 each:
    # 1–15 Nov at 11 %: 15 × 5.00 = 75.00, fixed 0.5 × 2.00 = 1.00
    # 16–30 Nov at 21 %: 75.00 and 1.00
    # VAT 76.00 × 11 % = 8.36 and 76.00 × 21 % = 15.96; net 152.00, gross 176.32
    assert response.status_code == 200
    result = response.context["result"]
    assert result.error == ""
    lines = [
        (ln.starts_on, ln.ends_on, ln.vat_rate, ln.net_amount)
        for ln in result.rating.lines
    ]
    first = (date(2026, 11, 1), date(2026, 11, 15), D("11"))
    second = (date(2026, 11, 16), date(2026, 11, 30), D("21"))
    assert lines == [
        (*first, D("75.00")),
        (*first, D("1.00")),
        (*second, D("75.00")),
        (*second, D("1.00")),
    ]
    totals = result.rating.totals
    assert (totals.tax_exclusive, totals.vat_total, totals.tax_inclusive) == (
        D("152.00"),
        D("24.32"),
        D("176.32"),
    )


def test_the_bill_run_cuts_a_period_at_the_first_row(org, small_building):
    # given the organisation's first row S 21 % from 16 Nov 2026 and COLD at its
    # own S 11 % (5.00 RON/m3, fixed 2.00 RON/month)
    add_s_row(org, "21", date(2026, 11, 16))

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartment 2 (own 20 m3, common 2 m3 = 22 m3) in two parts of 15 days,
    # 11 m3 each (10 own + 1 common):
    # 1–15 Nov at 11 %: own 10 × 5 = 50.00, common 1 × 5 = 5.00, fixed 1.00
    # 16–30 Nov at 21 %: the same 56.00
    # VAT 56.00 × 11 % = 6.16 and 56.00 × 21 % = 11.76; net 112.00, VAT 17.92,
    # gross 129.92
    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    lines = [
        (ln.starts_on, ln.ends_on, ln.vat_rate_percent, ln.net_amount)
        for ln in inv.lines.order_by("position")
    ]
    first = (date(2026, 11, 1), date(2026, 11, 15), D("11"))
    second = (date(2026, 11, 16), date(2026, 11, 30), D("21"))
    assert lines == [
        (*first, D("50.00")),
        (*first, D("5.00")),
        (*first, D("1.00")),
        (*second, D("50.00")),
        (*second, D("5.00")),
        (*second, D("1.00")),
    ]
    groups = {g["rate_percent"]: g["vat"] for g in inv.frozen["vat_breakdown"]}
    assert groups == {"11.00": "6.16", "21.00": "11.76"}
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("112.00"),
        D("17.92"),
        D("129.92"),
    )


def test_a_bill_run_before_a_later_row_is_at_the_versions_rate(org, small_building):
    # given the organisation's first row S 21 % from 1 Jan 2027 and November's
    # bill run (the tester's case one month earlier: every day before the row)
    add_s_row(org, "21", date(2027, 1, 1))

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartment 2's 22 m3 × 5.00 + fixed 2.00 = 112.00 at 11 %: VAT 12.32
    inv = Invoice.objects.get(apartment=small_building["apartments"][1])
    assert {ln.vat_rate_percent for ln in inv.lines.all()} == {D("11")}
    assert (inv.total_net, inv.total_vat, inv.total_gross) == (
        D("112.00"),
        D("12.32"),
        D("124.32"),
    )
