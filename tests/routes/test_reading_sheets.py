import subprocess

from django.core.management import call_command

from meterbill.metering.routes import build_route
from meterbill.metering.sheets import staircases


def _text(pdf):
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def test_it_writes_one_pdf_per_residence_with_the_meter_serials(
    small_building, staircase_building, tmp_path
):
    call_command(
        "reading_sheets", "--branch", "N", "--period", "2026-11", "--out", tmp_path
    )

    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "sheet-R1-2026-11.pdf",
        "sheet-R2-2026-11.pdf",
    ]
    text = _text(tmp_path / "sheet-R1-2026-11.pdf")
    for serial in ("W1", "W2", "W3"):
        assert serial in text
    assert "Residence 1" in text
    assert "2026-10-31" in text


def test_it_puts_each_staircase_on_its_own_page(
    staircase_building, small_building, tmp_path
):
    call_command(
        "reading_sheets", "--branch", "N", "--period", "2026-11", "--out", tmp_path
    )

    pages = _text(tmp_path / "sheet-R2-2026-11.pdf").split("\f")
    assert "Staircase A" in pages[0] and "C-10" in pages[0] and "C-11" not in pages[0]
    assert "Staircase B" in pages[1] and "C-11" in pages[1]


def test_it_groups_the_rows_by_staircase_in_walking_order(
    staircase_building, small_building
):
    stops = build_route([staircase_building.pk], small_building["period"])

    groups = staircases(stops)

    assert [(g.name, [r.meter for r in g.rows]) for g in groups] == [
        ("A", ["C-1", "C-1a", "C-2", "H-2", "C-10"]),
        ("B", ["C-11"]),
    ]
