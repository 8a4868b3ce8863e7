"""A lookup table of a version an issued invoice used takes rows of new keys only
(``add_table_rows``): the rows there are may have been read by the invoice, a key
that was not there was read by none."""

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.orgs.services import SetupRefused
from meterbill.tariffs.models import LookupTable, TariffVersion
from meterbill.tariffs.services import add_table_rows


@pytest.fixture
def by_persons(small_building):
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    return LookupTable.objects.create(
        version=version, name="by_persons", rows=[["1", "2.00"], ["2", "1.50"]]
    )


def test_it_appends_the_new_keys_and_audits_them(by_persons, alice):
    added = add_table_rows(
        by_persons,
        [["3", "1.00"], ["1", "2.00"], ["2", "1.50"], ["4", "0.80"]],
        user=alice,
    )

    by_persons.refresh_from_db()
    assert added == [["3", "1.00"], ["4", "0.80"]]
    assert by_persons.rows == [
        ["1", "2.00"],
        ["2", "1.50"],
        ["3", "1.00"],
        ["4", "0.80"],
    ]
    event = AuditEvent.objects.get(action="tariff.table.rows_add")
    assert (event.user_id, event.object_id) == (alice.pk, str(by_persons.pk))
    assert event.before == {
        "name": "by_persons",
        "rows": [["1", "2.00"], ["2", "1.50"]],
    }
    assert event.after["added"] == [["3", "1.00"], ["4", "0.80"]]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (
            [["1", "2.10"], ["2", "1.50"], ["3", "1.00"]],
            "row 1 = 2.00 cannot be changed: an issued invoice may have read it; "
            "only rows of new keys can be added",
        ),
        (
            [["1", "2.00"], ["3", "1.00"]],
            "row 2 = 1.50 cannot be deleted: an issued invoice may have read it; "
            "only rows of new keys can be added",
        ),
    ],
)
def test_it_refuses_to_change_or_delete_a_row(by_persons, rows, message):
    with pytest.raises(SetupRefused) as refused:
        add_table_rows(by_persons, rows)

    assert str(refused.value) == message
    by_persons.refresh_from_db()
    assert by_persons.rows == [["1", "2.00"], ["2", "1.50"]]
    assert not AuditEvent.objects.filter(action="tariff.table.rows_add").exists()


def test_the_same_rows_written_otherwise_add_nothing(by_persons):
    # 2.0 is the price 2.00: the row is not changed, and nothing is recorded
    added = add_table_rows(by_persons, [["1", "2.0"], ["2", "1.5"]])

    by_persons.refresh_from_db()
    assert added == []
    assert by_persons.rows == [["1", "2.00"], ["2", "1.50"]]
    assert not AuditEvent.objects.filter(action="tariff.table.rows_add").exists()
