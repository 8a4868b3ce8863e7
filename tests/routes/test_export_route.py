import json

from django.core.management import call_command

from meterbill.audit.models import AuditEvent


def test_it_writes_the_route_as_json_and_csv_and_audits_it(small_building, tmp_path):
    out = tmp_path / "routes"

    call_command("export_route", "--branch", "N", "--period", "2026-11", "--out", out)

    document = json.loads((out / "route-N-2026-11.json").read_text())
    assert document["format"] == "meterbill-route"
    assert [s["meter_serial"] for s in document["stops"]] == ["W1", "W2", "W3"]
    assert document["stops"][0]["expected_max"] == "114.517"
    lines = (out / "route-N-2026-11.csv").read_text().splitlines()
    assert lines[1] == (
        "1,Residence 1,,1,Cold water,W1,1,100,2026-10-31,104.838,114.517"
    )
    event = AuditEvent.objects.get(action="route.export")
    assert event.after["stops"] == 3


def test_it_narrows_the_route_to_the_residences_named(
    small_building, staircase_building, tmp_path
):
    call_command(
        "export_route",
        "--branch",
        "N",
        "--period",
        "2026-11",
        "--residence",
        "R2",
        "--out",
        tmp_path,
    )

    document = json.loads((tmp_path / "route-N-2026-11.json").read_text())
    assert {s["residence"] for s in document["stops"]} == {"Residence 2"}
    assert len(document["stops"]) == 6
