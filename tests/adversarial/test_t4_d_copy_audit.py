"""T4 adversarial (D, lookup tables): docs/tariffs.md says adding a table is
audited, and ``add-tariff`` records a new version's tables in its
``tariff.version.add`` event. A new version made on the screen with "Copy the
components of" gets the source's tables, but no audit event records them."""

from __future__ import annotations

import json

from meterbill.audit.models import AuditEvent
from meterbill.tariffs.models import LookupTable, TariffVersion


def test_the_tables_a_new_version_copies_are_audited(
    small_building, manager, client_for
):
    # given COLD's version with a price list (zone A at 7.77)
    source = TariffVersion.objects.get(tariff=small_building["tariff"])
    LookupTable.objects.create(version=source, name="zone", rows=[["A", "7.77"]])
    client = client_for(manager)
    before = AuditEvent.objects.count()

    # when a version from July 2027 is made as a copy of it
    response = client.post(
        f"/config/tariffs/{small_building['tariff'].pk}/versions/new/",
        {
            "valid_from": "2027-07-01",
            "currency": "RON",
            "rounding_mode": "ROUND_HALF_UP",
            "rounding_point": "line",
            "vat_category": "S",
            "vat_rate_percent": "11",
            "copy_from": source.pk,
        },
    )

    # then the new version has the table, and an audit event says so
    assert response.status_code == 302
    copied = LookupTable.objects.exclude(version=source).get()
    assert copied.rows == [["A", "7.77"]]
    events = AuditEvent.objects.order_by("pk")[before:]
    assert any("7.77" in json.dumps(e.after) for e in events)
