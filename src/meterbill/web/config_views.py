"""Configuration screens: utilities, providers, invoice series, validation
severities and the VAT schedule. Tariffs are in ``tariff_views``.

Organisation-wide objects (utilities, providers, VAT rates) are scoped to the
organisation of the user's branch, branch objects (series, severities) to the user's
subtree, both through ``access.scope``. Changes go through ``config_services``, which
records each one in the audit trail.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from meterbill.billing.models import RuleSetting
from meterbill.engine.validation import RULES, SOURCES
from meterbill.invoicing.models import InvoiceSeries
from meterbill.orgs.models import Branch, Organisation
from meterbill.premises.models import Provider, Utility
from meterbill.tariffs.models import VatRate

from .access import can, get_scoped, requires, scope, visible_branches
from .config_forms import (
    ProviderForm,
    RuleSeverityForm,
    SeriesForm,
    UtilityForm,
    VatRateForm,
    severity_field_name,
)
from .config_services import (
    ConfigRefused,
    check_vat_rate_editable,
    delete_model,
    save_model,
    save_series,
    series_is_issued,
    set_rule_overrides,
    utility_in_use,
)

UTILITY_FIELDS = ("code", "name", "kind", "unit", "unit_code", "quantity_decimals")
PROVIDER_FIELDS = ("name", "vat_id")
SERIES_FIELDS = ("branch", "prefix", "year", "next_number")
VAT_FIELDS = (
    "category",
    "rate_percent",
    "valid_from",
    "exemption_reason",
    "exemption_code",
)

# The sections of the configuration index: (action needed, url name, label).
SECTIONS = [
    ("config.view", "web:config_utilities", gettext_lazy("Utilities")),
    ("config.view", "web:config_providers", gettext_lazy("Providers")),
    ("config.view", "web:config_series", gettext_lazy("Invoice series")),
    ("config.view", "web:config_severities", gettext_lazy("Validation severities")),
    ("tariffs.view", "web:config_tariffs", gettext_lazy("Tariffs")),
    ("tariffs.preview", "web:config_preview", gettext_lazy("Formula preview")),
    ("vat.view", "web:config_vat", gettext_lazy("VAT schedule")),
]


def organisation_of(user: Any) -> Organisation:
    """The organisation whose dictionaries the user sees (its branch's)."""
    if getattr(user, "branch", None) is None:
        raise Http404
    return user.branch.organisation


def user_branch(request: HttpRequest) -> Branch | None:
    """The branch of the acting user: organisation-wide changes are recorded under
    it, so its auditors see them."""
    return getattr(request.user, "branch", None)


def edit_page(
    request: HttpRequest,
    form: forms.BaseForm,
    save: Callable[[], Any],
    *,
    title: str,
    back: str,
    done: str,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """GET: the form; POST: ``save()`` when the form is valid, then ``done``. A
    ConfigRefused becomes a message above the form; field errors stay on their
    fields (status 422 so HTMX and tests see the refusal)."""
    if request.method == "POST" and form.is_valid():
        try:
            save()
        except ConfigRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Saved."))
            return redirect(done)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "title": title, "back": back, **(extra or {})}
    return render(request, "web/config/form.html", context, status=status)


def delete_page(
    request: HttpRequest,
    obj: Model,
    fields: Iterable[str],
    *,
    action: str,
    branch: Any,
    back: str,
    done: str,
) -> HttpResponse:
    try:
        delete_model(obj, fields, action=action, user=request.user, branch=branch)
    except ConfigRefused as exc:
        messages.error(request, str(exc))
        return redirect(back)
    messages.success(request, _("Deleted."))
    return redirect(done)


@requires("config")
def home(request: HttpRequest) -> HttpResponse:
    sections = [
        (url, label) for action, url, label in SECTIONS if can(request.user, action)
    ]
    return render(request, "web/config/home.html", {"sections": sections})


# Utilities --------------------------------------------------------------------------


@requires("config.view")
def utilities(request: HttpRequest) -> HttpResponse:
    rows = scope(Utility.objects.all(), request.user).order_by("code")
    return render(request, "web/config/utilities.html", {"utilities": rows})


@requires("config.edit")
def utility_edit(request: HttpRequest, utility_id: int | None = None) -> HttpResponse:
    org = organisation_of(request.user)
    utility = (
        get_scoped(Utility.objects.all(), request.user, pk=utility_id)
        if utility_id
        else Utility(organisation=org)
    )
    form = UtilityForm(
        request.POST or None,
        instance=utility,
        organisation=org,
        in_use=utility_in_use(utility),
    )
    return edit_page(
        request,
        form,
        lambda: save_model(
            form.instance,
            UTILITY_FIELDS,
            action="utility",
            user=request.user,
            branch=user_branch(request),
        ),
        title=_("Utility %(code)s") % {"code": utility.code}
        if utility.pk
        else _("New utility"),
        back="web:config_utilities",
        done="web:config_utilities",
        extra={"delete_url": "web:config_utility_delete", "obj": utility},
    )


@requires("config.edit")
@require_POST
def utility_delete(request: HttpRequest, utility_id: int) -> HttpResponse:
    utility = get_scoped(Utility.objects.all(), request.user, pk=utility_id)
    return delete_page(
        request,
        utility,
        UTILITY_FIELDS,
        action="utility",
        branch=user_branch(request),
        back="web:config_utilities",
        done="web:config_utilities",
    )


# Providers --------------------------------------------------------------------------


@requires("config.view")
def providers(request: HttpRequest) -> HttpResponse:
    rows = scope(Provider.objects.all(), request.user).order_by("name")
    return render(request, "web/config/providers.html", {"providers": rows})


@requires("config.edit")
def provider_edit(request: HttpRequest, provider_id: int | None = None) -> HttpResponse:
    org = organisation_of(request.user)
    provider = (
        get_scoped(Provider.objects.all(), request.user, pk=provider_id)
        if provider_id
        else Provider(organisation=org)
    )
    form = ProviderForm(request.POST or None, instance=provider, organisation=org)
    return edit_page(
        request,
        form,
        lambda: save_model(
            form.instance,
            PROVIDER_FIELDS,
            action="provider",
            user=request.user,
            branch=user_branch(request),
        ),
        title=str(provider) if provider.pk else _("New provider"),
        back="web:config_providers",
        done="web:config_providers",
        extra={"delete_url": "web:config_provider_delete", "obj": provider},
    )


@requires("config.edit")
@require_POST
def provider_delete(request: HttpRequest, provider_id: int) -> HttpResponse:
    provider = get_scoped(Provider.objects.all(), request.user, pk=provider_id)
    return delete_page(
        request,
        provider,
        PROVIDER_FIELDS,
        action="provider",
        branch=user_branch(request),
        back="web:config_providers",
        done="web:config_providers",
    )


# Invoice series ---------------------------------------------------------------------


@requires("config.view")
def series_list(request: HttpRequest) -> HttpResponse:
    rows = (
        scope(InvoiceSeries.objects.select_related("branch"), request.user)
        .annotate(invoice_count=Count("invoice"))
        .order_by("branch__path", "-year", "prefix")
    )
    return render(request, "web/config/series.html", {"series": rows})


@requires("config.branch_edit")
def series_edit(request: HttpRequest, series_id: int | None = None) -> HttpResponse:
    series = (
        get_scoped(
            InvoiceSeries.objects.select_related("branch"), request.user, pk=series_id
        )
        if series_id
        else InvoiceSeries()
    )
    issued = bool(series.pk) and series_is_issued(series)
    form = SeriesForm(
        request.POST or None,
        instance=series,
        branches=visible_branches(request.user),
        issued=issued,
    )
    return edit_page(
        request,
        form,
        lambda: save_series(form.instance, user=request.user),
        title=str(series.format(series.next_number))
        if series.pk
        else _("New invoice series"),
        back="web:config_series",
        done="web:config_series",
        extra={
            "delete_url": "web:config_series_delete",
            "obj": series,
            "readonly": [(_("Next number"), series.next_number)] if series.pk else [],
            "note": _("Numbers are issued from this series: prefix and year are fixed.")
            if issued
            else "",
        },
    )


@requires("config.branch_edit")
@require_POST
def series_delete(request: HttpRequest, series_id: int) -> HttpResponse:
    series = get_scoped(InvoiceSeries.objects.all(), request.user, pk=series_id)
    if series_is_issued(series):
        messages.error(
            request, _("Numbers are issued from this series: it cannot be deleted.")
        )
        return redirect("web:config_series")
    return delete_page(
        request,
        series,
        SERIES_FIELDS,
        action="invoice_series",
        branch=series.branch,
        back="web:config_series",
        done="web:config_series",
    )


# Validation severities ---------------------------------------------------------------


@requires("config.view")
def severities(request: HttpRequest) -> HttpResponse:
    branches = (
        scope(Branch.objects.all(), request.user)
        .annotate(overrides=Count("rulesetting"))
        .order_by("path")
    )
    return render(request, "web/config/severities.html", {"branches": branches})


@requires("config.view")
def severities_of(request: HttpRequest, branch_id: int) -> HttpResponse:
    """The rules with their defaults and the branch's overrides, per reading source
    too; POST (branch managers, administrators) replaces the branch's overrides."""
    branch = get_scoped(Branch.objects.all(), request.user, pk=branch_id)
    editable = can(request.user, "config.branch_edit")
    current = dict(
        RuleSetting.objects.filter(branch=branch).values_list("rule", "severity")
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("config.branch_edit")
        form = RuleSeverityForm(request.POST)
        if form.is_valid():
            set_rule_overrides(branch, form.overrides(), user=request.user)
            messages.success(request, _("Saved."))
            return redirect("web:config_severities_of", branch_id=branch.pk)
    else:
        form = RuleSeverityForm(initial=current)
    rows = [
        {
            "rule": rule,
            "field": form[rule.code],
            "sources": [
                form[severity_field_name(rule.code, source)] for source in SOURCES
            ],
            "source_overrides": sum(
                1 for s in SOURCES if severity_field_name(rule.code, s) in current
            ),
        }
        for rule in RULES.values()
    ]
    return render(
        request,
        "web/config/severities_of.html",
        {"branch": branch, "form": form, "rows": rows, "editable": editable},
        status=422 if request.method == "POST" else 200,
    )


# VAT schedule ---------------------------------------------------------------------


@requires("vat.view")
def vat_rates(request: HttpRequest) -> HttpResponse:
    rows = scope(VatRate.objects.all(), request.user).order_by("category", "valid_from")
    return render(request, "web/config/vat.html", {"rates": rows})


@requires("vat.edit")
def vat_rate_edit(request: HttpRequest, vat_rate_id: int | None = None) -> HttpResponse:
    org = organisation_of(request.user)
    rate = (
        get_scoped(VatRate.objects.all(), request.user, pk=vat_rate_id)
        if vat_rate_id
        else VatRate(organisation=org)
    )
    form = VatRateForm(request.POST or None, instance=rate, organisation=org)

    def save() -> None:
        check_vat_rate_editable(form.instance, form.cleaned_data["valid_from"])
        save_model(
            form.instance,
            VAT_FIELDS,
            action="vat_rate",
            user=request.user,
            branch=user_branch(request),
        )

    return edit_page(
        request,
        form,
        save,
        title=str(rate) if rate.pk else _("New VAT rate"),
        back="web:config_vat",
        done="web:config_vat",
        extra={"delete_url": "web:config_vat_delete", "obj": rate},
    )


@requires("vat.edit")
@require_POST
def vat_rate_delete(request: HttpRequest, vat_rate_id: int) -> HttpResponse:
    rate = get_scoped(VatRate.objects.all(), request.user, pk=vat_rate_id)
    try:
        check_vat_rate_editable(rate)
    except ConfigRefused as exc:
        messages.error(request, str(exc))
        return redirect("web:config_vat")
    return delete_page(
        request,
        rate,
        VAT_FIELDS,
        action="vat_rate",
        branch=user_branch(request),
        back="web:config_vat",
        done="web:config_vat",
    )
