"""Late-payment penalty screens: the rules, the assessments, and the button that
assesses a branch (``invoicing.penalties.assess_penalties``, as the CLI does).

A user sees the organisation's rules, those of its branch subtree and, read-only,
those of its branch's ancestors (one of which may be the rule in force for it),
and the assessments of its subtree's invoices; anything else is a 404. Branch
managers and administrators edit the rules of their subtree, administrators the
organisation's; billing
operators and branch managers assess. The assessment is a few set-based queries
and runs within the request; the penalty invoices' documents are written when
first opened (``views.document_response``), not in the request.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from meterbill.invoicing.models import PenaltyAssessment, PenaltyRule
from meterbill.invoicing.penalties import (
    PenaltyError,
    PenaltyRuleError,
    PenaltyRun,
    assess_penalties,
    delete_penalty_rule,
    rule_in_force,
    save_penalty_rule,
)

from .access import can, requires, visible_branches
from .config_services import ConfigRefused
from .config_views import edit_page, organisation_of, user_branch
from .penalty_forms import AssessForm, PenaltyRuleForm

# Assessments shown on the page, the latest first.
SHOWN = 50


def editable_rules(user: Any) -> QuerySet[PenaltyRule]:
    """The organisation's rules and the rules of the user's branch subtree."""
    if getattr(user, "branch", None) is None:
        return PenaltyRule.objects.none()
    return PenaltyRule.objects.filter(
        Q(branch__isnull=True) | Q(branch__path__startswith=user.branch.path),
        organisation_id=user.branch.organisation_id,
    )


def visible_rules(user: Any) -> QuerySet[PenaltyRule]:
    """``editable_rules`` and the rules of the user's branch's ancestors: the
    rule in force for the branch may be one of theirs (shown, never editable)."""
    if getattr(user, "branch", None) is None:
        return PenaltyRule.objects.none()
    return PenaltyRule.objects.filter(
        Q(branch__isnull=True)
        | Q(branch__path__startswith=user.branch.path)
        | Q(branch_id__in=user.branch.lineage()),
        organisation_id=user.branch.organisation_id,
    )


def visible_assessments(user: Any) -> QuerySet[PenaltyAssessment]:
    if getattr(user, "branch", None) is None:
        return PenaltyAssessment.objects.none()
    return PenaltyAssessment.objects.filter(
        invoice__branch__path__startswith=user.branch.path
    )


def _editable(user: Any, rule: PenaltyRule) -> bool:
    action = "config.branch_edit" if rule.branch_id else "config.edit"
    return can(user, action)


def _editable_here(user: Any, rule: PenaltyRule) -> bool:
    """An ancestor's rule is shown read-only; the others by the user's role."""
    in_subtree = rule.branch is None or rule.branch.path.startswith(user.branch.path)
    return in_subtree and _editable(user, rule)


@requires("invoices.view")
def penalties(request: HttpRequest) -> HttpResponse:
    rules = list(
        visible_rules(request.user)
        .select_related("branch")
        .order_by("branch__path", "valid_from")
    )
    for rule in rules:
        rule.editable = _editable_here(request.user, rule)  # type: ignore[attr-defined]
    branch = getattr(request.user, "branch", None)
    assessments = (
        visible_assessments(request.user)
        .select_related("invoice", "penalty_invoice", "credited_by")
        .order_by("-pk")[:SHOWN]
    )
    context = {
        "rules": rules,
        "user_branch": branch,
        "in_force": rule_in_force(branch, timezone.localdate()) if branch else None,
        "assessments": assessments,
        "assess_form": AssessForm(branches=visible_branches(request.user)),
        "can_edit": can(request.user, "config.branch_edit"),
        "can_edit_organisation": can(request.user, "config.edit"),
        "can_assess": can(request.user, "invoices.act"),
    }
    return render(request, "web/penalties/list.html", context)


@requires("config.branch_edit")
def rule_edit(request: HttpRequest, penalty_rule_id: int | None = None) -> HttpResponse:
    org = organisation_of(request.user)
    if penalty_rule_id:
        rule = get_object_or_404(editable_rules(request.user), pk=penalty_rule_id)
        if not _editable(request.user, rule):
            raise PermissionDenied("config.edit")
    else:
        rule = PenaltyRule(organisation=org)
    form = PenaltyRuleForm(
        request.POST or None,
        instance=rule,
        organisation=org,
        branches=visible_branches(request.user),
        organisation_wide=can(request.user, "config.edit"),
    )

    def save() -> None:
        try:
            save_penalty_rule(form.instance, request.user, user_branch(request))
        except PenaltyRuleError as exc:
            # A clash found under the lock (a rule of the same level and day).
            raise ConfigRefused(str(exc)) from exc

    return edit_page(
        request,
        form,
        save,
        title=_("Penalty rule %(rule)s") % {"rule": rule}
        if rule.pk
        else _("New penalty rule"),
        back="web:penalties",
        done="web:penalties",
        extra={"delete_url": "web:penalty_rule_delete", "obj": rule},
    )


@requires("config.branch_edit")
@require_POST
def rule_delete(request: HttpRequest, penalty_rule_id: int) -> HttpResponse:
    rule = get_object_or_404(editable_rules(request.user), pk=penalty_rule_id)
    if not _editable(request.user, rule):
        raise PermissionDenied("config.edit")
    try:
        delete_penalty_rule(rule, request.user, user_branch(request))
    except PenaltyRuleError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Deleted."))
    return redirect("web:penalties")


@requires("invoices.act")
@require_POST
def assess(request: HttpRequest) -> HttpResponse:
    """Assess a branch of the user's subtree through a day; a branch elsewhere is
    not a choice of the form."""
    form = AssessForm(request.POST, branches=visible_branches(request.user))
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = f"{form.fields[name].label}: " if name in form.fields else ""
            messages.error(request, label + " ".join(str(e) for e in errors))
        return redirect("web:penalties")
    branch, on = form.cleaned_data["branch"], form.cleaned_data["on"]
    try:
        run = assess_penalties(branch, on, request.user)
    except PenaltyError as exc:
        messages.error(request, str(exc))
        return redirect("web:penalties")
    _report(request, run)
    return redirect("web:penalties")


def _report(request: HttpRequest, run: PenaltyRun) -> None:
    for skipped in run.skipped:
        messages.error(
            request,
            _("Skipped invoice %(number)s, the rule's formula failed: %(error)s")
            % {"number": skipped.invoice.full_number, "error": skipped.error},
        )
    if run.documents:
        messages.success(
            request,
            _("Issued: %(numbers)s. Their PDF and XML are written when first opened.")
            % {"numbers": ", ".join(i.full_number for i in run.documents)},
        )
    elif not run.skipped:
        messages.info(request, _("No penalty to charge."))
