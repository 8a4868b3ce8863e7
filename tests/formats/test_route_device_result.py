import datetime
import json
from decimal import Decimal

import pytest

from meterbill.formats.errors import InvalidFormat
from meterbill.formats.route import read_device_result

HEADER = "meter_serial,register,value,read_at,reader_id,photo_ref,note,skipped_reason\n"


def test_it_reads_a_csv_result_with_a_value_and_a_skipped_stop():
    data = (
        HEADER
        + "W-1,1,130.25,2025-04-30T09:15:00+02:00,alice,p1.jpg,,\n"
        + "W-2,1,,2025-04-30T09:20:00+02:00,alice,,dog,no access\n"
    )

    result = read_device_result(data, "dev.csv")

    assert result.ok
    first, second = result.rows
    assert first.value == Decimal("130.25")
    assert first.read_at == datetime.datetime(2025, 4, 30, 7, 15, tzinfo=datetime.UTC)
    assert (second.value, second.skipped_reason, second.line) == (None, "no access", 3)


def test_it_reads_a_json_result_with_numbers_as_decimal():
    document = {
        "format": "meterbill-route-result",
        "version": 1,
        "readings": [
            {
                "meter_serial": "W-1",
                "register": "1",
                "value": 130.1,
                "read_at": "2025-04-30T09:15:00Z",
                "reader_id": "bob",
            }
        ],
    }

    [reading] = read_device_result(json.dumps(document), "dev.json").rows

    assert reading.value == Decimal("130.1")


def test_it_rejects_a_reading_without_utc_offset_naming_line_and_field():
    data = HEADER + "W-1,1,130,2025-04-30T09:15:00,alice,,,\n"

    [error] = read_device_result(data, "dev.csv").errors

    assert (error.file, error.line, error.field) == ("dev.csv", 2, "read_at")


def test_it_rejects_a_value_together_with_a_skipped_reason():
    data = HEADER + "W-1,1,130,2025-04-30T09:15:00Z,alice,,,no access\n"

    [error] = read_device_result(data, "dev.csv").errors

    assert error.field == "value"


def test_it_refuses_an_unknown_column():
    with pytest.raises(InvalidFormat) as raised:
        read_device_result(HEADER.strip() + ",colour\n", "dev.csv")

    assert raised.value.field == "colour"
