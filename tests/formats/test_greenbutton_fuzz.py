from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats import greenbutton
from meterbill.formats.errors import FormatError

R = "https://dc.example/espi/1_1/resource/RetailCustomer/9/UsagePoint/1"
JAN_1 = 1293840000  # 2011-01-01 00:00 UTC


def feed(readings: str, multiplier: str = "0", uom: str = "72", local: str = "") -> str:
    return f"""<?xml version="1.0"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:e="http://naesb.org/espi">
<entry><link rel="self" href="{R}"/><link rel="related" href="{R}/MeterReading"/>
<content><e:UsagePoint/></content></entry>
{local}
<entry><link rel="self" href="{R}/MeterReading/01"/>
<link rel="up" href="{R}/MeterReading"/><link rel="related" href="RT/1"/>
<content><e:MeterReading/></content></entry>
<entry><link rel="self" href="RT/1"/><content><e:ReadingType>
<e:powerOfTenMultiplier>{multiplier}</e:powerOfTenMultiplier><e:uom>{uom}</e:uom>
<e:intervalLength>3600</e:intervalLength></e:ReadingType></content></entry>
<entry><link rel="up" href="{R}/MeterReading/01/IntervalBlock"/>
<content><e:IntervalBlock>{readings}</e:IntervalBlock></content></entry>
</feed>"""


def reading(start: int, value: str, duration: int = 3600, quality: str = "") -> str:
    q = f"<e:ReadingQuality><e:quality>{quality}</e:quality></e:ReadingQuality>"
    return (
        f"<e:IntervalReading>{q if quality else ''}<e:timePeriod>"
        f"<e:duration>{duration}</e:duration><e:start>{start}</e:start>"
        f"</e:timePeriod><e:value>{value}</e:value></e:IntervalReading>"
    )


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
