"""A bad scenario raises ScenarioError whose message starts with the JSON path."""

import copy

import pytest

from meterbill.engine.scenario import ScenarioError, run_scenario

GOOD = {
    "currency": "EUR",
    "apartments": [
        {"id": "A1", "area_m2": "50"},
        {"id": "A2", "area_m2": "70"},
    ],
    "costs": [
        {
            "id": "lift",
            "utility": "lift",
            "amount": "10.00",
            "rule": {"type": "key", "key": "equal"},
        },
        {
            "id": "heat",
            "utility": "heat",
            "amount": "90.00",
            "rule": {
                "type": "mixed",
                "percent_by_consumption": "60",
                "heizkostenv_range": True,
            },
        },
    ],
}


def scenario_with(path: tuple, value) -> dict:
    data = copy.deepcopy(GOOD)
    target = data
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (
            ("costs", 1, "rule", "percent_by_consumption"),
            "80",
            "costs[1].rule.percent_by_consumption: must be between 50 and 70",
        ),
        (("apartments", 1, "area_m2"), "7O", "apartments[1].area_m2: '7O' is not"),
        (("apartments", 0, "area_m2"), True, "apartments[0].area_m2: must be a number"),
        (("apartments", 0, "area_m2"), "-1", "apartments[0].area_m2: must not be neg"),
        (("apartments", 0, "area"), "5", "apartments[0].area: unknown field"),
        (("apartments", 1, "id"), "A1", "apartments[1].id: duplicate id 'A1'"),
        (("costs", 0, "rule", "key"), "size", "costs[0].rule.key: must be one of"),
        (("costs", 0, "rule", "type"), "magic", "costs[0].rule.type: must be one of"),
        (("costs", 0, "amount"), "10.001", "costs[0]: cost lift: amount 10.001 is fin"),
        (("costs", 0, "amount"), "NaN", "costs[0].amount: must be a finite number"),
        (("period",), {"start": "2025-02-01", "end": "2025-01-01"}, "period.end: must"),
    ],
)
def test_it_names_the_json_path_of_the_problem(path, value, message):
    data = scenario_with(path, value)

    with pytest.raises(ScenarioError) as caught:
        run_scenario(data)

    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError)


def test_it_requires_the_apartments():
    data = copy.deepcopy(GOOD)
    del data["apartments"]

    with pytest.raises(ScenarioError, match=r"^apartments: is required"):
        run_scenario(data)


def test_it_reads_a_float_through_its_shortest_text():
    # given 0.1 + 0.2 style floats reach us despite parse_float=Decimal
    data = scenario_with(("costs", 0, "amount"), 10.1)

    result = run_scenario(data)

    assert result["costs"][0]["allocated"] == "10.10"
