"""Tariff screens: tariffs, their versions, a version's ordered components (a form
per kind) and lookup tables, and the formula preview.

A version that an issued invoice used is read-only (``config_services.
version_invoices`` says which invoices that are); a new version from a later date
takes its place. Only its lookup tables accept rows of new keys
(``tariffs.services.add_table_rows``), so a contract held for a missing key can be
billed. Component parameters are checked by ``tariffs.compile``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from meterbill.premises.models import APARTMENT_ORDER, Apartment
from meterbill.tariffs.models import (
    ComponentKind,
    LookupTable,
    Tariff,
    TariffComponent,
    TariffVersion,
)

from .access import can, get_scoped, requires, scope
from .config_forms import TariffForm, VersionForm
from .config_services import (
    VERSION_FIELDS,
    ConfigRefused,
    add_version,
    delete_component,
    delete_lookup_table,
    delete_version,
    last_invoiced_day,
    move_component,
    save_component,
    save_lookup_table,
    save_model,
    save_version,
    tariff_invoices,
    version_invoices,
)
from .config_views import delete_page, edit_page, organisation_of, user_branch
from .tariff_forms import KIND_FIELDS, ComponentForm, LookupTableForm, PreviewForm
from .tariff_preview import last_period, preview, trace_rows

TARIFF_FIELDS = ("code", "name", "utility")
# Rows of a lookup table shown in its line on the version's page; the others are
# listed below them, folded (a tariffs.view user has no table form to read them on).
TABLE_ROWS_SHOWN = 12


def short_date(day: date) -> str:
    """A date as the user's language writes it (30.11.2026, 11/30/2026)."""
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _tariffs(user: Any):
    return scope(Tariff.objects.select_related("utility"), user)


def _version(user: Any, version_id: int) -> TariffVersion:
    return get_scoped(
        TariffVersion.objects.select_related("tariff__utility", "tariff__organisation"),
        user,
        pk=version_id,
    )


def used_version_ids(tariff: Tariff, versions: list[TariffVersion]) -> set[int]:
    """The versions (of ``versions``, sorted by date) that issued invoices used:
    one query for the invoiced periods of the tariff, then their overlap with each
    version's days (the same rule as ``config_services.version_invoices``)."""
    periods = set(
        tariff_invoices(tariff).values_list("period__starts_on", "period__ends_on")
    )
    used = set()
    for i, v in enumerate(versions):
        until = versions[i + 1].valid_from if i + 1 < len(versions) else None
        if any(
            ends >= v.valid_from and (until is None or starts < until)
            for starts, ends in periods
        ):
            used.add(v.pk)
    return used


@requires("tariffs.view")
def tariffs(request: HttpRequest) -> HttpResponse:
    rows = (
        _tariffs(request.user)
        .annotate(version_count=Count("versions"), latest=Max("versions__valid_from"))
        .order_by("code")
    )
    return render(request, "web/config/tariffs.html", {"tariffs": rows})


@requires("tariffs.view")
def tariff(request: HttpRequest, tariff_id: int) -> HttpResponse:
    obj = get_scoped(_tariffs(request.user), request.user, pk=tariff_id)
    versions = list(
        obj.versions.annotate(component_count=Count("components")).order_by(
            "valid_from"
        )
    )
    used = used_version_ids(obj, versions)
    for v in versions:
        v.used = v.pk in used  # type: ignore[attr-defined]
    return render(
        request,
        "web/config/tariff.html",
        {"tariff": obj, "versions": versions},
    )


@requires("tariffs.edit")
def tariff_edit(request: HttpRequest, tariff_id: int | None = None) -> HttpResponse:
    org = organisation_of(request.user)
    obj = (
        get_scoped(_tariffs(request.user), request.user, pk=tariff_id)
        if tariff_id
        else Tariff(organisation=org)
    )
    form = TariffForm(request.POST or None, instance=obj, organisation=org)

    def save() -> None:
        save_model(
            form.instance,
            TARIFF_FIELDS,
            action="tariff",
            user=request.user,
            branch=user_branch(request),
        )

    response = edit_page(
        request,
        form,
        save,
        title=_("Tariff %(code)s") % {"code": obj.code} if obj.pk else _("New tariff"),
        back="web:config_tariffs",
        done="web:config_tariffs",
        extra={"delete_url": "web:config_tariff_delete", "obj": obj},
    )
    if response.status_code == 302 and form.instance.pk:
        return redirect("web:config_tariff", tariff_id=form.instance.pk)
    return response


@requires("tariffs.edit")
@require_POST
def tariff_delete(request: HttpRequest, tariff_id: int) -> HttpResponse:
    obj = get_scoped(_tariffs(request.user), request.user, pk=tariff_id)
    return delete_page(
        request,
        obj,
        TARIFF_FIELDS,
        action="tariff",
        branch=user_branch(request),
        back="web:config_tariffs",
        done="web:config_tariffs",
    )


# Versions ---------------------------------------------------------------------------


@requires("tariffs.edit")
def version_new(request: HttpRequest, tariff_id: int) -> HttpResponse:
    obj = get_scoped(_tariffs(request.user), request.user, pk=tariff_id)
    org = organisation_of(request.user)
    version = TariffVersion(tariff=obj, currency=org.currency)
    latest = obj.versions.order_by("-valid_from").first()
    initial = {}
    if latest is not None:
        initial = {name: getattr(latest, name) for name in VERSION_FIELDS}
        initial["valid_from"] = None
    form = VersionForm(
        request.POST or None,
        instance=version,
        organisation=org,
        tariff=obj,
        not_before=last_invoiced_day(obj),
        initial=initial,
    )

    def save() -> None:
        with transaction.atomic():
            add_version(
                form.instance,
                form.cleaned_data.get("copy_from"),
                user=request.user,
                branch=user_branch(request),
            )

    response = edit_page(
        request,
        form,
        save,
        title=_("New version of %(code)s") % {"code": obj.code},
        back="web:config_tariffs",
        done="web:config_tariffs",
    )
    if response.status_code == 302:
        return redirect("web:config_version", version_id=form.instance.pk)
    return response


@requires("tariffs.view")
def version(request: HttpRequest, version_id: int) -> HttpResponse:
    obj = _version(request.user, version_id)
    siblings = obj.tariff.versions.order_by("valid_from")
    read_only = obj.pk in used_version_ids(obj.tariff, list(siblings))
    components = list(obj.components.order_by("position"))
    for c in components:
        c.summary = params_summary(c.params)  # type: ignore[attr-defined]
    tables = list(obj.lookup_tables.order_by("name"))
    for t in tables:
        t.shown = t.rows[:TABLE_ROWS_SHOWN]  # type: ignore[attr-defined]
    return render(
        request,
        "web/config/version.html",
        {
            "version": obj,
            "components": components,
            "tables": tables,
            "read_only": read_only,
            "editable": not read_only and can(request.user, "tariffs.edit"),
            "rows_addable": read_only and can(request.user, "tariffs.edit"),
            "kinds": ComponentKind.choices,
        },
    )


@requires("tariffs.edit")
def version_edit(request: HttpRequest, version_id: int) -> HttpResponse:
    obj = _version(request.user, version_id)
    org = organisation_of(request.user)
    later = obj.tariff.versions.filter(valid_from__gt=obj.valid_from).exists()
    form = VersionForm(
        request.POST or None,
        instance=obj,
        organisation=org,
        tariff=obj.tariff,
        # A version before the last one keeps its neighbours' order.
        not_before=None if later else last_invoiced_day(obj.tariff),
    )

    def save() -> None:
        save_version(form.instance, user=request.user, branch=user_branch(request))

    return edit_page(
        request,
        form,
        save,
        title=_("Version %(code)s from %(day)s")
        % {"code": obj.tariff.code, "day": short_date(obj.valid_from)},
        back="web:config_tariffs",
        done="web:config_tariffs",
        extra={"delete_url": "web:config_version_delete", "obj": obj},
    )


@requires("tariffs.edit")
@require_POST
def version_delete(request: HttpRequest, version_id: int) -> HttpResponse:
    obj = _version(request.user, version_id)
    try:
        delete_version(obj, user=request.user, branch=user_branch(request))
    except ConfigRefused as exc:
        messages.error(request, str(exc))
        return redirect("web:config_version", version_id=obj.pk)
    messages.success(request, _("Deleted."))
    return redirect("web:config_tariff", tariff_id=obj.tariff_id)


def params_summary(params: dict[str, Any]) -> list[tuple[str, str]]:
    """A component's params in one short line each (the URDB rate by its name)."""
    out = []
    for key, value in sorted((params or {}).items()):
        if key == "descriptions":
            continue
        if key == "urdb" and isinstance(value, dict):
            value = value.get("name") or value.get("label") or "URDB"
        elif key == "blocks" and isinstance(value, list):
            value = " | ".join(
                f"≤{limit} @ {price}" if limit is not None else f"@ {price}"
                for limit, price in value
            )
        elif isinstance(value, list):
            value = " ".join(str(v) for v in value)
        out.append((key, str(value)))
    return out


# Components -------------------------------------------------------------------------


def _component_page(
    request: HttpRequest, version: TariffVersion, kind: str, component: Any
) -> HttpResponse:
    form = ComponentForm(
        request.POST or None, kind=kind, version=version, component=component
    )

    def save() -> None:
        save_component(
            version,
            component,
            form.apply,
            user=request.user,
            branch=user_branch(request),
        )

    return _version_part_page(
        request,
        form,
        save,
        version,
        title=_("%(kind)s · version %(code)s from %(day)s")
        % {
            "kind": ComponentKind(kind).label,
            "code": version.tariff.code,
            "day": short_date(version.valid_from),
        },
        extra={"delete_url": "web:config_component_delete", "obj": component},
    )


def _version_part_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], None],
    version: TariffVersion,
    *,
    title: str,
    extra: dict[str, Any],
) -> HttpResponse:
    """The edit page of a part of a version (a component, a lookup table): once
    saved, back to the version's page, where the part is seen among the others."""
    response = edit_page(
        request,
        form,
        save,
        title=title,
        back="web:config_tariffs",
        done="web:config_tariffs",
        extra={"version": version, **extra},
    )
    if response.status_code == 302:
        return redirect("web:config_version", version_id=version.pk)
    return response


@requires("tariffs.edit")
def component_new(request: HttpRequest, version_id: int) -> HttpResponse:
    version_obj = _version(request.user, version_id)
    kind = request.GET.get("kind", "")
    if kind not in KIND_FIELDS:
        raise Http404
    return _component_page(request, version_obj, kind, None)


@requires("tariffs.edit")
def component_edit(request: HttpRequest, component_id: int) -> HttpResponse:
    component = get_scoped(
        TariffComponent.objects.select_related("version__tariff__utility"),
        request.user,
        pk=component_id,
    )
    return _component_page(request, component.version, component.kind, component)


@requires("tariffs.edit")
@require_POST
def component_delete(request: HttpRequest, component_id: int) -> HttpResponse:
    component = get_scoped(
        TariffComponent.objects.select_related("version"),
        request.user,
        pk=component_id,
    )
    version_obj = component.version
    try:
        delete_component(component, user=request.user, branch=user_branch(request))
    except ConfigRefused as exc:
        messages.error(request, str(exc))
    return redirect("web:config_version", version_id=version_obj.pk)


@requires("tariffs.edit")
@require_POST
def component_move(
    request: HttpRequest, component_id: int, direction: str
) -> HttpResponse:
    if direction not in ("up", "down"):
        raise Http404
    component = get_scoped(
        TariffComponent.objects.select_related("version"),
        request.user,
        pk=component_id,
    )
    try:
        move_component(component, -1 if direction == "up" else 1, user=request.user)
    except ConfigRefused as exc:
        messages.error(request, str(exc))
    return redirect("web:config_version", version_id=component.version_id)


# Lookup tables ----------------------------------------------------------------------


def _table_page(
    request: HttpRequest, version: TariffVersion, table: LookupTable | None
) -> HttpResponse:
    form = LookupTableForm(request.POST or None, version=version, table=table)
    used = version_invoices(version).exists()

    def save() -> None:
        save_lookup_table(
            version,
            table,
            form.cleaned_data["name"],
            form.cleaned_data["rows"],
            user=request.user,
            branch=user_branch(request),
        )

    return _version_part_page(
        request,
        form,
        save,
        version,
        title=_("Lookup table · version %(code)s from %(day)s")
        % {"code": version.tariff.code, "day": short_date(version.valid_from)},
        extra={
            "delete_url": None if used else "web:config_table_delete",
            "obj": table,
            "note": ADD_ROWS_NOTE if used else "",
        },
    )


ADD_ROWS_NOTE = gettext_lazy(
    "An issued invoice used this version, and may have read any row of this table: "
    "those rows stay as they are, and the table keeps its name. You can add rows "
    "for keys the table lacks (a contract held because its key was missing is "
    "billed when the period is run again): no issued invoice read a key that was "
    "not there, so adding one changes no issued amount."
)


def _table(user: Any, table_id: int) -> LookupTable:
    return get_scoped(
        LookupTable.objects.select_related("version__tariff__utility"),
        user,
        pk=table_id,
    )


@requires("tariffs.edit")
def table_new(request: HttpRequest, version_id: int) -> HttpResponse:
    return _table_page(request, _version(request.user, version_id), None)


@requires("tariffs.edit")
def table_edit(request: HttpRequest, table_id: int) -> HttpResponse:
    table = _table(request.user, table_id)
    return _table_page(request, table.version, table)


@requires("tariffs.edit")
@require_POST
def table_delete(request: HttpRequest, table_id: int) -> HttpResponse:
    table = _table(request.user, table_id)
    try:
        delete_lookup_table(table, user=request.user, branch=user_branch(request))
    except ConfigRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Deleted."))
    return redirect("web:config_version", version_id=table.version_id)


# Preview ----------------------------------------------------------------------------


@requires("tariffs.preview")
def preview_page(request: HttpRequest) -> HttpResponse:
    """GET only: the form, and with its values the version's lines and trace."""
    versions = scope(
        TariffVersion.objects.select_related("tariff__utility"), request.user
    ).order_by("tariff__code", "valid_from")
    apartments = scope(
        Apartment.objects.select_related("residence"), request.user
    ).order_by(*APARTMENT_ORDER)
    submitted = "version" in request.GET
    version_id = request.GET.get("version_id", "")
    form = PreviewForm(
        request.GET if submitted else None,
        versions=versions,
        apartments=apartments,
        initial={"version": int(version_id)} if version_id.isdigit() else {},
    )
    result = None
    if submitted and form.is_valid():
        data = form.cleaned_data
        starts_on, ends_on = data["starts_on"], data["ends_on"]
        if starts_on is None:
            period = last_period(data["apartment"], timezone.localdate())
            if period is None:
                form.add_error(
                    "starts_on", _("The apartment has no period: give dates.")
                )
            else:
                starts_on, ends_on = period.starts_on, period.ends_on
        if starts_on is not None:
            result = preview(
                data["version"],
                data["apartment"],
                starts_on,
                ends_on,
                data["consumption"],
                data["previous_balance"] or Decimal(0),
            )
    lines = []
    if result is not None and result.rating is not None:
        lines = [(line, trace_rows(line.trace)) for line in result.rating.lines]
    return render(
        request,
        "web/config/preview.html",
        {"form": form, "result": result, "lines": lines},
        status=422 if form.errors else 200,
    )
