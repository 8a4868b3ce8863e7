"""No input makes the URDB readers raise anything but a FormatError."""

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.formats.errors import FormatError
from meterbill.formats.urdb import read_load_csv, read_tariff

FLAT = [[0] * 24 for _ in range(12)]
VALID = {
    "energyratestructure": [[{"max": 100, "rate": 0.1}, {"rate": 0.2}]],
    "energyweekdayschedule": FLAT,
    "energyweekendschedule": FLAT,
    "demandratestructure": [[{"rate": 5}]],
    "demandweekdayschedule": FLAT,
    "demandweekendschedule": FLAT,
    "flatdemandstructure": [[{"rate": 1}]],
    "flatdemandmonths": [0] * 12,
    "fixedchargefirstmeter": 1,
    "fixedchargeunits": "$/month",
    "mincharge": 1,
    "minchargeunits": "$/month",
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def read_quietly(data) -> None:
    try:
        read_tariff(data)
    except FormatError:
        pass


@given(st.binary(max_size=300))
def test_it_survives_any_bytes(data):
    read_quietly(data)
    try:
        read_load_csv(data)
    except FormatError:
        pass


@given(json_values)
def test_it_survives_any_json_document(value):
    read_quietly(json.dumps(value))


@settings(max_examples=300)
@given(st.sampled_from(sorted(VALID)), json_values)
def test_it_survives_any_value_in_any_field_of_a_valid_rate(key, value):
    # given a valid rate with one field replaced
    rate = dict(VALID, **{key: value})

    # when / then: a Tariff, or a FormatError
    read_quietly(json.dumps({"items": [rate]}))
