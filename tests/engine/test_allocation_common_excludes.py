import pytest

from meterbill.engine.scenario import ScenarioError, run_scenario


def _scenario(rule):
    return {
        "currency": "RON",
        "apartments": [
            {"id": "1", "area_m2": "50", "persons": 1, "consumption": {"w": "10"}},
            {"id": "2", "area_m2": "50", "persons": 3, "consumption": {"w": "20"}},
        ],
        "costs": [
            {
                "id": "w",
                "utility": "w",
                "amount": "100.00",
                "quantity": "40",
                "rule": rule,
            },
        ],
    }


def test_an_excluded_apartment_pays_its_own_consumption_only():
    # given main 40 m3 over 10 + 20 m3: 10 m3 common; apartment 2 takes no share
    result = run_scenario(
        _scenario(
            {"type": "consumption", "common_key": "persons", "common_excludes": ["2"]}
        )
    )

    # then apartment 1 takes the whole 10 m3: 20 m3 each, 50.00 each
    shares = {a["id"]: a["shares"][0] for a in result["apartments"]}
    assert (shares["1"]["quantity"], shares["1"]["amount"]) == ("20.000", "50.00")
    assert (shares["2"]["quantity"], shares["2"]["amount"]) == ("20.000", "50.00")


def test_it_refuses_common_excludes_that_are_not_a_list_of_ids():
    with pytest.raises(ScenarioError, match=r"costs\[0\].rule.common_excludes"):
        run_scenario(_scenario({"type": "consumption", "common_excludes": "2"}))
