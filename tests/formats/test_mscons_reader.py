import datetime
from decimal import Decimal

import pytest

from meterbill.formats import mscons
from meterbill.formats.errors import InvalidFormat


def quantity(start: str, end: str, value: str, qualifier: str = "220") -> list[str]:
    return [
        f"QTY+{qualifier}:{value}:KWH",
        f"DTM+163:{start}?+00:303",
        f"DTM+164:{end}?+00:303",
    ]


def interchange(quantities: list[str], unt: int | None = None) -> str:
    body = ["UNH+1+MSCONS:D:04B:UN:2.4b", "BGM+Z45+X1+9", "UNS+D", "NAD+DP"]
    body += ["LOC+172+DE0001", "LIN+1", "PIA+5+1-1?:1.29.0:SRW", *quantities]
    body.append(f"UNT+{unt or len(body) + 1}+1")
    segments = ["UNA:+.? ", "UNB+UNOC:3+S:14+R:500+240202:1250+REF", *body, "UNZ+1+REF"]
    return "'".join(segments) + "'"


def test_it_sums_the_quarter_hours_of_a_german_day():
    # 23:00 UTC on 28 February is midnight of 1 March in Berlin (CET).
    data = interchange(
        quantity("202202282300", "202202282315", "1.5")
        + quantity("202202282315", "202202282330", "2.25")
        + quantity("202203012300", "202203012315", "4")
    )

    result = mscons.read(data, filename="m.edi")

    assert result.ok
    assert [(r.read_on, r.value) for r in result.rows] == [
        (datetime.date(2022, 3, 1), Decimal("3.75")),
        (datetime.date(2022, 3, 2), Decimal(4)),
    ]
    row = result.rows[0]
    assert (row.meter_ref, row.register, row.unit) == ("DE0001", "1-1:1.29.0", "kWh")


def test_it_flags_substitute_values():
    data = interchange(quantity("202202282300", "202202282315", "1", qualifier="67"))

    [row] = mscons.read(data).rows

    assert row.quality == "S"


def test_it_names_the_segment_and_element_of_a_bad_quantity():
    data = interchange(
        quantity("202202282300", "202202282315", "1,5")
        + quantity("202203012300", "202203012315", "4")
    )

    result = mscons.read(data, filename="m.edi")

    [error] = result.errors
    assert (error.line, error.field) == (10, "QTY C186.6060")
    assert [r.value for r in result.rows] == [Decimal(4)]


def test_it_rejects_a_message_whose_segment_count_is_wrong():
    data = interchange(quantity("202202282300", "202202282315", "1"), unt=99)

    with pytest.raises(InvalidFormat) as raised:
        mscons.read(data, filename="m.edi")

    assert raised.value.field == "UNT 0074"


def test_it_rejects_a_truncated_interchange():
    data = interchange(quantity("202202282300", "202202282315", "1"))

    with pytest.raises(InvalidFormat) as raised:
        mscons.read(data[: data.index("UNZ")])

    assert raised.value.field == "UNZ"
