"""Utilities and tariffs: adding them, their effective-dated versions with their
components and lookup tables, and the organisation's VAT rates. Every save is
audited."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from meterbill.audit import trail
from meterbill.engine.components import RatingError, check_vat_rate
from meterbill.engine.stored_decimal import column_fault
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.invoicing.queries import STANDING
from meterbill.orgs.models import Organisation
from meterbill.orgs.services import SetupRefused
from meterbill.premises.models import ContractService, Utility

from .compile import (
    TariffConfigError,
    build_component,
    build_table,
    check_vat_categories,
    tables_read,
    vat_schedule,
)
from .models import (
    LookupTable,
    RoundingMode,
    RoundingPoint,
    Tariff,
    TariffComponent,
    TariffVersion,
    VatCategory,
    VatRate,
)

# Net prices are stored with 18 digits, 6 of them decimals.
MAX_PRICE = Decimal(10) ** 12


def add_utility(
    org: Organisation,
    code: str,
    name: str,
    kind: str,
    unit: str,
    unit_code: str,
    user: Any = None,
) -> Utility:
    if not re.fullmatch(r"[a-z0-9_]{1,32}", code):
        raise SetupRefused(f"utility code {code!r}: 1 to 32 of a-z, 0-9 and '_'")
    if not unit.strip() or not name.strip():
        raise SetupRefused("a utility needs a name and a unit")
    if not re.fullmatch(r"[A-Z0-9]{2,3}", unit_code):
        raise SetupRefused(
            f"unit code {unit_code!r}: a UN/ECE Recommendation 20 code such as MTQ, "
            f"KWH or C62"
        )
    if kind not in Utility.Kind.values:
        raise SetupRefused(
            f"unknown utility kind {kind!r}; one of {', '.join(Utility.Kind.values)}"
        )
    try:
        with transaction.atomic():
            utility = Utility.objects.create(
                organisation=org,
                code=code,
                name=name,
                kind=kind,
                unit=unit,
                unit_code=unit_code,
            )
            trail.record(
                "utility.add",
                user=user,
                obj=utility,
                after={"code": code, "unit": unit},
            )
    except IntegrityError as exc:
        raise SetupRefused(f"utility {code!r} exists already") from exc
    return utility


def add_tariff_version(
    org: Organisation,
    code: str,
    utility_code: str,
    valid_from: date,
    unit_price_net: Decimal,
    vat_rate_percent: Decimal,
    fixed_charge_per_month: Decimal = Decimal(0),
    vat_category: str = VatCategory.STANDARD,
    currency: str | None = None,
    name: str = "",
    user: Any = None,
    components: Sequence[Mapping[str, Any]] = (),
    rounding_mode: str = RoundingMode.HALF_UP,
    rounding_point: str = RoundingPoint.LINE,
    tables: Mapping[str, Any] | None = None,
) -> TariffVersion:
    """Add a version of tariff ``code`` in force from ``valid_from`` (creating the
    tariff on its first version). Prices are net of VAT. ``components``: the
    version's components as in docs/tariffs.md (kind, code, description,
    vat_category, params, formula), each checked by ``compile.build_component``;
    without them the version prices with the unit price and fixed charge.
    ``tables``: the lookup tables its formulas read, name → {key: "value"}."""
    if rounding_mode not in RoundingMode.values:
        raise SetupRefused(f"unknown rounding mode {rounding_mode!r}")
    if rounding_point not in RoundingPoint.values:
        raise SetupRefused(f"rounding point {rounding_point!r}: line or invoice")
    for label, price in (
        ("unit price", unit_price_net),
        ("fixed charge", fixed_charge_per_month),
    ):
        if not price.is_finite() or not Decimal(0) <= price < MAX_PRICE:
            raise SetupRefused(f"the {label} must be from 0 to below {MAX_PRICE}")
        if price != price.quantize(Decimal("0.000001")):
            raise SetupRefused(f"the {label} has more than 6 decimals")
        fault = column_fault(price, TariffVersion._meta.get_field("unit_price_net"))
        if fault is not None:
            raise SetupRefused(f"the {label}: {fault}")
    if not Decimal(0) <= vat_rate_percent <= Decimal(100):
        raise SetupRefused("the VAT rate is a percentage from 0 to 100")
    if vat_category not in VatCategory.values:
        raise SetupRefused(f"unknown VAT category {vat_category!r}")
    if vat_category != VatCategory.STANDARD and vat_rate_percent != 0:
        raise SetupRefused(
            f"VAT category {vat_category} is charged at 0%, not {vat_rate_percent}% "
            f"(EN 16931 BR-Z/E/AE/O rules)"
        )
    if (
        vat_category == VatCategory.STANDARD
        and vat_rate_percent == 0
        and not standard_rate_in_force(org, valid_from)
    ):
        raise SetupRefused(
            f"VAT category S is charged at a rate above 0 (EN 16931 BR-S-05): give "
            f"the version's rate with --vat, or add the organisation's S rate in "
            f"force on {valid_from} (add-vat-rate --category S)"
        )
    if currency and currency != org.currency:
        raise SetupRefused(
            f"{org.name} invoices in {org.currency}; a tariff in {currency} is not "
            f"supported"
        )
    utility = Utility.objects.filter(organisation=org, code=utility_code).first()
    if utility is None:
        raise SetupRefused(f"no utility {utility_code!r}")
    billed = utility_invoiced_through(org.pk, utility.pk)
    if billed is not None and valid_from <= billed:
        raise SetupRefused(
            f"periods up to {billed} are invoiced; a new price starts after them "
            f"(correct invoiced periods with credit notes)"
        )
    with transaction.atomic():
        tariff, _ = Tariff.objects.get_or_create(
            organisation=org,
            code=code,
            defaults={"name": name or code, "utility": utility},
        )
        if tariff.utility_id != utility.pk:
            raise SetupRefused(f"tariff {code!r} prices {tariff.utility.code}")
        try:
            with transaction.atomic():
                version = TariffVersion.objects.create(
                    tariff=tariff,
                    valid_from=valid_from,
                    currency=currency or org.currency,
                    fixed_charge_per_month=fixed_charge_per_month,
                    unit_price_net=unit_price_net,
                    vat_category=vat_category,
                    vat_rate_percent=vat_rate_percent,
                    rounding_mode=rounding_mode,
                    rounding_point=rounding_point,
                )
        except IntegrityError as exc:
            raise SetupRefused(
                f"tariff {code!r} has a version from {valid_from} already"
            ) from exc
        table_rows = lookup_table_rows(version, tables or {})
        rows = component_rows(
            version, components, utility.unit_code, [t.name for t in table_rows]
        )
        LookupTable.objects.bulk_create(table_rows)
        TariffComponent.objects.bulk_create(rows)
        trail.record(
            "tariff.version.add",
            user=user,
            obj=version,
            after={
                "tariff": code,
                "valid_from": valid_from.isoformat(),
                "unit_price_net": str(unit_price_net),
                "fixed_charge_per_month": str(fixed_charge_per_month),
                "vat": f"{vat_category} {vat_rate_percent}",
                "rounding": f"{rounding_mode} {rounding_point}",
                "components": [component_audit(r) for r in rows],
                "tables": {t.name: t.rows for t in table_rows},
            },
        )
    return version


def standard_rate_in_force(org: Organisation, day: date) -> bool:
    """Whether the organisation's VAT schedule gives category S a rate on ``day``.
    The bill run prices a version's S lines at that rate and falls back to the
    version's own rate only without one (``compile.vat_for``), so a version at S
    0 % is sound only then: else every contract on it would fail. One query."""
    in_force = [s for s in vat_schedule(org.pk) if s.valid_from <= day]
    return VatCategory.STANDARD in in_force[-1].rates


def utility_invoices(organisation_id: int, utility_id: int) -> QuerySet[Invoice]:
    """The issued invoices (every state but draft) with a period that may have
    priced with a tariff of the utility: invoices of the organisation with a line
    of the utility (lines do not change after issue), or whose contract has a
    service of it (a service's tariff can be switched, which must not make an
    invoiced version editable). It errs on the side of "used": another tariff of
    the same utility counts too. A utility no invoice has billed has none, so a
    new tariff of it may take a version on any date."""
    lines = InvoiceLine.objects.filter(utility_id=utility_id)
    services = ContractService.objects.filter(utility_id=utility_id)
    return Invoice.objects.exclude(state=Invoice.State.DRAFT).filter(
        Q(pk__in=lines.values("invoice_id"))
        | Q(contract_id__in=services.values("contract_id")),
        branch__organisation_id=organisation_id,
        period__isnull=False,
    )


def utility_invoiced_through(organisation_id: int, utility_id: int) -> date | None:
    """The end of the last period of ``utility_invoices``: a new version of a
    tariff of the utility must start after it (invoiced periods are corrected
    with credit notes, not re-priced). The CLI and the web's version form both
    ask this."""
    return (
        utility_invoices(organisation_id, utility_id)
        .order_by("-period__ends_on")
        .values_list("period__ends_on", flat=True)
        .first()
    )


COMPONENT_FIELDS = ("kind", "code", "description", "vat_category", "params", "formula")


def component_rows(
    version: TariffVersion,
    components: Sequence[Mapping[str, Any]],
    unit_code: str = "C62",
    tables: Sequence[str] = (),
) -> list[TariffComponent]:
    """Unsaved component rows for ``version``, positions 1, 2, … in the given
    order, each checked (its formulas may read the lookup ``tables``); raises
    SetupRefused naming the component and field."""
    rows = []
    codes: set[str] = set()
    for position, raw in enumerate(components, start=1):
        if not isinstance(raw, Mapping):
            raise SetupRefused(f"component {position}: a JSON object")
        unknown = sorted(set(raw) - set(COMPONENT_FIELDS))
        if unknown:
            raise SetupRefused(f"component {position}, {unknown[0]}: unknown field")
        row = TariffComponent(
            version=version,
            position=position,
            kind=raw.get("kind", ""),
            code=raw.get("code", ""),
            description=raw.get("description", ""),
            vat_category=raw.get("vat_category", VatCategory.STANDARD),
            params=raw.get("params") or {},
            formula=raw.get("formula", "") or "",
        )
        try:
            build_component(
                row.kind,
                row.code,
                row.description,
                row.vat_category,
                row.params,
                row.formula,
                position=position,
                default_unit_code=unit_code,
                tables=tables,
            )
        except TariffConfigError as exc:
            raise SetupRefused(str(exc)) from exc
        if row.code in codes:
            raise SetupRefused(
                f"component {position}, code: {row.code!r} is used twice"
            )
        codes.add(row.code)
        rows.append(row)
    try:
        check_vat_categories(row.vat_category for row in rows)
    except TariffConfigError as exc:
        raise SetupRefused(f"components: {exc}") from exc
    return rows


def lookup_table_rows(
    version: TariffVersion, tables: Mapping[str, Any]
) -> list[LookupTable]:
    """Unsaved lookup tables for ``version`` from name → {key: "value"} (the
    version's JSON, docs/tariffs.md), each checked by ``compile.build_table``;
    raises SetupRefused naming the table and the key."""
    if not isinstance(tables, Mapping):
        raise SetupRefused('tables: a JSON object, {"name": {"key": "value"}}')
    out = []
    for name, rows in tables.items():
        if not isinstance(rows, Mapping):
            raise SetupRefused(f"tables.{name}: a JSON object of key → value")
        try:
            checked = build_table(name, rows.items())
        except TariffConfigError as exc:
            raise SetupRefused(str(exc)) from exc
        pairs = [[key, str(value)] for key, value in checked.items()]
        out.append(LookupTable(version=version, name=name, rows=pairs))
    return out


def copy_tables(source: TariffVersion, target: TariffVersion) -> dict[str, Any]:
    """Give a new version the lookup tables of ``source``, with the components
    copied from it (whose formulas read them); returns them as audited, name →
    rows."""
    rows = [
        LookupTable(version=target, name=t.name, rows=t.rows)
        for t in source.lookup_tables.order_by("name")
    ]
    LookupTable.objects.bulk_create(rows)
    return {t.name: t.rows for t in rows}


def add_table_rows(
    table: LookupTable,
    rows: Sequence[Sequence[str]],
    user: Any = None,
    branch: Any = None,
) -> list[list[str]]:
    """Add to ``table`` of a version an issued invoice used the rows of keys it
    lacks (a contract held for a missing key is then billed by running the period
    again). ``rows``: the whole table as sent, checked (``check_rows``): every
    stored row with its value, and the new ones. A stored row stays as it is: an
    issued invoice may have read it. A key that was not there was read by no
    invoice (the contract that needed it was held), so adding it changes no issued
    amount. Returns the added rows, recorded as ``tariff.table.rows_add``."""
    with transaction.atomic():
        stored = LookupTable.objects.select_for_update().get(pk=table.pk)
        try:
            before = build_table(stored.name, [(k, v) for k, v in stored.rows])
        except (TariffConfigError, TypeError, ValueError) as exc:
            raise SetupRefused(f"the stored table does not check: {exc}") from exc
        given = {key: Decimal(value) for key, value in rows}
        for key, value in before.items():
            if given.get(key) != value:
                what = "changed" if key in given else "deleted"
                raise SetupRefused(
                    f"row {key} = {value} cannot be {what}: an issued invoice may "
                    f"have read it; only rows of new keys can be added"
                )
        added = [[key, str(value)] for key, value in rows if key not in before]
        if not added:
            return []
        old_rows = stored.rows
        stored.rows = [*old_rows, *added]
        stored.save(update_fields=["rows"])
        trail.record(
            "tariff.table.rows_add",
            user=user,
            branch=branch,
            obj=stored,
            before={"name": stored.name, "rows": old_rows},
            after={"name": stored.name, "rows": stored.rows, "added": added},
        )
    return added


def components_reading(components: Iterable[TariffComponent], table: str) -> list[str]:
    """The codes of the components whose formulas read lookup table ``table``: it
    may not be renamed or deleted while they do."""
    return [c.code for c in components if table in tables_read(c)]


def component_audit(row: TariffComponent) -> dict[str, Any]:
    """A component as audit events record it."""
    return {
        "position": row.position,
        "kind": row.kind,
        "code": row.code,
        "description": row.description,
        "vat_category": row.vat_category,
        "params": row.params,
        "formula": row.formula,
    }


def add_vat_rate(
    org: Organisation,
    category: str,
    rate_percent: Decimal | None,
    valid_from: date,
    user: Any = None,
) -> VatRate:
    """The organisation's VAT rate for ``category`` from ``valid_from`` on (until
    the category's next row). EN 16931: S above 0, Z/E/AE 0, O none."""
    try:
        check_vat_rate(category, rate_percent)
    except RatingError as exc:
        raise SetupRefused(
            f"{exc} (S needs a rate above 0; Z, E and AE the rate 0; O no rate)"
        ) from exc
    if rate_percent is not None and not rate_percent < 100:
        raise SetupRefused("the VAT rate is a percentage below 100")
    billed = (
        Invoice.objects.filter(
            branch__organisation=org,
            state__in=STANDING,
            period__ends_on__gte=valid_from,
        )
        .values_list("period__ends_on", flat=True)
        .order_by("-period__ends_on")
        .first()
    )
    if billed is not None:
        raise SetupRefused(
            f"periods up to {billed} are invoiced; a new VAT rate starts after them"
        )
    try:
        with transaction.atomic():
            rate = VatRate.objects.create(
                organisation=org,
                category=category,
                rate_percent=rate_percent,
                valid_from=valid_from,
            )
            trail.record(
                "tariff.vat_rate.add",
                user=user,
                obj=rate,
                after={
                    "category": category,
                    "rate_percent": None if rate_percent is None else str(rate_percent),
                    "valid_from": valid_from.isoformat(),
                },
            )
    except IntegrityError as exc:
        raise SetupRefused(
            f"VAT category {category} has a rate from {valid_from} already"
        ) from exc
    return rate
