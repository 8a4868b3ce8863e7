"""``meterbill set-penalty-rule --branch CODE [--organisation-wide] --valid-from
DATE --grace-days N --rate-per-day PCT --cap-percent PCT [...]``: store a late-payment
penalty rule (invoicing.penalties, docs/penalties.md)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management import BaseCommand, CommandError

from meterbill.invoicing.models import PenaltyRule
from meterbill.invoicing.penalties import (
    DEFAULT_EXEMPTION_REASON,
    VAT_CATEGORIES,
    PenaltyRuleError,
    save_penalty_rule,
)

from .assess_penalties import branch_by_code

# The rule's fields whose option is spelt otherwise.
OPTIONS = {"rate_per_day_percent": "rate-per-day"}


def decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(text) from None


class Command(BaseCommand):
    help = "Store a late-payment penalty rule of a branch or of its organisation."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--branch", required=True, help="branch code")
        parser.add_argument(
            "--organisation-wide",
            action="store_true",
            help="the rule of the branch's organisation, for every branch without "
            "one of its own",
        )
        parser.add_argument(
            "--valid-from", required=True, type=date.fromisoformat, help="YYYY-MM-DD"
        )
        parser.add_argument(
            "--grace-days", type=int, default=0, help="0 to 3650 days never charged"
        )
        parser.add_argument(
            "--rate-per-day", required=True, type=decimal, help="percent per day"
        )
        parser.add_argument(
            "--cap-percent",
            required=True,
            type=decimal,
            help="percent of the overdue amount, all assessments together",
        )
        parser.add_argument(
            "--formula",
            default="",
            help="a formula over "
            "overdue_amount, days_late, grace_days, rate_per_day, "
            "cap_percent (default: the engine's)",
        )
        parser.add_argument("--vat-category", choices=VAT_CATEGORIES, default="O")
        parser.add_argument("--exemption-reason", help="BT-120 (categories E and O)")
        parser.add_argument("--exemption-code", default="", help="VATEX code, BT-121")
        parser.add_argument(
            "--minimum-amount",
            type=decimal,
            default=Decimal(0),
            help="a penalty below it is not charged yet",
        )

    def handle(self, *args, **opts) -> None:
        branch = branch_by_code(opts["branch"])
        category = opts["vat_category"]
        reason = opts["exemption_reason"]
        if reason is None:
            reason = DEFAULT_EXEMPTION_REASON if category == "O" else ""
        rule = PenaltyRule.objects.filter(
            organisation_id=branch.organisation_id,
            branch=None if opts["organisation_wide"] else branch,
            valid_from=opts["valid_from"],
        ).first() or PenaltyRule(
            organisation_id=branch.organisation_id,
            branch=None if opts["organisation_wide"] else branch,
            valid_from=opts["valid_from"],
        )
        rule.grace_days = opts["grace_days"]
        rule.rate_per_day_percent = opts["rate_per_day"]
        rule.cap_percent = opts["cap_percent"]
        rule.formula = opts["formula"]
        rule.vat_category = category
        rule.exemption_reason = reason
        rule.exemption_code = opts["exemption_code"]
        rule.minimum_amount = opts["minimum_amount"]
        try:
            save_penalty_rule(rule, None, audit_branch=branch)
        except PenaltyRuleError as exc:
            option = OPTIONS.get(exc.field, exc.field.replace("_", "-"))
            raise CommandError(
                f"--{option}: {exc.reason}" if option else str(exc)
            ) from exc
        where = branch.code if rule.branch_id else f"organisation of {branch.code}"
        self.stdout.write(
            f"Penalty rule {rule.pk}: {where} from {rule.valid_from.isoformat()}: "
            f"{rule.grace_days} grace days, {rule.rate_per_day_percent} %/day, cap "
            f"{rule.cap_percent} %, VAT {rule.vat_category}, minimum "
            f"{rule.minimum_amount}"
        )
