"""Branch isolation and role permissions: the one place where both are decided.

A user sees its own branch's subtree and nothing else: every query of a screen, a
download or an API call goes through :func:`scope`, which filters by the materialised
path of the branch each model belongs to (``Branch.path``). An object outside the
subtree is a 404, never a 403, so a URL does not even confirm that it exists.

What a user may do is given by its roles through :data:`ROLE_PERMISSIONS`; views
declare the action they need with :func:`requires`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from meterbill.audit.models import AuditEvent
from meterbill.billing.models import (
    BillRun,
    DistributionRule,
    Finding,
    Period,
    ProviderBill,
    RuleSetting,
)
from meterbill.invoicing.models import Invoice, InvoiceLine, InvoiceSeries
from meterbill.jobs.models import Job
from meterbill.metering.models import (
    ColumnMap,
    ImportBatch,
    Meter,
    Reading,
    Register,
)
from meterbill.orgs.models import Branch, Role, User
from meterbill.premises.models import (
    Apartment,
    ApartmentUtility,
    Contract,
    ContractCharge,
    ContractService,
    Customer,
    Provider,
    Residence,
    ServicePoint,
    Utility,
)
from meterbill.tariffs.models import (
    LookupTable,
    Tariff,
    TariffComponent,
    TariffVersion,
    VatRate,
)

M = TypeVar("M", bound=Model)

# Model → the lookup from that model to its Branch ("" for Branch itself).
BRANCH_LOOKUPS: dict[type[Model], str] = {
    Branch: "",
    User: "branch",
    Residence: "branch",
    Apartment: "residence__branch",
    Customer: "branch",
    Contract: "branch",
    ServicePoint: "branch",
    Meter: "branch",
    Register: "meter__branch",
    Reading: "register__meter__branch",
    ImportBatch: "branch",
    Period: "branch",
    ProviderBill: "residence__branch",
    DistributionRule: "branch",
    Finding: "period__branch",
    BillRun: "period__branch",
    Invoice: "branch",
    InvoiceLine: "invoice__branch",
    AuditEvent: "branch",
    InvoiceSeries: "branch",
    RuleSetting: "branch",
    ApartmentUtility: "apartment__residence__branch",
    ContractService: "contract__branch",
    ContractCharge: "contract__branch",
    Job: "branch",
    ColumnMap: "branch",
}

# Organisation-wide models (dictionaries, tariffs, VAT) → the lookup to their
# Organisation: every branch of the organisation sees them, no other organisation.
ORGANISATION_LOOKUPS: dict[type[Model], str] = {
    Utility: "organisation",
    Provider: "organisation",
    Tariff: "organisation",
    TariffVersion: "tariff__organisation",
    TariffComponent: "version__tariff__organisation",
    LookupTable: "version__tariff__organisation",
    VatRate: "organisation",
}

# The configuration screens (web/config_views.py): who reads and who edits.
CONFIG_READ = frozenset({"config", "config.view", "tariffs.view", "tariffs.preview"})
CONFIG_EDIT = frozenset({"config.branch_edit", "tariffs.edit"})

# The premises screens (web/premises_views.py): editing residences, apartments and
# meters, and reading and editing customers and contracts.
PREMISES_EDIT = frozenset({"premises.edit", "customers.view", "customers.edit"})

# Background jobs (web/job_views.py): following them, and uploading reading files.
JOBS = frozenset({"jobs.view"})
IMPORTS = frozenset({"jobs.view", "imports.launch"})

# Invoice actions (web/invoice_actions.py): send, pay, credit, cancel and rebill,
# correct, advances and settlements.
INVOICE_ACTIONS = frozenset({"invoices.act"})

# The allocation screens (web/allocation_views.py): distribution rules and provider
# bills.
ALLOCATION_READ = frozenset({"allocation.view"})
ALLOCATION_EDIT = frozenset({"allocation.view", "allocation.edit"})

# Actions a role grants. Modules (navigation entries) are actions too.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(
        {
            "dashboard",
            "premises.view",
            "readings.view",
            "readings.enter",
            "findings.view",
            "findings.resolve",
            "invoices.view",
            "audit.view",
        }
    )
    | CONFIG_READ
    | CONFIG_EDIT
    | PREMISES_EDIT
    | {"config.edit", "vat.view", "vat.edit"}
    | JOBS,
    Role.BRANCH_MANAGER: frozenset(
        {
            "dashboard",
            "premises.view",
            "readings.view",
            "readings.enter",
            "findings.view",
            "findings.resolve",
            "billrun.launch",
            "invoices.view",
        }
    )
    | CONFIG_READ
    | CONFIG_EDIT
    | PREMISES_EDIT
    | IMPORTS
    | INVOICE_ACTIONS
    | ALLOCATION_EDIT,
    Role.BILLING_OPERATOR: frozenset(
        {
            "dashboard",
            "premises.view",
            "readings.view",
            "readings.enter",
            "findings.view",
            "findings.resolve",
            "billrun.launch",
            "invoices.view",
        }
    )
    | PREMISES_EDIT
    | {"config", "tariffs.view", "tariffs.preview"}
    | IMPORTS
    | INVOICE_ACTIONS
    | ALLOCATION_EDIT,
    Role.METER_READER: frozenset(
        {"dashboard", "premises.view", "readings.view", "readings.enter"}
    )
    | IMPORTS,
    Role.AUDITOR: frozenset(
        {
            "dashboard",
            "premises.view",
            "readings.view",
            "findings.view",
            "invoices.view",
            "audit.view",
        }
    )
    | CONFIG_READ
    | {"vat.view", "customers.view"}
    | JOBS
    | ALLOCATION_READ,
    Role.CUSTOMER: frozenset({"portal"}),
}

# The navigation: (action needed, url name, label), in display order.
MODULES = [
    ("dashboard", "web:dashboard", _("Dashboard")),
    ("premises.view", "web:residences", _("Residences")),
    ("premises.view", "web:meters", _("Meters")),
    ("customers.view", "web:customers", _("Customers")),
    ("customers.view", "web:contracts", _("Contracts")),
    ("readings.enter", "web:readings", _("Readings")),
    ("findings.view", "web:review", _("Review")),
    ("invoices.view", "web:invoices", _("Invoices")),
    ("invoices.view", "web:penalties", _("Penalties")),
    ("allocation.view", "web:allocation_rules", _("Allocation")),
    ("imports.launch", "web:import_file", _("Imports")),
    ("jobs.view", "web:jobs", _("Jobs")),
    ("audit.view", "web:audit", _("Audit trail")),
    ("config", "web:config", _("Configuration")),
    ("portal", "portal:home", _("My account")),
]


def allowed_actions(user: Any) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    actions: set[str] = set()
    for role in user.role_set():
        actions |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(actions)


def can(user: Any, action: str) -> bool:
    return action in allowed_actions(user)


def visible_branches(user: Any) -> QuerySet[Branch]:
    """The user's branch and every branch below it; nothing without a branch."""
    if not getattr(user, "is_authenticated", False) or user.branch_id is None:
        return Branch.objects.none()
    return Branch.objects.filter(path__startswith=user.branch.path)


def scope(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    """``queryset`` narrowed to the rows in the user's branch subtree.

    Raises ``KeyError`` for a model without a registered branch lookup, so a new model
    cannot be shown unscoped by accident.
    """
    if queryset.model in ORGANISATION_LOOKUPS:
        return scope_organisation(queryset, user)
    lookup = BRANCH_LOOKUPS[queryset.model]
    if not getattr(user, "is_authenticated", False) or user.branch_id is None:
        return queryset.none()
    field = f"{lookup}__path__startswith" if lookup else "path__startswith"
    return queryset.filter(**{field: user.branch.path})


def scope_organisation(queryset: QuerySet[M], user: Any) -> QuerySet[M]:
    """``queryset`` of an organisation-wide model narrowed to the organisation of
    the user's branch (``ORGANISATION_LOOKUPS``)."""
    lookup = ORGANISATION_LOOKUPS[queryset.model]
    if not getattr(user, "is_authenticated", False) or user.branch_id is None:
        return queryset.none()
    return queryset.filter(**{lookup: user.branch.organisation_id})


def get_scoped(queryset: QuerySet[M], user: Any, **lookup: Any) -> M:
    """One object of the user's subtree, or 404."""
    return get_object_or_404(scope(queryset, user), **lookup)


View = Callable[..., Any]


def requires(action: str) -> Callable[[View], View]:
    """Decorate a view: anonymous users go to the login page, users whose roles do
    not grant ``action`` get 403."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, action):
                raise PermissionDenied(action)
            return view(request, *args, **kwargs)

        wrapper.required_action = action  # type: ignore[attr-defined]
        return wrapper

    return decorate


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Template context: the modules the user's roles allow."""
    actions = allowed_actions(getattr(request, "user", None))
    return {
        "nav_modules": [
            (url_name, label)
            for action, url_name, label in MODULES
            if action in actions
        ],
        "user_actions": actions,
    }
