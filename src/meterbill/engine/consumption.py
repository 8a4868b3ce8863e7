"""A register's consumption over a period, from its readings, with estimation.

Index registers: consumption = (closing index − opening index) × multiplier, where the
opening index is the newest usable reading before the period starts and the closing
index the newest usable reading within the period. A missing closing index is estimated
by the register's estimation methods (``engine.estimation``; average daily use unless
the branch prefers others). Consumption registers (interval or accumulation data): the
sum of the rows that fall inside the period.

A meter exchanged mid-period is two meters: the old one removed on day D with its
final index, the new one installed on D with its initial index. Each register only
uses the readings of the days its meter was in place (``installed_on`` to
``removed_on``): the old meter runs from its opening to the final index, the new one
from the initial index to its closing, and the utility's consumption is the sum of
both; a missing final index is estimated to the removal day, never past it.

An estimate that closed a billed period stays its closing index: the next period opens
from it, so the difference to the next actual index settles itself in the next bill,
and the trace says so (:class:`Settlement`). An estimate that was too high settles
the same way: a closing actual below the estimate, but not below the last actual
index before it, gives a negative quantity that credits the customer at the tariff;
only a closing index below that last actual is a ``register_decrease``.

The plausibility rules that look beyond the arithmetic (zero, high and low use, spikes,
duplicates, inactive meters, prolonged estimation, faults) are in ``engine.rules``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .estimation import DEFAULT_METHODS, Estimate, estimate_closing
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
    # The branch's estimation methods for the utility, in order of preference.
    estimation: tuple[str, ...] = DEFAULT_METHODS
    # Daily mean temperatures (°C) for the degree-day method; shared, not copied.
    temperatures: Mapping[date, Decimal] | None = None
    # Actual readings that came after an invoice billed the estimate of their day
    # (metering.LateReading): shown when the next period settles the estimate.
    late_actuals: Sequence[ReadingIn] = ()


@dataclass(frozen=True)
class Settlement:
    """The period opens from an estimate that an earlier bill used; ``actual`` is
    the first actual index after it (or read late on the estimate's own day)."""

    estimate: ReadingIn
    actual: ReadingIn
    multiplier: Decimal = Decimal(1)

    @property
    def difference(self) -> Decimal:
        """The quantity this bill settles: (actual − estimate) × multiplier."""
        return (self.actual.value - self.estimate.value) * self.multiplier

    def text(self) -> str:
        return (
            f"estimate of {_day(self.estimate.read_on)} {_q(self.estimate.value)}, "
            f"actual {_q(self.actual.value)} read on {_day(self.actual.read_on)}: "
            f"{self.difference:+.3f} settled in this bill"
        )


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _q(value: Decimal) -> str:
    return str(round_to(value, Decimal("0.001")))


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
    settlement: Settlement | None = None

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
        if self.settlement:
            out["settlement"] = {
                "estimate_on": self.settlement.estimate.read_on.isoformat(),
                "estimate": str(self.settlement.estimate.value),
                "actual_on": self.settlement.actual.read_on.isoformat(),
                "actual": str(self.settlement.actual.value),
                "difference": str(self.settlement.difference),
                "text": self.settlement.text(),
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
        **({"flags": sorted(r.flags)} if r.flags else {}),
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


def in_place(reg: RegisterIn, day: date) -> bool:
    """Whether the register's meter was in place on ``day`` (the removal day and the
    installation day both count: the final and the initial index are read then)."""
    if reg.installed_on is not None and day < reg.installed_on:
        return False
    return reg.removed_on is None or day <= reg.removed_on


def _indexed(
    reg: RegisterIn, starts_on: date, ends_on: date, rules: Checker
) -> Consumption:
    usable = [
        r
        for r in reg.readings
        if r.kind == "index" and r.status != "rejected" and in_place(reg, r.read_on)
    ]
    # A meter removed in the period counts to its removal day only.
    last_day = min(ends_on, reg.removed_on) if reg.removed_on else ends_on
    installed_inside = reg.installed_on is not None and reg.installed_on >= starts_on
    before = [r for r in usable if r.read_on < starts_on]
    inside = [r for r in usable if starts_on <= r.read_on <= last_day]
    after = [r for r in usable if r.read_on > ends_on]
    if before:
        opening: ReadingIn | None = before[-1]
    elif inside and (len(inside) > 1 or installed_inside):
        opening = inside[0]  # a new meter opens from its initial index
    else:
        opening = None
    closing = inside[-1] if inside else None
    result = Consumption(reg.register_id, ZERO, opening=opening, closing=closing)

    if opening is None:
        _add(
            result,
            rules.finding(
                "no_estimate",
                f"meter {reg.meter_serial}: no opening index before {starts_on}",
                reg.register_id,
            ),
        )
        _outside_period(reg, result, after, inside, ends_on, rules)
        return result
    result.settlement = _settlement(reg, opening, closing)
    if closing is None or closing is opening:
        _estimated(reg, result, opening, last_day, usable, rules)
        _outside_period(reg, result, after, inside, ends_on, rules)
        return result

    result.days = (closing.read_on - opening.read_on).days
    result.quantity = _difference(reg, opening, closing, result, rules)
    if result.held:
        rate = average_daily_use(usable, opening.read_on)
        if rate is not None:
            result.substitute = rate[0] * result.days * reg.multiplier
    return result


def _outside_period(
    reg: RegisterIn,
    result: Consumption,
    after: Sequence[ReadingIn],
    inside: Sequence[ReadingIn],
    ends_on: date,
    rules: Checker,
) -> None:
    """outside_period: a reading after the period and none inside it, unless the
    estimate interpolated towards it (then it is used, not left out)."""
    if not after or inside:
        return
    if result.estimate is not None and result.estimate.method == "interpolation":
        return
    _add(
        result,
        rules.finding(
            "outside_period",
            f"meter {reg.meter_serial}: reading of {after[0].read_on} lies after the "
            f"period ending {ends_on}; not used",
            reg.register_id,
            after[0],
        ),
    )


def _settlement(
    reg: RegisterIn, opening: ReadingIn, closing: ReadingIn | None
) -> Settlement | None:
    """The actual index that settles an estimated opening index: one read late on
    the estimate's own day, else the first actual after it up to the closing."""
    if opening.status != "estimated":
        return None
    late = [r for r in reg.late_actuals if r.read_on == opening.read_on]
    if late:
        return Settlement(opening, late[-1], reg.multiplier)
    until = closing.read_on if closing is not None else opening.read_on
    actual = next(
        (
            r
            for r in reg.readings
            if opening.read_on < r.read_on <= until
            and r.kind == "index"
            and r.status not in ("estimated", "rejected")
        ),
        None,
    )
    return Settlement(opening, actual, reg.multiplier) if actual else None


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
    if _settles_an_over_estimate(reg, opening, closing):
        # The billed estimate was too high: the period runs from it to the actual,
        # and the negative quantity credits what the estimate billed too much.
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


def _settles_an_over_estimate(
    reg: RegisterIn, opening: ReadingIn, closing: ReadingIn
) -> bool:
    """Whether a closing index below the opening one settles an estimate that was
    too high: the opening index is estimated, and the closing index is not below
    the last actual index before it (lower than that, the meter itself went back:
    a rollover, an unrecorded exchange or a misread, as without an estimate)."""
    if opening.status != "estimated" or closing.status == "estimated":
        return False
    last_actual = next(
        (
            r
            for r in reversed(reg.readings)
            if r.read_on < opening.read_on
            and r.kind == "index"
            and r.status not in ("estimated", "rejected")
            and in_place(reg, r.read_on)
        ),
        None,
    )
    return last_actual is not None and closing.value >= last_actual.value


def _estimated(
    reg: RegisterIn,
    result: Consumption,
    opening: ReadingIn,
    ends_on: date,
    usable: Sequence[ReadingIn],
    rules: Checker,
) -> None:
    estimate = estimate_closing(
        usable, opening, ends_on, reg.estimation, reg.temperatures
    )
    if estimate is None:
        _add(
            result,
            rules.finding(
                "no_estimate",
                f"meter {reg.meter_serial}: no closing reading by {ends_on} and too "
                f"little history to estimate one",
                reg.register_id,
            ),
        )
        return
    result.estimate = estimate
    result.days = (ends_on - opening.read_on).days
    result.quantity = (estimate.value - opening.value) * reg.multiplier
    _add(
        result,
        rules.finding(
            "missing_reading",
            f"meter {reg.meter_serial}: no closing reading by {ends_on}; estimated "
            f"{estimate.value} by {estimate.method}: {estimate.basis}",
            reg.register_id,
        ),
    )


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
