"""The building average per m² in the bill run (method ``building_average_m2``).

When a branch lists ``building_average_m2`` among a utility's estimation methods, an
apartment meter that needs an estimate (no closing index, or too little history to
estimate one) can be estimated from its building: the measured consumption of the
residence's apartments of that utility per m² × the apartment's area (its
distribution area for the utility when one is set). The method keeps its place in
the branch's order: it replaces a register-level estimate made by a method listed
after it, and answers when no register-level method could.

It applies to a metered apartment with one index register of the utility, in place
for the whole period. Measured apartments are those whose every register of the
utility has an actual closing index in the period (no estimate, nothing held).

With an opening index the quantity becomes the register's closing index (opening +
quantity / multiplier), stored by the bill run like any estimate. Without one it
stays a quantity: the line's trace (``estimate.recorded``) and the
``missing_reading`` finding say so, and no reading is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal

from .consumption import Consumption, RegisterIn
from .estimation import (
    BUILDING_AVERAGE,
    QuantityEstimate,
    building_average_per_m2,
    closing_from_quantity,
    comes_first,
)
from .money import round_to
from .rules import Checker

ZERO = Decimal(0)
NOT_AN_INDEX = "quantity only: no opening index to make it a closing index"


def measured_pair(
    consumptions: Sequence[Consumption], area_m2: Decimal, step: Decimal
) -> tuple[Decimal, Decimal] | None:
    """(quantity rounded to ``step``, area) of an apartment whose registers all read
    an actual closing index in the period; None otherwise (estimated, held, or not
    read)."""
    if not consumptions or area_m2 <= 0:
        return None
    for c in consumptions:
        closing = c.closing
        if c.estimate is not None or c.held or closing is None:
            return None
        if closing is c.opening or closing.status == "estimated":
            return None
    return round_to(sum((c.quantity for c in consumptions), ZERO), step), area_m2


def needs_average(
    register: RegisterIn, c: Consumption, starts_on: date, ends_on: date
) -> bool:
    """Whether the building average should estimate this register: the branch lists
    it before the register-level method that estimated, or none could."""
    if register.kind != "index" or BUILDING_AVERAGE not in register.estimation:
        return False
    if register.installed_on is not None and register.installed_on > starts_on:
        return False
    if register.removed_on is not None and register.removed_on < ends_on:
        return False
    if c.estimate is not None:
        return comes_first(register.estimation, BUILDING_AVERAGE, c.estimate.method)
    # No estimate: was there anything to estimate (no opening, or no closing)?
    return c.opening is None or c.closing is None or c.closing is c.opening


def apply_average(
    register: RegisterIn,
    c: Consumption,
    measured: Sequence[tuple[Decimal, Decimal]],
    area_m2: Decimal,
    starts_on: date,
    ends_on: date,
    checker: Checker,
) -> QuantityEstimate | None:
    """Estimate ``c`` by the building average, in place: its quantity, estimate
    and findings (``no_estimate`` and the register-level ``missing_reading`` give
    way to a ``missing_reading`` naming the average). Returns the estimate, or None
    (``c`` untouched) when the building has nothing measured to average."""
    found = building_average_per_m2(measured, area_m2)
    if found is None:
        return None
    c.findings = [
        f for f in c.findings if f.rule not in ("no_estimate", "missing_reading")
    ]
    c.substitute = None
    opening = c.opening
    if opening is not None:
        c.estimate = closing_from_quantity(opening, found, register.multiplier, ends_on)
        c.quantity = (c.estimate.value - opening.value) * register.multiplier
        c.days = (ends_on - opening.read_on).days
        what = (
            f"no closing reading by {ends_on}; estimated {c.estimate.value} by "
            f"{BUILDING_AVERAGE}: {found.basis}"
        )
    else:
        c.estimate = None
        c.quantity = found.quantity
        c.days = (ends_on - starts_on).days + 1
        what = (
            f"no opening index before {starts_on}; {found.quantity} estimated by "
            f"{BUILDING_AVERAGE} ({NOT_AN_INDEX}): {found.basis}"
        )
    finding = checker.finding(
        "missing_reading",
        f"meter {register.meter_serial}: {what}",
        register.register_id,
    )
    if finding is not None:
        c.findings.append(finding)
    return found


def trace(
    c: Consumption, quantities: Mapping[int, QuantityEstimate]
) -> dict[str, object]:
    """The register's trace, with a building average that is only a quantity."""
    out = c.trace()
    found = quantities.get(c.register_id)
    if found is not None:
        out["estimate"] = {
            "method": found.method,
            "quantity": str(found.quantity),
            "basis": found.basis,
            "recorded": NOT_AN_INDEX,
        }
    return out
