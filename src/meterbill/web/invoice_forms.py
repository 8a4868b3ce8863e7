"""Forms of the invoice actions: what the operator gives, checked next to each field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meterbill.formats import temperatures
from meterbill.formats.errors import FormatError
from meterbill.invoicing.queries import amount_due, credit_notes_of

from .fields import PlainDecimalField

# A temperature file of 20 years of days is about 400 KB.
MAX_TEMPERATURE_BYTES = 1_000_000


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=200,
        label=_("Reason"),
        help_text=_("Printed on the document and kept in the audit trail."),
        error_messages={"required": _("Give a reason.")},
    )


class PaymentForm(forms.Form):
    paid_on = forms.DateField(
        label=_("Payment date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = PlainDecimalField(
        max_digits=18, decimal_places=2, min_value=Decimal("0.00"), label=_("Amount")
    )

    def __init__(self, *args: Any, invoice: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invoice = invoice
        # The amount due of invoicing.queries: the gross less the credit notes
        # that stand against the invoice (they are set off by the payment).
        self.credit_notes = list(credit_notes_of(invoice))
        self.amount_due = amount_due(invoice, self.credit_notes)
        values = {
            "amount": self.amount_due,
            "currency": invoice.currency,
            "notes": ", ".join(n.full_number for n in self.credit_notes),
        }
        if self.credit_notes:
            help_text = (
                _("Amount due: %(amount)s %(currency)s, after credit notes %(notes)s")
                % values
            )
        else:
            help_text = _("Amount due: %(amount)s %(currency)s") % values
        self.fields["amount"].help_text = help_text

    def clean_paid_on(self):
        paid_on = self.cleaned_data["paid_on"]
        if paid_on > timezone.localdate():
            raise forms.ValidationError(_("A payment date cannot be in the future."))
        if self.invoice.issue_date and paid_on < self.invoice.issue_date:
            raise forms.ValidationError(
                _("The invoice was issued on %(day)s.")
                % {"day": self.invoice.issue_date}
            )
        return paid_on

    def clean_amount(self) -> Decimal:
        amount = self.cleaned_data["amount"]
        if amount == self.amount_due:
            return amount
        values = {
            "amount": self.amount_due,
            "notes": ", ".join(n.full_number for n in self.credit_notes),
        }
        if self.credit_notes:
            raise forms.ValidationError(
                _(
                    "Part payments and overpayments are not recorded: the payment "
                    "must be the amount due, %(amount)s, after credit notes "
                    "%(notes)s."
                )
                % values
            )
        raise forms.ValidationError(
            _(
                "Part payments are not recorded: the payment must be the amount "
                "due, %(amount)s."
            )
            % values
        )


class CreditForm(ReasonForm):
    """Full credit (the invoice is cancelled) or chosen lines, a quantity each."""

    FULL, LINES = "full", "lines"
    mode = forms.ChoiceField(
        choices=[
            (FULL, _("Whole invoice: cancel it by a full credit note")),
            (LINES, _("Chosen lines: the invoice stays in force for the rest")),
        ],
        widget=forms.RadioSelect,
        initial=FULL,
        label=_("Credit"),
    )

    def __init__(
        self, *args: Any, creditable: dict[int, tuple[Decimal, Decimal]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.creditable = creditable
        for line_id, (qty, _net) in creditable.items():
            self.fields[f"line_{line_id}"] = PlainDecimalField(
                required=False,
                max_digits=20,
                decimal_places=6,
                min_value=Decimal(0),
                max_value=qty,
                label=_("Quantity to credit"),
            )

    def quantities(self) -> dict[int, Decimal]:
        return {
            line_id: self.cleaned_data[f"line_{line_id}"]
            for line_id in self.creditable
            if self.cleaned_data.get(f"line_{line_id}")
        }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("mode") == self.LINES and self.is_valid_so_far():
            if not self.quantities():
                raise forms.ValidationError(
                    _("Give a quantity to credit on at least one line.")
                )
        return cleaned

    def is_valid_so_far(self) -> bool:
        return not any(name.startswith("line_") for name in self.errors)


class AdvancesForm(forms.Form):
    temperatures_file = forms.FileField(
        required=False,
        label=_("Daily mean temperatures (CSV: date,temperature_c)"),
        help_text=_(
            "The history of the contracts' readings and the calendar days of the "
            "period, one row per day."
        ),
    )
    # The file's text, carried from the review step to the confirmation.
    temperatures_text = forms.CharField(required=False, widget=forms.HiddenInput)
    contracts = forms.TypedMultipleChoiceField(
        coerce=int, label=_("Contracts"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, contracts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contracts"]
        assert isinstance(field, forms.TypedMultipleChoiceField)
        field.choices = [
            (c.pk, f"{c.number} · {c.customer.name}"
             + (f" · {c.apartment.residence.code}/{c.apartment.number}"
                if c.apartment else ""))
            for c in contracts
        ]  # fmt: skip

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("temperatures_file")
        text = cleaned.get("temperatures_text") or ""
        name = "temperatures"
        if upload is not None:
            name = upload.name
            if upload.size > MAX_TEMPERATURE_BYTES:
                self.add_error("temperatures_file", _("The file is larger than 1 MB."))
                return cleaned
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("temperatures_file", _("The file is not UTF-8 text."))
                return cleaned
        if not text:
            self.add_error("temperatures_file", _("Choose a temperature file."))
            return cleaned
        try:
            result = temperatures.read(text, name)
        except FormatError as exc:
            self.add_error("temperatures_file", str(exc))
            return cleaned
        if result.errors:
            self.add_error(
                "temperatures_file", "; ".join(str(e) for e in result.errors[:5])
            )
            return cleaned
        cleaned["temperatures_text"] = text
        cleaned["temperatures"] = dict(result.rows)
        return cleaned
