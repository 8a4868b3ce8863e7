from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import PlainDecimalField


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


class CorrectForm(forms.Form):
    value = PlainDecimalField(
        max_digits=20, decimal_places=6, min_value=0, label=_("Corrected index")
    )
    reason = forms.CharField(max_length=200, required=True, label=_("Reason"))


class PortalReadingForm(forms.Form):
    register = forms.TypedChoiceField(coerce=int, label=_("Meter"))
    read_on = forms.DateField(
        label=_("Read on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    value = forms.CharField(max_length=24, label=_("Index"))

    def __init__(self, *args, registers=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["register"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = list(registers)
