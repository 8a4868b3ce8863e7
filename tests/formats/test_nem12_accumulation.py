import datetime
from decimal import Decimal

from meterbill.formats import nem12

HEADER = "100,NEM13,200401101030,MDA1,Ret1\n"


def accumulation(previous: str, current: str, quantity: str, index: str = "") -> str:
    return (
        f"250,1234567890,11,001,11,11,METSER66,E,000010,{previous},A,,,"
        f"{index},{current},E64,77,,{quantity},KWH,20040201,20031202000000,\n"
    )


def test_it_reads_the_consumption_since_the_day_after_the_previous_read():
    data = HEADER + accumulation("20031001", "20031201", "1100.5", "011110") + "900\n"

    result = nem12.read(data)

    consumption, index = result.rows
    assert consumption.kind == "consumption"
    assert consumption.value == Decimal("1100.5")
    assert consumption.period_start == datetime.date(2003, 10, 2)
    assert consumption.read_on == datetime.date(2003, 12, 1)
    assert consumption.quality == "E"
    assert consumption.unit == "kWh"
    assert (consumption.meter_ref, consumption.register) == ("1234567890", "11")
    assert consumption.meter_serial == "METSER66"
    assert index.kind == "index"
    assert index.value == Decimal("11110")
    assert index.read_on == datetime.date(2003, 12, 1)
    assert index.period_start is None


def test_it_gives_no_index_row_when_the_current_read_is_empty():
    data = HEADER + accumulation("20031001", "20031201", "5") + "900\n"

    rows = nem12.read(data).rows

    assert [r.kind for r in rows] == ["consumption"]


def test_it_reports_a_bad_quantity_as_a_row_error():
    good = accumulation("20031001", "20031201", "5")
    bad = accumulation("20031201", "20040101", "five")
    data = HEADER + good + bad + "900\n"

    result = nem12.read(data, filename="b.csv")

    assert len(result.rows) == 1
    [error] = result.errors
    assert (error.line, error.field) == (3, "Quantity")


def test_it_sums_channel_totals_of_consumption_only():
    data = (
        HEADER
        + accumulation("20031001", "20031201", "5", "100")
        + accumulation("20031201", "20040101", "7.25", "107.25")
        + "900\n"
    )

    totals = nem12.channel_totals(data)

    assert totals == {("1234567890", "11"): Decimal("12.25")}
