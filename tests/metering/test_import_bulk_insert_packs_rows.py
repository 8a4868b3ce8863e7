"""The bulk insert packs many rows into each statement (SQLite) and still inserts
every new row once, whatever the number of rows against the packing."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from meterbill.metering import bulk
from meterbill.metering.bulk import entered_at, insert_readings
from meterbill.metering.models import Reading

AT = datetime(2026, 12, 4, 9, 30, tzinfo=UTC)


def _rows(register_id, first_day, count):
    return [
        (
            register_id,
            first_day + timedelta(days=n),
            None,
            "index",
            Decimal(100 + n),
            "file",
            "actual",
            "",
            "A",
            None,
            None,
            entered_at(AT),
            "",
            "",
            "",
        )
        for n in range(count)
    ]


def test_it_inserts_every_row_once_across_statements_and_calls(
    water_meters, monkeypatch
):
    # given calls of 150 rows (whole statements of 66 rows on SQLite: 132 per call)
    monkeypatch.setattr(bulk, "BATCH_ROWS", 150)
    w1, w2 = water_meters["W1"].pk, water_meters["W2"].pk
    insert_readings(_rows(w1, date(2025, 1, 1), 10))

    # when 10 stored days again plus 300 new ones of W1, and 7 of W2, are inserted
    inserted = insert_readings(
        _rows(w1, date(2025, 1, 1), 310) + _rows(w2, date(2025, 6, 1), 7)
    )

    # then the 300 + 7 new rows, each once, with its own value (100 + day number)
    assert inserted == 307
    assert Reading.objects.filter(register_id=w1).count() == 310
    assert Reading.objects.filter(register_id=w2).count() == 7
    last = Reading.objects.get(
        register_id=w1, read_on=date(2025, 1, 1) + timedelta(309)
    )
    assert last.value == Decimal(409)
