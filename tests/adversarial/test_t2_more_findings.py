"""T2 findings without a test of their own in the other files: the same refusals on
the CLI and service paths, the bill run's view of a version stored before the
checks, and the small ones (O on a single line, long file names, the "saved"
message, a utility's unit once used)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from meterbill.billing.models import DistributionRule, ProviderBill
from meterbill.engine.formula import FormulaError
from meterbill.engine.stored_decimal import column_fault
from meterbill.invoicing.models import Invoice, InvoiceSeries
from meterbill.orgs.services import SetupRefused
from meterbill.tariffs.compile import build_component, load_versions
from meterbill.tariffs.models import TariffComponent, TariffVersion
from meterbill.tariffs.services import add_tariff_version, component_rows

from .ubl import ubl

D = Decimal
HAND = {"reference": "AN-1", "quantity": "66", "vat_rate_percent": "19"}


def issue_november(small_building):
    """One issued November invoice on apartment 1 (no lines needed)."""
    apartment = small_building["apartments"][0]
    contract = apartment.contract_set.get()
    series = InvoiceSeries.objects.create(
        branch=contract.branch, prefix="N", year=2026, next_number=2
    )
    return Invoice.objects.create(
        branch=contract.branch,
        state=Invoice.State.ISSUED,
        series=series,
        number=1,
        full_number="N-2026-000001",
        idempotency_key="t2-more-1",
        customer=contract.customer,
        contract=contract,
        apartment=apartment,
        period=small_building["period"],
        issue_date=date(2026, 12, 4),
    )


# 1. currency codes ---------------------------------------------------------------


def test_a_currency_that_is_no_iso_4217_code_is_refused(place, operator, client_for):
    # given the hand form
    client = client_for(operator)

    # when the operator types the currency "XYZ" (three letters, no ISO 4217 code)
    page = client.post(
        "/allocation/bills/new/",
        {**place, **HAND, "amount_net": "100.00", "currency": "XYZ"},
    )

    # then it is refused on the currency field, and nothing is stored
    assert "ISO 4217" in str(page.context["form"].errors["currency"])
    assert not ProviderBill.objects.exists()


# 2. rules: valid_from ------------------------------------------------------------


def test_a_rule_from_year_one_is_refused(small_building, operator, client_for):
    # given the operator's new-rule form
    client = client_for(operator)

    # when she saves a rule valid from 0001-01-01
    page = client.post(
        "/allocation/rules/new/",
        {
            "residence": small_building["residence"].pk,
            "utility": small_building["utility"].pk,
            "valid_from": "0001-01-01",
            "splits": "cost",
            "rule_type": "key",
            "key": "area",
        },
    )

    # then the date is refused on its field
    assert "1970-01-01" in str(page.context["form"].errors["valid_from"])
    assert not DistributionRule.objects.exists()


def test_the_cli_refuses_a_rule_inside_an_invoiced_period(small_building, tmp_path):
    # given November (2026-11-01..30) invoiced for R1
    issue_november(small_building)
    path = tmp_path / "rule.json"
    path.write_text('{"type": "key", "key": "area"}')

    # when set-distribution-rule stores a rule from 15 November, then the
    # CommandError names the file and says a change goes through a correction
    with pytest.raises(CommandError, match=r"rule\.json.*2026-11-30.*correction"):
        call_command(
            "set_distribution_rule",
            residence="R1",
            utility="cold",
            rule=str(path),
            valid_from=date(2026, 11, 15),
        )
    assert not DistributionRule.objects.exists()


def test_a_rule_after_the_invoiced_period_is_saved(small_building, tmp_path):
    # given November invoiced
    issue_november(small_building)
    path = tmp_path / "rule.json"
    path.write_text('{"type": "key", "key": "area"}')

    # when the rule starts on 1 December, the day after it
    call_command(
        "set_distribution_rule",
        residence="R1",
        utility="cold",
        rule=str(path),
        valid_from=date(2026, 12, 1),
    )

    # then it is stored
    assert DistributionRule.objects.get().valid_from == date(2026, 12, 1)


# 3. numbers a column cannot give back --------------------------------------------


def test_a_number_fits_a_column_only_when_it_comes_back_unchanged():
    # given the provider bill's amount column: 18 digits, 6 of them decimals
    column = ProviderBill._meta.get_field("amount_net")

    # then 12 integer digits and 3 decimals (15 significant) fit; 18 significant
    # digits do not (a double keeps 15); 13 integer digits or 7 decimals do not
    assert column_fault(D("999999999999.999"), column) is None
    assert str(column_fault(D("999999999999.999999"), column)) == (
        "at most 15 significant digits"
    )
    assert column_fault(D("1E+12"), column).kind == "integer_digits"
    assert column_fault(D("0.0000001"), column).kind == "decimals"
    assert column_fault(D("Infinity"), column).kind == "not_finite"


def test_the_cli_refuses_a_price_the_database_cannot_give_back(small_building):
    # given the COLD tariff of the organisation
    org = small_building["tariff"].organisation

    # when add-tariff's service is given a unit price of 18 significant digits
    # (within "below 10^12, 6 decimals"), then it is refused before saving
    with pytest.raises(SetupRefused, match="15 significant digits"):
        add_tariff_version(
            org,
            "COLD",
            "cold",
            date(2027, 1, 1),
            unit_price_net=D("999999999999.999999"),
            vat_rate_percent=D("11"),
        )
    assert not TariffVersion.objects.filter(valid_from=date(2027, 1, 1)).exists()


def test_an_uploaded_amount_with_30_decimals_is_refused_on_the_file(
    place, operator, client_for
):
    # given a provider invoice line of 100 and 30 decimals (the column keeps 6)
    client = client_for(operator)
    amount = "100." + "1" * 30
    data = ubl([("MTQ", "10", amount, "S", "19")])

    # when it is uploaded
    page = client.post(
        "/allocation/bills/upload/",
        {**place, "file": SimpleUploadedFile("bill.xml", data)},
    )

    # then the file is refused: the stored amount would not be the one shown
    assert "at most 6 decimals" in str(page.context["form"].errors["file"])


def test_the_saved_message_shows_the_amount_as_stored(place, operator, client_for):
    # given the hand form
    client = client_for(operator)

    # when the operator saves 100.5 RON
    response = client.post(
        "/allocation/bills/new/",
        {**place, **HAND, "amount_net": "100.5", "currency": "RON"},
        follow=True,
    )

    # then the message shows what the column holds (6 decimals), read back equal
    stored = ProviderBill.objects.get().amount_net
    assert stored == D("100.500000")
    shown = [str(m) for m in response.context["messages"]]
    assert any(f"{stored} RON" in m for m in shown), shown


# 4. category O -------------------------------------------------------------------


def test_the_cli_refuses_o_with_other_categories_in_a_version(small_building):
    # given the COLD tariff's version
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    unit = {"kind": "unit_price", "params": {"unit_price": "5"}}

    # when add-tariff's components mix S and O, then they are refused
    with pytest.raises(SetupRefused, match="BR-O-11"):
        component_rows(
            version,
            [
                {**unit, "code": "W", "description": "Water", "vat_category": "S"},
                {**unit, "code": "F", "description": "Fee", "vat_category": "O"},
            ],
        )


def test_the_bill_run_reports_a_version_that_mixes_o_stored_before_the_check(
    small_building,
):
    # given a version whose components mix S and O, stored before the check
    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    for position, category in ((1, "S"), (2, "O")):
        TariffComponent.objects.create(
            version=version,
            position=position,
            kind="unit_price",
            code=f"P{position}",
            description="Water",
            vat_category=category,
            params={"unit_price": "5"},
        )

    # when the bill run loads the versions of November
    found, problems = load_versions(
        [version.tariff_id], date(2026, 11, 1), date(2026, 11, 30)
    )

    # then the tariff is not rated and the problem (a tariff_error finding that
    # holds the invoices) names the rule
    assert version.tariff_id not in found
    assert "BR-O-11" in problems[version.tariff_id]


def test_a_single_line_outside_vat_is_read_as_a_bill_at_0_percent(
    place, operator, client_for
):
    # given one line of category O (not subject to VAT; the reader keeps no rate
    # for O, BR-O-05)
    client = client_for(operator)
    data = ubl([("MTQ", "10", "100.00", "O", "0")])

    # when it is uploaded
    page = client.post(
        "/allocation/bills/upload/",
        {**place, "file": SimpleUploadedFile("bill.xml", data)},
    )

    # then it is offered for confirmation as a bill of 100.00 at 0 % VAT
    invoice = page.context["invoice"]
    assert (invoice.amount_net, invoice.vat_rate_percent) == (D("100.00"), 0)


def test_lines_outside_vat_with_standard_rated_ones_are_refused_for_that(
    place, operator, client_for
):
    # given an O line and an S line (BR-O-11, BR-O-12 forbid them together)
    client = client_for(operator)
    data = ubl([("MTQ", "10", "100.00", "O", "0"), ("MTQ", "1", "5.00", "S", "19")])

    # when it is uploaded
    page = client.post(
        "/allocation/bills/upload/",
        {**place, "file": SimpleUploadedFile("bill.xml", data)},
    )

    # then the message names those rules, not "several VAT rates"
    errors = str(page.context["form"].errors["file"])
    assert "BR-O-11" in errors and "several VAT rates" not in errors


# 9. formula results --------------------------------------------------------------


def test_a_formula_result_out_of_range_names_the_formula_and_component():
    # given a formula component whose formula is a 40-digit number
    component = build_component("formula", "X1", "Extra", "S", {}, "9" * 40)

    # when it is evaluated, then the error names the formula and the component
    # (what the preview and the bill run's tariff_error finding show)
    with pytest.raises(FormulaError) as caught:
        component.formula.evaluate({})
    assert str(caught.value).startswith(
        "formula '99999999999999999999999999999999999999"
    )
    assert "of component X1: result out of range" in str(caught.value)


def test_the_bill_run_finding_of_a_huge_formula_result_says_what_it_is(
    small_building,
):
    # given the COLD version priced by a formula component whose amount is a
    # 40-digit number
    from meterbill.billing.billrun import bill_period
    from meterbill.billing.models import Finding

    version = TariffVersion.objects.get(tariff=small_building["tariff"])
    TariffComponent.objects.create(
        version=version,
        position=1,
        kind="formula",
        code="X1",
        description="Extra",
        vat_category="S",
        params={},
        formula="9" * 40,
    )

    # when November is billed
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then each contract is held by a tariff_error finding naming the formula and
    # the component (it was "[<class 'decimal.InvalidOperation'>]")
    messages = set(
        Finding.objects.filter(rule="tariff_error").values_list("message", flat=True)
    )
    assert messages, "no tariff_error finding"
    for message in messages:
        assert "of component X1: result out of range" in message
        assert "InvalidOperation'>" not in message


# 10. file names, confirmation messages, utility units ----------------------------


def test_an_invoice_file_with_a_long_name_can_be_confirmed(
    place, operator, client_for, settings, tmp_path
):
    # given a provider invoice whose file name has 250 characters
    settings.VAR_DIR = tmp_path
    client = client_for(operator)
    name = "f" * 246 + ".xml"
    data = ubl([("MTQ", "10", "100.00", "S", "19")])

    # when it is uploaded and confirmed
    page = client.post(
        "/allocation/bills/upload/",
        {**place, "file": SimpleUploadedFile(name, data)},
    )
    confirm = page.context["confirm"]
    response = client.post(
        "/allocation/bills/confirm/",
        {field: confirm[field].value() for field in confirm.fields},
    )

    # then the bill is saved (the name is shortened to 200 characters)
    assert response.status_code == 302
    assert ProviderBill.objects.get().amount_net == D("100")
    assert len(confirm["filename"].value()) == 200


def test_a_confirmation_that_fails_says_why_in_plain_text(place, operator, client_for):
    # given a confirmation form sent back without its file
    client = client_for(operator)

    # when it is posted
    response = client.post(
        "/allocation/bills/confirm/", {**place, "filename": "x.xml"}, follow=True
    )

    # then the message names the field, without HTML
    shown = [str(m) for m in response.context["messages"]]
    assert any("source: This field is required." in m for m in shown), shown
    assert not any("<ul" in m for m in shown)


def test_a_used_utility_keeps_its_unit_code_and_decimals(small_building, client_for):
    # given the cold water utility, whose meters read m3 to 3 decimals
    from .conftest import make_user

    admin = make_user("ada", small_building["residence"].branch, "administrator")
    utility = small_building["utility"]
    client = client_for(admin)

    # when an administrator changes its unit code and decimals
    client.post(
        f"/config/utilities/{utility.pk}/",
        {
            "name": "Cold water",
            "kind": utility.kind,
            "unit": "m3",
            "unit_code": "LTR",
            "quantity_decimals": "0",
        },
    )

    # then they stay as they were (the name may change, those may not)
    utility.refresh_from_db()
    assert (utility.unit_code, utility.quantity_decimals) == ("MTQ", 3)
