"""The ``branch_sum`` rule in the bill run: a meter with branching counters under it
(``Meter.parent``) against the meters directly under it.

For each such meter of a residence, its consumption over the period is compared by
``rules.check_branch_sum`` with the sum of its branching counters and of the
apartment meters hung directly under it. As in the common split, the residence's
main meters of a utility count as one meter, and a counter or apartment meter with
no parent hangs under them. A counter with counters under it is compared with its
own branching counters and apartment meters.

The finding is a residence finding (the review queue shows it); set to ``block`` by
the branch, it holds the invoices of the residence's users of the utility until an
operator accepts it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .consumption import Consumption, RegisterIn
from .rules import Checker, check_branch_sum
from .validation import Finding

ZERO = Decimal(0)


@dataclass(frozen=True)
class MeterIn:
    """One meter's consumption registers."""

    serial: str
    registers: Sequence[RegisterIn]


@dataclass(frozen=True)
class BranchSumIn:
    """A meter with branching counters under it, and the meters directly under it."""

    utility_code: str
    meters: Sequence[MeterIn]  # the meter; the residence's main meters together
    counters: Sequence[MeterIn]
    others: Sequence[MeterIn] = ()  # apartment meters directly under it


def combined(parts: Sequence[Consumption]) -> Consumption | None:
    """Several registers (or main meters) as one consumption: the quantities
    summed, the first estimate and every finding kept; None without any."""
    if len(parts) <= 1:
        return parts[0] if parts else None
    first = parts[0]
    return Consumption(
        first.register_id,
        sum((p.quantity for p in parts), ZERO),
        "+".join(dict.fromkeys(p.meter_serial for p in parts)),
        first.opening,
        first.closing,
        next((p.estimate for p in parts if p.estimate is not None), None),
        [f for p in parts for f in p.findings],
        first.days,
    )


def branch_sum_finding(
    check: BranchSumIn,
    consumption: Callable[[RegisterIn], Consumption],
    checker: Checker,
    estimated: Collection[int] = (),
) -> Finding | None:
    """The ``branch_sum`` finding of one meter, or None. ``consumption`` evaluates a
    register (once per bill run); ``estimated`` holds the registers whose
    consumption is an estimate without an estimated index (building average)."""
    every = [check.meters, check.counters, check.others]
    if any(not m.registers for group in every for m in group):
        return None  # a meter without a consumption register: nothing to compare
    evaluated = [[[consumption(r) for r in m.registers] for m in g] for g in every]
    if any(c.register_id in estimated for g in evaluated for m in g for c in m):
        return None
    mains, counters, others = evaluated
    main = combined([c for m in mains for c in m])
    if main is None:
        return None
    cfg = checker.config
    return check_branch_sum(
        main,
        [one for m in counters if (one := combined(m)) is not None],
        checker,
        cfg.branch_sum_relative,
        cfg.branch_sum_absolute,
        others=[one for m in others if (one := combined(m)) is not None],
    )
