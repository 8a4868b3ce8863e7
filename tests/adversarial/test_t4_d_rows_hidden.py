"""T4 adversarial (D, lookup tables): the version's page shows the first 12 rows of
each table and links to the table's form only when the version may be edited; the
form needs ``tariffs.edit``. A billing operator (``tariffs.view``, who launches the
bill runs) can never read the 13th price of the price list they are rated with."""

from __future__ import annotations

import re

from meterbill.tariffs.models import LookupTable, TariffVersion

from .conftest import make_user


def test_a_tariffs_viewer_can_read_every_row_of_a_lookup_table(
    small_building, client_for
):
    # given a price list of 13 rows on COLD's version
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    LookupTable.objects.create(
        version=version,
        name="by_class",
        rows=[[f"K{n}", f"{n}.00"] for n in range(1, 14)],
    )
    operator = make_user("otto", small_building["residence"].branch, "billing_operator")
    client = client_for(operator)

    # when the operator opens the version and every table page it links to
    page = client.get(f"/config/versions/{version.pk}/").content.decode()
    linked = [
        client.get(url)
        for url in set(re.findall(r'href="(/config/[^"]*table[^"]*)"', page))
    ]

    # then the 13th row (K13 = 13.00) is on one of them (actual: "…" on the
    # version's page, no link, and /config/tables/<id>/ answers 403)
    pages = [page] + [r.content.decode() for r in linked if r.status_code == 200]
    assert any("K13" in text and "13.00" in text for text in pages)
