"""Accept, correct and reject findings (billing.review) from the review screen."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.billing import review
from meterbill.billing.models import Finding
from meterbill.metering.models import Reading


@pytest.fixture
def finding(small_building):
    reading = Reading.objects.get(
        register__meter__serial="W2", read_on=date(2026, 11, 30)
    )
    return Finding.objects.create(
        period=small_building["period"],
        subject=f"register:{reading.register_id}",
        register_id=reading.register_id,
        reading=reading,
        rule="register_decrease",
        severity="block",
        message="closing index below opening",
    )


@pytest.mark.django_db
def test_it_corrects_the_reading_and_keeps_before_and_after(finding, alice, client_for):
    client = client_for(alice)

    response = client.post(
        f"/review/{finding.pk}/correct/", {"value": "221", "reason": "misread 7 for 1"}
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.resolved_by, finding.reason) == (
        "corrected",
        alice,
        "misread 7 for 1",
    )
    assert finding.reading.value == Decimal(221)
    assert finding.reading.status == "corrected"
    event = AuditEvent.objects.get(action="reading.correct")
    assert event.before["value"] == "220.000000"
    assert event.after["value"] == "221"


@pytest.mark.django_db
def test_it_refuses_a_correction_without_a_reason(finding, alice, client_for):
    client = client_for(alice)

    client.post(f"/review/{finding.pk}/correct/", {"value": "221", "reason": ""})

    finding.refresh_from_db()
    assert finding.status == "open"
    assert finding.reading.value == Decimal(220)


@pytest.mark.django_db
def test_it_accepts_a_finding(finding, alice):
    review.accept_finding(finding.pk, user=alice, reason="meter exchanged")

    finding.refresh_from_db()
    assert finding.status == "accepted"
    assert AuditEvent.objects.filter(action="finding.accept").count() == 1


@pytest.mark.django_db
def test_it_rejects_a_finding_and_its_reading(finding, alice):
    review.reject_finding(finding.pk, user=alice)

    finding.refresh_from_db()
    assert finding.status == "rejected"
    assert finding.reading.status == "rejected"


@pytest.mark.django_db
def test_it_refuses_to_resolve_a_finding_twice(finding, alice):
    review.accept_finding(finding.pk, user=alice)

    with pytest.raises(review.ReviewError):
        review.reject_finding(finding.pk, user=alice)


@pytest.mark.django_db
def test_it_lists_the_open_findings(finding, alice, client_for):
    response = client_for(alice).get("/review/")

    assert b"closing index below opening" in response.content
