from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats.errors import FormatError
from meterbill.formats.route import read_device_result

HEADER = "meter_serial,register,value,read_at,reader_id,photo_ref,note,skipped_reason\n"


def read_quietly(data: bytes | str) -> None:
    try:
        read_device_result(data, "fuzz")
    except FormatError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=300))
def test_it_never_raises_anything_but_format_errors_on_random_bytes(data):
    read_quietly(data)
    read_quietly(b"{" + data)


@settings(max_examples=300)
@given(st.text(max_size=200))
def test_it_never_raises_anything_but_format_errors_on_odd_rows(text):
    read_quietly(HEADER + text)
    read_quietly(
        '{"format": "meterbill-route-result", "version": 1, "readings": [' + text
    )
