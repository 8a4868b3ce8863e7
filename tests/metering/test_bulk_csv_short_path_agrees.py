"""The reader's short path (a file of meter, date and value) gives the rows and
errors of the full rules, which a file with one more (empty) column goes through."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats import csv_readings

TODAY = date(2026, 12, 4)

# No comma in a cell: it is the delimiter of these files.
cells = st.one_of(
    st.sampled_from(
        [
            "2026-11-30",
            "2026-12-06",
            "2026-02-30",
            "2026-W48-1",
            "20261130",
            " 2026-11-30 ",
            "30.11.2026",
            "١٢٣٤-١١-٣٠",
        ]
    ),
    st.sampled_from(
        ["12.5", "-3", ".5", "5.", "1e3", "NaN", "inf", "1_000", "1 000", "+7", "12;5"]
    ),
    st.sampled_from(["", " ", "W1", "m-2"]),
    st.text(alphabet="0123456789.-+eE_ ;٣", max_size=12),
)
rows = st.lists(st.tuples(cells, cells, cells), max_size=8)


def _csv(body, extra_column):
    header = "meter,date,value,kind" if extra_column else "meter,date,value"
    tail = "," if extra_column else ""
    lines = [header] + [f"{m},{d},{v}{tail}" for m, d, v in body]
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(rows)
def test_it_reads_plain_files_as_the_full_rules_do(body):
    short = csv_readings.read_fields(_csv(body, False), filename="r.csv", today=TODAY)

    full = csv_readings.read_fields(_csv(body, True), filename="r.csv", today=TODAY)

    assert short.rows == full.rows
    assert [str(e) for e in short.errors] == [str(e) for e in full.errors]


def test_it_sends_an_exponent_to_the_full_rules():
    data = "meter,date,value\nW1,2026-11-30,1e3\nW1,2026-11-29,12.500\n"

    result = csv_readings.read_fields(data, filename="r.csv", today=TODAY)

    assert [(r.line, r.value) for r in result.rows] == [
        (3, csv_readings.Decimal("12.500"))
    ]
    assert [(e.line, e.field) for e in result.errors] == [(2, "value")]
