"""A register's consumption over a period, from its readings, with estimation.

Index registers: consumption = (closing index − opening index) × multiplier, where the
opening index is the newest usable reading before the period starts and the closing
index the newest usable reading within the period. A missing closing index is estimated
by average daily use over the history (at most a year back) times the days since the
opening reading. Consumption registers (interval or accumulation data): the sum of the
rows that fall inside the period.

The plausibility rules that look beyond the arithmetic (zero, high and low use, spikes,
duplicates, inactive meters, prolonged estimation, faults) are in ``engine.rules``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .money import round_to
from .rules import Checker, RuleConfig, check_register, index_history, rows_in_period
from .validation import Finding

ZERO = Decimal(0)


@dataclass(frozen=True)
class ReadingIn:
    reading_id: int
    read_on: date
    value: Decimal
    kind: str = "index"  # "index" | "consumption"
    status: str = "actual"
    period_start: date | None = None
    source: str = ""  # metering.Reading.Source; "" when unknown
    # Device status words ("fault", "tamper", "low_battery"…); see rules.FAULT_FLAGS.
    flags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RegisterIn:
    register_id: int
    meter_serial: str
    digits: int
    multiplier: Decimal
    readings: Sequence[ReadingIn]  # sorted by read_on
    kind: str = "index"  # "index" | "consumption"
    installed_on: date | None = None  # the meter's; None when not recorded
    removed_on: date | None = None


@dataclass(frozen=True)
class Estimate:
    read_on: date
    value: Decimal
    method: str
    basis: str


@dataclass
class Consumption:
    """The quantity a register consumed in a period, and how it was determined."""

    register_id: int
    quantity: Decimal
    meter_serial: str = ""
    opening: ReadingIn | None = None
    closing: ReadingIn | None = None
    estimate: Estimate | None = None
    findings: list[Finding] = field(default_factory=list)
    days: int = 0
    # For a blocked reading: the average-daily-use estimate that stands in for it in
    # the residence's common-consumption sum (never billed to the apartment itself).
    substitute: Decimal | None = None

    @property
    def held(self) -> bool:
        return any(f.holds_invoice for f in self.findings)

    def trace(self) -> dict[str, object]:
        out: dict[str, object] = {
            "register": self.register_id,
            "meter": self.meter_serial,
            "quantity": str(self.quantity),
        }
        if self.opening:
            out["opening"] = _reading_trace(self.opening)
        if self.closing:
            out["closing"] = _reading_trace(self.closing)
        if self.estimate:
            out["estimate"] = {
                "read_on": self.estimate.read_on.isoformat(),
                "value": str(self.estimate.value),
                "method": self.estimate.method,
                "basis": self.estimate.basis,
            }
        if self.findings:
            out["findings"] = [f.rule for f in self.findings]
        return out


def _reading_trace(r: ReadingIn) -> dict[str, object]:
    return {
        "id": r.reading_id,
        "read_on": r.read_on.isoformat(),
        "value": str(r.value),
        "status": r.status,
    }


def period_consumption(
    register: RegisterIn,
    starts_on: date,
    ends_on: date,
    overrides: Mapping[str, str] | None = None,
    config: RuleConfig | None = None,
) -> Consumption:
    """Consumption of ``register`` from ``starts_on`` to ``ends_on`` (inclusive),
    with the findings of every validation rule not set ``off`` in ``overrides``."""
    rules = Checker(overrides, config)
    if register.kind == "consumption":
        result = _summed(register, starts_on, ends_on, rules)
    else:
        result = _indexed(register, starts_on, ends_on, rules)
    result.meter_serial = register.meter_serial

    check_register(register, result, starts_on, ends_on, rules)
    return result


def _summed(
    reg: RegisterIn, starts_on: date, ends_on: date, rules: Checker
) -> Consumption:
    inside = rows_in_period(reg, starts_on, ends_on)
    total = sum((r.value for r in inside), ZERO) * reg.multiplier
    result = Consumption(reg.register_id, total, days=(ends_on - starts_on).days + 1)
    if not inside:
        _add(
            result,
            rules.finding(
                "missing_reading",
                f"meter {reg.meter_serial}: no consumption data from {starts_on} to "
                f"{ends_on}",
                reg.register_id,
            ),
        )
    return result


def _indexed(
    reg: RegisterIn, starts_on: date, ends_on: date, rules: Checker
) -> Consumption:
    usable = [r for r in reg.readings if r.kind == "index" and r.status != "rejected"]
    before = [r for r in usable if r.read_on < starts_on]
    inside = [r for r in usable if starts_on <= r.read_on <= ends_on]
    after = [r for r in usable if r.read_on > ends_on]
    opening = before[-1] if before else (inside[0] if len(inside) > 1 else None)
    closing = inside[-1] if inside else None
    result = Consumption(reg.register_id, ZERO, opening=opening, closing=closing)

    if after and not inside:
        _add(
            result,
            rules.finding(
                "outside_period",
                f"meter {reg.meter_serial}: reading of {after[0].read_on} lies "
                f"after the "
                f"period ending {ends_on}; not used",
                reg.register_id,
                after[0],
            ),
        )
    if opening is None:
        _add(
            result,
            rules.finding(
                "no_estimate",
                f"meter {reg.meter_serial}: no opening index before {starts_on}",
                reg.register_id,
            ),
        )
        return result
    if closing is None or closing is opening:
        return _estimated(reg, result, opening, ends_on, usable, rules)

    result.days = (closing.read_on - opening.read_on).days
    result.quantity = _difference(reg, opening, closing, result, rules)
    if result.held:
        rate = average_daily_use(usable, opening.read_on)
        if rate is not None:
            result.substitute = rate[0] * result.days * reg.multiplier
    return result


def _difference(
    reg: RegisterIn,
    opening: ReadingIn,
    closing: ReadingIn,
    result: Consumption,
    rules: Checker,
) -> Decimal:
    delta = closing.value - opening.value
    if delta >= 0:
        return delta * reg.multiplier
    capacity = Decimal(10) ** reg.digits
    # A rollover: the register was near its capacity and is now near zero.
    if opening.value >= capacity * Decimal("0.9") and closing.value < capacity / 10:
        _add(
            result,
            rules.finding(
                "rollover",
                f"meter {reg.meter_serial}: index rolled over at {capacity} "
                f"({opening.value} → {closing.value})",
                reg.register_id,
                closing,
            ),
        )
        return (capacity - opening.value + closing.value) * reg.multiplier
    _add(
        result,
        rules.finding(
            "register_decrease",
            f"meter {reg.meter_serial}: index fell from {opening.value} "
            f"({opening.read_on}) to {closing.value} ({closing.read_on})",
            reg.register_id,
            closing,
        ),
    )
    return ZERO


def _estimated(
    reg: RegisterIn,
    result: Consumption,
    opening: ReadingIn,
    ends_on: date,
    usable: Sequence[ReadingIn],
    rules: Checker,
) -> Consumption:
    rate = average_daily_use(usable, opening.read_on)
    if rate is None:
        _add(
            result,
            rules.finding(
                "no_estimate",
                f"meter {reg.meter_serial}: no closing reading by {ends_on} and too "
                f"little history to estimate one",
                reg.register_id,
            ),
        )
        return result
    per_day, basis = rate
    days = (ends_on - opening.read_on).days
    # Index estimates keep the register's resolution: 3 decimals.
    value = round_to(opening.value + per_day * days, Decimal("0.001"))
    result.estimate = Estimate(ends_on, value, "average_daily", basis)
    result.days = days
    result.quantity = (value - opening.value) * reg.multiplier
    _add(
        result,
        rules.finding(
            "missing_reading",
            f"meter {reg.meter_serial}: no closing reading by {ends_on}; estimated "
            f"{value} from {basis}",
            reg.register_id,
        ),
    )
    return result


def average_daily_use(
    readings: Sequence[ReadingIn], until: date, window_days: int = 366
) -> tuple[Decimal, str] | None:
    """Average use per day between the oldest reading within ``window_days`` before
    ``until`` and the newest on or before it; None with fewer than two readings."""
    history = index_history(readings, until, window_days)
    if history is None:
        return None
    return history.per_day, history.basis


def _add(result: Consumption, finding: Finding | None) -> None:
    if finding is not None:
        result.findings.append(finding)
