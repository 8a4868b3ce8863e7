"""allocator_fault: a reading the period uses carries a fault or tamper flag."""

from datetime import date
from decimal import Decimal

from meterbill.engine.consumption import ReadingIn, RegisterIn, period_consumption

D = Decimal
NOV_1, NOV_30 = date(2026, 11, 1), date(2026, 11, 30)


def allocator(flags: frozenset[str]) -> RegisterIn:
    readings = [
        ReadingIn(1, date(2026, 10, 31), D(0), source="radio"),
        ReadingIn(2, NOV_30, D(100), source="radio", flags=flags),
    ]
    return RegisterIn(11, "HCA11", 5, D(1), readings)


def test_it_flags_a_tampered_allocator():
    result = period_consumption(allocator(frozenset({"tamper"})), NOV_1, NOV_30)

    assert result.quantity == D(100)
    assert [(f.rule, f.severity, f.reading_id) for f in result.findings] == [
        ("allocator_fault", "review", 2)
    ]
    assert "flagged tamper" in result.findings[0].message


def test_it_ignores_flags_that_are_no_fault():
    result = period_consumption(allocator(frozenset({"low_battery"})), NOV_1, NOV_30)

    assert result.findings == []


def test_it_flags_a_radio_alarm_and_names_every_fault_word():
    # the radio import maps the telegram's "alarm" status to the word alarm
    flags = frozenset({"alarm", "fault", "low_battery"})

    result = period_consumption(allocator(flags), NOV_1, NOV_30)

    assert [f.rule for f in result.findings] == ["allocator_fault"]
    assert "flagged alarm, fault" in result.findings[0].message
    # and the trace shows the reading's flags
    assert result.trace()["closing"]["flags"] == ["alarm", "fault", "low_battery"]
