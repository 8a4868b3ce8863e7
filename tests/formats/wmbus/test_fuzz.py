from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats.errors import FormatError
from meterbill.formats.wmbus import decode, read

from .builders import telegram


@settings(max_examples=500)
@given(
    st.binary(max_size=300), st.one_of(st.none(), st.binary(min_size=16, max_size=16))
)
def test_it_raises_only_format_errors_on_random_bytes(data, key):
    try:
        decode(data, key).billing_values()
    except FormatError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=120))
def test_it_raises_only_format_errors_on_random_records(records):
    try:
        decode(telegram(records)).billing_values()
    except FormatError:
        pass


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_it_never_raises_on_random_files(text):
    result = read(text, filename="fuzz.txt")

    assert all(error.line is not None for error in result.errors)
