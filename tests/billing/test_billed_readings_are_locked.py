from datetime import date
from decimal import Decimal

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.billing.review import ReviewError, correct_finding
from meterbill.metering.models import Reading, Register
from meterbill.web.services import enter_reading

CLOSING = date(2026, 11, 30)


def test_a_reading_an_issued_invoice_used_cannot_be_changed(small_building, alice):
    # given the small building billed: apartment 1's invoice used its 110 closing index
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    register = Register.objects.get(meter__serial="W1")

    result = enter_reading(
        register, small_building["period"], CLOSING, "9999", user=alice
    )

    assert [e.code for e in result.errors] == ["already_billed"]
    assert Reading.objects.get(register=register, read_on=CLOSING).value == 110


def test_a_held_apartments_reading_can_still_be_corrected(small_building, alice):
    # given apartment 2 misread (200 → 190) and held, so nothing billed its reading
    Reading.objects.filter(register__meter__serial="W2", read_on=CLOSING).update(
        value=190
    )
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    finding = Finding.objects.get(rule="register_decrease")

    correct_finding(finding.pk, user=alice, value=Decimal("220"), reason="re-read")

    assert (
        Reading.objects.get(register__meter__serial="W2", read_on=CLOSING).value == 220
    )


def test_the_review_queue_refuses_to_correct_a_billed_reading(small_building, alice):
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    reading = Reading.objects.get(register__meter__serial="W1", read_on=CLOSING)
    finding = Finding.objects.create(
        period=small_building["period"],
        subject=f"register:{reading.register_id}",
        register=reading.register,
        reading=reading,
        rule="high_use",
        severity="review",
        message="high",
    )

    with pytest.raises(ReviewError, match="is billed on invoice N-2026-000001"):
        correct_finding(finding.pk, user=alice, value=Decimal("111"), reason="x")
