"""Form checks that a number fits the decimal column it is saved in, and comes back
from the database as it was typed (``engine.stored_decimal``): the pages that read
the row again must open, on every database."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.db.models import DecimalField, Model
from django.utils.translation import gettext as _

from meterbill.engine.stored_decimal import ColumnFault, column_fault


def fault_text(fault: ColumnFault) -> str:
    texts = {
        "not_finite": _("Enter a finite number."),
        "integer_digits": _(
            "Too large: at most %(n)s digits before the decimal point."
        ),
        "decimals": _("At most %(n)s decimals."),
        "significant": _(
            "At most %(n)s significant digits (what every database gives back exactly)."
        ),
    }
    return texts[fault.kind] % {"n": fault.limit}


def check_columns(
    form: forms.BaseForm, model: type[Model], names: Iterable[str]
) -> None:
    """Add an error to each of ``names`` (form fields saved in the same-named
    decimal columns of ``model``) whose cleaned value the column cannot hold."""
    for name in names:
        value = form.cleaned_data.get(name)
        column = model._meta.get_field(name)
        if not isinstance(value, Decimal) or not isinstance(column, DecimalField):
            continue
        fault = column_fault(value, column)
        if fault is not None:
            form.add_error(name, fault_text(fault))
