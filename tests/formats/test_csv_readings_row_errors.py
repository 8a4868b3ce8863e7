import datetime

from meterbill.formats import csv_readings

TODAY = datetime.date(2024, 3, 31)
HEADER = "meter,date,value,kind,quality\n"


def errors_of(body: str) -> list[str]:
    result = csv_readings.read(HEADER + body, filename="r.csv", today=TODAY)
    return [str(e) for e in result.errors]


def test_it_reports_each_bad_row_and_keeps_the_good_ones():
    body = (
        "WM-1,2024-03-01,1,,\n"
        "WM-2,2024-03-01,one,,\n"
        ",2024-03-01,1,,\n"
        "WM-4,2024-02-30,1,,\n"
        "WM-5,2024-03-01,2,,\n"
    )

    result = csv_readings.read(HEADER + body, filename="r.csv", today=TODAY)

    assert [r.meter_ref for r in result.rows] == ["WM-1", "WM-5"]
    assert [str(e) for e in result.errors] == [
        "r.csv:3: field value: 'one' is not a number",
        "r.csv:4: field meter: is empty",
        "r.csv:5: field date: '2024-02-30' is not a date",
    ]


def test_it_accepts_tomorrow_but_not_the_day_after():
    body = "WM-1,2024-04-01,1,,\nWM-2,2024-04-02,1,,\n"

    assert errors_of(body) == ["r.csv:3: field date: 2024-04-02 is in the future"]


def test_it_rejects_day_first_dates_without_the_option():
    assert errors_of("WM-1,01.03.2024,1,,\n") == [
        "r.csv:2: field date: '01.03.2024' is not a date"
    ]


def test_it_rejects_an_unknown_kind_and_quality():
    body = "WM-1,2024-03-01,1,reading,\nWM-2,2024-03-01,1,,X\n"

    assert errors_of(body) == [
        "r.csv:2: field kind: 'reading' is neither index nor consumption",
        "r.csv:3: field quality: 'X' is not one of A E S F N V",
    ]


def test_it_numbers_rows_after_a_quoted_line_break_by_their_first_line():
    data = 'meter,date,value,note\nWM-1,2024-03-01,1,"two\nlines"\nWM-2,2024-03-01,x,\n'

    result = csv_readings.read(data, filename="r.csv", today=TODAY)

    assert [r.line for r in result.rows] == [2]
    assert [e.line for e in result.errors] == [4]
