"""Number fields that take only ASCII digits.

Django's DecimalField and IntegerField read "١٢" or "１２" as 12: ``Decimal()`` and
``int()`` accept the digits of every script. A look-alike typed by mistake or pasted
from another script would pass as a number, so every web form that takes a number
uses these fields instead (``engine.numbers.plain_decimal`` reads the text); a model
form gets them for its numeric model fields with ``formfield_callback =
plain_number_formfield`` in its Meta.

A decimal comma is accepted as well as a point (12,5 is 12.5). Exponents, thousands
separators, NaN and infinity are refused like other scripts' digits.

``model_choice`` narrows a form's model choice field to the rows the user may pick.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.utils.formats import sanitize_separators
from django.utils.translation import gettext_lazy as _

from meterbill.engine.numbers import NotANumber, plain_decimal

NOT_PLAIN = _("Enter a number written with the digits 0–9.")
NOT_WHOLE = _("Enter a whole number written with the digits 0–9.")


def _plain(value: Any, message: Any) -> Decimal | None:
    """``value`` as a Decimal, None when empty; a ValidationError (code
    ``invalid``) when it is not a plain number."""
    if value in (None, ""):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    try:
        return plain_decimal(str(value), negative=True)
    except NotANumber as exc:
        raise ValidationError(message, code="invalid") from exc


class PlainDecimalField(forms.DecimalField):
    """A DecimalField that refuses other scripts' digits (and exponents)."""

    # django-stubs type DecimalField.to_python as IntegerField's (int | None).
    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if isinstance(value, str):
            # A localized field reads the language's separators first (1.234,5 in
            # Romanian); the digits stay as typed and are checked below.
            value = sanitize_separators(value) if self.localize else value
            value = str(value).strip()
        return _plain(value, NOT_PLAIN)


class PlainIntegerField(forms.IntegerField):
    """An IntegerField that refuses other scripts' digits; 12.0 is 12."""

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str):
            value = value.strip()
        number = _plain(value, NOT_WHOLE)
        if number is None:
            return None
        if number != number.to_integral_value():
            raise ValidationError(NOT_WHOLE, code="invalid")
        return int(number)


def plain_number_formfield(field: models.Field[Any, Any], **kwargs: Any) -> Any:
    """A model form's ``formfield_callback``: numeric model fields get the plain
    number fields, every other field its usual form field."""
    if isinstance(field, models.DecimalField):
        kwargs.setdefault("form_class", PlainDecimalField)
    elif isinstance(field, models.IntegerField) and not field.choices:
        kwargs.setdefault("form_class", PlainIntegerField)
    return field.formfield(**kwargs)


def model_choice(
    form: forms.BaseForm, name: str, queryset: QuerySet[Any]
) -> forms.ModelChoiceField:
    """The form's model choice field ``name`` offering only ``queryset``.

    A form built from a model lists every row of the related table; the views pass
    the rows the user may see (``access.scope``) or pick from. The field is
    returned typed so the caller can go on setting its labels or disabling it.
    """
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    field.queryset = queryset
    return field
