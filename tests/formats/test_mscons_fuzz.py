from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats import mscons
from meterbill.formats.errors import FormatError

SEGMENTS = st.sampled_from(
    [
        "UNB+UNOC:3+S+R+240202:1250+REF",
        "UNH+1+MSCONS:D:04B:UN:2.4b",
        "LOC+172+DE1",
        "LOC+172",
        "PIA+5",
        "QTY+220:1:KWH",
        "QTY+220:x:FOO",
        "QTY",
        "DTM+163:202202282300?+00:303",
        "DTM+164:202202282315?+99:303",
        "DTM+164:2022022823:203",
        "UNT+3+1",
        "UNZ+1+REF",
        "",
    ]
)


def read_quietly(data: bytes | str) -> None:
    try:
        mscons.read(data, filename="fuzz")
    except FormatError:
        pass


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_it_never_raises_anything_but_format_errors_on_random_bytes(data):
    read_quietly(b"UNB+" + data)


@settings(max_examples=300)
@given(st.lists(SEGMENTS, max_size=12))
def test_it_never_raises_anything_but_format_errors_on_odd_segments(segments):
    read_quietly("UNA:+.? '" + "'".join(segments) + "'")
