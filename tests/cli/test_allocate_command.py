import json

import pytest
from django.core.management import CommandError, call_command

SCENARIO = {
    "currency": "RON",
    "period": {"start": "2026-11-01", "end": "2026-11-30"},
    "apartments": [
        {"id": "1", "area_m2": "40", "persons": 1},
        {"id": "2", "area_m2": "60", "persons": 2},
    ],
    "costs": [
        {
            "id": "lift",
            "utility": "fee",
            "amount": "100.01",
            "rule": {"type": "key", "key": "area"},
        },
    ],
}


def test_it_prints_each_apartments_share_summing_to_the_cost(tmp_path, capsys):
    # given a lift cost of 100.01 split by area 40 : 60 → 40.004 and 60.006, rounded
    # once: 40.00 + 60.01 (the spare cent goes to the larger remainder, 0.006)
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SCENARIO))

    call_command("allocate", scenario=str(path))

    result = json.loads(capsys.readouterr().out)
    amounts = {a["id"]: a["total"] for a in result["apartments"]}
    assert amounts == {"1": "40.00", "2": "60.01"}


def test_it_names_the_file_and_line_of_broken_json(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "apartments": [\n')

    with pytest.raises(CommandError, match=r"broken.json:3: column 1: invalid JSON"):
        call_command("allocate", scenario=str(path))


def test_it_names_the_json_path_of_a_bad_value(tmp_path):
    bad = json.loads(json.dumps(SCENARIO))
    bad["costs"][0]["rule"]["key"] = "colour"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))

    with pytest.raises(CommandError, match=r"costs\[0\]\.rule\.key"):
        call_command("allocate", scenario=str(path))
