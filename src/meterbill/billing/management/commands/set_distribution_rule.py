"""``meterbill set-distribution-rule``: store the distribution rule of a residence
(or a branch default) for a utility, from a rule JSON file in the scenario file's
rule shape (docs/allocation.md, "Configuring a residence")."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management import BaseCommand, CommandError
from django.utils import timezone

from meterbill.billing.distribution import set_distribution_rule
from meterbill.engine.scenario import ScenarioError, load_json
from meterbill.orgs.models import Branch
from meterbill.premises.models import Residence, Utility


class Command(BaseCommand):
    help = "Store a residence's (or a branch default) distribution rule for a utility."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--branch",
            help="branch code (needed when the residence "
            "code is used in several branches, and for a default)",
        )
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--residence", help="residence code")
        where.add_argument(
            "--branch-default", action="store_true", help="the branch's default rule"
        )
        parser.add_argument("--utility", required=True, help="utility code")
        parser.add_argument("--rule", required=True, help="rule JSON file")
        parser.add_argument(
            "--splits",
            choices=["quantity", "cost"],
            help="quantity: the common consumption, priced by the tariff; cost: the "
            "provider bill's amount (default: quantity for a 'consumption' rule, "
            "else cost)",
        )
        parser.add_argument(
            "--valid-from",
            type=date.fromisoformat,
            help="first day the rule applies, YYYY-MM-DD (default: the 1st of "
            "this month)",
        )

    def handle(self, *args, **opts) -> None:
        rule = _read_rule(Path(opts["rule"]))
        branch, residence = _where(opts)
        try:
            utility = Utility.objects.get(
                organisation_id=branch.organisation_id, code=opts["utility"]
            )
        except Utility.DoesNotExist:
            raise CommandError(f"--utility: no utility {opts['utility']!r}") from None
        splits = opts["splits"] or (
            "quantity" if rule.get("type") == "consumption" else "cost"
        )
        valid_from = opts["valid_from"] or timezone.localdate().replace(day=1)
        try:
            row = set_distribution_rule(
                branch=branch,
                residence=residence,
                utility=utility,
                valid_from=valid_from,
                splits=splits,
                rule=rule,
            )
        except ScenarioError as exc:
            raise CommandError(f"{opts['rule']}: {exc}") from exc
        where = residence.code if residence else f"branch {branch.code} default"
        self.stdout.write(
            f"Distribution rule {row.pk}: {where}, {utility.code} from {valid_from}: "
            f"{row.rule_type} ({row.key}), splits {row.splits}"
        )


def _read_rule(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    try:
        data = load_json(text, "rule")
    except ScenarioError as exc:
        raise CommandError(f"{path}: invalid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise CommandError(f"{path}: rule: must be an object")
    return data


def _where(opts: dict[str, Any]) -> tuple[Branch, Residence | None]:
    branches = Branch.objects.all()
    if opts["branch"]:
        branches = branches.filter(code=opts["branch"])
        if not branches.exists():
            raise CommandError(f"--branch: no branch {opts['branch']!r}")
    if opts["branch_default"]:
        if not opts["branch"]:
            raise CommandError("--branch-default needs --branch")
        if branches.count() > 1:
            raise CommandError(f"--branch: {opts['branch']!r} is ambiguous")
        return branches.get(), None
    found = list(
        Residence.objects.filter(
            code=opts["residence"], branch__in=branches
        ).select_related("branch")
    )
    if not found:
        raise CommandError(f"--residence: no residence {opts['residence']!r}")
    if len(found) > 1:
        raise CommandError(
            f"--residence: {opts['residence']!r} is in several branches; give --branch"
        )
    return found[0].branch, found[0]
