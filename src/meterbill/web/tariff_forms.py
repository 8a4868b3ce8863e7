"""Forms of the tariff screens: a component's form per kind, a lookup table's form,
and the preview.

A component form turns its fields into the stored ``params`` (numbers as strings,
never floats) and has ``tariffs.compile.build_component`` check them, the same check
as the CLI and the bill run; a ``TariffConfigError`` lands on the field it names.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from meterbill.engine.json_depth import too_deep
from meterbill.formats.urdb import MAX_JSON_DEPTH as URDB_DEPTH
from meterbill.premises.models import Apartment
from meterbill.tariffs.compile import (
    TABLE_NAME_RE,
    TariffConfigError,
    build_component,
    check_rows,
    check_vat_categories,
    table_key,
    table_value,
)
from meterbill.tariffs.models import (
    ComponentKind,
    LookupTable,
    TariffComponent,
    TariffVersion,
    VatCategory,
)

from .config_forms import VersionChoiceField
from .fields import PlainDecimalField, model_choice

# The form fields of each kind, after the common ones (code, description, VAT).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    ComponentKind.FIXED: ("amount_per_month", "per"),
    ComponentKind.UNIT_PRICE: ("unit_price", "unit_code"),
    ComponentKind.EXCISE: ("unit_price", "unit_code"),
    ComponentKind.BLOCK: ("blocks", "basis", "unit_code"),
    ComponentKind.SEASONAL: ("prices_by_month", "unit_code"),
    ComponentKind.FORMULA: ("formula", "quantity", "unit_code"),
    ComponentKind.MINIMUM: ("amount_per_month",),
    ComponentKind.MAXIMUM: ("amount_per_month",),
    ComponentKind.TIME_OF_USE: ("urdb",),
    ComponentKind.DEMAND: ("urdb",),
}
COMMON_FIELDS = ("code", "description", "description_ro", "vat_category")
MONTHS = (
    _("January"),
    _("February"),
    _("March"),
    _("April"),
    _("May"),
    _("June"),
    _("July"),
    _("August"),
    _("September"),
    _("October"),
    _("November"),
    _("December"),
)
SEPARATORS = re.compile(r"[\s;]+")


def _number(text: str) -> str:
    """A number as typed (``1,5`` or ``1.5``) as the text stored in params; the
    text itself is left to build_component to judge when it is not a number."""
    text = text.strip().replace(",", ".")
    try:
        return str(Decimal(text))
    except InvalidOperation:
        return text


class ComponentForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=32)
    description = forms.CharField(label=_("Line text (English)"), max_length=200)
    description_ro = forms.CharField(
        label=_("Line text (Romanian)"), max_length=200, required=False
    )
    vat_category = forms.ChoiceField(
        label=_("VAT category"), choices=VatCategory.choices, initial="S"
    )
    amount_per_month = forms.CharField(label=_("Amount per month (net)"))
    per = forms.ChoiceField(
        label=_("Per"),
        choices=[("apartment", _("apartment")), ("meter", _("meter"))],
    )
    unit_price = forms.CharField(label=_("Price per unit (net)"))
    unit_code = forms.CharField(
        label=_("UN/ECE unit code"),
        required=False,
        max_length=3,
        help_text=_("Empty: the utility's unit code."),
    )
    blocks = forms.CharField(
        label=_("Blocks"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One block per line: limit per month, then price; the last line only "
            "the price (no limit). E.g. '10 1.50' then '2.10'."
        ),
    )
    basis = forms.ChoiceField(
        label=_("Basis"),
        choices=[
            ("incremental", _("incremental: each block at its price")),
            ("all_units", _("all units at the price of the block reached")),
        ],
    )
    prices_by_month = forms.CharField(
        label=_("Prices by month"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("12 prices, January first, separated by spaces or ';'."),
    )
    formula = forms.CharField(
        label=_("Formula"),
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=_(
            "Names: consumption, days, months, area, persons, meters, "
            'previous_balance; lookup("table", key) reads a lookup table of the '
            "version. Gives the amount, or the unit price if a quantity formula is "
            "given."
        ),
    )
    quantity = forms.CharField(
        label=_("Quantity formula"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        help_text=_("Optional: then the formula above is the unit price."),
    )
    urdb = forms.CharField(
        label=_("URDB rate (JSON)"),
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_("The rate object as exported by OpenEI's Utility Rate Database."),
    )

    def __init__(
        self,
        *args: Any,
        kind: str,
        version: TariffVersion,
        component: TariffComponent | None = None,
        **kwargs: Any,
    ) -> None:
        if component is not None and "initial" not in kwargs:
            kwargs["initial"] = initial_of(component)
        super().__init__(*args, **kwargs)
        self.kind, self.version, self.component = kind, version, component
        keep = set(COMMON_FIELDS) | set(KIND_FIELDS[kind])
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["code"].widget.attrs["pattern"] = r"[A-Za-z0-9_.\-]{1,32}"
        if kind == ComponentKind.FORMULA:
            # a formula line's unit code defaults to C62, not the utility's
            # (tariffs.compile._formula, docs/tariffs.md)
            self.fields["unit_code"].help_text = _(
                "Empty: C62 (one), with or without a quantity formula; type the "
                "utility's code (e.g. MTQ) when the quantity is the consumption."
            )

    def params(self) -> dict[str, Any]:
        """The stored params of the cleaned fields (numbers as text)."""
        data = self.cleaned_data
        params: dict[str, Any] = {}
        for name in ("amount_per_month", "unit_price"):
            if name in data:
                params[name] = _number(data[name])
        if "per" in data:
            params["per"] = data["per"]
        if data.get("unit_code"):
            params["unit_code"] = data["unit_code"].strip().upper()
        if "blocks" in data:
            params["blocks"] = parse_blocks(data["blocks"])
            params["basis"] = data["basis"]
        if "prices_by_month" in data:
            params["prices_by_month"] = [
                _number(v) for v in SEPARATORS.split(data["prices_by_month"]) if v
            ]
        if data.get("quantity", "").strip():
            params["quantity"] = data["quantity"].strip()
        if "urdb" in data:
            deep = too_deep(data["urdb"], URDB_DEPTH)
            try:
                if deep is not None:
                    raise ValueError(deep)
                params["urdb"] = json.loads(data["urdb"])
            except ValueError as exc:
                self.add_error("urdb", _("Not JSON: %(why)s") % {"why": exc})
        if data.get("description_ro", "").strip():
            params["descriptions"] = {"ro": data["description_ro"].strip()}
        return params

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        code = cleaned["code"]
        others = self.version.components.filter(code=code)
        if self.component is not None:
            others = others.exclude(pk=self.component.pk)
        if others.exists():
            self.add_error(
                "code", _("The version has a component %(c)s.") % {"c": code}
            )
            return cleaned
        params = self.params()
        if self.errors:
            return cleaned
        siblings = self.version.components.all()
        if self.component is not None:
            siblings = siblings.exclude(pk=self.component.pk)
        others_categories = siblings.values_list("vat_category", flat=True)
        formula = cleaned.get("formula", "").strip()
        tables = self.version.lookup_tables.values_list("name", flat=True)
        try:
            build_component(
                self.kind,
                code,
                cleaned["description"],
                cleaned["vat_category"],
                params,
                formula,
                default_unit_code=self.version.tariff.utility.unit_code,
                tables=list(tables),
            )
        except TariffConfigError as exc:
            field, message = error_place(exc, set(self.fields), self.kind)
            self.add_error(field, message)
        try:
            check_vat_categories([*others_categories, cleaned["vat_category"]])
        except TariffConfigError as exc:
            self.add_error("vat_category", exc.reason)
        cleaned["params"] = params
        cleaned["formula"] = formula
        return cleaned

    def apply(self, component: TariffComponent) -> TariffComponent:
        """``component`` with the form's values (not saved)."""
        data = self.cleaned_data
        component.kind = self.kind
        component.code = data["code"]
        component.description = data["description"]
        component.vat_category = data["vat_category"]
        component.params = data["params"]
        component.formula = data["formula"]
        return component


def parse_blocks(text: str) -> list[list[str | None]]:
    """``"10 1.50\\n2.10"`` → ``[["10", "1.50"], [None, "2.10"]]``; a line of one
    value is the last block (no limit); build_component judges the rest."""
    blocks: list[list[str | None]] = []
    for line in text.splitlines():
        values = [v for v in SEPARATORS.split(line.strip()) if v]
        if len(values) == 1:
            blocks.append([None, _number(values[0])])
        elif values:
            blocks.append([_number(v) for v in values])
    return blocks


def error_place(
    exc: TariffConfigError, fields: set[str], kind: str
) -> tuple[str | None, str]:
    """The form field a TariffConfigError names, and its message in the terms of
    the form (block and month numbers counted from 1)."""
    name = exc.field.removeprefix("params.")
    match = re.fullmatch(r"(blocks|prices_by_month)\[(\d+)\](?:\[(\d)\])?", name)
    message = exc.reason
    if match:
        name, index, part = match.group(1), int(match.group(2)), match.group(3)
        if name == "blocks":
            what = _("limit") if part == "0" else _("price")
            where = _("line %(n)s, %(what)s") % {"n": index + 1, "what": what}
        else:
            where = str(MONTHS[index]) if index < 12 else str(index + 1)
        message = f"{where}: {message}"
    elif name == "descriptions":
        name = "description_ro"
    elif name == "params":
        name = KIND_FIELDS[kind][0]
    return (name if name in fields else None), message


def initial_of(component: TariffComponent) -> dict[str, Any]:
    """The form's initial values from a stored component."""
    params = dict(component.params or {})
    initial: dict[str, Any] = {
        "code": component.code,
        "description": component.description,
        "vat_category": component.vat_category,
        "formula": component.formula,
        "description_ro": (params.get("descriptions") or {}).get("ro", ""),
    }
    for key in ("amount_per_month", "unit_price", "per", "unit_code", "basis"):
        if key in params:
            initial[key] = params[key]
    if "quantity" in params:
        initial["quantity"] = params["quantity"]
    if "blocks" in params:
        initial["blocks"] = "\n".join(
            f"{price}" if limit is None else f"{limit} {price}"
            for limit, price in params["blocks"]
        )
    if "prices_by_month" in params:
        initial["prices_by_month"] = " ".join(params["prices_by_month"])
    if "urdb" in params:
        initial["urdb"] = json.dumps(params["urdb"], indent=1)
    return initial


# A table row as typed or pasted: key, then "=", ";" or a tab, then the value. The
# value is a decimal, so the LAST separator ends the key: a key may itself hold "="
# or ";" (as the version's JSON allows), and the screen reads back what it writes.
ROW = re.compile(r"(.*\S)\s*[=;\t]\s*(.*)")


class LookupTableForm(forms.Form):
    """A lookup table of a version: its name and its rows, one "key = value" per
    line (or "key;value", or a tab, as pasted from a spreadsheet). Each wrong line
    is named by its number; the rows are checked by ``tariffs.compile``."""

    name = forms.CharField(
        label=_("Name"),
        max_length=32,
        help_text=_('As formulas quote it: lookup("zone", "A").'),
    )
    rows = forms.CharField(
        label=_("Rows"),
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=_(
            "One row per line: key = value, e.g. 'A = 1.20'. Decimals with a point. "
            "A number key is looked up by its plain text (2.50 as 2.5). The value "
            "follows the last '=', ';' or tab, so a key may hold them itself."
        ),
    )

    def __init__(
        self,
        *args: Any,
        version: TariffVersion,
        table: LookupTable | None = None,
        **kwargs: Any,
    ) -> None:
        if table is not None and "initial" not in kwargs:
            kwargs["initial"] = {"name": table.name, "rows": rows_text(table.rows)}
        super().__init__(*args, **kwargs)
        self.version, self.table = version, table
        self.fields["name"].widget.attrs["pattern"] = TABLE_NAME_RE.pattern

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not TABLE_NAME_RE.fullmatch(name):
            raise forms.ValidationError(
                _(
                    "1 to 32 of letters, digits and '_', not starting with a digit "
                    "(formulas quote the name)."
                )
            )
        others = self.version.lookup_tables.filter(name=name)
        if self.table is not None:
            others = others.exclude(pk=self.table.pk)
        if others.exists():
            raise forms.ValidationError(
                _("The version has a table %(name)s.") % {"name": name}
            )
        return name

    def clean_rows(self) -> list[list[str]]:
        pairs, errors = parse_rows(self.cleaned_data["rows"])
        if errors:
            raise forms.ValidationError(errors)
        try:
            checked = check_rows(pairs, "rows")
        except TariffConfigError as exc:
            raise forms.ValidationError(exc.reason) from None
        return [[key, str(value)] for key, value in checked.items()]

    def apply(self, table: LookupTable) -> LookupTable:
        """``table`` with the form's name and rows (not saved)."""
        table.name = self.cleaned_data["name"]
        table.rows = self.cleaned_data["rows"]
        return table


def parse_rows(text: str) -> tuple[list[tuple[str, str]], list[str]]:
    """``"A = 1.20\\nB = 0.95"`` → ([("A", "1.20"), ("B", "0.95")], errors): each
    error names its line (blank lines count, so the number is the one the user
    sees); a key given twice is named with the line that gave it first."""
    pairs: list[tuple[str, str]] = []
    errors: list[str] = []
    first_line: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        row = ROW.fullmatch(line.strip())
        if row is None:
            errors.append(str(_("line %(n)s: write key = value") % {"n": number}))
            continue
        parts = row.groups()
        try:
            key = table_key(parts[0])
            table_value(parts[1])
        except ValueError as exc:
            where = _("line %(n)s") % {"n": number}
            errors.append(f"{where}: {exc}")
            continue
        if key in first_line:
            errors.append(
                str(
                    _("line %(n)s: key %(key)s is on line %(first)s already")
                    % {"n": number, "key": key, "first": first_line[key]}
                )
            )
            continue
        first_line[key] = number
        pairs.append((key, parts[1]))
    return pairs, errors[:20]


def rows_text(rows: list[list[str]]) -> str:
    """Stored [key, value] pairs as the form's lines."""
    return "\n".join(f"{key} = {value}" for key, value in rows)


class ApartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        label = f"{obj.residence.code}/{obj.number}"
        return f"{label} · {obj.owner_name}" if obj.owner_name else label


class PreviewForm(forms.Form):
    """What to preview: a version, an apartment of the user's subtree, a period, and
    the consumption (empty: from the apartment's last period)."""

    version = VersionChoiceField(queryset=TariffVersion.objects.none())
    apartment = ApartmentChoiceField(queryset=Apartment.objects.none())
    starts_on = forms.DateField(
        label=_("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Empty: the apartment's last period."),
    )
    ends_on = forms.DateField(
        label=_("Through"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    consumption = PlainDecimalField(
        label=_("Consumption"),
        required=False,
        localize=True,
        max_digits=20,
        decimal_places=6,
        min_value=Decimal(0),
        help_text=_("Empty: the apartment's consumption in its last period."),
    )
    previous_balance = PlainDecimalField(
        label=_("Previous balance"),
        required=False,
        localize=True,
        max_digits=18,
        decimal_places=2,
    )

    def __init__(self, *args: Any, versions: Any, apartments: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        version = model_choice(self, "version", versions)
        apartment = model_choice(self, "apartment", apartments)
        version.label, apartment.label = _("Tariff version"), _("Apartment")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if bool(starts_on) != bool(ends_on):
            self.add_error("ends_on", _("Give both dates, or neither."))
        elif starts_on and ends_on:
            if ends_on < starts_on:
                self.add_error("ends_on", _("The period ends before it starts."))
            elif (ends_on - starts_on).days > 366:
                self.add_error("ends_on", _("At most one year."))
            elif starts_on < date(1900, 1, 1):
                self.add_error("starts_on", _("A date after 1900."))
        return cleaned
