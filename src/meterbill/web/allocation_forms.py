"""Forms of the allocation screens: distribution rules and provider bills.

A distribution rule is the scenario file's rule JSON. The form builds it from the
fields of the common cases (a key; consumption with its common key, negative policy
and norm; a mixed percentage) and merges the JSON field in (for the other rule types
and the extra fields, e.g. ``estimates``). ``billing.distribution.check_rule`` checks
the result; its errors come back on the field they concern.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from meterbill.billing.distribution import check_rule
from meterbill.billing.models import DistributionRule, Period, ProviderBill
from meterbill.engine.allocation import KEYS
from meterbill.engine.scenario import ScenarioError, load_json
from meterbill.orgs.models import Branch
from meterbill.premises.models import Provider, Residence, Utility

from .access import scope, visible_branches
from .decimal_columns import check_columns
from .engine_texts import key_label
from .fields import PlainDecimalField, model_choice

PLAIN_KEYS = sorted(KEYS - {"custom"})
RULE_TYPES = [
    ("key", _("The whole cost by one key")),
    ("consumption", _("Measured consumption + common consumption by a key")),
    ("mixed", _("A percentage by consumption, the rest by a key")),
    ("json", _("Other (the rule JSON below)")),
]
# Rule JSON fields the structured form fields stand for, per rule type.
STRUCTURED = {
    "key": ("key",),
    "consumption": (
        "common_key",
        "negative_policy",
        "missing_meter",
        "norm_per_person",
    ),
    "mixed": ("percent_by_consumption", "consumption_key", "base_key"),
}
FIELD_OF_PATH = {
    f"rule.{name}": name for names in STRUCTURED.values() for name in names
} | {"rule.type": "rule_type", "splits": "splits"}


def _choices(values: list[str]) -> list[tuple[str, str | Promise]]:
    return [(v, key_label(v)) for v in values]


class DistributionRuleForm(forms.Form):
    residence = forms.ModelChoiceField(
        queryset=Residence.objects.none(),
        required=False,
        empty_label=_("— the branch default —"),
        label=_("Residence"),
    )
    branch: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=Branch.objects.none(),
        required=False,
        label=_("Branch (for a branch default)"),
    )
    utility = forms.ModelChoiceField(
        queryset=Utility.objects.none(), label=_("Utility")
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    splits = forms.ChoiceField(
        choices=DistributionRule.Splits.choices, label=_("What is split")
    )
    rule_type = forms.ChoiceField(choices=RULE_TYPES, label=_("Rule"))
    key = forms.ChoiceField(
        choices=_choices(PLAIN_KEYS), required=False, label=_("Key")
    )
    common_key = forms.ChoiceField(
        choices=_choices(PLAIN_KEYS),
        required=False,
        initial="persons",
        label=_("Common consumption by"),
    )
    negative_policy = forms.ChoiceField(
        choices=[
            ("reduce_proportionally", _("reduce proportionally")),
            ("block", _("block (hold the invoices)")),
        ],
        required=False,
        label=_("Negative difference"),
    )
    missing_meter = forms.ChoiceField(
        choices=[("norm", _("norm")), ("estimate", _("estimate (from the JSON)"))],
        required=False,
        label=_("Apartment without a working meter"),
    )
    norm_per_person = PlainDecimalField(
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=6,
        label=_("Norm per person"),
    )
    percent_by_consumption = PlainDecimalField(
        required=False,
        min_value=0,
        max_value=100,
        max_digits=6,
        decimal_places=3,
        label=_("% by consumption"),
    )
    consumption_key = forms.ChoiceField(
        choices=_choices(["allocator_units", "consumption"]),
        required=False,
        label=_("Consumption measured by"),
    )
    base_key = forms.ChoiceField(
        choices=_choices(PLAIN_KEYS),
        required=False,
        initial="area",
        label=_("The rest by"),
    )
    rule_json = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        label=_("Rule JSON"),
        help_text=_(
            "For the rule type Other, the whole rule (docs/allocation.md); otherwise "
            'extra fields merged into the rule, e.g. {"estimates": {"12": "4"}}.'
        ),
    )

    def __init__(
        self,
        *args: Any,
        user: Any,
        instance: DistributionRule | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(instance)
        super().__init__(*args, **kwargs)
        self.instance = instance
        model_choice(self, "residence", scope(Residence.objects.order_by("code"), user))
        model_choice(self, "branch", visible_branches(user).order_by("code"))
        model_choice(self, "utility", scope(Utility.objects.order_by("code"), user))
        if instance is not None:
            # Where and from when a stored rule applies is fixed; save a new one
            # for another residence, utility or date.
            for name in ("residence", "branch", "utility", "valid_from"):
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data.get("residence") is None and data.get("branch") is None:
            self.add_error(
                "branch", _("Choose a residence, or a branch for a default.")
            )
            return data
        try:
            rule = self._rule(data)
            check_rule(rule, data["splits"])
        except ScenarioError as exc:
            self.add_error(FIELD_OF_PATH.get(exc.path, "rule_json"), str(exc))
            return data
        data["rule"] = rule
        return data

    def _rule(self, data: dict[str, Any]) -> dict[str, Any]:
        extra = _json_object(data.get("rule_json") or "")
        kind = data["rule_type"]
        if kind == "json":
            return extra
        rule: dict[str, Any] = {"type": kind}
        for name in STRUCTURED[kind]:
            value = data.get(name)
            if value in (None, ""):
                continue
            rule[name] = str(value) if isinstance(value, Decimal) else value
        rule.update({k: v for k, v in extra.items() if k != "type"})
        return rule


def _json_object(text: str) -> dict[str, Any]:
    if not text.strip():
        return {}
    value = load_json(text, "rule_json")
    if not isinstance(value, dict):
        raise ScenarioError("rule_json", "must be a JSON object")
    return value


def initial_of(row: DistributionRule) -> dict[str, Any]:
    """The form's fields for a stored rule: structured where they fit, the rest
    as JSON."""
    rule = dict(row.rule)
    kind = str(rule.get("type", ""))
    initial: dict[str, Any] = {
        "residence": row.residence_id,
        "branch": row.branch_id,
        "utility": row.utility_id,
        "valid_from": row.valid_from,
        "splits": row.splits,
    }
    if kind not in STRUCTURED:
        initial.update(rule_type="json", rule_json=json.dumps(rule, indent=2))
        return initial
    initial["rule_type"] = kind
    rest = {k: v for k, v in rule.items() if k != "type"}
    for name in STRUCTURED[kind]:
        if name in rest:
            initial[name] = rest.pop(name)
    initial["rule_json"] = json.dumps(rest, indent=2) if rest else ""
    return initial


class _BillPlaceForm(forms.Form):
    """Which residence, period, utility and provider a bill is for."""

    residence = forms.ModelChoiceField(
        queryset=Residence.objects.none(), label=_("Residence")
    )
    period = forms.ModelChoiceField(queryset=Period.objects.none(), label=_("Period"))
    utility = forms.ModelChoiceField(
        queryset=Utility.objects.none(), label=_("Utility")
    )
    provider = forms.ModelChoiceField(
        queryset=Provider.objects.none(), label=_("Provider")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        querysets = {
            "residence": scope(Residence.objects.order_by("code"), user),
            "period": scope(Period.objects.order_by("-starts_on", "name"), user),
            "utility": scope(Utility.objects.order_by("code"), user),
            "provider": scope(Provider.objects.order_by("name"), user),
        }
        for name, queryset in querysets.items():
            model_choice(self, name, queryset)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        residence, period = data.get("residence"), data.get("period")
        if residence and period and residence.branch_id != period.branch_id:
            self.add_error("period", _("This period belongs to another branch."))
        return data


class ProviderBillForm(_BillPlaceForm):
    reference = forms.CharField(required=False, max_length=64, label=_("Reference"))
    quantity = PlainDecimalField(
        min_value=0, max_digits=20, decimal_places=6, label=_("Quantity")
    )
    amount_net = PlainDecimalField(
        min_value=0, max_digits=18, decimal_places=6, label=_("Amount without VAT")
    )
    vat_rate_percent = PlainDecimalField(
        min_value=0, max_value=100, max_digits=5, decimal_places=2, label=_("VAT %")
    )
    currency = forms.CharField(min_length=3, max_length=3, label=_("Currency"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        check_columns(self, ProviderBill, ("quantity", "amount_net"))
        return data


class ProviderInvoiceUploadForm(_BillPlaceForm):
    file = forms.FileField(
        label=_("Provider invoice (EN 16931 UBL or CII XML)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml"}),
    )


class ProviderInvoiceConfirmForm(_BillPlaceForm):
    # The upload step shortens longer file names to this (it only names the
    # file in messages; the file is kept by its SHA-256).
    FILENAME_LENGTH = 200

    source = forms.CharField(widget=forms.HiddenInput, max_length=80)
    filename = forms.CharField(widget=forms.HiddenInput, max_length=FILENAME_LENGTH)
