from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats import greenbutton
from meterbill.formats.errors import FormatError

from .greenbutton_feed import JAN_1, feed, reading

PIECES = st.sampled_from(
    [
        reading(JAN_1, "1"),
        reading(JAN_1, "-1e99"),
        reading(-5, "1"),
        reading(JAN_1, "1", duration=0),
        "<e:IntervalReading/>",
        "<e:IntervalReading><e:value>9</e:value></e:IntervalReading>",
        "<e:interval><e:start>x</e:start></e:interval>",
        "",
    ]
)


def read_quietly(data: bytes | str) -> None:
    try:
        greenbutton.read(data, filename="fuzz")
    except FormatError:
        pass


@settings(max_examples=200)
@given(st.binary(max_size=300))
def test_it_never_raises_anything_but_format_errors_on_random_bytes(data):
    read_quietly(data)


@settings(max_examples=200)
@given(st.lists(PIECES, max_size=6), st.sampled_from(["0", "x", "99", "-3"]))
def test_it_never_raises_anything_but_format_errors_on_odd_feeds(pieces, multiplier):
    read_quietly(feed("".join(pieces), multiplier=multiplier))


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_it_never_raises_anything_but_format_errors_on_mangled_text(noise):
    text = feed(reading(JAN_1, "1"))
    cut = len(noise) % len(text)
    read_quietly(text[:cut] + noise + text[cut:])
