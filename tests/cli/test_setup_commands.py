from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from meterbill.orgs.models import Branch
from meterbill.tariffs.models import TariffVersion


def test_it_adds_a_branch_under_its_parent_with_the_path_kept(branches):
    call_command("add_branch", code="AU", name="Australia", parent="HQ")

    au = Branch.objects.get(code="AU")
    assert au.parent == branches["hq"]
    assert au.path == f"{branches['hq'].path}{au.pk}/"


def test_it_refuses_an_unknown_parent_and_a_duplicate_code(branches):
    with pytest.raises(CommandError, match="no branch 'XX'"):
        call_command("add_branch", code="AU", name="A", parent="XX")
    with pytest.raises(CommandError, match="branch 'N' exists already"):
        call_command("add_branch", code="N", name="North again", parent="HQ")


def test_it_adds_a_utility_and_tariff_versions_in_force_from_their_dates(org):
    call_command(
        "add_utility",
        code="power",
        name="Electricity",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
    )
    call_command(
        "add_tariff",
        code="ELEC",
        utility="power",
        valid_from="2026-01-01",
        unit_price="0.85",
        vat="21",
        fixed_per_month="12.00",
    )
    call_command(
        "add_tariff",
        code="ELEC",
        utility="power",
        valid_from="2026-07-01",
        unit_price="0.91",
        vat="21",
    )

    versions = TariffVersion.objects.filter(tariff__code="ELEC").order_by("valid_from")
    assert [(v.valid_from, v.unit_price_net, v.currency) for v in versions] == [
        (date(2026, 1, 1), Decimal("0.85"), "RON"),
        (date(2026, 7, 1), Decimal("0.91"), "RON"),
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"unit_price": "abc"}, "--unit-price: 'abc' is not a number"),
        ({"unit_price": "NaN"}, "--unit-price: 'NaN' is not a number"),
        ({"vat": "121"}, "VAT rate is a percentage"),
        ({"valid_from": "2026-02-30"}, "--valid-from: day is out of range"),
        ({"utility": "gas"}, "no utility 'gas'"),
        ({"vat_category": "X"}, "unknown VAT category 'X'"),
    ],
)
def test_it_refuses_a_bad_tariff_with_a_one_line_reason(org, options, message):
    call_command(
        "add_utility",
        code="power",
        name="Electricity",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
    )
    given = {
        "code": "ELEC",
        "utility": "power",
        "valid_from": "2026-01-01",
        "unit_price": "0.85",
        "vat": "21",
        **options,
    }

    with pytest.raises(CommandError, match=message):
        call_command("add_tariff", **given)

    assert not TariffVersion.objects.exists()
