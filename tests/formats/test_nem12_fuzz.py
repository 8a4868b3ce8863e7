from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats import nem12
from meterbill.formats.errors import FormatError

RECORDS = st.sampled_from(
    [
        "100,NEM12,200405011135,MDA1,Ret1",
        "100,NEM13,200405011135,MDA1,Ret1",
        "200,N1,E1,1,E1,,S1,kWh,30,",
        "200,N1,E1,1,E1,,S1,kWh,x,",
        "300,20040201," + ",".join(["1"] * 48) + ",A,,,,",
        "300,20040201," + ",".join(["1"] * 48) + ",V,,,,",
        "300,2004021," + ",".join(["1"] * 47) + ",A",
        "400,1,48,A,,",
        "400,0,99,Q",
        "250,N,1,1,11,11,S,E,1,20031001,A,,,2,20031201,A,,,1,KWH,,,",
        "250,N,1",
        "500,O,,,",
        "900",
        "",
        "300,",
    ]
)


def read_quietly(data: bytes | str) -> None:
    try:
        nem12.read(data, filename="fuzz")
    except FormatError:
        pass


@settings(max_examples=300)
@given(st.binary(max_size=400))
def test_it_never_raises_anything_but_format_errors_on_random_bytes(data):
    read_quietly(data)
    read_quietly(b"PK\x03\x04" + data)


@settings(max_examples=300)
@given(st.lists(RECORDS, max_size=12), st.text(max_size=30))
def test_it_never_raises_anything_but_format_errors_on_shuffled_records(records, noise):
    read_quietly("\n".join(records))
    read_quietly("\n".join(records) + "\n" + noise)
