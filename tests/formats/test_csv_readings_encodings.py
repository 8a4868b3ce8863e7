"""UTF-16 (by its byte order mark), UTF-8 with or without BOM, and cp1252 are read;
anything else is not a text file."""

import codecs
import datetime

import pytest

from meterbill.formats import csv_readings
from meterbill.formats.errors import InvalidFormat

TODAY = datetime.date(2024, 3, 31)
TEXT = "meter;date;value;note\nWM-1;2024-03-01;12,5;Küche\n"


def rows_of(data: bytes) -> list[tuple[str, str]]:
    result = csv_readings.read(data, filename="r.csv", today=TODAY)
    assert result.errors == []
    return [(r.meter_ref, str(r.value)) for r in result.rows]


@pytest.mark.parametrize(
    "data",
    [
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        TEXT.encode("utf-8"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf-16-le", "utf-16-be", "utf-8-sig", "utf-8", "cp1252"],
)
def test_it_reads_each_text_encoding(data):
    rows = rows_of(data)

    assert rows == [("WM-1", "12.5")]


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        TEXT.encode("utf-16-le"),  # UTF-16 without its byte order mark
        codecs.BOM_UTF16_LE + b"m\x00\x00\xd8",  # a lone surrogate
        b"meter,date,value\n\x81\x8d\x8f\x90\x9d\n",  # undefined in cp1252
    ],
    ids=["binary", "utf-16-without-bom", "broken-utf-16", "not-cp1252"],
)
def test_it_refuses_a_file_that_is_not_text(data):
    with pytest.raises(InvalidFormat) as caught:
        csv_readings.read(data, filename="r.csv", today=TODAY)

    assert str(caught.value) == "r.csv: not a text file in UTF-8, UTF-16 or cp1252"
