"""Distribution rules of residences: checking, saving and finding the one in force.

A stored rule is the scenario file's rule JSON (``docs/allocation.md``), read by
``engine.scenario.parse_rule``, so the CLI, the stored rules and the screens accept
exactly the same thing. ``set_distribution_rule`` is the one way to save a rule: the
screens and ``meterbill set-distribution-rule`` both call it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from meterbill.audit import trail
from meterbill.engine.allocation import ConsumptionRule, Rule
from meterbill.engine.scenario import ScenarioError, parse_rule
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.queries import STANDING
from meterbill.orgs.models import Branch
from meterbill.premises.models import Residence, Utility

from .models import DistributionRule

# The first day a rule may start: an earlier date is a typing slip (0001-01-01).
EARLIEST_VALID_FROM = date(1970, 1, 1)

# A rule that names no month (common_heating) is checked for the first month of its
# zone's table; the bill run gives it the month of the billed period.


def check_rule(rule: Any, splits: str) -> Rule:
    """The parsed rule, or ``ScenarioError`` naming the JSON path of the fault."""
    if splits not in DistributionRule.Splits.values:
        choices = DistributionRule.Splits.values
        raise ScenarioError("splits", f"must be one of {choices}")
    parsed = parse_rule(rule, "rule", month=_first_month(rule))
    if splits == DistributionRule.Splits.QUANTITY and not isinstance(
        parsed, ConsumptionRule
    ):
        raise ScenarioError(
            "rule.type", "splitting the common consumption needs a 'consumption' rule"
        )
    return parsed


def _first_month(rule: Any) -> int:
    """The first month of a common_heating rule's zone (1 when there is none)."""
    if not isinstance(rule, Mapping):
        return 1
    if isinstance(rule.get("heating"), Mapping):
        return _first_month(rule["heating"])
    table, zone = rule.get("table"), rule.get("climatic_zone")
    row = table.get(zone) if isinstance(table, Mapping) else None
    months = (
        [int(m) for m in row if str(m).isdigit()] if isinstance(row, Mapping) else []
    )
    return min(months, default=1)


def rule_key(rule: Mapping[str, Any]) -> str:
    """The rule's main key, for lists: key, common key or consumption key."""
    for name in ("key", "common_key", "consumption_key"):
        if isinstance(rule.get(name), str):
            return str(rule[name])
    if rule.get("type") == "consumption":
        return "area"
    if rule.get("type") == "common_heating":
        return "allocator_units"
    heating = rule.get("heating")
    return rule_key(heating) if isinstance(heating, Mapping) else ""


@transaction.atomic
def set_distribution_rule(
    *,
    branch: Branch,
    residence: Residence | None,
    utility: Utility,
    valid_from: date,
    splits: str,
    rule: Mapping[str, Any],
    user: Any = None,
) -> DistributionRule:
    """Create or replace the rule of a residence (or the branch default) for a
    utility from ``valid_from``; recorded in the audit trail."""
    check_rule(rule, splits)
    if residence is not None and residence.branch_id != branch.pk:
        raise ScenarioError("residence", "belongs to another branch")
    check_valid_from(branch, residence, valid_from)
    found = DistributionRule.objects.select_for_update().filter(
        branch=branch, residence=residence, utility=utility, valid_from=valid_from
    )
    row = found.first()
    before = _state(row) if row is not None else None
    if row is None:
        row = DistributionRule(
            branch=branch, residence=residence, utility=utility, valid_from=valid_from
        )
    row.splits = splits
    row.rule = dict(rule)
    row.rule_type = str(rule.get("type", ""))
    row.key = rule_key(rule)
    row.updated_by = user if getattr(user, "pk", None) else None
    row.save()
    trail.record(
        "distribution_rule.set",
        user=user,
        branch=branch,
        obj=row,
        before=before,
        after=_state(row),
    )
    return row


def check_valid_from(
    branch: Branch, residence: Residence | None, valid_from: date
) -> None:
    """A rule starts on or after 1970-01-01 and after the last period with standing
    invoices of the residence (of the branch, for a branch default): those were
    split with the rules as they were, and a change of them goes through a
    correction (as a tariff version must start after the invoiced periods)."""
    if valid_from < EARLIEST_VALID_FROM:
        raise ScenarioError("valid_from", "must be 1970-01-01 or later")
    invoices = Invoice.objects.filter(
        state__in=STANDING, branch=branch, period__isnull=False
    )
    if residence is not None:
        invoices = invoices.filter(apartment__residence=residence)
    last = (
        invoices.order_by("-period__ends_on")
        .values_list("period__ends_on", flat=True)
        .first()
    )
    if last is not None and valid_from <= last:
        raise ScenarioError(
            "valid_from",
            f"periods up to {last.isoformat()} are invoiced with the rules as they "
            f"were; a rule starts after them (a change after invoicing goes through "
            f"a correction of the invoices)",
        )


def _state(row: DistributionRule) -> dict[str, Any]:
    return {
        "residence": row.residence_id,
        "utility": row.utility_id,
        "valid_from": row.valid_from.isoformat(),
        "splits": row.splits,
        "rule": row.rule,
    }


def rules_in_force(
    residence_branches: Mapping[int, int], on: date
) -> dict[int, dict[int, DistributionRule]]:
    """residence id → utility id → the rule in force on ``on``: the residence's own
    newest rule from on or before that day, else its branch's default. One query."""
    branch_ids = set(residence_branches.values())
    rows = (
        DistributionRule.objects.filter(branch_id__in=branch_ids, valid_from__lte=on)
        .filter(Q(residence__isnull=True) | Q(residence_id__in=residence_branches))
        .select_related("utility")
        .order_by("valid_from", "pk")
    )
    own: dict[tuple[int, int], DistributionRule] = {}
    default: dict[tuple[int, int], DistributionRule] = {}
    for row in rows:
        if row.residence_id is None:
            default[(row.branch_id, row.utility_id)] = row
        else:
            own[(row.residence_id, row.utility_id)] = row
    out: dict[int, dict[int, DistributionRule]] = {}
    for res_id, branch_id in residence_branches.items():
        mine = {u: r for (b, u), r in default.items() if b == branch_id}
        mine.update({u: r for (r_id, u), r in own.items() if r_id == res_id})
        out[res_id] = mine
    return out
