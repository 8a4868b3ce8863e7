import pytest

from meterbill.formats.errors import InvalidFormat
from meterbill.formats.wmbus import decode, read

from .builders import telegram

VOLUME = bytes.fromhex("0C1378563412")


def test_it_refuses_a_reserved_security_mode_and_says_why():
    # Configuration field 0x1810: mode bits 8-12 = 0x18 = 24, reserved by EN 13757-7.
    frame = telegram(VOLUME, configuration=0x1810)

    with pytest.raises(InvalidFormat) as error:
        decode(frame)

    assert "security mode 24 is reserved" in error.value.message


def test_the_reader_names_a_line_with_an_odd_number_of_hex_digits():
    line = telegram(VOLUME).hex() + "2"

    result = read(f"{line}\n", filename="radio.txt")

    assert not result.rows
    assert "odd number of hex digits" in str(result.errors[0])
    assert result.errors[0].line == 1
