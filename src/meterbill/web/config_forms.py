"""Forms of the configuration screens. Each refuses a bad value with a message on
its field; uniqueness within the organisation or branch is checked here because the
organisation and the branch are not form fields."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, RegexValidator
from django.utils.translation import gettext_lazy as _
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError

from meterbill.engine.components import RatingError, check_vat_rate
from meterbill.engine.validation import RULES, SEVERITIES, SOURCES
from meterbill.invoicing.models import InvoiceSeries
from meterbill.metering.models import Reading
from meterbill.orgs.models import Organisation
from meterbill.orgs.services import SAFE_CODE
from meterbill.premises.models import Provider, Utility
from meterbill.tariffs.compile import (
    EXEMPT_CATEGORIES,
    TariffConfigError,
    check_vat_exemption,
)
from meterbill.tariffs.models import Tariff, TariffVersion, VatRate

from .decimal_columns import check_columns
from .fields import PlainDecimalField, model_choice, plain_number_formfield

# The first day a tariff version may start: an earlier date is a typing slip.
EARLIEST_VALID_FROM = date(1970, 1, 1)
CODE = RegexValidator(
    r"^[a-z0-9_]{1,32}$", _("1 to 32 of a-z, 0-9 and '_' (it names the utility).")
)
UNIT_CODE = RegexValidator(
    r"^[A-Z0-9]{2,3}$",
    _("A UN/ECE Recommendation 20 code such as MTQ, KWH or C62."),
)
TARIFF_CODE = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$",
    _("1 to 32 letters, digits, '_' or '-', starting with a letter or digit."),
)


class OrganisationForm(forms.ModelForm):
    """A model form for an object of ``organisation``; ``unique_code`` names the
    field unique within it."""

    unique_code = "code"

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        value = cleaned.get(self.unique_code)
        if value:
            others = type(self.instance)._default_manager.filter(
                organisation=self.organisation, **{self.unique_code: value}
            )
            if others.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    self.unique_code, _("%(value)s exists already.") % {"value": value}
                )
        return cleaned


class UtilityForm(OrganisationForm):
    class Meta:
        model = Utility
        formfield_callback = plain_number_formfield
        fields = ["code", "name", "kind", "unit", "unit_code", "quantity_decimals"]
        labels = {
            "code": _("Code"),
            "name": _("Name"),
            "kind": _("Kind"),
            "unit": _("Unit"),
            "unit_code": _("UN/ECE unit code"),
            "quantity_decimals": _("Quantity decimals"),
        }
        help_texts = {
            "unit": _("As printed on invoices: m3, kWh, GJ, units."),
            "quantity_decimals": _(
                "Quantities are kept to this many decimals, 0 to 6."
            ),
        }

    def __init__(self, *args: Any, in_use: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(CODE)
        self.fields["unit_code"].validators.append(UNIT_CODE)
        self.fields["quantity_decimals"].validators.append(MaxValueValidator(6))
        self.fields["quantity_decimals"].widget.attrs.update(min=0, max=6)
        if self.instance.pk:
            # Imports, column maps and the CLI name utilities by code.
            self.fields["code"].disabled = True
            self.fields["code"].help_text = _("The code is fixed once created.")
        if in_use:
            # Readings, bills and invoices were kept in this unit, to these
            # decimals: changing them would change what those numbers mean.
            for name in ("unit_code", "quantity_decimals"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Fixed once meters, provider bills or invoices use the utility."
                )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("A utility needs a name."))
        return name

    def clean_unit(self) -> str:
        unit = self.cleaned_data["unit"].strip()
        if not unit:
            raise forms.ValidationError(_("A utility needs a unit."))
        return unit


class ProviderForm(OrganisationForm):
    unique_code = "name"

    class Meta:
        model = Provider
        fields = ["name", "vat_id"]
        labels = {"name": _("Name"), "vat_id": _("VAT id")}
        help_texts = {"vat_id": _("With its country prefix, e.g. RO18547290.")}

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("A provider needs a name."))
        return name

    def clean_vat_id(self) -> str:
        value = re.sub(r"[\s.-]", "", self.cleaned_data["vat_id"]).upper()
        if not value:
            return ""
        try:
            return str(eu_vat.validate(value))
        except StdnumError as exc:
            raise forms.ValidationError(
                _("Not a valid EU VAT id (%(why)s).") % {"why": str(exc)}
            ) from exc


class SeriesForm(forms.ModelForm):
    """A branch's invoice series of a year. Once a number is issued the prefix and
    the year are fixed; the next number is never edited here."""

    class Meta:
        model = InvoiceSeries
        formfield_callback = plain_number_formfield
        fields = ["branch", "prefix", "year"]
        labels = {"branch": _("Branch"), "prefix": _("Prefix"), "year": _("Year")}
        help_texts = {
            "prefix": _(
                "Letters, digits, '_' or '-', at most 16; numbers read "
                "PREFIX-YEAR-000001."
            )
        }

    def __init__(
        self, *args: Any, branches: Any, issued: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        branch_field = model_choice(self, "branch", branches.order_by("path"))
        self.fields["year"].widget.attrs.update(min=2000, max=2100)
        if self.instance.pk:
            branch_field.disabled = True
        if issued:
            for name in ("prefix", "year"):
                self.fields[name].disabled = True

    def clean_prefix(self) -> str:
        prefix = self.cleaned_data["prefix"].strip()
        if not SAFE_CODE.fullmatch(prefix):
            raise forms.ValidationError(
                _(
                    "1 to 16 letters, digits, '_' or '-' (it names invoice numbers "
                    "and document folders)."
                )
            )
        return prefix

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("A year from 2000 to 2100."))
        return year

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        branch, prefix, year = (cleaned.get(k) for k in ("branch", "prefix", "year"))
        if branch and prefix and year:
            same = InvoiceSeries.objects.filter(
                branch__organisation_id=branch.organisation_id, prefix=prefix, year=year
            ).exclude(pk=self.instance.pk)
            if same.filter(branch=branch).exists():
                self.add_error("prefix", _("This branch has this series already."))
            elif same.exists():
                # issue._series refuses it too: numbers must not repeat per seller.
                self.add_error(
                    "prefix",
                    _("Another branch of the organisation numbers with this prefix."),
                )
        return cleaned


# Short labels: the screen explains each severity once, above the table.
SEVERITY_CHOICES = [
    ("block", _("block")),
    ("review", _("review")),
    ("warn", _("warn")),
    ("off", _("off")),
]


def severity_field_name(rule: str, source: str = "") -> str:
    return f"{rule}@{source}" if source else rule


class RuleSeverityForm(forms.Form):
    """One select per rule and per (rule, reading source); the empty choice keeps
    the default (for a source: the branch's choice for the rule)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assert {c for c, _label in SEVERITY_CHOICES} == set(SEVERITIES)
        for rule in RULES.values():
            default = str(dict(SEVERITY_CHOICES)[rule.default])
            self.fields[rule.code] = forms.ChoiceField(
                choices=[
                    ("", _("default (%(s)s)") % {"s": default}),
                    *SEVERITY_CHOICES,
                ],
                required=False,
                label=rule.code,
            )
            for source in SOURCES:
                self.fields[severity_field_name(rule.code, source)] = forms.ChoiceField(
                    choices=[("", _("as the rule")), *SEVERITY_CHOICES],
                    required=False,
                    label=Reading.Source(source).label,
                )

    def overrides(self) -> dict[str, str]:
        return {key: value for key, value in self.cleaned_data.items() if value}


class TariffForm(OrganisationForm):
    class Meta:
        model = Tariff
        fields = ["code", "name", "utility"]
        labels = {"code": _("Code"), "name": _("Name"), "utility": _("Utility")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].validators.append(TARIFF_CODE)
        utility = model_choice(
            self, "utility", Utility.objects.filter(organisation=self.organisation)
        )
        if self.instance.pk:
            # Contracts price with the tariff's utility; the code names it in the CLI.
            self.fields["code"].disabled = True
            utility.disabled = True


def _decimal(label: Any, **kwargs: Any) -> forms.DecimalField:
    return PlainDecimalField(
        label=label, max_digits=18, decimal_places=6, localize=True, **kwargs
    )


class VersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.tariff.code} · {obj.tariff.name} · {obj.valid_from}"


class VersionForm(forms.ModelForm):
    """A version's date, currency and rounding, and the simple prices used when the
    version has no components."""

    class Meta:
        model = TariffVersion
        formfield_callback = plain_number_formfield
        fields = [
            "valid_from",
            "currency",
            "rounding_mode",
            "rounding_point",
            "fixed_charge_per_month",
            "unit_price_net",
            "vat_category",
            "vat_rate_percent",
        ]
        labels = {
            "valid_from": _("Valid from"),
            "currency": _("Currency"),
            "rounding_mode": _("Rounding mode"),
            "rounding_point": _("Rounding point"),
            "fixed_charge_per_month": _("Fixed charge per month (net)"),
            "unit_price_net": _("Unit price (net)"),
            "vat_category": _("VAT category"),
            "vat_rate_percent": _("VAT rate %"),
        }
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}

    copy_from = VersionChoiceField(
        queryset=TariffVersion.objects.none(),
        required=False,
        label=_("Copy the components of"),
    )

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        tariff: Tariff,
        not_before: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation, self.tariff, self.not_before = (
            organisation,
            tariff,
            not_before,
        )
        self.instance.tariff = tariff
        currency = self.fields["currency"]
        currency.widget = forms.Select(
            choices=[(organisation.currency, organisation.currency)]
        )
        currency.initial = organisation.currency
        for name in ("fixed_charge_per_month", "unit_price_net", "vat_rate_percent"):
            self.fields[name].localize = True
            self.fields[name].widget.is_localized = True
        self.fields["fixed_charge_per_month"].required = False
        self.fields["unit_price_net"].required = False
        self.fields["vat_rate_percent"].required = False
        copy_from = self.fields["copy_from"]
        assert isinstance(copy_from, forms.ModelChoiceField)
        if self.instance.pk:
            del self.fields["copy_from"]
        else:
            copy_from.queryset = tariff.versions.order_by("-valid_from")
            copy_from.initial = copy_from.queryset.first()

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"]
        if currency != self.organisation.currency:
            raise forms.ValidationError(
                _("%(org)s invoices in %(cur)s only.")
                % {"org": self.organisation.name, "cur": self.organisation.currency}
            )
        return currency

    def clean_valid_from(self) -> Any:
        day = self.cleaned_data["valid_from"]
        if day < EARLIEST_VALID_FROM:
            raise forms.ValidationError(_("A version starts on 1970-01-01 or later."))
        if self.not_before and day <= self.not_before:
            raise forms.ValidationError(
                _(
                    "Periods up to %(day)s are invoiced with this tariff; a new "
                    "version starts after them."
                )
                % {"day": self.not_before}
            )
        others = self.tariff.versions.filter(valid_from=day).exclude(
            pk=self.instance.pk
        )
        if others.exists():
            raise forms.ValidationError(_("The tariff has a version from this day."))
        return day

    def _price(self, name: str) -> Any:
        value = self.cleaned_data.get(name)
        if value is None:
            return 0
        if value < 0 or value >= 10**12:
            raise forms.ValidationError(_("From 0 to below 1,000,000,000,000."))
        return value

    def clean_fixed_charge_per_month(self) -> Any:
        return self._price("fixed_charge_per_month")

    def clean_unit_price_net(self) -> Any:
        return self._price("unit_price_net")

    def clean(self) -> dict[str, Any]:
        """The simple VAT: S at a rate above 0; Z, E, AE and O at 0 (stored 0 for
        O, which has no rate on the invoice)."""
        cleaned = super().clean() or {}
        category = cleaned.get("vat_category")
        rate = cleaned.get("vat_rate_percent")
        if category == "S":
            if rate is None or not 0 < rate <= 100:
                self.add_error(
                    "vat_rate_percent",
                    _("Category S needs a rate above 0, at most 100."),
                )
        elif category and rate:
            self.add_error(
                "vat_rate_percent",
                _("Category %(c)s is charged at 0%% (EN 16931).") % {"c": category},
            )
        elif category:
            cleaned["vat_rate_percent"] = 0
        check_columns(
            self,
            TariffVersion,
            ("fixed_charge_per_month", "unit_price_net", "vat_rate_percent"),
        )
        return cleaned


class VatRateForm(forms.ModelForm):
    class Meta:
        model = VatRate
        formfield_callback = plain_number_formfield
        fields = [
            "category",
            "rate_percent",
            "valid_from",
            "exemption_reason",
            "exemption_code",
        ]
        labels = {
            "category": _("VAT category"),
            "rate_percent": _("Rate %"),
            "valid_from": _("Valid from"),
            "exemption_reason": _("VAT exemption reason (categories E, AE, O)"),
            "exemption_code": _("VAT exemption code (VATEX)"),
        }
        help_texts = {
            "rate_percent": _("Empty for O (outside the scope of VAT)."),
            "exemption_reason": _(
                "Written on the e-invoice of a tariff line in this category, "
                "e.g. “Exempt under Article 132 of Directive 2006/112/EC”."
            ),
            "exemption_code": _("E.g. VATEX-EU-132, VATEX-EU-AE, VATEX-EU-O."),
        }
        widgets = {"valid_from": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.instance.organisation = organisation
        self.fields["rate_percent"].localize = True
        self.fields["rate_percent"].widget.is_localized = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        category, day = cleaned.get("category"), cleaned.get("valid_from")
        if category:
            try:
                check_vat_rate(category, cleaned.get("rate_percent"))
            except RatingError:
                self.add_error(
                    "rate_percent",
                    _(
                        "Category S needs a rate above 0, Z, E and AE the rate 0, "
                        "O no rate (EN 16931)."
                    ),
                )
        if category:
            self._check_exemption(cleaned, category)
        rate = cleaned.get("rate_percent")
        if rate is not None and not 0 <= rate <= 100:
            self.add_error("rate_percent", _("A percentage from 0 to 100."))
        if category and day:
            same = VatRate.objects.filter(
                organisation=self.organisation, category=category, valid_from=day
            ).exclude(pk=self.instance.pk)
            if same.exists():
                self.add_error(
                    "valid_from", _("This category has a rate from this day already.")
                )
        return cleaned

    def _check_exemption(self, cleaned: dict[str, Any], category: str) -> None:
        """EN 16931 BR-E-10, BR-AE-10, BR-O-10 (a reason or code for E, AE, O) and
        BR-S-10, BR-Z-10 (none for S, Z), as tariffs.compile checks them."""
        code = cleaned.get("exemption_code", "").strip().upper()
        cleaned["exemption_code"] = code
        try:
            check_vat_exemption(category, cleaned.get("exemption_reason", ""), code)
        except TariffConfigError as exc:
            if exc.field == "exemption_code":
                message = _("A code of the VATEX list, such as VATEX-EU-132.")
            elif category in EXEMPT_CATEGORIES:
                message = _(
                    "Categories E, AE and O need an exemption reason or a VATEX "
                    "code (EN 16931)."
                )
            else:
                message = _("Only categories E, AE and O have an exemption reason.")
            self.add_error(exc.field, message)
