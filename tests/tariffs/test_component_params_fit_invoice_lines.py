"""A component's prices and block limits fit what an invoice line stores (12 digits
before the point, 6 decimals, 15 significant digits: what SQLite gives back
exactly), on every entry path: build_component, add_tariff_version, the CLI
(add-tariff, import-tariff) and the component form. The error names the component
and the parameter."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from meterbill.tariffs.compile import TariffConfigError, build_component, table_value

SIXTEEN = "1234567890.123457"  # 16 significant digits
EIGHTEEN = "999999999999.999999"  # read back on SQLite as 10^12


def _build(kind, params, position=3):
    return build_component(kind, "WATER", "Water", "S", params, position=position)


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        ("unit_price", {"unit_price": SIXTEEN},
         "component 3, params.unit_price: WATER: at most 15 significant digits"),
        ("excise", {"unit_price": EIGHTEEN},
         "component 3, params.unit_price: WATER: at most 15 significant digits"),
        ("fixed", {"amount_per_month": SIXTEEN},
         "component 3, params.amount_per_month: WATER: at most 15 significant"),
        ("minimum", {"amount_per_month": EIGHTEEN},
         "component 3, params.amount_per_month: WATER: at most 15 significant"),
        ("maximum", {"amount_per_month": SIXTEEN},
         "component 3, params.amount_per_month: WATER: at most 15 significant"),
        ("seasonal", {"prices_by_month": ["1.00"] * 3 + [SIXTEEN] + ["1.00"] * 8},
         "component 3, params.prices_by_month[3]: WATER: at most 15 significant"),
        ("block", {"blocks": [["10", SIXTEEN], [None, "2"]]},
         "component 3, params.blocks[0][1]: WATER: at most 15 significant digits"),
        ("block", {"blocks": [["1E+1000000", "5.00"], [None, "8.00"]]},
         "component 3, params.blocks[0][0]: WATER: too large: at most 12 digits "
         "before the decimal point"),
        ("block", {"blocks": [["1000000000000", "5.00"], [None, "8.00"]]},
         "component 3, params.blocks[0][0]: WATER: too large: at most 12 digits"),
        ("block", {"blocks": [["10", "1"], ["10.0000001", "2"], [None, "3"]]},
         "component 3, params.blocks[1][0]: WATER: at most 6 decimals"),
        ("block", {"blocks": [["1E-1000000", "5.00"], [None, "8.00"]]},
         "component 3, params.blocks[0][0]: WATER: at most 6 decimals"),
        ("block", {"blocks": [[SIXTEEN, "5.00"], [None, "8.00"]]},
         "component 3, params.blocks[0][0]: WATER: at most 15 significant digits"),
    ],
)  # fmt: skip
def test_a_number_an_invoice_line_cannot_keep_is_refused(kind, params, message):
    with pytest.raises(TariffConfigError) as caught:
        _build(kind, params)

    assert str(caught.value).startswith(message)
    # the form shows the reason on the field, which already is the component's
    assert "WATER" not in caught.value.reason


@pytest.mark.parametrize(
    ("kind", "params"),
    [
        ("unit_price", {"unit_price": "123456789.123456"}),  # 15 digits
        ("unit_price", {"unit_price": "999999999999"}),
        ("minimum", {"amount_per_month": "100000000000.000000"}),  # zeros trimmed
        ("seasonal", {"prices_by_month": ["-123456789.123456"] + ["1"] * 11}),
        ("block", {"blocks": [["999999999999.999", "1"], [None, "2"]]}),
        ("block", {"blocks": [["0.000001", "1"], ["1E+3", "2"], [None, "3"]]}),
    ],
)
def test_numbers_within_the_line_columns_are_kept(kind, params):
    _build(kind, params)


def test_a_table_value_keeps_15_significant_digits():
    assert table_value("123456789.123456") == Decimal("123456789.123456")
    with pytest.raises(ValueError, match="at most 15 significant digits"):
        table_value(SIXTEEN)


@pytest.mark.django_db
def test_add_tariff_version_refuses_a_seasonal_price_of_16_digits(
    small_building, add_version
):
    from meterbill.orgs.services import SetupRefused
    from meterbill.tariffs.models import TariffVersion

    prices = ["1.00"] * 11 + [SIXTEEN]
    component = {"kind": "seasonal", "code": "WATER", "description": "Water",
                 "params": {"prices_by_month": prices}}  # fmt: skip

    with pytest.raises(SetupRefused) as refused:
        add_version(date(2027, 1, 1), [component])

    assert str(refused.value) == (
        "component 1, params.prices_by_month[11]: WATER: at most 15 significant digits"
    )
    assert not TariffVersion.objects.filter(valid_from=date(2027, 1, 1)).exists()


@pytest.fixture
def power(org):
    from django.core.management import call_command

    call_command(
        "add_utility", code="power", name="Electricity", kind="electricity",
        unit="kWh", unit_code="KWH",
    )  # fmt: skip


# The CLI closes the database connections when a command fails (Django's
# run_from_argv): on PostgreSQL that ends a test's transaction, so these run
# outside one.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("command", "params", "message"),
    [
        ("add-tariff", {"unit_price": SIXTEEN},
         "component 1, params.unit_price: WATER: at most 15 significant digits"),
        ("import-tariff", {"unit_price": EIGHTEEN},
         "component 1, params.unit_price: WATER: at most 15 significant digits"),
        ("add-tariff", {"amount_per_month": EIGHTEEN},
         "component 1, params.amount_per_month: WATER: at most 15 significant "
         "digits"),
    ],
)  # fmt: skip
def test_the_cli_says_which_component_and_parameter(
    power, tmp_path, capsys, command, params, message
):
    from meterbill.cli import main
    from meterbill.tariffs.models import TariffVersion

    kind = "minimum" if "amount_per_month" in params else "unit_price"
    path = tmp_path / "components.json"
    path.write_text(json.dumps([
        {"kind": kind, "code": "WATER", "description": "Water", "params": params}
    ]))  # fmt: skip
    args = ["--code", "ELEC", "--utility", "power", "--valid-from", "2026-01-01"]
    args += ["--vat", "21"]
    if command == "add-tariff":
        args += ["--components", str(path)]
    else:
        args = ["--format", "json", str(path), *args]

    with pytest.raises(SystemExit) as exited:
        main(["meterbill", command, *args])

    # the exit code and form of every CLI error (a CommandError)
    assert exited.value.code == 1
    assert capsys.readouterr().err == f"CommandError: {path}: {message}\n"
    assert not TariffVersion.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "data", "field", "message"),
    [
        ("unit_price", {"unit_price": SIXTEEN}, "unit_price",
         "at most 15 significant digits"),
        ("block", {"blocks": "1E+1000000 5.00\n8.00", "basis": "incremental"},
         "blocks", "line 1, limit: too large: at most 12 digits before the decimal"),
        ("seasonal", {"prices_by_month": " ".join(["1"] * 4 + [EIGHTEEN] + ["1"] * 7)},
         "prices_by_month", "May: at most 15 significant digits"),
        ("minimum", {"amount_per_month": SIXTEEN}, "amount_per_month",
         "at most 15 significant digits"),
    ],
)  # fmt: skip
def test_the_component_form_shows_it_on_the_field(
    small_building, branches, kind, data, field, message
):
    from django.test import Client

    from meterbill.orgs.models import User
    from meterbill.tariffs.models import TariffVersion

    version = TariffVersion.objects.create(
        tariff=small_building["tariff"],
        valid_from=date(2027, 1, 1),
        currency="RON",
        unit_price_net=Decimal(5),
        vat_rate_percent=Decimal(11),
    )
    user = User(username="nora", branch=branches["north"], roles="branch_manager")
    user.set_password("pw-nora")
    user.save()
    client = Client()
    client.force_login(user)

    response = client.post(
        f"/config/versions/{version.pk}/components/new/?kind={kind}",
        {"code": "WATER", "description": "Water", "vat_category": "S", **data},
    )

    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    assert not version.components.exists()
