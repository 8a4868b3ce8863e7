"""Forms of the late-payment penalty screens (web/penalty_views.py): a penalty
rule, checked by ``invoicing.penalties.check_rule`` so the screen refuses what the
CLI refuses, and the assessment of a branch on a day."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from meterbill.invoicing.models import PenaltyRule
from meterbill.invoicing.penalties import (
    DEFAULT_EXEMPTION_REASON,
    VAT_CATEGORIES,
    PenaltyError,
    PenaltyRuleError,
    check_days,
    check_rule,
)
from meterbill.orgs.models import Branch, Organisation

from .fields import model_choice, plain_number_formfield

DATE = forms.DateInput(attrs={"type": "date"})


class PenaltyRuleForm(forms.ModelForm):
    vat_category = forms.ChoiceField(
        label=_("VAT category"),
        choices=[(c, c) for c in VAT_CATEGORIES],
        initial="O",
        help_text=_("O: outside the scope of VAT (the usual case); E: exempt; Z: 0 %."),
    )

    class Meta:
        model = PenaltyRule
        formfield_callback = plain_number_formfield
        fields = [
            "branch",
            "valid_from",
            "grace_days",
            "rate_per_day_percent",
            "cap_percent",
            "minimum_amount",
            "formula",
            "vat_category",
            "exemption_reason",
            "exemption_code",
        ]
        labels = {
            "branch": _("Branch"),
            "valid_from": _("Valid from"),
            "grace_days": _("Grace days"),
            "rate_per_day_percent": _("Rate per day %"),
            "cap_percent": _("Cap % of the overdue amount"),
            "minimum_amount": _("Minimum amount charged"),
            "formula": _("Formula"),
            "exemption_reason": _("VAT exemption reason (categories E, O)"),
            "exemption_code": _("VAT exemption code (VATEX)"),
        }
        help_texts = {
            "branch": _(
                "Empty: the organisation's rule, for every branch without one."
            ),
            "cap_percent": _("All the assessments of one invoice together."),
            "minimum_amount": _("A smaller penalty waits for a later assessment."),
            "formula": _(
                "Empty: the rate per day beyond the grace days, capped. Names: "
                "overdue_amount, days_late, grace_days, rate_per_day, cap_percent."
            ),
        }
        widgets = {
            "valid_from": DATE,
            "formula": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        branches: QuerySet[Branch],
        organisation_wide: bool,
        **kwargs: Any,
    ) -> None:
        """``organisation_wide``: the user may set the organisation's rule (an
        empty branch)."""
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.organisation_wide = organisation_wide
        branch = model_choice(self, "branch", branches.order_by("path"))
        branch.empty_label = _("The whole organisation")
        # A new rule in category O (the preselected one) offers the default
        # exemption reason, as set-penalty-rule fills it; the ModelForm's initial
        # already holds the new instance's empty reason, so setdefault would not.
        if (
            not self.instance.pk
            and not self.initial.get("exemption_reason")
            and self.initial.get("vat_category", "O") == "O"
        ):
            self.initial["exemption_reason"] = DEFAULT_EXEMPTION_REASON

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("branch") is None and not self.organisation_wide:
            self.add_error(
                "branch", _("Only an administrator sets the organisation's rule.")
            )
        return cleaned

    def _post_clean(self) -> None:
        # ModelForm copies the cleaned values onto the instance here; the rule is
        # checked on the instance, as the CLI's is.
        super()._post_clean()  # type: ignore[misc]
        if self.errors:
            return
        try:
            check_rule(self.instance)
        except PenaltyRuleError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.reason)


class AssessForm(forms.Form):
    branch = forms.ModelChoiceField(queryset=Branch.objects.none(), label=_("Branch"))
    on = forms.DateField(
        label=_("Through"),
        widget=DATE,
        help_text=_("Unpaid invoices are charged through this day (today or earlier)."),
    )

    def __init__(self, *args: Any, branches: QuerySet[Branch], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "branch", branches.order_by("path"))

    def clean_on(self) -> date:
        """The service's own rule: no day after today (the penalty invoices are
        issued today, so never before the days they charge)."""
        on: date = self.cleaned_data["on"]
        try:
            check_days(on)
        except PenaltyError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return on
