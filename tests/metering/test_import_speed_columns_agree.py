"""The columnar reader (pyarrow) gives the rows and errors of the row by row rules
on files of any line ends, blank lines, lines of empty cells before the header and
cells; a file it cannot split as the csv module does is left to ``read_fields``."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats import csv_readings
from meterbill.formats.errors import FormatError

TODAY = date(2026, 12, 4)

noise = st.text(alphabet="0123456789.-+eE_ ;W\t", max_size=10)
# Half of each cell's draws are cells of the columns, half the full rules'.
meters = st.one_of(
    st.sampled_from(["W1", "m-2"]),
    st.one_of(st.sampled_from(["", " ", " W1", "W1 ", "W\u00a0", "\u00a0W1"]), noise),
    st.sampled_from(["\ufeffW1"]),  # a byte order mark: pyarrow drops it at the start
)
days = st.one_of(
    st.sampled_from(["2026-11-30", "2026-12-05"]),
    st.one_of(
        st.sampled_from(["2026-12-06", " 2026-11-30", "20261130", "2026-02-30"]),
        st.sampled_from(["1969-12-31", "2026-W48-1"]),
        noise,
    ),
)
values = st.one_of(
    st.sampled_from(["12.5", "0", "0.000000", "99999999999999.999999"]),
    st.one_of(
        st.sampled_from(["007.5", "0.0000001", "+7", "1.1234567", "-3", "1e3"]),
        st.sampled_from(["5.", "100000000000000", "1 000", "NaN"]),
        noise,
    ),
)
rows = st.lists(
    st.one_of(st.tuples(meters, days, values), st.sampled_from(["", ",,"])),
    max_size=8,
)
# Lines before the header: blank, of empty cells, or of empty cells of another
# delimiter (which the sniffer then takes: the header is refused).
leads = st.lists(st.sampled_from(["", " ", ",,", ",,,", ";;"]), max_size=3)


def _csv(body, *, extra_column=False, newline="\n", lead=()):
    header = "meter,date,value,kind" if extra_column else "meter,date,value"
    tail = "," if extra_column else ""
    lines = [*lead, header] + [
        row if isinstance(row, str) else ",".join(row) + tail for row in body
    ]
    return newline.join(lines) + newline


def _outcome(read, text):
    try:
        return read(text, filename="r.csv", today=TODAY)
    except FormatError as error:
        return str(error)


@settings(max_examples=400, deadline=None)
@given(rows, st.sampled_from(["\n", "\r\n"]), leads)
def test_it_reads_what_the_row_by_row_rules_read(body, newline, lead):
    text = _csv(body, newline=newline, lead=lead)

    columns = _outcome(csv_readings.read_columns, text)
    full = _outcome(
        csv_readings.read_fields,
        _csv(body, extra_column=True, newline=newline, lead=lead),
    )

    if columns is None:  # a line of another width: the csv module reads it
        return
    if isinstance(full, str):  # the header refused
        assert columns == full
        return
    assert columns.fields() == full.rows
    assert [str(e) for e in columns.errors] == [str(e) for e in full.errors]


def test_it_keeps_only_plain_values_in_the_columns():
    text = (
        "meter,date,value\n"
        "W1,2026-11-30,12.500\n"  # line 2: a column row
        "W1,2026-11-29,007.5\n"  # line 3: a leading zero, read by the full rules
        "W1,2026-11-28,1.1234567\n"  # line 4: seven decimals, full rules
        "\n"  # line 5: blank
        " W2,2026-11-30,3\n"  # line 6: a padded meter, full rules
        "W2,2026-11-31,3\n"  # line 7: no such day
    )

    columns = csv_readings.read_columns(
        text, filename="r.csv", today=TODAY, digits=(14, 6)
    )

    assert columns is not None
    assert (columns.lines, columns.meters, columns.values) == ([2], ["W1"], ["12.500"])
    assert [(f.line, f.meter_ref, str(f.value)) for f in columns.rest] == [
        (3, "W1", "7.5"),
        (4, "W1", "1.1234567"),
        (6, "W2", "3"),
    ]
    assert [str(e) for e in columns.errors] == [
        "r.csv:7: field date: '2026-11-31' is not a date"
    ]


def test_it_leaves_quotes_lone_carriage_returns_and_extra_columns_to_the_rows():
    quoted = 'meter,date,value\n"W1",2026-11-30,1\n'
    lone_cr = "meter,date,value\rW1,2026-11-30,1\r"
    with_kind = "meter,date,value,kind\nW1,2026-11-30,1,index\n"
    ragged = "meter,date,value\nW1,2026-11-30\n"

    read = [
        csv_readings.read_columns(t, filename="r.csv", today=TODAY)
        for t in (quoted, lone_cr, with_kind, ragged)
    ]

    assert read == [None, None, None, None]


def test_it_reads_a_semicolon_file_with_decimal_commas_as_the_rows_do():
    body = ["W1;2026-11-30;12,5", "W1;2026-11-29;12.5", "W2;2026-11-30;1,2,3"]
    text = "\ufeffmeter;date;value\r\n" + "\r\n".join(body) + "\r\n"
    with_kind = "meter;date;value;kind\n" + "".join(f"{row};\n" for row in body)

    columns = csv_readings.read_columns(text.encode(), filename="r.csv", today=TODAY)
    full = csv_readings.read_fields(with_kind, filename="r.csv", today=TODAY)

    assert columns is not None
    assert columns.lines == [3]
    assert columns.fields() == full.rows
    assert [(f.line, str(f.value)) for f in full.rows] == [(2, "12.5"), (3, "12.5")]
    assert [str(e) for e in columns.errors] == [str(e) for e in full.errors]
    assert [e.line for e in full.errors] == [4]
