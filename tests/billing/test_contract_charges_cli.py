"""``meterbill add-contract-charge``: adds an audited fee or one-off item, and
refuses bad input naming the option."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from meterbill.audit.models import AuditEvent
from meterbill.premises.models import ContractCharge

D = Decimal


def test_it_adds_a_one_off_connection_fee(small_building, capsys):
    # given contract C1 and a tariff with VAT 11% but no organisation S rate: the
    # fee carries its own rate

    call_command(
        "add_contract_charge",
        contract="C1",
        description="Connection fee",
        amount="150.00",
        once=True,
        vat_rate="19",
        valid_from="2026-11-15",
    )

    charge = ContractCharge.objects.get()
    assert (charge.recurrence, charge.unit_price_net, charge.vat_rate_percent) == (
        "once",
        D("150.00"),
        D(19),
    )
    assert charge.valid_from == date(2026, 11, 15)
    assert "once from 2026-11-15" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="contract.charge_added").count() == 1


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"amount": "ten"}, "--amount: 'ten' is not a number"),
        ({"amount": "-1"}, "--amount: -1 is not zero or more"),
        ({"valid_from": "2026-13-01"}, "--valid-from: month must be in 1..12"),
        ({"contract": "C9"}, "--contract: no contract C9"),
        ({"vat_category": "S"}, "--vat-rate: the organisation has no VAT rate"),
        (
            {"vat_category": "E", "vat_rate": "0"},
            "--vat-exemption-reason: VAT category E needs the reason",
        ),
    ],
)
def test_it_refuses_bad_input_naming_the_option(small_building, options, message):
    given = {
        "contract": "C1",
        "description": "Meter rent",
        "amount": "3.50",
        "valid_from": "2026-11-01",
    }

    with pytest.raises(CommandError) as error:
        call_command("add_contract_charge", **(given | options))

    assert str(error.value).startswith(message)
    assert not ContractCharge.objects.exists()
