"""Lookup tables are stored with their tariff version and checked when it is saved:
a formula may read only a table of its own version, and each table's name, keys and
values are refused with a message naming the table and the key."""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.orgs.services import SetupRefused
from meterbill.tariffs.compile import versions_for
from meterbill.tariffs.models import LookupTable

D = Decimal
ZONE_PRICE = {
    "kind": "formula",
    "code": "HEAT",
    "description": "Heating",
    "formula": 'consumption * lookup("zone", "A")',
}


@pytest.fixture
def add(org, small_building):
    """A COLD version from 1 Dec 2026 with the given components and tables."""
    from meterbill.tariffs.services import add_tariff_version

    def add_version(components=(ZONE_PRICE,), tables=None, valid_from=None):
        return add_tariff_version(
            org,
            "COLD",
            "cold",
            valid_from or date(2026, 12, 1),
            D(0),
            D(11),
            components=components,
            tables=tables,
        )

    return add_version


def test_it_stores_the_tables_and_the_bill_run_reads_them(add, small_building):
    version = add(tables={"zone": {"A": "1.20", "B": "0.95"}, "size": {"2.50": "7"}})

    found = versions_for(
        [small_building["tariff"].pk], date(2026, 12, 1), date(2026, 12, 31)
    )

    # a number key is kept as lookup() writes a number: 2.50 as "2.5"
    stored = dict(version.lookup_tables.values_list("name", "rows"))
    assert stored == {"zone": [["A", "1.20"], ["B", "0.95"]], "size": [["2.5", "7"]]}
    [december] = found[small_building["tariff"].pk]
    assert december.tables == {
        "zone": {"A": D("1.20"), "B": D("0.95")},
        "size": {"2.5": D(7)},
    }
    event = AuditEvent.objects.get(action="tariff.version.add")
    assert event.after["tables"]["zone"] == [["A", "1.20"], ["B", "0.95"]]


def test_it_refuses_a_formula_that_reads_an_unknown_table(add):
    with pytest.raises(SetupRefused) as refused:
        add(tables={"zones": {"A": "1.20"}})

    assert str(refused.value) == (
        "component 1, formula: unknown lookup table 'zone' at line 1, column 22"
    )
    assert not LookupTable.objects.exists()


def test_a_formula_reads_only_the_tables_of_its_own_version(add):
    # given the version from 1 Dec with table zone
    add(tables={"zone": {"A": "1.20"}})

    # when the next version's formula reads zone without a table of its own
    with pytest.raises(SetupRefused) as refused:
        add(valid_from=date(2027, 1, 1))

    assert "unknown lookup table 'zone'" in str(refused.value)


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        (
            {"zone": {"A": "1,2"}},
            "tables.zone['A']: '1,2': the decimal separator is a point",
        ),
        (
            {"zone": {"A": 1.2}},
            "tables.zone['A']: write the number as a string (1.2 is a float)",
        ),
        ({"zone": {"A": "1.20", "B": "x"}}, "tables.zone['B']: 'x' is not a number"),
        (
            {"zone": {"A": "1.1234567"}},
            "tables.zone['A']: '1.1234567' has more than 6 decimals",
        ),
        (
            {"zone": {"2.5": "1", "2.50": "2"}},
            "tables.zone['2.5']: the key is given twice",
        ),
        ({"zone": {" ": "1"}}, "tables.zone: the key is empty"),
        (
            {"zone": {'say "A"': "1"}},
            "tables.zone: key 'say \"A\"': a formula cannot quote",
        ),
        ({"zone": {}}, "tables.zone: a table needs at least one row"),
        ({"": {"A": "1"}}, "tables: a table needs a name"),
        ({"2zone": {"A": "1"}}, "tables: table name '2zone': 1 to 32 of letters"),
        ({"zone": ["A", "1"]}, "tables.zone: a JSON object of key → value"),
    ],
)
def test_it_refuses_a_bad_table_naming_it_and_the_key(add, tables, message):
    with pytest.raises(SetupRefused) as refused:
        add(tables=tables)

    assert message in str(refused.value)
    assert not LookupTable.objects.exists()


def test_a_stored_table_that_no_longer_checks_is_the_tariffs_problem(
    add, small_building
):
    from meterbill.tariffs.compile import load_versions

    # given a table row changed behind the application's back
    version = add(tables={"zone": {"A": "1.20"}})
    LookupTable.objects.filter(version=version).update(rows=[["A", 1.2]])

    found, problems = load_versions(
        [small_building["tariff"].pk], date(2026, 12, 1), date(2026, 12, 31)
    )

    # then the tariff is left out with the reason, as a bad component would be
    assert found == {}
    assert problems == {
        small_building["tariff"].pk: "tariff COLD: tables.zone['A']: write the "
        "number as a string (1.2 is a float)"
    }
