"""T3 adversarial: a formula in a meter serial comes back out of the route CSV as a
live spreadsheet formula. The meter form accepts the serial
``=HYPERLINK("http://…","A1-1-CW")`` (check_serial takes any printable ASCII), and
``meterbill export-route --branch BUC --period 2026-11`` writes it unchanged into
route-BUC-2026-11.csv, which a spreadsheet opens as a link showing "A1-1-CW".

Fixed by F4: every CSV the product writes goes through ``formats.csv_safe``,
which prefixes such a cell with an apostrophe (the JSON keeps the serial as it
is). The route CSV is the only CSV the product writes today."""

from __future__ import annotations

import csv
import io

from meterbill.formats.route import RouteStop, export_route

FORMULA = '=HYPERLINK("http://127.0.0.1/x","A1-1-CW")'


def test_route_csv_text_cells_never_start_a_formula():
    stop = RouteStop(
        residence="A1",
        staircase="A",
        apartment="1",
        walking_order=1,
        meter_serial=FORMULA,
        register="1",
        utility="cold_water",
        last_index=None,
        last_read_on=None,
        expected_min=None,
        expected_max=None,
    )

    _json, data = export_route([stop])

    # then the serial's cell does not start with = + - @ (OWASP "CSV injection"):
    # either the serial is refused when the meter is saved or the export
    # neutralises it
    row = next(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert not row["meter_serial"].startswith(("=", "+", "-", "@"))
    assert row["meter_serial"] == "'" + FORMULA
