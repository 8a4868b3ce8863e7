import pytest
from django.core.management import CommandError, call_command

from meterbill.audit import trail
from meterbill.audit.models import AuditEvent


@pytest.fixture
def two_events(alice, branches):
    return [
        trail.record(
            "tariff.change", user=alice, branch=branches["north"], after={"n": n}
        )
        for n in (1, 2)
    ]


def test_it_reports_an_intact_trail(two_events, capsys):
    call_command("verify_audit")

    assert capsys.readouterr().out == "audit trail intact: 2 events\n"


def test_it_reports_an_empty_trail_as_intact(db, capsys):
    call_command("verify_audit")

    assert capsys.readouterr().out == "audit trail intact: 0 events\n"


def test_it_prints_each_break_and_exits_with_1(two_events, capsys):
    AuditEvent.objects.filter(pk=two_events[0].pk).update(action="tariff.delete")

    with pytest.raises(CommandError) as raised:
        call_command("verify_audit")

    # then the altered event is named; the second's link to it still holds
    assert raised.value.returncode == 1
    out = capsys.readouterr().out
    assert out == (
        f"audit trail broken at event {two_events[0].pk}: content does not match "
        "its hash (altered)\n"
    )
