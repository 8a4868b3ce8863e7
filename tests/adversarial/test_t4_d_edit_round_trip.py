"""T4 adversarial (D, lookup tables): a key the version's JSON may carry (docs:
any text without quotes, backslashes or control characters, so "a=b" or "a;b") is
written on the table's screen as "a=b = 1", which the screen then reads back as key
"a" and value "b = 1": the table cannot be saved again, even unchanged."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

from meterbill.orgs.services import SetupRefused
from meterbill.tariffs.models import LookupTable
from meterbill.tariffs.services import add_tariff_version

D = Decimal


def test_a_table_from_json_saves_again_unchanged_on_its_screen(
    org, small_building, manager, client_for
):
    # given a version imported with a table whose keys contain "=" and ";"
    try:
        version = add_tariff_version(
            org,
            "COLD",
            "cold",
            date(2027, 1, 1),
            D(0),
            D(11),
            components=[
                {
                    "kind": "formula",
                    "code": "HEAT",
                    "description": "Heating",
                    "formula": 'area * lookup("zone", "a=b")',
                }
            ],
            tables={"zone": {"a=b": "1.20", "c;d": "0.95"}},
        )
    except SetupRefused:
        return  # such keys refused at import: acceptable
    table = LookupTable.objects.get(version=version)
    client = client_for(manager)

    # when the manager opens the table and saves it without changing anything
    form = client.get(f"/config/tables/{table.pk}/").content.decode()
    [typed] = re.findall(r"<textarea[^>]*>(.*?)</textarea>", form, re.S)
    response = client.post(
        f"/config/tables/{table.pk}/",
        {"name": "zone", "rows": html.unescape(typed).lstrip("\n")},
    )

    # then it is saved with the same rows (actual: 422 "line 1: 'b = 1.20' is not
    # a number")
    assert response.status_code == 302
    table.refresh_from_db()
    assert table.rows == [["a=b", "1.20"], ["c;d", "0.95"]]
