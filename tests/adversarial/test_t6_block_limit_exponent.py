"""T6 (issue 4, bad input at save): block limits are read with
``tariffs.compile._Params.number`` without the checks prices get, so a limit
written with an exponent beyond the decimal context (``"1E+1000000"``) is saved
by ``add-tariff --components`` and the component form without a word. The bill
run then holds every contract on the tariff with the finding
``Cold water tariff COLD: [<class 'decimal.Overflow'>]``: no component, no field,
no value named (``limit × months`` overflows). Expected: refused when saved,
naming ``params.blocks[0][0]``, as a price out of range is."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from meterbill.orgs.services import SetupRefused
from meterbill.tariffs.services import add_tariff_version

pytestmark = pytest.mark.django_db

BLOCKS = [["1E+1000000", "5.00"], [None, "8.00"]]


def test_a_block_limit_out_of_range_is_refused_at_save(small_building, org):
    with pytest.raises(SetupRefused) as refused:
        add_tariff_version(
            org,
            "COLD",
            "cold",
            date(2027, 1, 1),
            D("5.00"),
            D("11"),
            components=[
                {
                    "kind": "block",
                    "code": "WATER",
                    "description": "Water",
                    "params": {"blocks": BLOCKS},
                }
            ],
        )
    assert "params.blocks[0][0]" in str(refused.value)


def test_the_finding_of_an_overflow_says_what_is_wrong(small_building):
    from meterbill.billing.billrun import bill_period
    from meterbill.billing.models import Finding
    from meterbill.tariffs.models import TariffComponent

    # given the component stored as it is today (saved without a word)
    TariffComponent.objects.create(
        version=small_building["tariff"].versions.get(),
        position=1,
        kind="block",
        code="WATER",
        description="Water",
        params={"blocks": BLOCKS},
    )

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then each contract is held, and the finding says more than a class name
    # (the formula preview already says "An amount is out of range")
    findings = Finding.objects.filter(rule="tariff_error")
    assert findings.count() == 3
    message = findings.first().message
    assert "<class" not in message
    assert "WATER" in message or "out of range" in message
