import datetime
import json
from decimal import Decimal

from meterbill.formats.route import RouteStop, export_route


def stop(order: int, serial: str) -> RouteStop:
    return RouteStop(
        residence="Block A",
        staircase="2",
        apartment="14",
        walking_order=order,
        meter_serial=serial,
        register="1",
        utility="cold water",
        last_index=Decimal("123.456"),
        last_read_on=datetime.date(2025, 3, 31),
        expected_min=Decimal("124"),
        expected_max=Decimal("140.5"),
    )


def test_it_writes_stops_in_walking_order_as_json_and_csv():
    json_bytes, csv_bytes = export_route([stop(2, "W-2"), stop(1, "W-1")])

    document = json.loads(json_bytes)
    assert document["format"] == "meterbill-route"
    assert [s["meter_serial"] for s in document["stops"]] == ["W-1", "W-2"]
    assert document["stops"][0]["last_index"] == "123.456"
    assert document["stops"][0]["last_read_on"] == "2025-03-31"
    lines = csv_bytes.decode().splitlines()
    assert lines[0].startswith("walking_order,residence,staircase,apartment")
    assert lines[1] == "1,Block A,2,14,cold water,W-1,1,123.456,2025-03-31,124,140.5"
