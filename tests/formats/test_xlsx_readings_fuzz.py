from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats import xlsx_readings
from meterbill.formats.errors import FormatError


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_it_never_raises_anything_but_format_errors_on_random_bytes(data):
    for candidate in (data, b"PK\x03\x04" + data):
        try:
            xlsx_readings.read(candidate, filename="fuzz")
        except FormatError:
            pass
