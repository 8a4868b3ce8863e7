"""T1 adversarial findings on the premises screens' saves and deletes.

Each test was a confirmed bug (xfail) and now guards its fix.
"""

from datetime import date

import pytest
from tests.conftest import make_user

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.metering.models import Meter, Register
from meterbill.premises.actions import InUse, delete_unused
from meterbill.premises.models import Apartment, Residence
from meterbill.web.premises_forms import ContractForm


# T1 finding 8 (fixed).
def test_a_meter_with_an_open_finding_is_not_deleted(small_building, alice):
    # W4 is added to apartment 1 without any reading: the bill run finds no opening
    # index, raises no_estimate (block) and holds apartment 1's invoice
    apartment = small_building["apartments"][0]
    w1 = Meter.objects.get(serial="W1")
    w4 = Meter.objects.create(
        branch=w1.branch,
        kind="apartment",
        utility=w1.utility,
        serial="W4",
        apartment=apartment,
    )
    Register.objects.create(meter=w4, unit="m3")
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    assert Finding.objects.filter(rule="no_estimate", status="open").count() == 1

    # the delete must be refused while the open finding refers to W4's register
    # (the screen says "still used by 1 finding"), and the finding stays
    with pytest.raises(InUse):
        delete_unused(w4, user=alice, action="meter.delete")
    assert Finding.objects.filter(rule="no_estimate", status="open").count() == 1


# T1 finding 9 (fixed).
def test_a_contract_customer_must_belong_to_the_apartments_branch(
    org, branches, small_building
):
    # an administrator at the head office sees north and south; apartment 1 is in
    # north (small_building), customer S-1 in south
    from meterbill.premises.models import Customer

    admin = make_user("t1-admin", branches["hq"], "administrator")
    south_customer = Customer.objects.create(
        branch=branches["south"], code="S-1", name="South payer"
    )
    apartment = Apartment.objects.get(
        residence=Residence.objects.get(code="R1"), number="1"
    )
    data = {
        "number": "MIX-1",
        "customer": str(south_customer.pk),
        "apartment": str(apartment.pk),
        "service_point": "",
        "valid_from": "2026-12-01",
        "valid_to": "",
    }

    form = ContractForm(data, user=admin)

    assert not form.is_valid()
    assert "customer" in form.errors


# T1 finding 11 (fixed).
def test_a_contract_overlapping_the_apartments_contract_is_refused(
    small_building, alice
):
    # apartment 1 has contract C1 (customer K1) from 2020-01-01, open-ended
    from meterbill.premises.models import Customer

    apartment = small_building["apartments"][0]
    other = Customer.objects.get(code="K2")
    data = {
        "number": "C1-BIS",
        "customer": str(other.pk),
        "apartment": str(apartment.pk),
        "service_point": "",
        "valid_from": "2026-11-01",
        "valid_to": "",
    }

    form = ContractForm(data, user=alice)

    # 1 Nov 2026 onwards overlaps C1: refused
    assert not form.is_valid()


# T1 finding 25 (fixed).
def test_a_negative_distribution_area_is_refused(small_building, alice):
    from meterbill.web.premises_forms import ApartmentUtilityForm

    data = {
        "utility": str(small_building["utility"].pk),
        "metering": "metered",
        "in_common": "on",
        "distribution_area_m2": "-50",
        "persons": "",
    }

    form = ApartmentUtilityForm(data, user=alice)

    assert not form.is_valid()
    assert "distribution_area_m2" in form.errors


def test_the_delete_screen_names_the_open_finding(small_building, alice, client_for):
    # as above: W4 without a reading, the bill run holds apartment 1 on no_estimate
    apartment = small_building["apartments"][0]
    w1 = Meter.objects.get(serial="W1")
    w4 = Meter.objects.create(
        branch=w1.branch,
        kind="apartment",
        utility=w1.utility,
        serial="W4",
        apartment=apartment,
    )
    Register.objects.create(meter=w4, unit="m3")
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    response = client_for(alice).post(f"/meters/{w4.pk}/delete/", follow=True)

    assert "still used by 1 open finding of the bill run" in response.content.decode()
    assert Meter.objects.filter(serial="W4").exists()


def test_a_contract_offers_only_customers_of_its_apartments_branch(
    org, branches, small_building
):
    # the head office administrator sees the customers of north and south; contract
    # C1 is on a north apartment: only north's customers K1-K3 are offered
    from meterbill.premises.models import Contract, Customer

    admin = make_user("t1-admin", branches["hq"], "administrator")
    Customer.objects.create(branch=branches["south"], code="S-1", name="South payer")

    form = ContractForm(instance=Contract.objects.get(number="C1"), user=admin)

    offered = form.fields["customer"].queryset.values_list("code", flat=True)
    assert sorted(offered) == ["K1", "K2", "K3"]


def _contract_data(contract, **values):
    data = {
        "number": contract.number,
        "customer": str(contract.customer_id),
        "apartment": str(contract.apartment_id),
        "service_point": "",
        "valid_from": contract.valid_from.isoformat(),
        "valid_to": "",
    }
    data.update(values)
    return data


def test_a_move_in_the_day_after_the_move_out_is_accepted(small_building, alice):
    # C1 (apartment 1) ends on 30 Nov 2026; the next tenant moves in on 1 Dec
    from meterbill.premises.models import Contract, Customer

    Contract.objects.filter(number="C1").update(valid_to=date(2026, 11, 30))
    data = {
        "number": "C1-NEXT",
        "customer": str(Customer.objects.get(code="K2").pk),
        "apartment": str(small_building["apartments"][0].pk),
        "service_point": "",
        "valid_from": "2026-12-01",
        "valid_to": "",
    }

    assert ContractForm(data, user=alice).is_valid()

    # starting on 30 Nov, the move-out day, overlaps C1 by that one day
    data["valid_from"] = "2026-11-30"
    form = ContractForm(data, user=alice)
    assert not form.is_valid()
    assert (
        "Contract C1 covers these premises from 2020-01-01 to 2026-11-30"
        in (form.errors["valid_from"][0])
    )


def test_an_invoiced_contract_may_end_but_not_move(small_building, alice, client_for):
    # given: November 2026 billed, C1 invoiced up to 30 Nov 2026
    from meterbill.premises.models import Contract, Customer

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    contract = Contract.objects.get(number="C1")
    other = Customer.objects.get(code="K2")

    # when: the start day and the customer are posted changed, the end before 30 Nov
    form = ContractForm(
        _contract_data(
            contract,
            customer=str(other.pk),
            valid_from="2027-01-01",
            valid_to="2026-11-15",
        ),
        instance=contract,
        user=alice,
    )

    # then: the end is refused, the start and the customer are kept read-only
    assert not form.is_valid()
    assert form.errors["valid_to"] == [
        "Invoiced up to 2026-11-30: end the contract on that day or later."
    ]
    assert form.cleaned_data["valid_from"] == date(2020, 1, 1)
    assert form.cleaned_data["customer"] == contract.customer

    # ending it on 31 Dec 2026 is fine
    form = ContractForm(
        _contract_data(contract, valid_to="2026-12-31"), instance=contract, user=alice
    )
    assert form.is_valid(), form.errors


def test_an_invoiced_contract_keeps_its_services(small_building, alice, client_for):
    # given: November 2026 billed with C1's one service (cold water, COLD)
    from meterbill.premises.models import Contract

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    contract = Contract.objects.get(number="C1")
    [service] = contract.services.all()
    data = _contract_data(contract)
    data.update(
        {
            "services-TOTAL_FORMS": "2",
            "services-INITIAL_FORMS": "1",
            "services-MIN_NUM_FORMS": "0",
            "services-MAX_NUM_FORMS": "1000",
            "services-0-id": str(service.pk),
            "services-0-contract": str(contract.pk),
            "services-0-utility": str(service.utility_id),
            "services-0-tariff": str(service.tariff_id),
            "services-0-DELETE": "on",
            "services-1-utility": "",
            "services-1-tariff": "",
        }
    )

    client_for(alice).post(f"/contracts/{contract.pk}/", data)

    # the posted removal is ignored: the service the invoice used stays
    assert list(contract.services.values_list("pk", flat=True)) == [service.pk]


def test_a_billed_meter_keeps_its_factors_and_dates(small_building, alice):
    # given: November 2026 billed with W1's readings of 31 Oct and 30 Nov
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    w1 = Meter.objects.get(serial="W1")
    from meterbill.web.premises_forms import MeterForm

    # when: the multiplier, kind and installation day are posted changed
    form = MeterForm(
        {
            "kind": "hca",
            "utility": str(w1.utility_id),
            "serial": "W1",
            "parent": "",
            "radio_id": "",
            "multiplier": "10",
            "installed_on": "0001-01-01",
            "kq": "1",
            "kc": "1",
        },
        instance=w1,
        user=alice,
        kinds=["apartment", "hca"],
    )

    # then: they keep their stored values (the fields are read-only)
    assert form.is_valid(), form.errors
    assert form.billed_through == date(2026, 11, 30)
    assert (
        form.cleaned_data["kind"],
        form.cleaned_data["multiplier"],
        form.cleaned_data["installed_on"],
    ) == ("apartment", 1, None)


@pytest.mark.parametrize(
    "serial",
    [
        "w1",  # W1 in other case
        "\u0410PT-1",  # Cyrillic capital A
        "W\u20101",  # U+2010 hyphen
    ],
)
def test_a_look_alike_serial_is_refused(small_building, alice, serial):
    from meterbill.web.premises_forms import MeterForm

    apartment = small_building["apartments"][1]
    meter = Meter(
        branch=apartment.residence.branch, apartment=apartment, kind="apartment"
    )
    form = MeterForm(
        {
            "kind": "apartment",
            "utility": str(small_building["utility"].pk),
            "serial": serial,
            "multiplier": "1",
            "kq": "1",
            "kc": "1",
        },
        instance=meter,
        user=alice,
        kinds=["apartment"],
    )

    assert not form.is_valid()
    assert "serial" in form.errors


def test_a_full_width_serial_is_stored_in_ascii(small_building, alice):
    from meterbill.web.premises_forms import MeterForm

    apartment = small_building["apartments"][1]
    meter = Meter(
        branch=apartment.residence.branch, apartment=apartment, kind="apartment"
    )
    form = MeterForm(
        {
            "kind": "apartment",
            "utility": str(small_building["utility"].pk),
            "serial": "\uff37\uff19",  # full-width W9: NFKC gives W9
            "multiplier": "1",
            "kq": "1",
            "kc": "1",
        },
        instance=meter,
        user=alice,
        kinds=["apartment"],
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["serial"] == "W9"


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("GB980780684", "GB", "GB980780684"),  # prefix kept (stdnum drops it)
        ("RO 1854.7290", "RO", "RO18547290"),  # separators removed
        ("18547290", "RO", "18547290"),  # no prefix typed: none added
    ],
)
def test_a_vat_id_keeps_its_country_prefix(
    small_building, alice, typed, country, stored
):
    from meterbill.web.premises_forms import CustomerForm

    form = CustomerForm(
        {
            "branch": str(alice.branch_id),
            "code": "V1",
            "kind": "company",
            "name": "VAT payer",
            "vat_id": typed,
            "language": "en",
            "country": country,
        },
        instance=None,
        user=alice,
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["vat_id"] == stored


def test_an_unknown_country_code_is_refused(small_building, alice):
    from meterbill.web.premises_forms import CustomerForm

    form = CustomerForm(
        {
            "branch": str(alice.branch_id),
            "code": "V1",
            "kind": "person",
            "name": "Nowhere",
            "language": "en",
            "country": "ZZ",
        },
        user=alice,
    )

    assert not form.is_valid()
    assert form.errors["country"] == ["ZZ is not an ISO 3166-1 country code."]


def test_a_refused_delete_counts_in_the_singular(small_building):
    # one distribution rule: "1 distribution rule", not "1 distribution rules"
    from meterbill.web.premises_views import _used_by

    assert _used_by("billing.distributionrule", 1) == "1 distribution rule"
    assert _used_by("billing.distributionrule", 2) == "2 distribution rules"
    # a model without its own wording: its verbose name, singular for one
    assert _used_by("premises.contractservice", 1) == "1 contract service"


def test_a_residence_with_an_open_finding_is_not_deleted(small_building, alice):
    # an empty residence R2 that a (review) finding of November is about
    r2 = Residence.objects.create(branch=alice.branch, code="R2", name="Residence 2")
    Finding.objects.create(
        period=small_building["period"],
        subject="residence:R2",
        residence=r2,
        rule="negative_common",
        severity="review",
        message="common consumption below 0",
    )

    with pytest.raises(InUse) as refused:
        delete_unused(r2, user=alice, action="residence.delete")

    assert refused.value.used_by == {"billing.finding": 1}
    assert Residence.objects.filter(code="R2").exists()
