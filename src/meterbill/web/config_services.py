"""Saving and deleting configuration (dictionaries, series, severities, tariffs, VAT
rates) from the screens of ``config_views``: every change in one transaction with its
audit event, before and after.

The forms have checked the values; these functions decide what may change at all
(an issued series, a tariff version an invoice used, a VAT rate an invoice used) and
refuse with a :class:`ConfigRefused` whose message says why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model, ProtectedError, Q, QuerySet, RestrictedError
from django.utils.translation import gettext as _

from meterbill.audit import trail
from meterbill.billing.models import ProviderBill, RuleSetting
from meterbill.invoicing.models import Invoice, InvoiceLine, InvoiceSeries
from meterbill.metering.models import Meter
from meterbill.orgs.models import Branch
from meterbill.orgs.services import SetupRefused
from meterbill.premises.models import Utility
from meterbill.tariffs.models import (
    LookupTable,
    Tariff,
    TariffComponent,
    TariffVersion,
    VatRate,
)
from meterbill.tariffs.services import (
    add_table_rows,
    component_audit,
    components_reading,
    copy_tables,
    utility_invoiced_through,
    utility_invoices,
)


class ConfigRefused(Exception):
    """A configuration change that may not be made; the message says why."""


def snapshot(obj: Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of ``obj``: foreign keys as ids, values as they are."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = getattr(obj, field.attname)  # type: ignore[union-attr]
    return out


def save_model(
    obj: Model,
    fields: Iterable[str],
    *,
    action: str,
    user: Any,
    branch: Any,
    editable: Iterable[str] | None = None,
) -> Model:
    """Insert or update ``obj`` and record ``<action>.add`` or ``<action>.edit`` with
    the audited ``fields`` before and after. ``editable``: on an update, write only
    these columns (a counter that moves meanwhile is not written back). Nothing is
    recorded for an edit that changes nothing."""
    fields = list(fields)
    with transaction.atomic():
        before = None
        if obj.pk is not None:
            stored = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            before = snapshot(stored, fields)
        if before is not None and editable is not None:
            obj.save(update_fields=list(editable))
            obj.refresh_from_db(fields=[f for f in fields if f not in editable])
        else:
            obj.save()
        after = snapshot(obj, fields)
        if before != after:
            trail.record(
                f"{action}.{'edit' if before else 'add'}",
                user=user,
                branch=branch,
                obj=obj,
                before=before,
                after=after,
            )
    return obj


def delete_model(
    obj: Model,
    fields: Iterable[str],
    *,
    action: str,
    user: Any,
    branch: Any,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Delete ``obj`` unless something still refers to it (``on_delete=PROTECT``):
    then refuse, naming what uses it. ``extra``: more of what goes with it, recorded
    in the event's before (a version's components and tables)."""
    before = {**snapshot(obj, fields), **(extra or {})}
    pk = obj.pk
    try:
        with transaction.atomic():
            obj.delete()
            trail.record(
                f"{action}.delete",
                user=user,
                branch=branch,
                object_type=obj._meta.label_lower,
                object_id=str(pk),
                before=before,
            )
    except (ProtectedError, RestrictedError) as exc:
        users = exc.protected_objects if isinstance(exc, ProtectedError) else []
        if isinstance(exc, RestrictedError):
            users = exc.restricted_objects
        raise ConfigRefused(in_use_message(obj, users)) from exc


def in_use_message(obj: Model, users: Iterable[Model]) -> str:
    counts = Counter(str(u._meta.verbose_name_plural) for u in users)
    what = ", ".join(f"{n} {name}" for name, n in sorted(counts.items()))
    return _("%(obj)s is still used (%(what)s) and cannot be deleted.") % {
        "obj": obj,
        "what": what,
    }


# Invoice series -------------------------------------------------------------------


def series_is_issued(series: InvoiceSeries) -> bool:
    """A series has issued numbering once it has handed out a number (a number
    moves the counter, and even a cancelled invoice keeps its number)."""
    return series.next_number > 1 or Invoice.objects.filter(series=series).exists()


def save_series(series: InvoiceSeries, *, user: Any) -> InvoiceSeries:
    """Create a series, or change the prefix and year of one that has not issued a
    number yet (checked again under the row lock: a bill run may have issued one
    since the form was shown). The counter is never written from here."""
    fields = ("branch", "prefix", "year", "next_number")
    with transaction.atomic():
        if series.pk is not None:
            stored = InvoiceSeries.objects.select_for_update().get(pk=series.pk)
            moved = (stored.prefix, stored.year) != (series.prefix, series.year)
            if moved and series_is_issued(stored):
                raise ConfigRefused(
                    _("Numbers are issued from this series: prefix and year are fixed.")
                )
        return save_model(  # type: ignore[return-value]
            series,
            fields,
            action="invoice_series",
            user=user,
            branch=series.branch,
            editable=("prefix", "year"),
        )


# Validation severities --------------------------------------------------------------


def set_rule_overrides(
    branch: Branch, overrides: Mapping[str, str], *, user: Any
) -> dict[str, str]:
    """Make ``overrides`` (key ``rule`` or ``rule@source`` → severity) the branch's
    whole set of RuleSetting rows; keys not in it fall back to the default. One
    audit event ``rule_setting.change`` with the set before and after."""
    with transaction.atomic():
        rows = RuleSetting.objects.select_for_update().filter(branch=branch)
        before = dict(rows.values_list("rule", "severity"))
        wanted = dict(overrides)
        if before == wanted:
            return before
        rows.exclude(rule__in=list(wanted)).delete()
        for rule, severity in wanted.items():
            if before.get(rule) != severity:
                RuleSetting.objects.update_or_create(
                    branch=branch, rule=rule, defaults={"severity": severity}
                )
        trail.record(
            "rule_setting.change",
            user=user,
            branch=branch,
            object_type="orgs.branch",
            object_id=str(branch.pk),
            before=dict(sorted(before.items())),
            after=dict(sorted(wanted.items())),
        )
    return wanted


# Tariff versions and VAT rates: what issued invoices used ----------------------------


def _invoiced(periods_overlapping: Q) -> QuerySet[Invoice]:
    """Invoices with a number (every state but draft) whose period overlaps."""
    return Invoice.objects.exclude(state=Invoice.State.DRAFT).filter(
        periods_overlapping
    )


def _overlap(valid_from: date, until: date | None) -> Q:
    """Periods sharing a day with [valid_from, until) (until None: open-ended)."""
    q = Q(period__ends_on__gte=valid_from)
    if until is not None:
        q &= Q(period__starts_on__lt=until)
    return q


def version_until(version: TariffVersion) -> date | None:
    """The first day of the next version of the tariff, None for the last one."""
    return (
        TariffVersion.objects.filter(
            tariff_id=version.tariff_id, valid_from__gt=version.valid_from
        )
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )


def utility_in_use(utility: Utility) -> bool:
    """A meter, a provider bill or an invoice line of the utility exists: its
    readings, bills and invoices were read and billed in its unit, to its
    decimals, so those stay as they are."""
    if utility.pk is None:
        return False
    return (
        Meter.objects.filter(utility=utility).exists()
        or ProviderBill.objects.filter(utility=utility).exists()
        or InvoiceLine.objects.filter(utility=utility).exists()
    )


def tariff_invoices(tariff: Tariff) -> QuerySet[Invoice]:
    """The issued invoices that may have priced with a version of ``tariff``:
    ``tariffs.services.utility_invoices`` of its utility, the rule add-tariff
    checks too."""
    return utility_invoices(tariff.organisation_id, tariff.utility_id)


def version_invoices(version: TariffVersion) -> QuerySet[Invoice]:
    """The issued invoices that (may have) used ``version``: ``tariff_invoices``
    whose period shares a day with the days the version is in force."""
    return tariff_invoices(version.tariff).filter(
        _overlap(version.valid_from, version_until(version))
    )


def check_version_editable(version: TariffVersion) -> None:
    used = version_invoices(version).order_by("pk").first()
    if used is not None:
        raise ConfigRefused(
            _(
                "Invoice %(number)s used this version: it is read-only. Create a "
                "new version from a later date instead."
            )
            % {"number": used.full_number or used.pk}
        )


def last_invoiced_day(tariff: Tariff) -> date | None:
    """The end of the last period invoiced on the tariff's utility: a new version
    must start after it (``tariffs.services.utility_invoiced_through``)."""
    return utility_invoiced_through(tariff.organisation_id, tariff.utility_id)


VERSION_FIELDS = (
    "valid_from",
    "currency",
    "rounding_mode",
    "rounding_point",
    "fixed_charge_per_month",
    "unit_price_net",
    "vat_category",
    "vat_rate_percent",
)
COMPONENT_FIELDS = (
    "version",
    "position",
    "kind",
    "code",
    "description",
    "vat_category",
    "params",
    "formula",
)


def copy_components(source: TariffVersion, target: TariffVersion) -> int:
    """Give a new version the components of ``source`` (its starting point)."""
    rows = [
        TariffComponent(
            version=target,
            position=c.position,
            kind=c.kind,
            code=c.code,
            description=c.description,
            vat_category=c.vat_category,
            params=c.params,
            formula=c.formula,
        )
        for c in source.components.all()
    ]
    TariffComponent.objects.bulk_create(rows)
    return len(rows)


def add_version(
    version: TariffVersion, source: TariffVersion | None, *, user: Any, branch: Any
) -> None:
    """Save a new version, with the components and lookup tables of ``source``
    copied, in one ``tariff.version.add`` event that records them, as add-tariff
    records a version's own."""
    version.save()
    after = snapshot(version, ("tariff", *VERSION_FIELDS))
    if source is not None:
        copy_components(source, version)
        after["copy_from"] = source.pk
        after["components"] = [
            component_audit(c) for c in version.components.order_by("position")
        ]
        after["tables"] = copy_tables(source, version)
    trail.record(
        "tariff.version.add", user=user, branch=branch, obj=version, after=after
    )


def save_version(version: TariffVersion, *, user: Any, branch: Any) -> None:
    """Save an edited version with its audit event: one no invoice used, as it
    was and as it is now (its new dates must not take in an invoiced period)."""
    with transaction.atomic():
        check_version_editable(TariffVersion.objects.get(pk=version.pk))
        save_model(
            version, VERSION_FIELDS, action="tariff.version", user=user, branch=branch
        )
        check_version_editable(version)


def delete_version(version: TariffVersion, *, user: Any, branch: Any) -> None:
    """Delete a version no invoice used, with its components and lookup tables,
    in one ``tariff.version`` event that keeps what it priced with."""
    check_version_editable(version)
    with transaction.atomic():
        contents = {
            "components": [
                component_audit(c) for c in version.components.order_by("position")
            ],
            "tables": {t.name: t.rows for t in version.lookup_tables.order_by("name")},
        }
        version.components.all().delete()
        delete_model(
            version,
            ("tariff", *VERSION_FIELDS),
            action="tariff.version",
            user=user,
            branch=branch,
            extra=contents,
        )


def save_component(
    version: TariffVersion,
    component: TariffComponent | None,
    apply: Callable[[TariffComponent], TariffComponent],
    *,
    user: Any,
    branch: Any,
) -> None:
    """Save a component of a version no invoice used, with its audit event:
    ``component`` (None: a new one, after the others) with the values ``apply``
    sets on it."""
    with transaction.atomic():
        check_version_editable(version)
        target = component or TariffComponent(
            version=version, position=next_position(version)
        )
        save_model(
            apply(target),
            COMPONENT_FIELDS,
            action="tariff.component",
            user=user,
            branch=branch,
        )


def delete_component(component: TariffComponent, *, user: Any, branch: Any) -> None:
    """Delete a component of a version no invoice used, with its audit event."""
    with transaction.atomic():
        check_version_editable(component.version)
        delete_model(
            component,
            COMPONENT_FIELDS,
            action="tariff.component",
            user=user,
            branch=branch,
        )


TABLE_FIELDS = ("version", "name", "rows")


def save_lookup_table(
    version: TariffVersion,
    table: LookupTable | None,
    name: str,
    rows: list[list[str]],
    *,
    user: Any,
    branch: Any,
) -> None:
    """Save a lookup table of ``version`` (``table`` None: a new one) with its
    audit event. A table that a formula of the version reads keeps its name. A
    version an issued invoice used takes rows of new keys only
    (``tariffs.services.add_table_rows`` says why): a new table, a new name, a
    changed or deleted row are refused."""
    if version_invoices(version).exists():
        _add_rows_only(version, table, name, rows, user=user, branch=branch)
        return
    with transaction.atomic():
        check_version_editable(version)
        if table is not None and name != table.name:
            _refuse_if_read(version, table.name)
        saved = table or LookupTable(version=version)
        saved.name, saved.rows = name, rows
        save_model(saved, TABLE_FIELDS, action="tariff.table", user=user, branch=branch)


def delete_lookup_table(table: LookupTable, *, user: Any, branch: Any) -> None:
    """Delete a lookup table no invoice used and no formula reads."""
    with transaction.atomic():
        check_version_editable(table.version)
        _refuse_if_read(table.version, table.name)
        delete_model(
            table, TABLE_FIELDS, action="tariff.table", user=user, branch=branch
        )


def _refuse_if_read(version: TariffVersion, name: str) -> None:
    """A table that a formula of the version reads keeps its name and stays."""
    readers = components_reading(version.components.all(), name)
    if readers:
        raise ConfigRefused(
            _("The formulas of %(codes)s read table %(name)s: change them first.")
            % {"codes": ", ".join(readers), "name": name}
        )


def _add_rows_only(
    version: TariffVersion,
    table: LookupTable | None,
    name: str,
    rows: list[list[str]],
    *,
    user: Any,
    branch: Any,
) -> None:
    if table is None:
        check_version_editable(version)
        return
    if name != table.name:
        raise ConfigRefused(
            _(
                "An issued invoice used this version: the table keeps its name %(name)s"
                " (its formulas read it by name). Only rows of new keys can be added."
            )
            % {"name": table.name}
        )
    try:
        add_table_rows(table, rows, user=user, branch=branch)
    except SetupRefused as exc:
        raise ConfigRefused(str(exc)) from exc


def next_position(version: TariffVersion) -> int:
    last = (
        version.components.order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    return (last or 0) + 1


def move_component(component: TariffComponent, step: int, *, user: Any) -> bool:
    """Swap the component with its neighbour before (step -1) or after (+1) in a
    version no invoice used; False when it is first or last already. Positions
    stay unique at every moment."""
    version = component.version
    with transaction.atomic():
        check_version_editable(version)
        siblings = list(
            TariffComponent.objects.select_for_update()
            .filter(version=version)
            .order_by("position")
        )
        index = next(i for i, c in enumerate(siblings) if c.pk == component.pk)
        other_index = index + step
        if not 0 <= other_index < len(siblings):
            return False
        mine, other = siblings[index], siblings[other_index]
        before = [c.code for c in siblings]
        parked = max(c.position for c in siblings) + 1
        spots = (mine.position, other.position)
        TariffComponent.objects.filter(pk=mine.pk).update(position=parked)
        TariffComponent.objects.filter(pk=other.pk).update(position=spots[0])
        TariffComponent.objects.filter(pk=mine.pk).update(position=spots[1])
        siblings[index], siblings[other_index] = other, mine
        trail.record(
            "tariff.component.move",
            user=user,
            branch=getattr(user, "branch", None),
            obj=version,
            before={"order": before},
            after={"order": [c.code for c in siblings]},
        )
    return True


def vat_rate_until(rate: VatRate) -> date | None:
    return (
        VatRate.objects.filter(
            organisation_id=rate.organisation_id,
            category=rate.category,
            valid_from__gt=rate.valid_from,
        )
        .order_by("valid_from")
        .values_list("valid_from", flat=True)
        .first()
    )


def check_vat_rate_editable(rate: VatRate, new_valid_from: date | None = None) -> None:
    """A stored VAT rate that an issued invoice of the organisation may have used
    (its period shares a day with the rate's days) stays as it is; so does a new or
    moved rate that would start inside an invoiced period."""
    days = []
    if rate.pk is not None:
        stored = VatRate.objects.get(pk=rate.pk)
        days.append((stored.valid_from, vat_rate_until(stored)))
    if new_valid_from is not None:
        days.append((new_valid_from, None))
    for valid_from, until in days:
        used = (
            _invoiced(_overlap(valid_from, until))
            .filter(branch__organisation_id=rate.organisation_id)
            .order_by("-period__ends_on")
            .first()
        )
        if used is not None:
            raise ConfigRefused(
                _(
                    "Invoice %(number)s (period up to %(day)s) was issued with the "
                    "VAT rates of these days: add a rate from a later date instead."
                )
                % {
                    "number": used.full_number or used.pk,
                    "day": used.period.ends_on if used.period else "",
                }
            )
