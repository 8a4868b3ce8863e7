import datetime
from decimal import Decimal

from meterbill.formats import nem12

HEADER = "100,NEM12,200405011135,MDA1,Ret1\n"
E1 = "200,VABD000163,E1Q1,1,E1,N1,METSER123,KWH,30,\n"


def day(date: str, value: str, quality: str = "A") -> str:
    return f"300,{date}," + ",".join([value] * 48) + f",{quality},,,20040202120025,\n"


def test_it_sums_a_day_of_intervals_into_one_consumption_row():
    data = HEADER + E1 + day("20040201", "1.111") + "900\n"

    result = nem12.read(data, filename="a.csv")

    assert result.ok
    [row] = result.rows
    assert row.value == Decimal("53.328")  # 48 x 1.111
    assert row.kind == "consumption"
    assert row.read_on == row.period_start == datetime.date(2004, 2, 1)
    assert (row.meter_ref, row.register, row.meter_serial) == (
        "VABD000163",
        "E1",
        "METSER123",
    )
    assert row.line == 3
    assert row.source_ref == "NEM12 300-record at line 3"


def test_it_normalises_upper_case_units():
    q1 = "200,VABD000163,E1Q1,2,Q1,,METSER123,KVARH,30,\n"
    data = HEADER + E1 + day("20040201", "1") + q1 + day("20040201", "2") + "900\n"

    rows = nem12.read(data).rows

    assert [(r.register, r.unit, r.value) for r in rows] == [
        ("E1", "kWh", Decimal(48)),
        ("Q1", "kVArh", Decimal(96)),
    ]


def test_it_takes_the_day_quality_from_the_300_record():
    data = HEADER + E1 + day("20040201", "1", "S14") + "900\n"

    [row] = nem12.read(data).rows

    assert row.quality == "S"


def test_it_marks_a_day_of_mixed_400_qualities_as_variable():
    events = "400,1,10,A,,\n400,11,48,E52,,\n"
    data = HEADER + E1 + day("20040201", "1", "V") + events + "900\n"

    [row] = nem12.read(data).rows

    assert row.quality == "V"


def test_it_takes_the_single_400_quality_of_a_variable_day():
    events = "400,1,20,F14,,\n400,21,48,F55,1,\n"
    data = HEADER + E1 + day("20040201", "1", "V") + events + "900\n"

    [row] = nem12.read(data).rows

    assert row.quality == "F"


def test_it_joins_a_300_record_wrapped_over_lines():
    values = ",".join(["2"] * 48)
    wrapped = f"300,20040201,\n{values[:48]}\n{values[48:]},A,,,,\n"
    data = HEADER + E1 + wrapped + "900\n"

    [row] = nem12.read(data).rows

    assert row.value == Decimal(96)
    assert row.line == 3


def test_it_reports_a_non_numeric_interval_value_and_keeps_the_other_days():
    bad = day("20040202", "1").replace(",1,", ",x,", 1)
    data = HEADER + E1 + day("20040201", "1") + bad + "900\n"

    result = nem12.read(data, filename="a.csv")

    assert [r.read_on.day for r in result.rows] == [1]
    [error] = result.errors
    assert str(error) == "a.csv:4: field IntervalValue1: 'x' is no number"
