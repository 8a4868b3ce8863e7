"""Django's number fields read "١٢" and "１２" as 12; the project's fields refuse
them with a field error, and every web form that takes a number uses them."""

import importlib
import inspect
from decimal import Decimal

import pytest
from django import forms

from meterbill.web.fields import PlainDecimalField, PlainIntegerField
from meterbill.web.forms import CorrectForm

FORM_MODULES = (
    "forms",
    "premises_forms",
    "config_forms",
    "tariff_forms",
    "allocation_forms",
    "invoice_forms",
    "job_forms",
    "contract_charge_forms",
)


@pytest.mark.parametrize("text", ["١٢", "１２", "۱۲", "१२", "12.٥", "1e5", "NaN"])
def test_the_fields_refuse_other_scripts_digits(text):
    for field in (PlainDecimalField(), PlainIntegerField()):
        with pytest.raises(forms.ValidationError) as caught:
            field.clean(text)
        assert "digits 0–9" in caught.value.messages[0]


def test_the_fields_read_plain_numbers():
    # a point or a comma; an integer field takes 12.0 as 12 but not 12.5
    assert PlainDecimalField().clean(" 12,5 ") == Decimal("12.5")
    assert PlainDecimalField(min_value=0).clean("0.001") == Decimal("0.001")
    assert PlainIntegerField().clean("12.0") == 12
    with pytest.raises(forms.ValidationError):
        PlainIntegerField().clean("12.5")
    assert PlainDecimalField(required=False).clean("") is None


def test_a_form_names_the_field_in_its_error():
    form = CorrectForm({"value": "١٢٠", "reason": "typo"})

    assert not form.is_valid()
    assert list(form.errors) == ["value"]


@pytest.mark.django_db
def test_every_number_field_of_the_web_forms_is_a_plain_one():
    # the declared and the model-derived fields of every form class
    found = []
    for name in FORM_MODULES:
        module = importlib.import_module(f"meterbill.web.{name}")
        for cls_name, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, forms.BaseForm) or cls.__module__ != module.__name__:
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, forms.DecimalField | forms.IntegerField):
                    found.append((cls_name, field_name, type(field)))
    assert len(found) >= 27
    assert [
        f for f in found if f[2] not in (PlainDecimalField, PlainIntegerField)
    ] == []


@pytest.mark.django_db
def test_a_provider_bill_in_fullwidth_digits_is_refused_on_its_field(
    small_building, client_for
):
    from meterbill.billing.models import ProviderBill
    from meterbill.premises.models import Provider

    from .conftest import make_user

    operator = make_user("olga", small_building["residence"].branch, "billing_operator")
    provider = Provider.objects.create(
        organisation=small_building["residence"].branch.organisation, name="Apa"
    )

    response = client_for(operator).post(
        "/allocation/bills/new/",
        {
            "residence": small_building["residence"].pk,
            "period": small_building["period"].pk,
            "utility": small_building["utility"].pk,
            "provider": provider.pk,
            "reference": "AN-2611",
            "quantity": "６６",  # fullwidth 66
            "amount_net": "458.70",
            "vat_rate_percent": "11",
            "currency": "ron",
        },
    )

    # then nothing is stored and the error sits on the quantity field, with the id
    # its input's aria-describedby names
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["quantity"]
    assert not ProviderBill.objects.exists()
    html = response.content.decode()
    assert 'id="id_quantity_error"' in html
    assert 'aria-describedby="id_quantity_error"' in html
