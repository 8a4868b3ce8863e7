"""building_average_m2 in the bill run: an apartment meter the branch wants
estimated from its building gets the measured use per m² of the other apartments ×
its area, stored as its closing index when it has an opening index, and recorded as
a quantity (trace and finding) when it has none."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.metering.estimation import save_estimation_setting
from meterbill.metering.models import Reading
from meterbill.premises.models import Apartment

D = Decimal
NOV_30 = date(2026, 11, 30)
ISSUE = date(2026, 12, 4)
BASIS = (
    "building average 0.500 per m² over 2 apartments (50.000 / 100.00 m²) × 52.50 m²"
)


def building_of_100_m2(small_building, *methods):
    """Apartment 1 has 52.5 m²; apartments 2 (20 m3) and 3 (30 m3) have 40 and 60 m²:
    50 m3 measured on 100 m² is 0.5 m3 per m², so apartment 1 is 26.250 m3."""
    apt1, apt2, apt3 = small_building["apartments"]
    for apt, area in ((apt1, "52.5"), (apt2, "40"), (apt3, "60")):
        Apartment.objects.filter(pk=apt.pk).update(area_m2=D(area))
    save_estimation_setting(
        small_building["residence"].branch, small_building["utility"], methods
    )
    return apt1


def own_line(apartment):
    return Invoice.objects.get(apartment=apartment).lines.get(
        description="Cold water – own meter"
    )


def test_a_meter_without_history_is_estimated_from_its_building(small_building):
    # given apartment 1's meter has only its 31 Oct index (100): no history for the
    # average daily use, the branch's first method; the main meter reads 86 m3
    apt1 = building_of_100_m2(small_building, "average_daily", "building_average_m2")
    Reading.objects.filter(register__meter__serial="W1").exclude(
        read_on=date(2026, 10, 31)
    ).delete()
    Reading.objects.filter(register__meter__serial="MAIN", read_on=NOV_30).update(
        value=1086
    )

    run = bill_period(small_building["period"], issue_date=ISSUE)

    # then the building average answers: 0.5 × 52.5 = 26.250 m3, so the closing
    # index is 100 + 26.250 = 126.250, stored like any estimate with its basis
    estimate = Reading.objects.get(register__meter__serial="W1", read_on=NOV_30)
    assert (estimate.status, estimate.source) == ("estimated", "estimate")
    assert (estimate.value, estimate.method) == (D("126.25"), "building_average_m2")
    assert estimate.note == BASIS
    assert run.summary["estimated"] == 1
    # and nothing is held: no_estimate gave way to a missing_reading warning
    assert (run.summary["issued"], run.summary["held"]) == (3, 0)
    assert run.summary["findings"] == {"missing_reading": 1}
    assert Finding.objects.get().message == (
        f"meter W1: no closing reading by {NOV_30}; estimated 126.250 by "
        f"building_average_m2: {BASIS}"
    )
    # and the line's trace names the method and its basis
    line = own_line(apt1)
    assert line.quantity == D("26.250")
    [consumption] = line.trace["consumption"]
    assert consumption["estimate"]["method"] == "building_average_m2"
    assert consumption["estimate"]["basis"] == BASIS
    # and the estimate counts in the common split: 86 − (26.25 + 20 + 30) = 9.75
    # m3 by persons 1 : 2 : 3 = 1.625, 3.250, 4.875
    common = InvoiceLine.objects.filter(
        description="Cold water – common consumption (by persons)"
    ).order_by("invoice__apartment__number")
    assert [ln.quantity for ln in common] == [D("1.625"), D("3.25"), D("4.875")]


def test_it_wins_over_a_method_listed_after_it(small_building):
    # given apartment 1 has history (30 Sep 90, 31 Oct 100) but no 30 Nov index;
    # the average daily use could estimate 109.677, but it comes second
    apt1 = building_of_100_m2(small_building, "building_average_m2", "average_daily")
    Reading.objects.filter(register__meter__serial="W1", read_on=NOV_30).delete()

    bill_period(small_building["period"], issue_date=ISSUE)

    # then 100 + 26.250, by the building average
    estimate = Reading.objects.get(register__meter__serial="W1", read_on=NOV_30)
    assert (estimate.value, estimate.method) == (D("126.25"), "building_average_m2")
    assert own_line(apt1).quantity == D("26.250")


def test_it_gives_way_to_a_method_listed_before_it(small_building):
    # given the same meter, with the average daily use listed first
    building_of_100_m2(small_building, "average_daily", "building_average_m2")
    Reading.objects.filter(register__meter__serial="W1", read_on=NOV_30).delete()

    bill_period(small_building["period"], issue_date=ISSUE)

    # then 10 m3 in 31 days × 30 days = 9.677 → 109.677, by the average daily use
    estimate = Reading.objects.get(register__meter__serial="W1", read_on=NOV_30)
    assert (estimate.value, estimate.method) == (D("109.677"), "average_daily")


def test_without_an_opening_index_it_is_a_quantity_and_no_reading(small_building):
    # given apartment 1's meter has no reading at all: nothing to open from
    apt1 = building_of_100_m2(small_building, "building_average_m2")
    Reading.objects.filter(register__meter__serial="W1").delete()

    run = bill_period(small_building["period"], issue_date=ISSUE)

    # then apartment 1 is billed 26.250 m3, recorded in the trace and the finding
    # only: an index cannot be made without an opening index
    assert not Reading.objects.filter(register__meter__serial="W1").exists()
    assert run.summary["estimated"] == 0
    line = own_line(apt1)
    assert line.quantity == D("26.250")
    [consumption] = line.trace["consumption"]
    assert consumption["estimate"] == {
        "method": "building_average_m2",
        "quantity": "26.250",
        "basis": BASIS,
        "recorded": "quantity only: no opening index to make it a closing index",
    }
    finding = Finding.objects.get(rule="missing_reading")
    assert finding.message.startswith(
        "meter W1: no opening index before 2026-11-01; 26.250 estimated by "
        "building_average_m2 (quantity only"
    )
    assert (run.summary["issued"], run.summary["held"]) == (3, 0)


def test_it_falls_back_when_the_building_measured_nothing(small_building):
    # given no apartment has a 30 Nov index: there is no measured use to average,
    # so the next method (average daily use, 10 m3 in 31 days) estimates each
    building_of_100_m2(small_building, "building_average_m2", "average_daily")
    Reading.objects.filter(
        register__meter__serial__startswith="W", read_on=NOV_30
    ).delete()

    bill_period(small_building["period"], issue_date=ISSUE)

    # then each by the average daily use, none by the building average
    methods = dict(
        Reading.objects.filter(read_on=NOV_30, status="estimated").values_list(
            "register__meter__serial", "method"
        )
    )
    assert methods == dict.fromkeys(["W1", "W2", "W3"], "average_daily")
