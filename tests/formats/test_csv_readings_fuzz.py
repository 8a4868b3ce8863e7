from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats import csv_readings
from meterbill.formats.errors import FormatError

CELLS = st.sampled_from(
    ["meter", "date", "value", "kind", "2024-03-01", "01.03.2024", "1,5", "x", "", '"']
)


def read_quietly(data, **options) -> None:
    try:
        csv_readings.read(data, filename="fuzz", **options)
    except FormatError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_it_never_raises_anything_but_format_errors_on_random_bytes(data):
    read_quietly(data)


@settings(max_examples=300)
@given(
    st.lists(st.lists(CELLS, max_size=6), max_size=8),
    st.sampled_from([",", ";", "\t"]),
    st.sampled_from([None, "DD.MM.YYYY", "DD/MM/YYYY"]),
)
def test_it_never_raises_anything_but_format_errors_on_random_csv(
    rows, delimiter, date_format
):
    text = "\n".join(
        delimiter.join(cells) for cells in [["meter", "date", "value"], *rows]
    )

    read_quietly(text, date_format=date_format)


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_it_never_raises_anything_but_format_errors_on_random_text(text):
    read_quietly("meter;date;value\n" + text)
