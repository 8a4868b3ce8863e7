"""The form of a contract's fee or one-off item (``premises.ContractCharge``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meterbill.premises.models import ContractCharge
from meterbill.tariffs.models import VatCategory

from .fields import plain_number_formfield
from .premises_forms import DATE


class ContractChargeForm(forms.ModelForm):
    """What the charge is, its price and VAT, how often and from when. The
    business checks (a VAT rate known for the category, a reason for an exempt
    one) are ``premises.contract_charges.check_charge``'s, on save."""

    vat_category = forms.ChoiceField(
        choices=VatCategory.choices, initial="S", label=_("VAT category")
    )

    class Meta:
        model = ContractCharge
        formfield_callback = plain_number_formfield
        fields = [
            "description",
            "code",
            "recurrence",
            "quantity",
            "unit_code",
            "unit_price_net",
            "vat_category",
            "vat_rate_percent",
            "vat_exemption_reason",
            "vat_exemption_code",
            "valid_from",
            "valid_to",
        ]
        widgets = {"valid_from": DATE, "valid_to": DATE}
        labels = {
            "description": _("Description"),
            "code": _("Item code"),
            "recurrence": _("Billed"),
            "quantity": _("Quantity"),
            "unit_code": _("Unit code (UN/ECE Rec 20)"),
            "unit_price_net": _("Unit price, net"),
            "vat_rate_percent": _("VAT rate % (empty: the organisation's rate)"),
            "vat_exemption_reason": _("VAT exemption reason (categories E, AE, O)"),
            "vat_exemption_code": _("VAT exemption code (VATEX)"),
            "valid_from": _("From (a one-off item: the day it is due)"),
            "valid_to": _("Until (empty: open-ended)"),
        }


class EndChargeForm(forms.Form):
    ends_on = forms.DateField(widget=DATE, label=_("Last day billed"))
