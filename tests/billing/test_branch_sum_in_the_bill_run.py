"""branch_sum in the bill run: the branching counters under a main meter (and the
apartment meters under no counter) against the main meter, as a residence finding
that the review queue shows and, when it blocks, an accept releases."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from meterbill.audit.models import AuditEvent
from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding, RuleSetting
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Meter, Reading, Register

D = Decimal
OCT_31, NOV_30 = date(2026, 10, 31), date(2026, 11, 30)
ISSUE = date(2026, 12, 4)


def counter(small_building, serial, parent, closing, apartments=()):
    """A branching counter reading 0 on 31 Oct and ``closing`` on 30 Nov (None: no
    November reading), with the meters of ``apartments`` (numbers) under it."""
    res, cold = small_building["residence"], small_building["utility"]
    meter = Meter.objects.create(
        branch=res.branch,
        kind="branch_counter",
        utility=cold,
        serial=serial,
        residence=res,
        parent=parent,
    )
    reg = Register.objects.create(meter=meter, unit="m3")
    Reading.objects.create(register=reg, read_on=OCT_31, value=0, source="manual")
    if closing is not None:
        Reading.objects.create(
            register=reg, read_on=NOV_30, value=D(closing), source="manual"
        )
    Meter.objects.filter(serial__in=[f"W{n}" for n in apartments]).update(parent=meter)
    return meter


def main_reads(closing):
    Reading.objects.filter(register__meter__serial="MAIN", read_on=NOV_30).update(
        value=D(closing)
    )


def two_counters(small_building, main_closing):
    # BC1 feeds apartments 1 and 2 (10 + 20 m3) and reads 33; BC2 feeds apartment 3
    # (30 m3) and reads 31: together 64 m3 under the main meter
    main = Meter.objects.get(serial="MAIN")
    counter(small_building, "BC1", main, 33, apartments=(1, 2))
    counter(small_building, "BC2", main, 31, apartments=(3,))
    main_reads(main_closing)


def test_it_flags_counters_that_add_up_to_far_less_than_the_main_meter(
    small_building,
):
    # given the main meter reads 1000 → 1080 (80 m3) over counters of 64 m3
    two_counters(small_building, 1080)

    run = bill_period(small_building["period"], issue_date=ISSUE)

    # then 80 − 64 = 16 apart; the tolerance is max(5 % × 80, 1) = 4 m3: a
    # residence finding for review, naming the main meter and its closing reading
    finding = Finding.objects.get(rule="branch_sum")
    assert finding.subject == f"residence:{small_building['residence'].pk}"
    assert (finding.severity, finding.status) == ("review", "open")
    assert finding.message == (
        "meter MAIN: 80.000 against 64.000 on its 2 branching counter(s), 16.000 "
        "apart (tolerance 4.000)"
    )
    assert finding.register.meter.serial == "MAIN"
    assert (finding.reading.read_on, finding.reading.value) == (NOV_30, D(1080))
    # and review does not hold: the three invoices are issued
    assert run.summary["findings"]["branch_sum"] == 1
    assert (run.summary["issued"], run.summary["held"]) == (3, 0)


def test_it_says_nothing_within_the_tolerance(small_building):
    # given 66 m3 on the main meter over 64 on its counters: 2 apart, within
    # max(5 % × 66, 1) = 3.3
    two_counters(small_building, 1066)

    run = bill_period(small_building["period"], issue_date=ISSUE)

    assert not Finding.objects.filter(rule="branch_sum").exists()
    assert "branch_sum" not in run.summary["findings"]


def test_apartment_meters_under_no_counter_count_under_the_main_meter(
    small_building,
):
    # given BC1 (45 m3) feeds apartments 1 and 2; apartment 3's meter (30 m3) has no
    # parent, so it hangs under the main meter as in the common split
    counter(small_building, "BC1", Meter.objects.get(serial="MAIN"), 45, (1, 2))

    bill_period(small_building["period"], issue_date=ISSUE)

    # then 66 against 45 + 30 = 75: 9 apart, beyond max(3.3, 1)
    finding = Finding.objects.get(rule="branch_sum")
    assert finding.message == (
        "meter MAIN: 66.000 against 75.000 on its 1 branching counter(s) and 1 "
        "other meter(s) under it, -9.000 apart (tolerance 3.300)"
    )


def test_a_counter_with_counters_under_it_is_checked_too(small_building):
    # given BC0 (64 m3) under the main meter (66) with BC1 (33) and BC2 (20) under
    # it, and the apartments under BC1 and BC2
    main = Meter.objects.get(serial="MAIN")
    bc0 = counter(small_building, "BC0", main, 64)
    counter(small_building, "BC1", bc0, 33, apartments=(1, 2))
    counter(small_building, "BC2", bc0, 20, apartments=(3,))

    bill_period(small_building["period"], issue_date=ISSUE)

    # then the main meter against BC0 is 2 apart (within 3.3), but BC0 against
    # 33 + 20 = 53 is 11 apart, beyond max(5 % × 64 = 3.2, 1)
    finding = Finding.objects.get(rule="branch_sum")
    assert finding.message == (
        "meter BC0: 64.000 against 53.000 on its 2 branching counter(s), 11.000 "
        "apart (tolerance 3.200)"
    )


def test_it_does_not_compare_a_counter_without_a_reading(small_building):
    # given BC2 has no November reading and no history to estimate one (held by
    # no_estimate): 80 against 33 + nothing would be far apart
    main = Meter.objects.get(serial="MAIN")
    counter(small_building, "BC1", main, 33, apartments=(1, 2))
    counter(small_building, "BC2", main, None, apartments=(3,))
    main_reads(1080)

    run = bill_period(small_building["period"], issue_date=ISSUE)

    # then the comparison needs measured figures on both sides: no branch_sum
    assert not Finding.objects.filter(rule="branch_sum").exists()
    assert run.summary["findings"]["no_estimate"] == 1


@pytest.mark.parametrize("by", ["function", "review queue"])
def test_a_blocking_branch_sum_holds_the_invoices_until_it_is_accepted(
    small_building, branches, alice, client, by
):
    # given the north branch blocks on branch_sum, and counters 16 m3 short of the
    # main meter (as in the first test)
    RuleSetting.objects.create(
        branch=branches["north"], rule="branch_sum", severity="block"
    )
    two_counters(small_building, 1080)

    run = bill_period(small_building["period"], issue_date=ISSUE)

    # then the three cold-water users are held and the period waits
    assert (run.summary["issued"], run.summary["held"]) == (0, 3)
    small_building["period"].refresh_from_db()
    assert small_building["period"].state == "calculated"
    finding = Finding.objects.get(rule="branch_sum")
    assert (finding.severity, finding.status) == ("block", "open")

    # when an operator accepts it: in the review queue, which shows it first
    if by == "review queue":
        client.force_login(alice)
        page = client.get(reverse("web:review"))
        assert "meter MAIN: 80.000 against 64.000" in page.content.decode()
        done = client.post(
            reverse("web:resolve_finding", args=[finding.pk, "accept"]),
            {"reason": "BC2 leaks before the counter; plumber booked"},
        )
        assert done.status_code == 302
    else:
        from meterbill.billing.review import accept_finding

        accept_finding(finding.pk, user=alice, reason="checked on site")
    again = bill_period(small_building["period"], issue_date=ISSUE)

    # then the next run issues the three invoices, numbered 1 to 3, and the
    # acceptance is in the audit trail
    assert (again.summary["issued"], again.summary["held"]) == (3, 0)
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert AuditEvent.objects.filter(action="finding.accept").count() == 1
    small_building["period"].refresh_from_db()
    assert small_building["period"].state == "invoiced"
