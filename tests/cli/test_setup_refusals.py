from datetime import date

import pytest
from django.core.management import CommandError, call_command

from meterbill.billing.billrun import bill_period
from meterbill.orgs.models import Branch


@pytest.mark.parametrize("code", ["A/B", "../x", "", "x" * 17])
def test_it_refuses_a_branch_code_that_could_leave_the_documents_folder(branches, code):
    with pytest.raises(CommandError, match="branch code"):
        call_command("add_branch", code=code, name="X", parent="HQ")

    assert not Branch.objects.filter(code=code).exists()


def test_it_refuses_a_zero_rated_tariff_with_a_rate(small_building):
    with pytest.raises(CommandError, match="VAT category Z is charged at 0%"):
        call_command(
            "add_tariff",
            code="COLD",
            utility="cold",
            valid_from="2027-01-01",
            unit_price="5",
            vat="19",
            vat_category="Z",
        )


def test_it_refuses_a_price_starting_inside_an_invoiced_period(small_building):
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    with pytest.raises(CommandError, match="periods up to 2026-11-30 are invoiced"):
        call_command(
            "add_tariff",
            code="COLD",
            utility="cold",
            valid_from="2026-11-15",
            unit_price="100",
            vat="11",
        )


def test_it_refuses_a_price_beyond_what_can_be_stored(small_building):
    with pytest.raises(CommandError, match="unit price must be from 0"):
        call_command(
            "add_tariff",
            code="COLD",
            utility="cold",
            valid_from="2027-01-01",
            unit_price="1" + "0" * 400,  # 10**400, written out
            vat="11",
        )


def test_it_refuses_a_price_in_other_digits_or_with_an_exponent(small_building):
    # "１２" (fullwidth) would be 12 to Decimal(); 1e400 is no plain number either
    for text in ("１２", "1e400"):
        with pytest.raises(CommandError, match=r"--unit-price: .* is not a number"):
            call_command(
                "add_tariff",
                code="COLD",
                utility="cold",
                valid_from="2027-01-01",
                unit_price=text,
                vat="11",
            )


def test_bench_refuses_a_database_that_has_users(alice):
    with pytest.raises(CommandError, match="not a bench portfolio"):
        call_command("bench", apartments=10, pdf_sample=0)
