import pytest

from meterbill.formats import nem12
from meterbill.formats.errors import InvalidFormat

HEADER = "100,NEM12,200405011135,MDA1,Ret1\n"
E1 = "200,VABD000163,E1Q1,1,E1,N1,METSER123,kWh,30,\n"


def day(count: int, quality: str = "A") -> str:
    return "300,20040201," + ",".join(["1"] * count) + f",{quality},,,,\n"


def refusal(data: str) -> str:
    with pytest.raises(InvalidFormat) as caught:
        nem12.read(data, filename="x.csv")
    return str(caught.value)


def test_it_rejects_an_incomplete_interval_record():
    message = refusal(HEADER + E1 + day(48) + day(47) + "900\n")

    assert message == (
        "x.csv:4: field IntervalValue: expected 48 interval values for a "
        "30-minute interval length, found 47"
    )


def test_it_rejects_a_file_without_header():
    message = refusal(E1 + day(48) + "900\n")

    assert message == (
        "x.csv:1: field RecordIndicator: the file does not start with a header "
        "(100) record"
    )


def test_it_rejects_a_truncated_file():
    message = refusal(HEADER + E1 + day(48))

    assert message.startswith("x.csv:3: field RecordIndicator: no end-of-data (900)")


def test_it_rejects_a_file_without_meter_data():
    message = refusal(HEADER + "900\n")

    assert message == "x.csv:2: the file holds no meter data (no 200 or 250 record)"


def test_it_rejects_400_records_that_do_not_cover_the_day():
    events = "400,1,24,A,,\n400,25,47,N,,\n"

    message = refusal(HEADER + E1 + day(48, "V") + events + "900\n")

    assert message == (
        "x.csv:5: field EndInterval: the 400 records end at interval 47, "
        "but a day of 30-minute intervals has 48"
    )


def test_it_rejects_overlapping_400_records():
    events = "400,1,24,A,,\n400,20,48,N,,\n"

    message = refusal(HEADER + E1 + day(48, "V") + events + "900\n")

    assert message.startswith("x.csv:5: field StartInterval: starts at interval 20")


def test_it_rejects_a_variable_day_without_400_records():
    message = refusal(HEADER + E1 + day(48, "V") + "900\n")

    assert message.startswith("x.csv:3: field QualityMethod:")


def test_it_rejects_records_after_the_end_record():
    message = refusal(HEADER + E1 + day(48) + "900\n" + E1)

    assert message == (
        "x.csv:5: field RecordIndicator: a record follows the end-of-data (900) record"
    )


def test_it_rejects_an_interval_length_that_does_not_divide_a_day():
    bad = E1.replace(",30,", ",7,")

    message = refusal(HEADER + bad + day(48) + "900\n")

    assert message == "x.csv:2: field IntervalLength: '7' does not divide a day"
