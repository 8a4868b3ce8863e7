"""Forms of the premises screens. Every choice of a related object is a queryset
scoped to the user (``access.scope``), so posting the id of another branch's object
is refused as "not one of the available choices"."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_variables

from meterbill.invoicing.models import Invoice
from meterbill.invoicing.queries import STANDING
from meterbill.metering.exchange import AHEAD
from meterbill.metering.models import Meter, Reading
from meterbill.metering.radio import clean_radio_id, radio_id_holder
from meterbill.orgs.models import Branch, Role, User
from meterbill.premises.identifiers import (
    InvalidSerial,
    InvalidVatId,
    check_serial,
    check_vat_id,
    is_country,
)
from meterbill.premises.models import (
    APARTMENT_ORDER,
    Apartment,
    ApartmentUtility,
    Contract,
    ContractService,
    Customer,
    Residence,
    ServicePoint,
    Utility,
)
from meterbill.premises.persons import latest_change
from meterbill.tariffs.models import Tariff

from .access import scope, visible_branches
from .fields import PlainDecimalField, model_choice, plain_number_formfield

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
AES_KEY = re.compile(r"[0-9a-fA-F]{32}")
VAT_REASONS = {
    "checksum": lambda: _("Not a valid VAT id: the check digit is wrong."),
    "length": lambda: _("Not a valid VAT id: it has the wrong length."),
    "format": lambda: _("Not a valid VAT id: it has the wrong format."),
    "component": lambda: _("Not a valid VAT id: a part of it does not exist."),
}


def _labels(field: forms.Field, label_of: Callable[[Any], str]) -> None:
    """Show the choices of a model choice field as ``label_of(obj)``."""
    setattr(field, "label_from_instance", label_of)  # noqa: B010


def _country(value: str) -> str:
    value = value.strip().upper()
    if value and not re.fullmatch(r"[A-Z]{2}", value):
        raise forms.ValidationError(_("Two letters (ISO 3166-1), e.g. RO."))
    if value and not is_country(value):
        raise forms.ValidationError(
            _("%(code)s is not an ISO 3166-1 country code.") % {"code": value}
        )
    return value


def _serial(serial: str, branch_id: int, pk: int | None) -> str:
    """The serial normalised (``check_serial``), refused when another meter of the
    branch has it, whatever the case."""
    try:
        serial = check_serial(serial)
    except InvalidSerial as error:
        raise forms.ValidationError(str(error)) from error
    taken = Meter.objects.filter(branch_id=branch_id, serial__iexact=serial)
    if (taken.exclude(pk=pk) if pk else taken).exists():
        raise forms.ValidationError(_("This serial is already used in the branch."))
    return serial


def _billed_through(invoices: Any) -> Any:
    """The last day of the latest period a standing invoice of ``invoices`` bills
    (None: nothing billed)."""
    standing = invoices.filter(state__in=STANDING, kind=Invoice.Kind.INVOICE)
    return standing.aggregate(last=Max("period__ends_on"))["last"]


def meter_billed_through(meter: Meter) -> Any:
    """The last day billed by a standing invoice of the meter's premises, when the
    meter has a reading on or before it (None otherwise): such a meter's factors
    and dates are what those invoices were computed with."""
    if meter.pk is None:
        return None
    invoices = Invoice.objects.all()
    if meter.apartment_id:
        invoices = invoices.filter(apartment_id=meter.apartment_id)
    elif meter.service_point_id:
        invoices = invoices.filter(contract__service_point_id=meter.service_point_id)
    elif meter.residence_id:
        invoices = invoices.filter(apartment__residence_id=meter.residence_id)
    else:
        return None
    last = _billed_through(invoices)
    if last is None:
        return None
    billed = Reading.objects.filter(register__meter=meter, read_on__lte=last)
    return last if billed.exists() else None


class BranchChoiceMixin:
    """A ``branch`` choice among the user's branches, on creation only: moving an
    object to another branch would leave its meters and contracts behind."""

    fields: dict[str, forms.Field]
    instance: Any
    add_error: Any  # the form's

    def add_branch_field(self, user: Any) -> None:
        if self.instance.pk is not None:
            return
        self.fields = {
            "branch": forms.ModelChoiceField(
                queryset=visible_branches(user).order_by("path"),
                initial=user.branch_id,
                label=_("Branch"),
            ),
            **self.fields,
        }

    def chosen_branch(self, cleaned: dict[str, Any]) -> Any:
        if self.instance.pk is not None:
            return self.instance.branch
        return cleaned.get("branch")

    def place_in_branch(self, cleaned: dict[str, Any]) -> None:
        """Put the object in its chosen branch, where its ``code`` must be unique."""
        branch = self.chosen_branch(cleaned)
        code = cleaned.get("code")
        if branch and code:
            taken = type(self.instance).objects.filter(branch=branch, code=code)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error("code", _("This code is already used in the branch."))
            self.instance.branch = branch


class ResidenceForm(BranchChoiceMixin, forms.ModelForm):
    class Meta:
        model = Residence
        fields = [
            "code",
            "name",
            "street",
            "city",
            "postal_code",
            "subdivision",
            "country",
        ]
        labels = {
            "code": _("Code"),
            "name": _("Name"),
            "street": _("Street"),
            "city": _("City"),
            "postal_code": _("Postal code"),
            "subdivision": _("Subdivision (ISO 3166-2)"),
            "country": _("Country (ISO 3166-1)"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_branch_field(user)

    def clean_country(self) -> str:
        return _country(self.cleaned_data["country"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.place_in_branch(cleaned)
        return cleaned


class ApartmentForm(forms.ModelForm):
    class Meta:
        model = Apartment
        formfield_callback = plain_number_formfield
        fields = [
            "number",
            "staircase",
            "floor",
            "area_m2",
            "persons",
            "quota",
            "owner_name",
        ]
        labels = {
            "number": _("Number"),
            "staircase": _("Staircase"),
            "floor": _("Floor"),
            "area_m2": _("Area (m²)"),
            "persons": _("Persons"),
            "quota": _("Quota (fraction of 1)"),
            "owner_name": _("Owner"),
        }

    def clean_area_m2(self) -> Decimal:
        area = self.cleaned_data["area_m2"]
        if area <= 0:
            raise forms.ValidationError(_("The area must be more than 0 m²."))
        return area

    # Not a column: the first day of a new persons count (ApartmentPersons).
    persons_from = forms.DateField(
        required=False,
        label=_("Persons valid from"),
        help_text=_(
            "The first day with the new number of persons; empty: today. Bills "
            "count person-days when the number changes within a period."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean_quota(self) -> Decimal:
        quota = self.cleaned_data["quota"]
        if not 0 <= quota <= 1:
            raise forms.ValidationError(_("A fraction of 1, e.g. 0.012345."))
        return quota

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("persons_from")
        newest = latest_change(self.instance) if self.instance.pk else None
        if "persons" in self.changed_data and day and newest and day < newest:
            self.add_error(
                "persons_from",
                _("The persons already change on %(day)s: pick that day or later.")
                % {"day": newest.isoformat()},
            )
        return data

    def clean_number(self) -> str:
        number = self.cleaned_data["number"].strip()
        taken = Apartment.objects.filter(
            residence_id=self.instance.residence_id, number=number
        )
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("This number is already used in the residence.")
            )
        return number


class ApartmentUtilityForm(forms.ModelForm):
    class Meta:
        model = ApartmentUtility
        formfield_callback = plain_number_formfield
        fields = ["utility", "metering", "in_common", "distribution_area_m2", "persons"]
        labels = {
            "utility": _("Utility"),
            "metering": _("Metering"),
            "in_common": _("Shares the common consumption"),
            "distribution_area_m2": _("Area for distribution (m²)"),
            "persons": _("Persons for this utility"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "utility", scope(Utility.objects.order_by("code"), user))

    def clean_distribution_area_m2(self) -> Decimal | None:
        area = self.cleaned_data["distribution_area_m2"]
        if area is not None and area <= 0:
            raise forms.ValidationError(
                _("The area must be more than 0 m² (empty: the apartment's area).")
            )
        return area


ApartmentUtilityFormSet = forms.inlineformset_factory(
    Apartment,
    ApartmentUtility,
    form=ApartmentUtilityForm,
    extra=1,
    can_delete=True,
)


class MeterForm(forms.ModelForm):
    """A meter of a residence (main, branching counter) or of an apartment (meter,
    heat cost allocator). The AES key is write-only: the field is always empty and
    a blank value keeps the stored key."""

    aes_key_new = forms.CharField(
        required=False,
        label=_("AES key (32 hex digits)"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    aes_key_clear = forms.BooleanField(required=False, label=_("Remove the AES key"))

    # What issued invoices were computed with: read-only once a reading is billed
    # (KQ and KC corrected the allocator units; the parent placed the meter in the
    # common-consumption sum).
    BILLED_FIELDS = (
        "kind",
        "utility",
        "multiplier",
        "installed_on",
        "kq",
        "kc",
        "parent",
    )

    class Meta:
        model = Meter
        formfield_callback = plain_number_formfield
        fields = [
            "kind",
            "utility",
            "serial",
            "parent",
            "radio_id",
            "multiplier",
            "installed_on",
            "kq",
            "kc",
        ]
        widgets = {"installed_on": DATE}
        labels = {
            "kind": _("Kind"),
            "utility": _("Utility"),
            "serial": _("Serial"),
            "parent": _("Counted under (parent meter)"),
            "radio_id": _("Radio id"),
            "multiplier": _("Multiplier"),
            "installed_on": _("Installed on"),
            "kq": _("KQ (radiator rating, allocators)"),
            "kc": _("KC (coupling, allocators)"),
        }

    def __init__(self, *args: Any, user: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [c for c in Meter.Kind.choices if c[0] in kinds]
        model_choice(self, "utility", scope(Utility.objects.order_by("code"), user))
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ModelChoiceField)
        # The main meters and branching counters of the same building (id 0, i.e.
        # none, for a meter outside a residence).
        residence_id = self.instance.residence_id or (
            self.instance.apartment.residence_id if self.instance.apartment_id else 0
        )
        parent.queryset = (
            scope(Meter.objects.select_related("utility"), user)
            .filter(
                residence_id=residence_id,
                kind__in=[Meter.Kind.MAIN, Meter.Kind.BRANCH_COUNTER],
                removed_on__isnull=True,
            )
            .exclude(pk=self.instance.pk)
            .order_by("serial")
        )
        _labels(parent, lambda m: f"{m.serial} ({m.utility.name})")
        key = self.fields["aes_key_new"]
        key.label = (
            _("Replace the AES key (32 hex digits)")
            if self.instance.aes_key
            else _("Set an AES key (32 hex digits)")
        )
        self.billed_through = meter_billed_through(self.instance)
        if self.billed_through is not None:
            for name in self.BILLED_FIELDS:
                self.fields[name].disabled = True
                self.fields[name].help_text = _(
                    "Billed up to %(day)s with this value: exchange the meter, or "
                    "cancel the invoices, to change it."
                ) % {"day": self.billed_through.isoformat()}

    def _ancestors_of(self, parent: Meter) -> set[int]:
        """The ids of ``parent`` and the meters above it (one query: the meters of
        the residence with their parents)."""
        links = dict(
            Meter.objects.filter(residence=parent.residence).values_list(
                "pk", "parent_id"
            )
        )
        seen: set[int] = set()
        node: int | None = parent.pk
        while node is not None and node not in seen:
            seen.add(node)
            node = links.get(node)
        return seen

    def clean_installed_on(self) -> Any:
        day = self.cleaned_data["installed_on"]
        if day is not None and day > timezone.localdate() + AHEAD:
            raise forms.ValidationError(_("This day is in the future."))
        return day

    @sensitive_variables("key")
    def clean_aes_key_new(self) -> str:
        key = self.cleaned_data["aes_key_new"].strip()
        if key and not AES_KEY.fullmatch(key):
            raise forms.ValidationError(_("32 hexadecimal digits (AES-128)."))
        return key.upper()

    def clean_radio_id(self) -> str:
        return _radio_id(
            self.cleaned_data["radio_id"],
            self.instance.branch_id,
            # A removed meter keeps its id: only installed meters must not share one.
            exclude=[self.instance.pk],
            check_holder=self.instance.removed_on is None,
        )

    def clean_serial(self) -> str:
        return _serial(
            self.cleaned_data["serial"], self.instance.branch_id, self.instance.pk
        )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        kind, parent = cleaned.get("kind"), cleaned.get("parent")
        utility = cleaned.get("utility")
        if kind == Meter.Kind.MAIN and parent is not None:
            self.add_error("parent", _("A main meter has no parent."))
        if kind == Meter.Kind.BRANCH_COUNTER and parent is None:
            self.add_error("parent", _("A branching counter needs its main meter."))
        if (
            parent is not None
            and self.instance.pk is not None
            and self.instance.pk in self._ancestors_of(parent)
        ):
            self.add_error(
                "parent",
                _("%(p)s is counted under this meter: it cannot be its parent.")
                % {"p": parent.serial},
            )
        if (
            self.instance.pk is not None
            and utility is not None
            and utility.pk != self.instance.utility_id
            and Reading.objects.filter(register__meter=self.instance).exists()
        ):
            self.add_error(
                "utility",
                _("The meter has readings of its utility: exchange it instead."),
            )
        if (
            parent is not None
            and utility is not None
            and parent.utility_id != utility.pk
        ):
            self.add_error("parent", _("The parent meter measures another utility."))
        for factor in ("kq", "kc", "multiplier"):
            value = cleaned.get(factor)
            if value is not None and value <= 0:
                self.add_error(factor, _("Must be more than 0."))
        return cleaned

    def apply_key(self) -> None:
        """Write the key change onto the instance (before saving)."""
        if self.cleaned_data.get("aes_key_clear"):
            self.instance.aes_key = ""
        elif self.cleaned_data.get("aes_key_new"):
            self.instance.aes_key = self.cleaned_data["aes_key_new"]


def _radio_id(
    text: str, branch_id: int, exclude: list[int | None], check_holder: bool = True
) -> str:
    """A meter's radio id as stored; the form error when it is malformed or an
    installed meter of the branch other than ``exclude`` carries it."""
    try:
        radio_id = clean_radio_id(text)
    except ValueError:
        raise forms.ValidationError(
            _("8 hexadecimal digits (the meter's radio address).")
        ) from None
    holder = radio_id_holder(branch_id, radio_id, exclude) if check_holder else None
    if holder is not None:
        raise forms.ValidationError(
            _("Meter %(serial)s already has this radio id.") % {"serial": holder.serial}
        )
    return radio_id


class MeterExchangeForm(forms.Form):
    """Old meter out with its final index, new meter in with its initial index: one
    pair of index fields per register of the old meter."""

    on = forms.DateField(label=_("Exchanged on"), widget=DATE)
    serial = forms.CharField(max_length=64, label=_("New meter serial"))
    radio_id = forms.CharField(max_length=16, required=False, label=_("New radio id"))
    aes_key = forms.CharField(
        required=False,
        label=_("New AES key (32 hex digits)"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args: Any, meter: Meter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exchanged = meter
        self.registers = list(meter.registers.order_by("pk"))
        for register in self.registers:
            suffix = f" {register.code}" if register.code else ""
            self.fields[f"final_{register.pk}"] = PlainDecimalField(
                max_digits=20,
                decimal_places=6,
                min_value=0,
                label=_("Final index of the old meter%(r)s (%(unit)s)")
                % {"r": suffix, "unit": register.unit},
            )
            self.fields[f"initial_{register.pk}"] = PlainDecimalField(
                max_digits=20,
                decimal_places=6,
                min_value=0,
                initial=0,
                label=_("Initial index of the new meter%(r)s (%(unit)s)")
                % {"r": suffix, "unit": register.unit},
            )

    def clean_serial(self) -> str:
        # The branch check is exchange_meter's (under the meter's row lock).
        try:
            return check_serial(self.cleaned_data["serial"])
        except InvalidSerial as error:
            raise forms.ValidationError(str(error)) from error

    @sensitive_variables("key")
    def clean_aes_key(self) -> str:
        key = self.cleaned_data["aes_key"].strip()
        if key and not AES_KEY.fullmatch(key):
            raise forms.ValidationError(_("32 hexadecimal digits (AES-128)."))
        return key.upper()

    def clean_radio_id(self) -> str:
        # The old meter leaves as the new one arrives: it may hand its id over.
        meter = self.exchanged
        return _radio_id(self.cleaned_data["radio_id"], meter.branch_id, [meter.pk])

    def indexes(self, prefix: str) -> dict[int, Decimal]:
        return {r.pk: self.cleaned_data[f"{prefix}_{r.pk}"] for r in self.registers}


class CustomerForm(BranchChoiceMixin, forms.ModelForm):
    language = forms.ChoiceField(choices=settings.LANGUAGES, label=_("Language"))

    class Meta:
        model = Customer
        fields = [
            "code",
            "kind",
            "name",
            "vat_id",
            "company_id",
            "email",
            "language",
            "street",
            "city",
            "postal_code",
            "subdivision",
            "country",
            "portal_user",
        ]
        labels = {
            "code": _("Code"),
            "kind": _("Kind"),
            "name": _("Name"),
            "vat_id": _("VAT id"),
            "company_id": _("Company registration number"),
            "email": _("E-mail"),
            "street": _("Street"),
            "city": _("City"),
            "postal_code": _("Postal code"),
            "subdivision": _("Subdivision (ISO 3166-2)"),
            "country": _("Country (ISO 3166-1)"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_branch_field(user)
        # Customer logins of the user's branches not linked to another customer.
        portal = model_choice(
            self,
            "portal_user",
            scope(User.objects.filter(roles__contains=Role.CUSTOMER), user)
            .filter(Q(customer__isnull=True) | Q(customer=self.instance.pk))
            .order_by("username"),
        )
        portal.label = _("Portal login")
        portal.help_text = _("A user with the customer role, not linked elsewhere.")

    def clean_country(self) -> str:
        return _country(self.cleaned_data["country"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.place_in_branch(cleaned)
        vat_id = cleaned.get("vat_id")
        if vat_id and "country" not in self.errors:
            try:
                cleaned["vat_id"] = check_vat_id(vat_id, cleaned.get("country", ""))
            except InvalidVatId as error:
                self.add_error("vat_id", VAT_REASONS[error.reason]())
        return cleaned


class ContractForm(forms.ModelForm):
    """A contract's branch is the branch of its premises; its customer is of that
    branch or one below it, so whoever sees the contract sees the customer."""

    class Meta:
        model = Contract
        fields = [
            "number",
            "customer",
            "apartment",
            "service_point",
            "valid_from",
            "valid_to",
        ]
        widgets = {"valid_from": DATE, "valid_to": DATE}
        labels = {
            "number": _("Number"),
            "customer": _("Customer"),
            "apartment": _("Apartment"),
            "service_point": _("Service point"),
            "valid_from": _("Valid from"),
            "valid_to": _("Valid to (empty: open-ended)"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customers = scope(Customer.objects.order_by("code"), user)
        customer = model_choice(self, "customer", customers)
        _labels(customer, lambda c: f"{c.code} {c.name}")
        model_choice(
            self,
            "apartment",
            scope(Apartment.objects.select_related("residence"), user).order_by(
                *APARTMENT_ORDER
            ),
        )
        model_choice(
            self,
            "service_point",
            scope(ServicePoint.objects.order_by("identifier"), user),
        )
        premises = self._initial_premises()
        if premises is not None:
            customer.queryset = customers.filter(branch__path__startswith=premises.path)
        self.billed_through = (
            _billed_through(Invoice.objects.filter(contract=self.instance))
            if self.instance.pk
            else None
        )
        if self.billed_through is not None:
            for name in ("customer", "apartment", "service_point", "valid_from"):
                self.fields[name].disabled = True
            self.fields["valid_from"].help_text = _(
                "Invoiced up to %(day)s: the contract may end, not start elsewhere."
            ) % {"day": self.billed_through.isoformat()}

    def _initial_premises(self) -> Any:
        """The branch of the apartment or service point the form starts with."""
        apartment_id = self.initial.get("apartment") or self.instance.apartment_id
        point_id = self.initial.get("service_point") or self.instance.service_point_id
        if apartment_id:
            apartments = Apartment.objects.filter(pk=apartment_id)
            return Branch.objects.filter(residence__apartments__in=apartments).first()
        if point_id:
            points = ServicePoint.objects.filter(pk=point_id)
            return Branch.objects.filter(servicepoint__in=points).first()
        return None

    def _check_overlap(self, apartment: Any, point: Any) -> None:
        """Refuse a second contract in force on the same premises on any day; the
        next one may start the day after this one ends."""
        valid_from, valid_to = (
            self.cleaned_data.get("valid_from"),
            self.cleaned_data.get("valid_to"),
        )
        if valid_from is None or self.has_error("valid_to"):
            return
        same = Contract.objects.filter(
            Q(apartment=apartment) if apartment else Q(service_point=point)
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        if valid_to is not None:
            same = same.filter(valid_from__lte=valid_to)
        other = same.exclude(pk=self.instance.pk).order_by("valid_from").first()
        if other is not None:
            self.add_error(
                "valid_from",
                _(
                    "Contract %(other)s covers these premises from %(start)s to "
                    "%(end)s: end it the day before, or start this one after it."
                )
                % {
                    "other": other.number,
                    "start": other.valid_from.isoformat(),
                    "end": other.valid_to.isoformat() if other.valid_to else "…",
                },
            )

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        valid_from, valid_to = cleaned.get("valid_from"), cleaned.get("valid_to")
        if valid_from and valid_to and valid_to < valid_from:
            self.add_error("valid_to", _("Ends before it starts."))
        last = self.billed_through
        if last is not None and valid_to is not None and valid_to < last:
            self.add_error(
                "valid_to",
                _("Invoiced up to %(day)s: end the contract on that day or later.")
                % {"day": last.isoformat()},
            )
        apartment, point = cleaned.get("apartment"), cleaned.get("service_point")
        if (apartment is None) == (point is None):
            if not self.has_error("apartment") and not self.has_error("service_point"):
                self.add_error(
                    "apartment", _("Choose either an apartment or a service point.")
                )
            return cleaned
        branch = (
            apartment.residence.branch if apartment else getattr(point, "branch", None)
        )
        customer = cleaned.get("customer")
        if (
            branch is not None
            and customer is not None
            and not customer.branch.path.startswith(branch.path)
        ):
            self.add_error(
                "customer",
                _("Customer %(c)s belongs to %(other)s, not to %(branch)s.")
                % {"c": customer.code, "other": customer.branch, "branch": branch},
            )
        self._check_overlap(apartment, point)
        number = cleaned.get("number")
        if branch is not None and number:
            taken = Contract.objects.filter(branch=branch, number=number)
            if taken.exclude(pk=self.instance.pk).exists():
                self.add_error(
                    "number", _("This number is already used in the branch.")
                )
            self.instance.branch = branch
        return cleaned


class ContractServiceForm(forms.ModelForm):
    class Meta:
        model = ContractService
        fields = ["utility", "tariff"]
        labels = {"utility": _("Utility"), "tariff": _("Tariff")}

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "utility", scope(Utility.objects.order_by("code"), user))
        tariff = model_choice(
            self,
            "tariff",
            scope(Tariff.objects.select_related("utility"), user).order_by("code"),
        )
        _labels(tariff, lambda t: f"{t.code} {t.name} ({t.utility.name})")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        utility, tariff = cleaned.get("utility"), cleaned.get("tariff")
        if (
            utility is not None
            and tariff is not None
            and tariff.utility_id != utility.pk
        ):
            self.add_error(
                "tariff",
                _("Tariff %(tariff)s prices %(other)s, not %(utility)s.")
                % {
                    "tariff": tariff.code,
                    "other": tariff.utility.name,
                    "utility": utility.name,
                },
            )
        return cleaned


def lock_billed_services(services: Any) -> None:
    """On an invoiced contract, the services it was invoiced with stay as they are
    (no other tariff, no removal); new ones may be added."""
    for form in services.forms:
        if form.instance.pk is not None:
            for name in ("utility", "tariff", "DELETE"):
                if name in form.fields:
                    form.fields[name].disabled = True


ContractServiceFormSet = forms.inlineformset_factory(
    Contract,
    ContractService,
    form=ContractServiceForm,
    extra=1,
    can_delete=True,
)
