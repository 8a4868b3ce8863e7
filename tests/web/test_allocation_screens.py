"""The allocation screens: distribution rules per residence and utility, and
provider bills entered by hand or read from the provider's e-invoice."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.billing.models import DistributionRule, ProviderBill
from meterbill.premises.models import Provider, Utility

from .conftest import make_user

D = Decimal
INVOICE_8 = "einvoice/ubl/ubl-tc434-example8.xml"


@pytest.fixture
def operator(small_building):
    return make_user("olga", small_building["residence"].branch, "billing_operator")


@pytest.fixture
def provider(org):
    return Provider.objects.create(organisation=org, name="Apa Nova SA")


def test_it_saves_a_mixed_heating_rule_from_the_structured_fields(
    small_building, operator, client_for
):
    # given an operator of the north branch
    client = client_for(operator)
    res, cold = small_building["residence"], small_building["utility"]

    # when she saves 60 % by consumption, the rest by area, for residence R1
    response = client.post(
        "/allocation/rules/new/",
        {
            "residence": res.pk,
            "utility": cold.pk,
            "valid_from": "2026-11-01",
            "splits": "cost",
            "rule_type": "mixed",
            "percent_by_consumption": "60",
            "consumption_key": "consumption",
            "base_key": "area",
            "rule_json": '{"estimated_area_limit_percent": "25"}',
        },
    )

    # then the rule is stored in the scenario rule shape, and audited
    assert response.status_code == 302
    row = DistributionRule.objects.get()
    assert row.rule == {
        "type": "mixed",
        "percent_by_consumption": "60",
        "consumption_key": "consumption",
        "base_key": "area",
        "estimated_area_limit_percent": "25",
    }
    assert (row.residence, row.rule_type, row.key) == (res, "mixed", "consumption")
    assert AuditEvent.objects.filter(action="distribution_rule.set").count() == 1
    assert "R1" in client.get("/allocation/rules/").content.decode()


def test_it_shows_the_engines_error_on_the_field_it_concerns(
    small_building, operator, client_for
):
    # given the German range (50–70 %) asked for in the JSON and 80 % in the field
    client = client_for(operator)

    response = client.post(
        "/allocation/rules/new/",
        {
            "residence": small_building["residence"].pk,
            "utility": small_building["utility"].pk,
            "valid_from": "2026-11-01",
            "splits": "cost",
            "rule_type": "mixed",
            "percent_by_consumption": "80",
            "consumption_key": "allocator_units",
            "base_key": "area",
            "rule_json": '{"heizkostenv_range": true}',
        },
    )

    # then nothing is stored and the percentage field says why
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "must be between 50 and 70" in errors["percent_by_consumption"][0]
    assert not DistributionRule.objects.exists()


def test_it_refuses_a_quantity_split_without_a_consumption_rule(
    small_building, operator, client_for
):
    client = client_for(operator)

    response = client.post(
        "/allocation/rules/new/",
        {
            "residence": small_building["residence"].pk,
            "utility": small_building["utility"].pk,
            "valid_from": "2026-11-01",
            "splits": "quantity",
            "rule_type": "key",
            "key": "area",
        },
    )

    assert (
        "needs a 'consumption' rule" in response.context["form"].errors["rule_type"][0]
    )


def test_an_auditor_reads_the_rules_but_cannot_change_them(
    small_building, operator, branches, client_for
):
    # given a stored rule and an auditor of the same branch
    client_for(operator).post(
        "/allocation/rules/new/",
        {
            "branch": small_building["residence"].branch.pk,
            "utility": small_building["utility"].pk,
            "valid_from": "2026-01-01",
            "splits": "quantity",
            "rule_type": "consumption",
            "common_key": "area",
            "negative_policy": "block",
            "missing_meter": "norm",
            "norm_per_person": "3.5",
        },
    )
    row = DistributionRule.objects.get()
    assert row.residence is None  # the branch default
    auditor = make_user("audrey", branches["north"], "auditor")
    client = client_for(auditor)

    # then she sees the list and the rule, and may not save or create
    assert client.get("/allocation/rules/").status_code == 200
    page = client.get(f"/allocation/rules/{row.pk}/")
    assert page.status_code == 200 and b'id="save"' not in page.content
    assert client.post(f"/allocation/rules/{row.pk}/", {}).status_code == 403
    assert client.get("/allocation/rules/new/").status_code == 403
    assert client.get("/allocation/bills/new/").status_code == 403


def test_a_meter_reader_has_no_allocation_screens(branches, client_for):
    reader = make_user("rita", branches["north"], "meter_reader")
    assert client_for(reader).get("/allocation/rules/").status_code == 403


def test_it_enters_a_provider_bill_by_hand(
    small_building, operator, provider, client_for
):
    client = client_for(operator)

    response = client.post(
        "/allocation/bills/new/",
        {
            "residence": small_building["residence"].pk,
            "period": small_building["period"].pk,
            "utility": small_building["utility"].pk,
            "provider": provider.pk,
            "reference": "AN-2611",
            "quantity": "66",
            "amount_net": "458.70",
            "vat_rate_percent": "11",
            "currency": "ron",
        },
    )

    assert response.status_code == 302
    bill = ProviderBill.objects.get()
    assert (bill.quantity, bill.amount_net, bill.currency) == (
        D("66"),
        D("458.70"),
        "RON",
    )
    assert bill.source_file == ""
    page = client.get(response["Location"]).content.decode()
    assert "AN-2611" in page


def test_it_reads_a_ubl_provider_invoice_shows_it_and_saves_it_on_confirmation(
    org, small_building, operator, provider, client_for, settings, tmp_path
):
    # given an electricity utility billed in kWh (unit code KWH) and the EN 16931
    # example 8 (a Dutch grid operator's invoice: 10 lines, all at 21 % VAT)
    path = settings.CORPUS_DIR / INVOICE_8
    if not path.is_file():
        pytest.skip("corpus not available")
    settings.VAR_DIR = tmp_path
    # the invoice is in EUR: only an organisation invoicing in EUR takes it
    org.currency = "EUR"
    org.save(update_fields=["currency"])
    power = Utility.objects.create(
        organisation=org,
        code="power",
        name="Electricity",
        kind="electricity",
        unit="kWh",
        unit_code="KWH",
    )
    client = client_for(operator)
    place = {
        "residence": small_building["residence"].pk,
        "period": small_building["period"].pk,
        "utility": power.pk,
        "provider": provider.pk,
    }

    # when she uploads it
    with path.open("rb") as f:
        page = client.post("/allocation/bills/upload/", {**place, "file": f})

    # then the lines are shown, and what the bill would be: the kWh lines
    # 16000 + 16000 = 32000 kWh, the total without VAT 908.91 EUR (BT-109), 21 %
    assert page.status_code == 200
    html = page.content.decode()
    assert "Getransporteerde kWh" in html and "Huur Meterdiensten" in html
    invoice = page.context["invoice"]
    assert (invoice.quantity, invoice.amount_net, invoice.vat_rate_percent) == (
        D("32000"),
        D("908.91"),
        D("21"),
    )
    assert not ProviderBill.objects.exists()  # nothing saved before confirmation

    # when she confirms
    confirm = page.context["confirm"]
    data = {name: confirm[name].value() for name in confirm.fields}
    response = client.post("/allocation/bills/confirm/", data)

    # then the bill is saved with the file kept, and the file can be downloaded
    assert response.status_code == 302
    bill = ProviderBill.objects.get()
    assert (bill.quantity, bill.amount_net, bill.currency, bill.reference) == (
        D("32000"),
        D("908.91"),
        "EUR",
        "1100512149",
    )
    assert (
        bill.source_sha256
        and (tmp_path / "provider-bills" / bill.source_file).is_file()
    )
    download = client.get(f"/allocation/bills/{bill.pk}/file/")
    assert download.status_code == 200 and download.content == path.read_bytes()


def test_it_names_the_file_of_an_unreadable_invoice(
    small_building, operator, provider, client_for, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.VAR_DIR = tmp_path
    client = client_for(operator)

    page = client.post(
        "/allocation/bills/upload/",
        {
            "residence": small_building["residence"].pk,
            "period": small_building["period"].pk,
            "utility": small_building["utility"].pk,
            "provider": provider.pk,
            "file": SimpleUploadedFile("bill.xml", b"<Invoice><unclosed>"),
        },
    )

    error = page.context["form"].errors["file"][0]
    assert "bill.xml" in error and "not well-formed XML" in error
    assert not ProviderBill.objects.exists()


def test_it_edits_a_stored_rule_keeping_where_and_from_when_it_applies(
    small_building, operator, client_for
):
    # given a stored consumption rule for R1 that blocks a negative difference
    from meterbill.billing.distribution import set_distribution_rule

    res = small_building["residence"]
    row = set_distribution_rule(
        branch=res.branch,
        residence=res,
        utility=small_building["utility"],
        valid_from=date(2026, 1, 1),
        splits="quantity",
        rule={
            "type": "consumption",
            "common_key": "persons",
            "negative_policy": "block",
        },
    )
    client = client_for(operator)
    form = client.get(f"/allocation/rules/{row.pk}/").context["form"]
    assert form.initial["negative_policy"] == "block"

    # when the operator switches it to reduce proportionally (trying to move it to
    # another date too)
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(negative_policy="reduce_proportionally", valid_from="2030-01-01")
    response = client.post(f"/allocation/rules/{row.pk}/", data)

    # then the same row is updated, its date unchanged, and the change audited
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.rule["negative_policy"] == "reduce_proportionally"
    assert row.valid_from == date(2026, 1, 1)
    assert DistributionRule.objects.count() == 1
    event = AuditEvent.objects.filter(action="distribution_rule.set").last()
    assert event.before["rule"]["negative_policy"] == "block"
