"""The bill run splits by the distribution rule configured for the residence
(``billing.DistributionRule``), through the same engine as ``meterbill allocate``."""

from datetime import date
from decimal import Decimal

from builders import make_tariff
from meterbill.billing.billrun import bill_period
from meterbill.billing.distribution import set_distribution_rule
from meterbill.billing.models import Finding, ProviderBill
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.metering.models import Reading
from meterbill.premises.models import Apartment, ApartmentUtility, ContractService

D = Decimal
ISSUE = date(2026, 12, 4)


def _rule(building, rule, utility=None, splits="quantity", residence=True):
    res = building["residence"]
    return set_distribution_rule(
        branch=res.branch,
        residence=res if residence else None,
        utility=utility or building["utility"],
        valid_from=date(2026, 1, 1),
        splits=splits,
        rule=rule,
    )


def _lines(description_start):
    return list(
        InvoiceLine.objects.filter(description__startswith=description_start)
        .order_by("invoice__apartment__number")
        .values_list("invoice__apartment__number", "quantity", "net_amount")
    )


def test_it_splits_heat_70_by_allocators_and_30_by_area(heated_building):
    # given the heated building (conftest: corrected units 110 / 161.5 / 202.5,
    # total 474; bill 1000.00) with areas 40 / 60 / 100 m2 (total 200) and a
    # branch-default rule: 70 % by allocator units, 30 % by area
    for apt, area in zip(heated_building["apartments"], (40, 60, 100), strict=True):
        Apartment.objects.filter(pk=apt.pk).update(area_m2=D(area))
    heat = (
        ApartmentUtility.objects.filter(
            apartment__residence=heated_building["residence"]
        )
        .first()
        .utility
    )
    _rule(
        heated_building,
        {"type": "mixed", "percent_by_consumption": "70", "base_key": "area"},
        utility=heat,
        splits="cost",
        residence=False,
    )

    bill_period(heated_building["period"], issue_date=ISSUE)

    # then 1000.00 × (0.7 × units/474 + 0.3 × area/200):
    #   apt 1: 0.7 × 110/474   + 0.3 × 0.2 = 0.222447… → 222.447…
    #   apt 2: 0.7 × 161.5/474 + 0.3 × 0.3 = 0.328502… → 328.502…
    #   apt 3: 0.7 × 202.5/474 + 0.3 × 0.5 = 0.449050… → 449.050…
    # floors 222.44 + 328.50 + 449.05 = 999.99; the cent goes to the largest
    # remainder (apt 1, .7257 of a cent)
    lines = _lines("Heating – share of the building's bill")
    assert [amount for _n, _q, amount in lines] == [
        D("222.45"),
        D("328.50"),
        D("449.05"),
    ]
    # and each line explains its parts: key, value, key total, percent
    first = InvoiceLine.objects.get(
        invoice__apartment=heated_building["apartments"][0],
        description__startswith="Heating",
    )
    parts = first.trace["share"]["parts"]
    assert [(p["key"], p["value"], p["total"], p["percent"]) for p in parts] == [
        ("allocator_units", "110", "474", "70"),
        ("area", "40", "200", "30"),
    ]
    assert first.trace["share"]["rule"] == "mixed:70% allocator_units/30% area"
    assert first.trace["distribution_rule"]["origin"] == "branch default"


def test_a_negative_difference_is_reduced_proportionally(small_building):
    # given the main meter reads 1000 → 1050 (50 m3) under apartments using
    # 10 + 20 + 30 = 60 m3, and the rule reduces proportionally
    Reading.objects.filter(
        register__meter__serial="MAIN", read_on=date(2026, 11, 30)
    ).update(value=1050)
    _rule(
        small_building,
        {
            "type": "consumption",
            "common_key": "persons",
            "negative_policy": "reduce_proportionally",
        },
    )

    run = bill_period(small_building["period"], issue_date=ISSUE)

    # then each apartment is charged its consumption × 50/60: 8.333…, 16.666…, 25;
    # to 0.001 the floors make 49.999 and the spare 0.001 goes to the largest
    # remainder (apt 2, .666): 8.333 + 16.667 + 25.000 = 50.000, the main meter
    assert _lines("Cold water – own meter (reduced)") == [
        ("1", D("8.333"), D("41.67")),
        ("2", D("16.667"), D("83.34")),
        ("3", D("25.000"), D("125.00")),
    ]
    # and the finding says so, for review; all three invoices are issued
    finding = Finding.objects.get(rule="negative_common")
    assert finding.severity == "review"
    assert "reduced proportionally" in finding.message
    assert run.summary["issued"] == 3


def test_a_negative_difference_with_policy_block_holds_the_invoices(small_building):
    # given the same negative difference (50 m3 main, 60 m3 apartments) and the
    # policy block
    Reading.objects.filter(
        register__meter__serial="MAIN", read_on=date(2026, 11, 30)
    ).update(value=1050)
    _rule(
        small_building,
        {"type": "consumption", "common_key": "persons", "negative_policy": "block"},
    )

    run = bill_period(small_building["period"], issue_date=ISSUE)

    # then a blocking finding on the residence, and no invoice is issued
    finding = Finding.objects.get(rule="negative_common")
    assert finding.severity == "block"
    assert finding.residence_id == small_building["residence"].pk
    assert "difference -10.000" in finding.message
    assert run.summary["issued"] == 0
    assert run.summary["held"] == 3

    # when an operator accepts it and the period is billed again
    finding.status = Finding.Status.ACCEPTED
    finding.save()
    run = bill_period(small_building["period"], issue_date=ISSUE)

    # then the three invoices are issued, with own-meter lines and no common ones
    assert run.summary["issued"] == 3
    assert not _lines("Cold water – common")


def test_an_unmetered_apartment_pays_the_norm(small_building):
    # given apartment 3 (3 persons) is unmetered and the rule's norm is 4 m3 a
    # person; main meter 66 m3; apartments 1 and 2 measure 10 and 20 m3
    ApartmentUtility.objects.filter(apartment__number="3").update(
        metering=ApartmentUtility.Metering.UNMETERED
    )
    _rule(
        small_building,
        {"type": "consumption", "common_key": "persons", "norm_per_person": "4"},
    )

    bill_period(small_building["period"], issue_date=ISSUE)

    # then apartment 3 pays 3 × 4 = 12 m3 by norm; the common consumption is
    # 66 − (10 + 20 + 12) = 24 m3, by persons 1 / 2 / 3 of 6: 4, 8, 12 m3
    assert _lines("Cold water – by norm") == [("3", D("12.000"), D("60.00"))]
    assert [(n, q) for n, q, _a in _lines("Cold water – common")] == [
        ("1", D("4.000")),
        ("2", D("8.000")),
        ("3", D("12.000")),
    ]
    assert [(n, q) for n, q, _a in _lines("Cold water – own meter")] == [
        ("1", D("10.000")),
        ("2", D("20.000")),
    ]


def test_a_cleaning_bill_is_split_by_quota(org, small_building):
    # given a cleaning service on the three contracts, quotas 0.2 / 0.3 / 0.5 and
    # a provider bill of 100.01 RON net (VAT 19 %) split by quota
    cleaning, tariff = make_tariff(
        org,
        "cleaning",
        "CLEAN",
        kind="fee",
        unit="month",
        unit_code="MON",
        unit_price="0",
        vat="19",
    )
    for apt, quota in zip(
        small_building["apartments"], ("0.2", "0.3", "0.5"), strict=True
    ):
        Apartment.objects.filter(pk=apt.pk).update(quota=D(quota))
        contract = apt.contract_set.get()
        ContractService.objects.create(
            contract=contract, utility=cleaning, tariff=tariff
        )
    from meterbill.premises.models import Provider

    ProviderBill.objects.create(
        residence=small_building["residence"],
        period=small_building["period"],
        utility=cleaning,
        provider=Provider.objects.create(organisation=org, name="Clean SRL"),
        quantity=D("1"),
        amount_net=D("100.01"),
        vat_rate_percent=D("19"),
        currency="RON",
    )
    _rule(small_building, {"type": "key", "key": "quota"}, cleaning, "cost")

    bill_period(small_building["period"], issue_date=ISSUE)

    # then 10001 cents × 0.2 / 0.3 / 0.5 = 2000.2, 3000.3, 5000.5: floors 10000,
    # the spare cent to the largest remainder (apt 3): 20.00, 30.00, 50.01
    lines = _lines("Cleaning – share of the building's bill")
    assert [a for _n, _q, a in lines] == [D("20.00"), D("30.00"), D("50.01")]
    assert sum(a for _n, _q, a in lines) == D("100.01")
    line = InvoiceLine.objects.get(invoice__apartment__number="3", utility=cleaning)
    assert line.vat_rate_percent == D("19")
    assert line.trace["share"]["key"] == "quota of ownership"
    assert Invoice.objects.filter(period=small_building["period"]).count() == 3


def test_a_common_heating_rule_takes_the_month_of_the_period(heated_building):
    # given a Romanian common-heating table without a month of its own: zone II
    # puts 20 % of the November heat on the common spaces (by heated area)
    heat = (
        ApartmentUtility.objects.filter(
            apartment__residence=heated_building["residence"]
        )
        .first()
        .utility
    )
    _rule(
        heated_building,
        {
            "type": "common_heating",
            "table": {"II": {"10": "15", "11": "20", "12": "25"}},
            "climatic_zone": "II",
        },
        utility=heat,
        splits="cost",
    )

    bill_period(heated_building["period"], issue_date=ISSUE)

    # then 1000.00 × (0.2 × 50/150 + 0.8 × units/474) (areas all 50 m2):
    #   apt 1: 0.066667 + 0.8 × 110/474   = 0.252321 → 252.3207…
    #   apt 2: 0.066667 + 0.8 × 161.5/474 = 0.339241 → 339.2405…
    #   apt 3: 0.066667 + 0.8 × 202.5/474 = 0.408439 → 408.4388…
    # floors 999.99; the cent to the largest remainder (apt 3, .88)
    lines = _lines("Heating – share of the building's bill")
    assert [a for _n, _q, a in lines] == [D("252.32"), D("339.24"), D("408.44")]
    first = InvoiceLine.objects.filter(description__startswith="Heating").first()
    assert "month 11" in first.trace["share"]["rule"]


def test_a_rule_that_cannot_be_applied_holds_the_invoices_with_a_finding(
    heated_building,
):
    # given custom weights for apartment 1 only
    heat = (
        ApartmentUtility.objects.filter(
            apartment__residence=heated_building["residence"]
        )
        .first()
        .utility
    )
    _rule(
        heated_building,
        {"type": "key", "key": "custom", "weights": {"1": "2"}},
        utility=heat,
        splits="cost",
    )

    run = bill_period(heated_building["period"], issue_date=ISSUE)

    # then nothing is split: a blocking finding names the rule and what is missing
    finding = Finding.objects.get(rule="distribution_rule")
    assert finding.severity == "block"
    assert "custom weights missing for 2, 3" in finding.message
    assert run.summary["issued"] == 0


def test_the_payment_list_names_the_quota_split_and_its_provider_bill(
    org, small_building
):
    # given the cleaning bill of the test above, split by quota and billed
    test_a_cleaning_bill_is_split_by_quota(org, small_building)
    from meterbill.billing.payment_list import build_payment_list

    plist = build_payment_list(small_building["residence"], small_building["period"])

    # then its column says how it was split and stands beside the provider bill
    column = next(c for c in plist.columns if c.key[0] == "Cleaning")
    assert column.label == "Cleaning – share of the provider bill"
    assert column.methods == [
        "quota of ownership: key:quota (rule of the residence from 2026-01-01)"
    ]
    assert column.total == D("100.01")
    assert column.provider_bill is not None
    assert column.provider_bill.amount_net == D("100.01")


def test_a_branching_counter_keeps_its_common_consumption_to_its_apartments(
    small_building,
):
    # given a branching counter BC1 under the main meter feeding apartments 1 and 2
    # (10 + 20 m3); it reads 35 m3; apartment 3 (30 m3) hangs under the main (66 m3)
    from meterbill.metering.models import Meter, Register

    res, cold = small_building["residence"], small_building["utility"]
    main = Meter.objects.get(serial="MAIN")
    counter = Meter.objects.create(
        branch=res.branch,
        kind="branch_counter",
        utility=cold,
        serial="BC1",
        residence=res,
        parent=main,
    )
    reg = Register.objects.create(meter=counter, unit="m3")
    Reading.objects.create(
        register=reg, read_on=date(2026, 10, 31), value=0, source="manual"
    )
    Reading.objects.create(
        register=reg, read_on=date(2026, 11, 30), value=35, source="manual"
    )
    Meter.objects.filter(serial__in=["W1", "W2"]).update(parent=counter)
    _rule(small_building, {"type": "consumption", "common_key": "persons"})

    bill_period(small_building["period"], issue_date=ISSUE)

    # then BC1's common 35 − 30 = 5 m3 goes to apartments 1 and 2 by persons 1 : 2
    # (5/3, 10/3), the main's 66 − (35 + 30) = 1 m3 to all by persons 1 : 2 : 3
    # (1/6, 2/6, 3/6). Totals 11.8333…, 23.6666…, 30.5: to 0.001 the floors make
    # 65.999 and the spare 0.001 goes to apartment 2 (.667 of it): 11.833, 23.667,
    # 30.500. Common lines = total − own meter: 1.833, 3.667, 0.500
    assert [(n, q) for n, q, _a in _lines("Cold water – common")] == [
        ("1", D("1.833")),
        ("2", D("3.667")),
        ("3", D("0.500")),
    ]
