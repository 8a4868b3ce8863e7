import io

import pytest
from openpyxl import Workbook

from meterbill.formats import xlsx_readings
from meterbill.formats.errors import InvalidFormat


def _workbook(rows: int) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.append(["meter", "date", "value"])
    for n in range(rows):
        sheet.append([f"M{n}", "2026-11-30", n])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_it_refuses_a_workbook_that_inflates_past_the_limit(monkeypatch):
    monkeypatch.setattr(xlsx_readings, "MAX_INFLATED_BYTES", 10_000)

    with pytest.raises(InvalidFormat, match=r"inflates to \d+ bytes"):
        xlsx_readings.read(_workbook(2000), filename="big.xlsx")


def test_it_refuses_more_rows_than_the_limit(monkeypatch):
    monkeypatch.setattr(xlsx_readings, "MAX_ROWS", 50)

    with pytest.raises(InvalidFormat, match="more than 50 rows"):
        xlsx_readings.read(_workbook(100), filename="long.xlsx")
