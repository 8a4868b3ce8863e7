from datetime import date

import pytest

from meterbill.audit import trail
from meterbill.audit.models import AuditEvent
from meterbill.billing.billrun import bill_period


@pytest.fixture
def three_events(alice, branches):
    return [
        trail.record(
            "reading.enter",
            user=alice,
            branch=branches["north"],
            after={"value": str(v)},
        )
        for v in (100, 110, 120)
    ]


def test_it_finds_nothing_wrong_with_an_intact_chain(three_events):
    assert list(trail.verify()) == []


def test_a_bill_run_leaves_an_intact_chain(small_building):
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then start and finish are recorded, and the chain verifies
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert (actions[0], actions[-1]) == ("billrun.start", "billrun.finish")
    assert list(trail.verify()) == []


def test_it_detects_an_altered_after(three_events):
    middle = three_events[1]
    AuditEvent.objects.filter(pk=middle.pk).update(after={"value": "999"})

    breaks = list(trail.verify())

    assert [(b.event_id, b.reason) for b in breaks] == [
        (middle.pk, "content does not match its hash (altered)")
    ]


def test_it_detects_a_deleted_middle_event(three_events):
    _first, middle, last = three_events
    AuditEvent.objects.filter(pk=middle.pk).delete()

    breaks = list(trail.verify())

    # then the next event no longer follows its predecessor, and the head counts 3
    assert [b.event_id for b in breaks] == [last.pk, 0]
    assert "removed" in breaks[0].reason


def test_it_detects_a_deleted_newest_event(three_events):
    AuditEvent.objects.filter(pk=three_events[-1].pk).delete()

    breaks = list(trail.verify())

    # then every remaining event is sound, but the head still names the deleted one
    assert [(b.event_id, b.reason) for b in breaks] == [
        (0, "the newest events were removed (head does not match)")
    ]
