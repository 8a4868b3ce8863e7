"""The hourly load file: one kW value a line after an optional header."""

from decimal import Decimal

import pytest

from meterbill.formats.errors import InvalidFormat
from meterbill.formats.urdb import read_load_csv


def test_it_reads_values_after_a_header_as_decimals():
    # given
    text = b"Exported Data (3)\n0.772599\n0.680559\r\n1.0\n"

    # when
    load = read_load_csv(text)

    # then
    assert load == [Decimal("0.772599"), Decimal("0.680559"), Decimal("1.0")]


def test_it_rejects_a_bad_value_naming_its_line():
    # given
    text = "kW\n1.0\nabc\n2.0\n"

    # when
    with pytest.raises(InvalidFormat) as caught:
        read_load_csv(text, filename="load.csv")

    # then
    assert caught.value.line == 3
    assert caught.value.field == "kW"
    assert str(caught.value).startswith("load.csv:3: field kW")


def test_it_rejects_negative_load():
    # given / when
    with pytest.raises(InvalidFormat) as caught:
        read_load_csv("1\n-2\n")

    # then
    assert caught.value.line == 2


def test_it_rejects_a_file_without_values():
    # given / when / then
    with pytest.raises(InvalidFormat, match="no load values"):
        read_load_csv("header only\n")
