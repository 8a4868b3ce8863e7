"""Whatever the JSON, run_scenario either answers or raises ScenarioError."""

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from meterbill.engine.scenario import ScenarioError, run_scenario

BASE = {
    "currency": "EUR",
    "period": {"start": "2025-01-01", "end": "2025-01-31"},
    "apartments": [
        {
            "id": "A1",
            "area_m2": "50",
            "persons": 2,
            "consumption": {"water": "3"},
            "allocators": [{"id": "r1", "units": "10"}],
            "occupants": [{"id": "o", "start": "2025-01-01", "end": "2025-01-31"}],
        },
        {"id": "A2", "area_m2": "70", "person_periods": []},
    ],
    "costs": [
        {
            "id": "w",
            "utility": "water",
            "amount": "10.00",
            "quantity": "5",
            "rule": {"type": "consumption", "branch_meters": []},
        },
        {
            "id": "h",
            "utility": "heat",
            "amount": "20.00",
            "quantity": "100",
            "rule": {
                "type": "hot_water_heat",
                "delta_t_k": "40",
                "heating": {
                    "type": "common_heating",
                    "table": {"I": {"1": "10"}},
                    "climatic_zone": "I",
                    "month": 1,
                },
            },
        },
    ],
}

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=True)
    | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)


def paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from paths(value, (*prefix, i))


ALL_PATHS = [p for p in paths(BASE) if p]


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(ALL_PATHS), json_values)
def test_it_raises_only_scenario_errors(path, value):
    data = copy.deepcopy(BASE)
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value

    try:
        result = run_scenario(data)
    except ScenarioError:
        return

    assert {c["status"] for c in result["costs"]} <= {"allocated", "blocked"}
