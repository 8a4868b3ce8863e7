"""Late-payment penalties: the rule in force, the assessment of a branch's late
invoices, and the penalty invoice that charges them (docs/penalties.md).

A rule belongs to the organisation or, as an override, to a branch; the branch's
own (or nearest ancestor's) rule wins over the organisation's, and within a level
the row with the latest ``valid_from`` on the assessment day. The engine's
``late_payment_penalty`` prices it.

``assess_penalties`` looks at every standing invoice of the branch that was paid
after its due date, or is unpaid and past due, and charges the days late not yet
assessed: from the day after the due date (or after the last assessment) through
the payment day or the assessment day. The amount of those days is the rule's
penalty to their last day minus its penalty to the day before them, so a formula
sees the real ``days_late`` and no day is priced twice; the first assessment of an
invoice subtracts nothing. The cap bounds the sum of all the invoice's assessments.
A penalty below the rule's minimum is not charged and its days wait for a later
assessment. Days after today are never charged, and a penalty invoice is never
dated before the days it charges.

A payment recorded after an assessment, with a payment day before the assessment's
last day, makes those later days not late after all: the next assessment credits
them on a credit note of the penalty invoice (``credit_overcharged``), priced with
the rule that charged them. Cancelling a penalty invoice releases its
assessments (``PenaltyAssessment.in_force``), so their days can be assessed again.

The days charged go on one penalty invoice per contract, numbered in the branch's
series by ``issue.issue_charges`` (the bill run's path). The lines are in the
rule's VAT category, O by default: EN 16931 BR-O-11 allows no other category beside
O, which is why penalties never share an invoice with consumption.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from meterbill.audit import trail
from meterbill.engine import components as engine
from meterbill.engine.billing import Charge
from meterbill.engine.formula import Formula, FormulaError, compile_formula
from meterbill.engine.money import round_money
from meterbill.engine.rating import Line
from meterbill.orgs.models import Branch
from meterbill.premises.models import Contract, Customer
from meterbill.tariffs.compile import (
    EXEMPT_CATEGORIES,
    TariffConfigError,
    check_vat_exemption,
)

from .corrections import credit_note_parties
from .issue import IssueContext, issue_charges
from .models import Invoice, PenaltyAssessment, PenaltyRule
from .queries import STANDING, UNPAID

log = logging.getLogger(__name__)

ZERO = Decimal(0)
HUNDRED = Decimal(100)
K = Invoice.Kind
# The engine prices a penalty with no VAT rate (O) or the rate 0 (E, Z): a penalty
# that bears VAT at a positive rate is not supported (docs/limits.md).
VAT_CATEGORIES = ("O", "E", "Z")
DEFAULT_EXEMPTION_REASON = (
    "Late-payment penalties compensate a delay; they are not the price of a "
    "supply and are outside the scope of VAT"
)
RULE_FIELDS = (
    "organisation",
    "branch",
    "valid_from",
    "grace_days",
    "rate_per_day_percent",
    "cap_percent",
    "formula",
    "vat_category",
    "exemption_reason",
    "exemption_code",
    "minimum_amount",
)
MONEY: DecimalField[Any, Any] = DecimalField(max_digits=18, decimal_places=2)
# Grace days beyond ten years are a typing error, not a policy.
MAX_GRACE_DAYS = 3650
# Checked against the column's own validators (digits, places, length), so the CLI
# refuses what the screen's form fields refuse and what PostgreSQL would refuse.
BOUNDED_FIELDS = (
    "rate_per_day_percent",
    "cap_percent",
    "minimum_amount",
    "exemption_reason",
    "exemption_code",
)


class PenaltyError(Exception):
    """Penalties cannot be assessed (no rule in force, a concurrent run, a day
    after today); ``field`` names the input at fault (``on``, ``issue_date``)."""

    def __init__(self, message: str, *, field: str = "") -> None:
        self.field = field
        super().__init__(message)


class PenaltyRuleError(ValueError):
    """A penalty rule that cannot be saved; ``field`` names the field at fault."""

    def __init__(self, message: str, *, field: str = "") -> None:
        self.field = field
        self.reason = message
        super().__init__(f"{field}: {message}" if field else message)


# --- rules ---------------------------------------------------------------------


def compile_rule_formula(text: str) -> Formula | None:
    """The rule's own formula, checked now over the penalty names (no lookup
    tables); None for an empty text. Raises FormulaError naming line and column."""
    if not text.strip():
        return None
    return compile_formula(text, engine.PENALTY_NAMES, (), owner="penalty rule")


def _check_bounds(rule: PenaltyRule) -> None:
    """Refuse what the columns cannot hold: NaN, infinities, too many digits or
    places, too long a text, and grace days beyond ``MAX_GRACE_DAYS``."""
    for name in BOUNDED_FIELDS:
        value = getattr(rule, name)
        if isinstance(value, int):  # a default such as minimum_amount = 0
            value = Decimal(value)
        if isinstance(value, Decimal) and not value.is_finite():
            raise PenaltyRuleError("must be a finite number", field=name)
        if value is None:
            continue
        try:
            rule._meta.get_field(name).run_validators(value)  # type: ignore[union-attr]
        except ValidationError as exc:
            raise PenaltyRuleError(" ".join(exc.messages), field=name) from exc
    if rule.grace_days is None or not 0 <= rule.grace_days <= MAX_GRACE_DAYS:
        raise PenaltyRuleError(
            f"must be between 0 and {MAX_GRACE_DAYS}", field="grace_days"
        )


def check_rule(rule: PenaltyRule) -> None:
    """Refuse a rule the assessment could not use, naming the field."""
    _check_bounds(rule)
    if rule.rate_per_day_percent is None or rule.rate_per_day_percent < 0:
        raise PenaltyRuleError("must be 0 or more", field="rate_per_day_percent")
    if rule.cap_percent is None or rule.cap_percent <= 0:
        raise PenaltyRuleError("must be more than 0", field="cap_percent")
    if rule.minimum_amount is None or rule.minimum_amount < 0:
        raise PenaltyRuleError("must be 0 or more", field="minimum_amount")
    if rule.vat_category not in VAT_CATEGORIES:
        raise PenaltyRuleError(
            f"{rule.vat_category!r} is not one of {', '.join(VAT_CATEGORIES)}",
            field="vat_category",
        )
    try:
        check_vat_exemption(
            rule.vat_category, rule.exemption_reason, rule.exemption_code
        )
    except TariffConfigError as exc:
        raise PenaltyRuleError(exc.reason, field=exc.field) from exc
    try:
        compile_rule_formula(rule.formula)
    except FormulaError as exc:
        raise PenaltyRuleError(str(exc), field="formula") from exc


def _snapshot(rule: PenaltyRule) -> dict[str, Any]:
    fields = (rule._meta.get_field(name) for name in RULE_FIELDS)
    return {f.name: getattr(rule, f.attname) for f in fields}  # type: ignore[union-attr]


def rule_is_used(rule: PenaltyRule) -> bool:
    return bool(rule.pk) and PenaltyAssessment.objects.filter(rule=rule).exists()


def save_penalty_rule(
    rule: PenaltyRule, user: Any, audit_branch: Branch | None = None
) -> PenaltyRule:
    """Check and store ``rule`` and record it in the audit trail (under its branch,
    or ``audit_branch`` for an organisation's rule). A rule an assessment used is
    not changed: a new rule from a later date replaces it."""
    check_rule(rule)
    with transaction.atomic():
        before = None
        if rule.pk is not None:
            stored = PenaltyRule.objects.select_for_update().get(pk=rule.pk)
            before = _snapshot(stored)
            if before != _snapshot(rule) and rule_is_used(stored):
                raise PenaltyRuleError(
                    f"penalty rule {stored} was used by an assessment; add a rule "
                    "from a later date instead",
                    field="valid_from",
                )
        level = Q(branch_id=rule.branch_id) if rule.branch_id else Q(branch=None)
        same_day = PenaltyRule.objects.filter(
            level, organisation_id=rule.organisation_id, valid_from=rule.valid_from
        ).exclude(pk=rule.pk)
        if same_day.exists():
            raise PenaltyRuleError(
                f"a rule of the same level already starts on {rule.valid_from}",
                field="valid_from",
            )
        rule.save()
        after = _snapshot(rule)
        if before != after:
            trail.record(
                f"penalty_rule.{'edit' if before else 'add'}",
                user=user,
                branch=rule.branch or audit_branch,
                obj=rule,
                before=_jsonable(before),
                after=_jsonable(after),
            )
    return rule


def delete_penalty_rule(
    rule: PenaltyRule, user: Any, audit_branch: Branch | None = None
) -> None:
    """Delete a rule no assessment used."""
    if rule_is_used(rule):
        raise PenaltyRuleError(
            f"penalty rule {rule} was used by an assessment and cannot be deleted"
        )
    with transaction.atomic():
        before = _jsonable(_snapshot(rule))
        pk = rule.pk
        rule.delete()
        trail.record(
            "penalty_rule.delete",
            user=user,
            branch=rule.branch or audit_branch,
            object_type=PenaltyRule._meta.label_lower,
            object_id=str(pk),
            before=before,
        )


def rule_in_force(branch: Branch, on: date, lock: bool = False) -> PenaltyRule | None:
    """The rule of the nearest branch (own, then ancestors) with a row from ``on``
    or before, else the organisation's; within a level the latest. One query.
    ``lock``: the candidate rows are locked (inside the caller's transaction), so
    the rule cannot be edited between pricing and recording the assessment."""
    ids = branch.lineage()
    depth = {branch_id: level for level, branch_id in enumerate(ids, start=1)}
    rows = PenaltyRule.objects.filter(
        Q(branch__isnull=True) | Q(branch_id__in=ids),
        organisation_id=branch.organisation_id,
        valid_from__lte=on,
    )
    # Locking without a join: FOR UPDATE would lock the branch rows too.
    rows = rows.select_for_update() if lock else rows.select_related("branch")
    return max(
        rows, key=lambda r: (depth.get(r.branch_id or 0, 0), r.valid_from), default=None
    )


def engine_rule(rule: PenaltyRule) -> engine.PenaltyRule:
    return engine.PenaltyRule(
        rate_per_day=rule.rate_per_day_percent,
        grace_days=rule.grace_days,
        cap_percent=rule.cap_percent,
        formula=compile_rule_formula(rule.formula),
        vat_category=rule.vat_category,
    )


# --- assessment ----------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    """The penalty of one late invoice's days not yet assessed."""

    invoice: Invoice
    starts_on: date
    ends_on: date
    overdue_amount: Decimal
    amount: Decimal
    trace: dict[str, Any]

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class Skipped:
    """A late invoice left out of the run: its rule's formula failed on it."""

    invoice: Invoice
    error: str

    def __str__(self) -> str:
        return f"invoice {self.invoice.full_number}: {self.error}"


@dataclass(frozen=True)
class Credit:
    """Days of an assessment after the payment day recorded later: ``amount`` of
    the assessment goes back on a credit note of its penalty invoice."""

    assessment: PenaltyAssessment
    invoice: Invoice
    starts_on: date
    amount: Decimal


@dataclass(frozen=True)
class PenaltyRun:
    """What ``assess_penalties`` did: the late invoices it looked at, the days it
    charged and the penalty invoices that charge them, the invoices it skipped,
    and the days it credited back on credit notes."""

    branch: Branch
    on: date
    rule: PenaltyRule
    late_invoices: int
    charged: list[Due]
    invoices: list[Invoice]
    skipped: list[Skipped]
    credited: list[Credit]
    credit_notes: list[Invoice]

    @property
    def documents(self) -> list[Invoice]:
        """The penalty invoices and credit notes the run issued."""
        return [*self.invoices, *self.credit_notes]


def check_days(on: date, issue_date: date | None = None) -> None:
    """Refuse an assessment day after today (local date), whose days have not
    happened, and an issue date before the assessment day: a penalty invoice is
    never dated before the days it charges."""
    today = timezone.localdate()
    if on > today:
        raise PenaltyError(
            f"{on.isoformat()} is after today ({today.isoformat()}): days that "
            "have not happened are not charged",
            field="on",
        )
    if issue_date is not None and issue_date < on:
        raise PenaltyError(
            f"{issue_date.isoformat()} is before the assessment day "
            f"{on.isoformat()}: a penalty invoice is not dated before the days it "
            "charges",
            field="issue_date",
        )


def check_seller(branch: Branch, rule: PenaltyRule) -> None:
    """A penalty invoice in category O states no VAT identifier (BR-O-02), so
    the seller's legal registration id is its only identifier (BR-CO-26)."""
    org = branch.organisation
    if rule.vat_category == "O" and not org.company_id.strip():
        raise PenaltyError(
            f"organisation {org.name}: no company registration number "
            "(Organisation.company_id, BT-30); a penalty invoice in VAT category O "
            "states no VAT identifier and would have no seller identifier (EN 16931 "
            "BR-CO-26). Fill in the organisation's company registration number, or "
            "use a rule in category E or Z"
        )


def late_invoices(branch: Branch, on: date) -> QuerySet[Invoice]:
    """The branch's standing invoices and advance invoices past due on ``on`` and
    paid late or not at all, each annotated with what credit notes took off it
    (``credited``), the last day assessed and the penalty assessed so far (less
    what was credited back; assessments of a cancelled penalty invoice do not
    count). Penalty invoices bear no penalty. One query."""
    credited = (
        Invoice.objects.filter(
            corrects=OuterRef("pk"),
            kind=K.CREDIT_NOTE,
            state__in=STANDING,
            issue_date__lte=on,
        )
        .values("corrects")
        .annotate(total=Sum("total_gross"))
        .values("total")
    )
    assessed = PenaltyAssessment.objects.filter(
        invoice=OuterRef("pk"), in_force=True
    ).values("invoice")
    net = F("amount") - F("credited_amount")
    released = (
        PenaltyAssessment.objects.filter(invoice=OuterRef("pk"), in_force=None)
        .values("invoice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Invoice.objects.filter(
            branch=branch,
            kind__in=(K.INVOICE, K.ADVANCE),
            state__in=STANDING,
            due_date__lt=on,
        )
        # Paid without a payment day (data from before payments were recorded):
        # when it was paid is not known, so no day is charged.
        .filter(
            Q(paid_on__isnull=True, state__in=UNPAID) | Q(paid_on__gt=F("due_date"))
        )
        .exclude(
            Exists(PenaltyAssessment.objects.filter(penalty_invoice=OuterRef("pk")))
        )
        .annotate(
            credited=Coalesce(
                Subquery(credited, output_field=MONEY), Value(ZERO), output_field=MONEY
            ),
            assessed_through=Subquery(
                assessed.annotate(last=Max("ends_on")).values("last")
            ),
            assessed_total=Coalesce(
                Subquery(
                    assessed.annotate(total=Sum(net, output_field=MONEY)).values(
                        "total"
                    ),
                    output_field=MONEY,
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
            # Assessments of cancelled penalty invoices: part of the idempotency
            # key, so the days they released are issued anew.
            released=Coalesce(Subquery(released), Value(0)),
        )
        .order_by("contract_id", "pk")
    )


def _penalty_to(
    overdue: Decimal, due_on: date, through: date, rule: engine.PenaltyRule, cur: str
) -> tuple[Decimal, dict[str, Any]]:
    """The rule's whole penalty from the due date through ``through``, rounded,
    with the formula's trace. Raises FormulaError when the formula fails on it."""
    line = engine.late_payment_penalty(overdue, due_on, through, rule, cur)
    if line is None:
        return ZERO, {}
    formula_trace = line.trace.get("trace")
    as_dict = getattr(formula_trace, "as_dict", None)
    return line.net_amount, {
        "formula": line.trace.get("formula"),
        "trace": as_dict() if as_dict else formula_trace,
    }


def assess_invoice(
    inv: Invoice, rule: PenaltyRule, priced: engine.PenaltyRule, on: date
) -> Due | None:
    """The penalty of ``inv``'s days late not yet assessed, or None when nothing
    is charged now. ``inv`` carries the annotations of ``late_invoices``. Raises
    FormulaError when the rule's formula fails on the invoice."""
    assert inv.due_date is not None
    overdue = inv.total_gross - inv.credited  # type: ignore[attr-defined]
    assessed_through: date | None = inv.assessed_through  # type: ignore[attr-defined]
    assessed_total: Decimal = inv.assessed_total  # type: ignore[attr-defined]
    through = min(inv.paid_on, on) if inv.paid_on else on
    starts = (assessed_through or inv.due_date) + timedelta(days=1)
    if overdue <= 0 or starts > through:
        return None

    to_date, formula = _penalty_to(overdue, inv.due_date, through, priced, inv.currency)
    before = ZERO
    if assessed_through is not None:
        before, _t = _penalty_to(
            overdue, inv.due_date, assessed_through, priced, inv.currency
        )
    cap = round_money(overdue * rule.cap_percent / HUNDRED, inv.currency)
    amount = min(to_date - before, cap - assessed_total)
    if amount <= 0 or amount < rule.minimum_amount:
        return None

    due_on = inv.due_date

    def beyond_grace(day: date) -> int:
        return max((day - due_on).days - rule.grace_days, 0)

    trace = {
        "invoice": inv.pk,
        "number": inv.full_number,
        "due_date": inv.due_date.isoformat(),
        "paid_on": inv.paid_on.isoformat() if inv.paid_on else None,
        "from": starts.isoformat(),
        "through": through.isoformat(),
        "days_late": (through - inv.due_date).days,
        "days_charged": beyond_grace(through) - beyond_grace(starts - timedelta(1)),
        "grace_days": rule.grace_days,
        "rate_per_day_percent": str(rule.rate_per_day_percent),
        "cap_percent": str(rule.cap_percent),
        "cap_amount": str(cap),
        "overdue_amount": str(overdue),
        "credited": str(inv.credited),  # type: ignore[attr-defined]
        "penalty_to_date": str(to_date),
        "penalty_before": str(before),
        "assessed_before": str(assessed_total),
        "capped": amount < to_date - before,
        "rule": rule.pk,
        **formula,
    }
    return Due(inv, starts, through, overdue, amount, trace)


def _assess_each(
    late: Sequence[Invoice], rule: PenaltyRule, on: date
) -> tuple[list[Due], list[Skipped]]:
    """The dues of ``late``; an invoice the formula fails on (a division by zero,
    a result out of range) is skipped and reported, the others are charged."""
    priced = engine_rule(rule)
    dues, skipped = [], []
    for inv in late:
        try:
            due = assess_invoice(inv, rule, priced, on)
        except FormulaError as exc:
            skipped.append(Skipped(inv, str(exc)))
            continue
        if due is not None:
            dues.append(due)
    return dues, skipped


def _description(due: Due, language: str) -> str:
    with translation.override(language or "en"):
        return _(
            "Late-payment penalty, invoice %(number)s, %(late)s days late, "
            "%(charged)s charged (%(starts)s – %(ends)s)"
        ) % {
            "number": due.invoice.full_number,
            "late": due.trace["days_late"],
            "charged": due.trace["days_charged"],
            "starts": due.starts_on.isoformat(),
            "ends": due.ends_on.isoformat(),
        }


def _exemption_trace(rule: PenaltyRule) -> dict[str, Any]:
    if rule.vat_category not in EXEMPT_CATEGORIES:
        return {}
    return {
        "vat_exemption": {
            "category": rule.vat_category,
            "reason": rule.exemption_reason,
            "code": rule.exemption_code,
        }
    }


def penalty_line(due: Due, rule: PenaltyRule, language: str) -> Line:
    """One invoice line per late invoice: quantity 1, the penalty as its price."""
    trace: dict[str, Any] = {"penalty": due.trace, **_exemption_trace(rule)}
    return Line(
        "",
        _description(due, language),
        Decimal(1),
        "",
        "C62",
        due.amount,
        due.amount,
        rule.vat_category,
        ZERO,
        trace,
        due.starts_on,
        due.ends_on,
    )


def _key_prefix(branch: Branch, on: date, dues: Sequence[Due]) -> str:
    """Built from the ids of the invoices, the first day assessed and how many of
    their assessments a cancellation released: a repeated run finds what it
    issued; a later run the same day with other days, or after a cancellation,
    gets new keys."""
    ids = ",".join(
        f"{d.invoice.pk}:{d.starts_on.isoformat()}:{d.invoice.released}"  # type: ignore[attr-defined]
        for d in dues
    )
    digest = hashlib.sha256(ids.encode()).hexdigest()[:16]
    return f"penalty:{branch.pk}:{on.isoformat()}:{digest}"


def _without_vat_ids(invoices: Sequence[Invoice]) -> None:
    """EN 16931 BR-O-02: an invoice with a line in O states neither the seller's
    nor the buyer's VAT identifier (the seller's legal registration stays)."""
    for inv in invoices:
        inv.frozen["seller"]["vat_id"] = ""
        inv.frozen["buyer"]["vat_id"] = ""
    Invoice.objects.bulk_update(invoices, ["frozen"])


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=str))


def _concurrent(branch: Branch) -> PenaltyError:
    return PenaltyError(
        f"branch {branch.code}: another assessment charged some of these days "
        "meanwhile; run it again"
    )


def _issue(
    branch: Branch, on: date, issue_date: date, rule: PenaltyRule, dues: list[Due]
) -> list[Invoice]:
    """One penalty invoice per contract for ``dues``, and their assessments."""
    by_contract: dict[int, list[Due]] = defaultdict(list)
    for due in dues:
        by_contract[due.invoice.contract_id].append(due)
    contracts = Contract.objects.in_bulk(list(by_contract))
    customers = Customer.objects.in_bulk([c.customer_id for c in contracts.values()])
    charges = []
    for contract_id, group in by_contract.items():
        contract = contracts[contract_id]
        language = customers[contract.customer_id].language
        lines = [penalty_line(d, rule, language) for d in group]
        charges.append(Charge(contract_id, contract.apartment_id, lines=lines))

    ctx = IssueContext(branch, branch.organisation, None, None, issue_date)
    issued = issue_charges(
        ctx, charges, contracts, customers, _key_prefix(branch, on, dues)
    )
    if len(issued) < len(charges):
        # A run of the same day and days issued them first (same keys).
        raise _concurrent(branch)
    if rule.vat_category == "O":
        _without_vat_ids(issued)
    by_key = {inv.contract_id: inv for inv in issued}
    PenaltyAssessment.objects.bulk_create(
        PenaltyAssessment(
            invoice=d.invoice,
            penalty_invoice=by_key[d.invoice.contract_id],
            rule=rule,
            starts_on=d.starts_on,
            ends_on=d.ends_on,
            days=d.days,
            overdue_amount=d.overdue_amount,
            amount=d.amount,
            currency=d.invoice.currency,
            trace=_jsonable(d.trace),
        )
        for d in dues
    )
    return issued


# --- payments recorded after an assessment ---------------------------------------


def overcharged(branch: Branch) -> list[PenaltyAssessment]:
    """The assessments in force of the branch's standing invoices that run past
    the payment day recorded since, not yet credited; locked. One query."""
    return list(
        PenaltyAssessment.objects.select_for_update()
        .filter(
            invoice__branch=branch,
            invoice__state__in=STANDING,
            invoice__paid_on__isnull=False,
            ends_on__gt=F("invoice__paid_on"),
            in_force=True,
            credited_from=None,
        )
        .order_by("pk")
    )


def _kept(
    a: PenaltyAssessment, inv: Invoice, paid_on: date, priced: engine.PenaltyRule
) -> Decimal:
    """What ``a`` should have charged had the payment day been known: its rule's
    penalty through ``paid_on`` less the penalty through the day before its
    first day (nothing at an invoice's first assessment), never more than it
    charged. Raises FormulaError when the rule's formula fails."""
    assert inv.due_date is not None
    if paid_on < a.starts_on:
        return ZERO
    cur = a.currency
    to_paid, _t = _penalty_to(a.overdue_amount, inv.due_date, paid_on, priced, cur)
    before = ZERO
    if a.starts_on - timedelta(days=1) > inv.due_date:
        day_before = a.starts_on - timedelta(days=1)
        before, _t = _penalty_to(
            a.overdue_amount, inv.due_date, day_before, priced, cur
        )
    return min(max(to_paid - before, ZERO), a.amount)


def _credits(
    assessments: Sequence[PenaltyAssessment],
) -> tuple[list[Credit], list[Skipped]]:
    """The amount of each assessment charged for days after the payment day."""
    invoices = Invoice.objects.in_bulk({a.invoice_id for a in assessments})
    rules = PenaltyRule.objects.in_bulk({a.rule_id for a in assessments})
    priced = {pk: engine_rule(r) for pk, r in rules.items()}
    credits, skipped = [], []
    for a in assessments:
        inv = invoices[a.invoice_id]
        assert inv.paid_on is not None
        try:
            kept = _kept(a, inv, inv.paid_on, priced[a.rule_id])
        except FormulaError as exc:
            skipped.append(Skipped(inv, str(exc)))
            continue
        starts = max(inv.paid_on + timedelta(days=1), a.starts_on)
        credits.append(Credit(a, inv, starts, a.amount - kept))
    return credits, skipped


def _credit_text(c: Credit, language: str) -> str:
    assert c.invoice.paid_on is not None
    with translation.override(language or "en"):
        return _(
            "Late-payment penalty credited, invoice %(number)s paid on "
            "%(paid_on)s: %(days)s days not late (%(starts)s – %(ends)s)"
        ) % {
            "number": c.invoice.full_number,
            "paid_on": c.invoice.paid_on.isoformat(),
            "days": (c.assessment.ends_on - c.starts_on).days + 1,
            "starts": c.starts_on.isoformat(),
            "ends": c.assessment.ends_on.isoformat(),
        }


def _credit_line(c: Credit, rule: PenaltyRule, language: str) -> Line:
    """The credited days in the category of the line that charged them."""
    trace = {
        "penalty_credit": {
            "assessment": c.assessment.pk,
            "invoice": c.invoice.full_number,
            "paid_on": str(c.invoice.paid_on),
            "charged": str(c.assessment.amount),
            "kept": str(c.assessment.amount - c.amount),
        },
        **_exemption_trace(rule),
    }
    return Line(
        "",
        _credit_text(c, language),
        Decimal(1),
        "",
        "C62",
        c.amount,
        c.amount,
        rule.vat_category,
        ZERO,
        trace,
        c.starts_on,
        c.assessment.ends_on,
    )


def _rounds(
    penalty: dict[int, Invoice], issue_date: date
) -> dict[tuple[date, int], list[Invoice]]:
    """The penalty invoices to credit, in batches of one per contract (the issuing
    path numbers one invoice per contract and key) and of one issue date: never
    before the penalty invoice's own. Usually a single batch."""
    seen: dict[tuple[date, int], int] = defaultdict(int)
    rounds: dict[tuple[date, int], list[Invoice]] = defaultdict(list)
    for original in penalty.values():
        day = max(issue_date, original.issue_date or issue_date)
        n = seen[day, original.contract_id]
        seen[day, original.contract_id] += 1
        rounds[day, n].append(original)
    return rounds


def _issue_credit_notes(
    branch: Branch,
    day: date,
    originals: Sequence[Invoice],
    lines: dict[int, list[Line]],
) -> dict[int, Invoice]:
    """One credit note per penalty invoice of ``originals`` (one per contract),
    issued ``day`` in one pass of the issuing path; made credit notes as
    ``corrections`` makes them: ``corrects`` → the penalty invoice, its frozen
    parties (no VAT ids in category O), no due date."""
    contracts = {o.contract_id: o.contract for o in originals}
    customers = {o.customer_id: o.customer for o in originals}
    charges = [
        Charge(o.contract_id, o.contract.apartment_id, lines=lines[o.pk])
        for o in originals
    ]
    ids = ",".join(str(o.pk) for o in originals)
    key = f"penalty-credit:{branch.pk}:{hashlib.sha256(ids.encode()).hexdigest()[:16]}"
    ctx = IssueContext(branch, branch.organisation, None, None, day)
    issued = issue_charges(ctx, charges, contracts, customers, key)
    if len(issued) < len(charges):
        raise _concurrent(branch)
    by_contract = {o.contract_id: o for o in originals}
    reason = _("Payment recorded after the assessment")
    notes = {}
    for note in issued:
        original = by_contract[note.contract_id]
        note.kind, note.corrects, note.reason = K.CREDIT_NOTE, original, reason
        note.frozen = {**note.frozen, **credit_note_parties(original)}
        note.due_date = None
        notes[original.pk] = note
    Invoice.objects.bulk_update(
        issued, ["kind", "corrects", "reason", "frozen", "due_date"]
    )
    return notes


def credit_overcharged(
    branch: Branch, credits: Sequence[Credit], issue_date: date
) -> list[Invoice]:
    """One credit note per penalty invoice for the ``credits`` that give money
    back (``corrects`` → the penalty invoice, the document chain of
    ``invoicing.corrections``), and each assessment marked credited, so its days
    are credited once. Inside the caller's transaction; a few queries per batch
    (``_rounds``), whatever the number of credit notes."""
    by_penalty: dict[int, list[Credit]] = defaultdict(list)
    for c in credits:
        if c.amount > 0:
            by_penalty[c.assessment.penalty_invoice_id].append(c)
    originals = Invoice.objects.select_related("contract", "customer")
    penalty = originals.in_bulk(list(by_penalty))
    rules = PenaltyRule.objects.in_bulk({c.assessment.rule_id for c in credits})
    lines = {
        pk: [
            _credit_line(c, rules[c.assessment.rule_id], penalty[pk].customer.language)
            for c in group
        ]
        for pk, group in by_penalty.items()
    }
    notes: dict[int, Invoice] = {}
    for (day, _n), batch in sorted(_rounds(penalty, issue_date).items()):
        notes.update(_issue_credit_notes(branch, day, batch, lines))
    for c in credits:
        c.assessment.credited_from = c.starts_on
        c.assessment.credited_amount = c.amount
        c.assessment.credited_by = notes.get(c.assessment.penalty_invoice_id)
    PenaltyAssessment.objects.bulk_update(
        [c.assessment for c in credits],
        ["credited_from", "credited_amount", "credited_by"],
    )
    return sorted(notes.values(), key=lambda n: n.full_number)


# --- the run -------------------------------------------------------------------


def assess_penalties(
    branch: Branch, on: date, user: Any, issue_date: date | None = None
) -> PenaltyRun:
    """Charge the branch's late payments up to ``on`` with the rule in force that
    day: one penalty invoice per contract, issued ``issue_date`` (default today),
    and credit the days charged after a payment day recorded since. An invoice
    the rule's formula fails on is skipped and reported in the run. A few queries
    whatever the number of invoices; the documents are left to the caller
    (``documents.write_documents``: the CLI writes them at once, the web when an
    invoice's PDF or XML is first asked for). A second run the same day charges
    nothing."""
    issue_date = issue_date or timezone.localdate()
    check_days(on, issue_date)
    late = list(late_invoices(branch, on))
    try:
        with transaction.atomic():
            # Read and priced under the lock: an edit of the rule waits for this
            # transaction, then finds the rule used.
            rule = rule_in_force(branch, on, lock=True)
            if rule is None:
                raise PenaltyError(
                    f"branch {branch.code}: no penalty rule in force on "
                    f"{on.isoformat()}"
                )
            check_seller(branch, rule)
            dues, skipped = _assess_each(late, rule, on)
            credits, not_credited = _credits(overcharged(branch))
            issued = _issue(branch, on, issue_date, rule, dues) if dues else []
            notes = credit_overcharged(branch, credits, issue_date)
            if dues or notes:
                _audit(branch, on, rule, user, dues, issued, notes)
    except IntegrityError as exc:
        raise _concurrent(branch) from exc
    run = PenaltyRun(
        branch,
        on,
        rule,
        len(late),
        dues,
        issued,
        skipped + not_credited,
        [c for c in credits if c.amount > 0],
        notes,
    )
    _log(run)
    return run


def _log(run: PenaltyRun) -> None:
    log.info(
        "penalties assessed",
        extra={
            "branch": run.branch.code,
            "on": run.on.isoformat(),
            "late_invoices": run.late_invoices,
            "charged": len(run.charged),
            "penalty_invoices": len(run.invoices),
            "skipped": len(run.skipped),
            "credit_notes": len(run.credit_notes),
        },
    )
    for s in run.skipped:
        log.warning(
            "penalty invoice skipped",
            extra={
                "branch": run.branch.code,
                "invoice": s.invoice.full_number,
                "error": s.error,
            },
        )


def _audit(
    branch: Branch,
    on: date,
    rule: PenaltyRule,
    user: Any,
    dues: Sequence[Due],
    issued: Sequence[Invoice],
    notes: Sequence[Invoice],
) -> None:
    trail.record(
        "penalties.assessed",
        user=user,
        branch=branch,
        after={
            "on": on.isoformat(),
            "rule": rule.pk,
            "late_invoices": [d.invoice.full_number for d in dues],
            "penalty_invoices": [i.full_number for i in issued],
            "total": str(sum((d.amount for d in dues), ZERO)),
            "credit_notes": [n.full_number for n in notes],
            "credited": str(sum((n.total_gross for n in notes), ZERO)),
        },
    )
