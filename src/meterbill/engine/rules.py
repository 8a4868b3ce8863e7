"""The plausibility rules evaluated on a register after its consumption is known.

``engine.consumption`` computes a register's quantity (and raises the rules that the
arithmetic itself meets: ``register_decrease``, ``rollover``, ``missing_reading``,
``no_estimate``, ``outside_period``); :func:`check_register` then looks at the same
register's readings for the rest: negative and zero consumption, use far above or
below the register's history, spikes, duplicate readings, consumption on an inactive
meter, prolonged estimation and allocator faults. :func:`check_branch_sum` compares
a meter with the meters under it; the bill run calls it per residence
(``engine.billing_branch_sum``). Each finding's severity is the branch's, resolved
per reading source by ``validation.severity``.

The thresholds are a :class:`RuleConfig`; the defaults are written next to each field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from statistics import median
from typing import TYPE_CHECKING

from .money import round_to
from .validation import OFF, Finding, severity

if TYPE_CHECKING:
    from .consumption import Consumption, ReadingIn, RegisterIn, Settlement

ZERO = Decimal(0)

# Reading flags that make a reading untrustworthy (set by the radio import from the
# telegram's status, or by an operator). Other flags, such as "low_battery", are kept
# on the reading but raise nothing.
FAULT_FLAGS = frozenset({"fault", "tamper", "alarm"})
# Every flag word a reading may carry.
READING_FLAGS = FAULT_FLAGS | {"low_battery", "busy"}


@dataclass(frozen=True)
class RuleConfig:
    """Thresholds of the comparison rules; one set per bill run."""

    # high_use: the period's daily use is above high_factor × the history's average…
    high_factor: Decimal = Decimal(3)
    # low_use: … or below low_factor × the history's average;
    low_factor: Decimal = Decimal("0.2")
    # … and in both cases differs from it by at least this many units a day (the
    # register's unit × the meter's multiplier: m3, kWh, allocator units), so small
    # users are not flagged for a few litres. One band serves every utility while
    # the bill run passes one config, hence a whole unit.
    min_daily_difference: Decimal = Decimal(1)
    # The history must span at least this many days to compare against.
    min_history_days: int = 28
    # How far back the history reaches, as for estimation.
    history_window_days: int = 366
    # spike: a consumption row whose daily use is above spike_factor × the median
    # daily use of the register's rows (at least spike_min_rows of them).
    spike_factor: Decimal = Decimal(5)
    spike_min_rows: int = 5
    # prolonged_estimation: this many closing indexes in a row before the period
    # were estimated.
    estimated_in_a_row: int = 2
    # branch_sum: the meters under a meter may differ from it by the larger of this
    # share of its consumption and this many of its units.
    branch_sum_relative: Decimal = Decimal("0.05")
    branch_sum_absolute: Decimal = Decimal(1)


DEFAULT_CONFIG = RuleConfig()


@dataclass(frozen=True)
class History:
    """Average use per day over a register's past readings."""

    per_day: Decimal
    days: int
    basis: str


class Checker:
    """Turns a rule's verdict into a finding with the branch's severity, or none."""

    def __init__(
        self,
        overrides: Mapping[str, str] | None = None,
        config: RuleConfig | None = None,
    ) -> None:
        self.overrides = overrides or {}
        self.config = config or DEFAULT_CONFIG

    def finding(
        self,
        rule: str,
        message: str,
        register_id: int,
        reading: ReadingIn | None = None,
    ) -> Finding | None:
        source = reading.source if reading is not None else ""
        sev = severity(rule, self.overrides, source)
        if sev == OFF:
            return None
        reading_id = reading.reading_id if reading is not None else None
        return Finding(rule, sev, message, register_id, reading_id, source)


def index_history(
    readings: Sequence[ReadingIn], until: date, window_days: int = 366
) -> History | None:
    """Average daily use between the oldest index within ``window_days`` before
    ``until`` and the newest on or before it; None with fewer than two readings, no
    days between them, or a decrease."""
    since = until - timedelta(days=window_days)
    history = [r for r in readings if since <= r.read_on <= until and r.kind == "index"]
    if len(history) < 2:
        return None
    first, last = history[0], history[-1]
    days = (last.read_on - first.read_on).days
    if days <= 0 or last.value < first.value:
        return None
    per_day = (last.value - first.value) / days
    return History(per_day, days, f"average daily use {first.read_on}–{last.read_on}")


def rows_in_period(reg: RegisterIn, starts_on: date, ends_on: date) -> list[ReadingIn]:
    """The consumption rows whose first and last day both lie in the period."""
    return [
        r
        for r in reg.readings
        if r.kind == "consumption"
        and (r.period_start or r.read_on) >= starts_on
        and r.read_on <= ends_on
    ]


def _row_days(r: ReadingIn) -> int:
    # A row covers period_start..read_on inclusive; a row without a start is one day.
    return (r.read_on - (r.period_start or r.read_on)).days + 1


def _rows_history(reg: RegisterIn, starts_on: date, window_days: int) -> History | None:
    since = starts_on - timedelta(days=window_days)
    rows = [
        r
        for r in reg.readings
        if r.kind == "consumption"
        and since <= (r.period_start or r.read_on)
        and r.read_on < starts_on
    ]
    days = sum(_row_days(r) for r in rows)
    if not rows or days <= 0:
        return None
    total = sum((r.value for r in rows), ZERO)
    basis = (
        f"average daily use of {len(rows)} rows {rows[0].read_on}–{rows[-1].read_on}"
    )
    return History(total / days, days, basis)


def check_register(
    reg: RegisterIn,
    result: Consumption,
    starts_on: date,
    ends_on: date,
    checker: Checker,
) -> None:
    """Add the findings of the plausibility rules to ``result``."""
    found = [
        _negative(reg, starts_on, ends_on, checker),
        _zero(reg, result, starts_on, ends_on, checker),
        _use_band(reg, result, starts_on, ends_on, checker),
        _spike(reg, starts_on, ends_on, checker),
        _duplicate(reg, result, starts_on, ends_on, checker),
        _inactive(reg, result, starts_on, ends_on, checker),
        _prolonged_estimation(reg, starts_on, checker),
        _fault(reg, result, starts_on, ends_on, checker),
    ]
    result.findings += [f for f in found if f is not None]


def _negative(
    reg: RegisterIn, starts_on: date, ends_on: date, checker: Checker
) -> Finding | None:
    # Index registers meet a decrease as register_decrease; this is the rows' twin.
    if reg.kind != "consumption":
        return None
    negative = [r for r in rows_in_period(reg, starts_on, ends_on) if r.value < 0]
    if not negative:
        return None
    row = negative[0]
    return checker.finding(
        "negative_consumption",
        f"meter {reg.meter_serial}: {len(negative)} consumption row(s) below zero, "
        f"first {row.value} on {row.read_on}",
        reg.register_id,
        row,
    )


def _zero(
    reg: RegisterIn,
    result: Consumption,
    starts_on: date,
    ends_on: date,
    checker: Checker,
) -> Finding | None:
    if reg.kind == "consumption":
        rows = rows_in_period(reg, starts_on, ends_on)
        if not rows or sum((r.value for r in rows), ZERO) != 0:
            return None
        evidence = rows[-1]
    else:
        # Only a measured standstill: a decrease also bills 0 but is not one.
        opening, closing = result.opening, result.closing
        if opening is None or closing is None or closing is opening:
            return None
        if result.estimate is not None or closing.value != opening.value:
            return None
        evidence = closing
    return checker.finding(
        "zero_consumption",
        f"meter {reg.meter_serial}: no consumption from {starts_on} to {ends_on}",
        reg.register_id,
        evidence,
    )


def _measured_rate(
    reg: RegisterIn, result: Consumption, starts_on: date, ends_on: date
) -> tuple[Decimal, ReadingIn] | None:
    """The period's measured daily use (× multiplier) and the reading behind it."""
    if reg.kind == "consumption":
        rows = rows_in_period(reg, starts_on, ends_on)
        days = sum(_row_days(r) for r in rows)
        if not rows or days <= 0:
            return None
        return result.quantity / days, rows[-1]
    opening, closing = result.opening, result.closing
    if opening is None or closing is None or closing is opening:
        return None
    if result.estimate is not None or result.days <= 0:
        return None
    if closing.value < opening.value and result.quantity == 0:
        return None  # a decrease billed as 0: register_decrease speaks for it
    return result.quantity / result.days, closing


def _use_band(
    reg: RegisterIn,
    result: Consumption,
    starts_on: date,
    ends_on: date,
    checker: Checker,
) -> Finding | None:
    """high_use / low_use: the period's daily use against the history's, both as a
    ratio and as an absolute difference per day (the two bands must both be left)."""
    cfg = checker.config
    measured = _measured_rate(reg, result, starts_on, ends_on)
    if measured is None or result.quantity <= 0:
        return None  # zero and negative use have their own rules
    rate, evidence = measured
    if reg.kind == "consumption":
        history = _rows_history(reg, starts_on, cfg.history_window_days)
    else:
        assert result.opening is not None
        history = index_history(
            [r for r in reg.readings if r.status != "rejected"],
            result.opening.read_on,
            cfg.history_window_days,
        )
    if history is None or history.days < cfg.min_history_days:
        return None

    average = history.per_day * reg.multiplier
    difference = rate - average
    if rate > average * cfg.high_factor and difference >= cfg.min_daily_difference:
        rule = "high_use"
    elif rate < average * cfg.low_factor and -difference >= cfg.min_daily_difference:
        rule = "low_use"
    else:
        return None
    return checker.finding(
        rule,
        f"meter {reg.meter_serial}: {_fmt(rate)} a day from {starts_on} to "
        f"{ends_on} against {_fmt(average)} ({history.basis})",
        reg.register_id,
        evidence,
    )


def _spike(
    reg: RegisterIn, starts_on: date, ends_on: date, checker: Checker
) -> Finding | None:
    """spike: a row of the period far above the median daily use of the register's
    rows (history and period together, within the history window)."""
    cfg = checker.config
    if reg.kind != "consumption":
        return None
    since = ends_on - timedelta(days=cfg.history_window_days)
    rows = [
        r
        for r in reg.readings
        if r.kind == "consumption" and since <= r.read_on <= ends_on
    ]
    if len(rows) < cfg.spike_min_rows:
        return None
    typical = median(r.value / _row_days(r) for r in rows)
    worst: tuple[Decimal, ReadingIn] | None = None
    for r in rows_in_period(reg, starts_on, ends_on):
        rate = r.value / _row_days(r)
        far = rate > typical * cfg.spike_factor
        if far and (rate - typical) * reg.multiplier >= cfg.min_daily_difference:
            if worst is None or rate > worst[0]:
                worst = (rate, r)
    if worst is None:
        return None
    rate, row = worst
    return checker.finding(
        "spike",
        f"meter {reg.meter_serial}: {_fmt(rate)} a day on the row ending "
        f"{row.read_on} against a median of {_fmt(typical)} over {len(rows)} rows",
        reg.register_id,
        row,
    )


def _duplicate(
    reg: RegisterIn,
    result: Consumption,
    starts_on: date,
    ends_on: date,
    checker: Checker,
) -> Finding | None:
    """duplicate_reading: two index readings of one day with different values, among
    the days this period uses (the opening reading's day to the period's end)."""
    first = result.opening.read_on if result.opening is not None else starts_on
    seen: dict[date, ReadingIn] = {}
    for r in reg.readings:
        if r.kind != "index" or r.status == "rejected":
            continue
        if not first <= r.read_on <= ends_on:
            continue
        other = seen.setdefault(r.read_on, r)
        if other.value != r.value:
            return checker.finding(
                "duplicate_reading",
                f"meter {reg.meter_serial}: two readings on {r.read_on}: "
                f"{other.value} and {r.value}",
                reg.register_id,
                r,
            )
    return None


def _inactive(
    reg: RegisterIn,
    result: Consumption,
    starts_on: date,
    ends_on: date,
    checker: Checker,
) -> Finding | None:
    """inactive_meter: the register shows use on days its meter was not in place: a
    reading the period would use dated before the installation, or one after the
    removal that differs from the final index (a consumption row other than 0).

    The consumption itself only counts the days the meter was in place
    (``consumption.in_place``); an exchange read on the removal and installation
    day raises nothing."""
    if reg.installed_on is None and reg.removed_on is None:
        return None
    first = result.opening.read_on if result.opening is not None else starts_on
    opening_before = [
        r.read_on
        for r in reg.readings
        if r.kind == "index" and r.status != "rejected" and r.read_on < starts_on
    ]
    if opening_before:
        first = min(first, opening_before[-1])
    final = result.closing.value if result.closing is not None else None
    for r in reg.readings:
        if r.status == "rejected" or not first <= r.read_on <= ends_on:
            continue
        if reg.installed_on is not None and r.read_on < reg.installed_on:
            why = f"read on {r.read_on}, before its installation on {reg.installed_on}"
        elif reg.removed_on is not None and r.read_on > reg.removed_on:
            used = r.value != 0 if r.kind == "consumption" else r.value != final
            if not used:
                continue
            why = f"read on {r.read_on}, after its removal on {reg.removed_on}"
        else:
            continue
        return checker.finding(
            "inactive_meter",
            f"meter {reg.meter_serial}: {r.value} {why}; not used",
            reg.register_id,
            r,
        )
    return None


def _prolonged_estimation(
    reg: RegisterIn, starts_on: date, checker: Checker
) -> Finding | None:
    count = checker.config.estimated_in_a_row
    if reg.kind == "consumption" or count <= 0:
        return None
    before = [
        r
        for r in reg.readings
        if r.kind == "index" and r.status != "rejected" and r.read_on < starts_on
    ]
    last = before[-count:]
    if len(last) < count or any(r.status != "estimated" for r in last):
        return None
    return checker.finding(
        "prolonged_estimation",
        f"meter {reg.meter_serial}: the last {count} closing indexes before "
        f"{starts_on} were estimated ({last[0].read_on} to {last[-1].read_on})",
        reg.register_id,
        last[-1],
    )


def _fault(
    reg: RegisterIn,
    result: Consumption,
    starts_on: date,
    ends_on: date,
    checker: Checker,
) -> Finding | None:
    """allocator_fault: a reading this period uses carries a fault or tamper flag,
    including the late actual that settles an estimated opening index (it is kept
    apart from ``reg.readings``, see metering.LateReading)."""
    first = result.opening.read_on if result.opening is not None else starts_on
    used = [r for r in reg.readings if first <= r.read_on <= ends_on]
    flagged = [r for r in used if r.flags & FAULT_FLAGS]
    if not flagged and result.settlement is not None:
        return _late_fault(reg, result.settlement, used, checker)
    if not flagged:
        return None
    row = flagged[-1]
    return checker.finding(
        "allocator_fault",
        f"meter {reg.meter_serial}: reading of {row.read_on} flagged "
        f"{', '.join(sorted(row.flags & FAULT_FLAGS))}",
        reg.register_id,
        row,
    )


def _late_fault(
    reg: RegisterIn, settlement: Settlement, used: list[ReadingIn], checker: Checker
) -> Finding | None:
    """allocator_fault for a late actual that settles an estimate and is flagged."""
    late = settlement.actual
    words = ", ".join(sorted(late.flags & FAULT_FLAGS))
    if not words or late in used:
        return None
    # A late actual is no Reading row: the finding points at the estimate it
    # settles (same register and day) and names the late reading in its text.
    return checker.finding(
        "allocator_fault",
        f"meter {reg.meter_serial}: the late actual reading of {late.read_on} "
        f"that settles the estimate is flagged {words}",
        reg.register_id,
        replace(late, reading_id=settlement.estimate.reading_id),
    )


def _fmt(value: Decimal) -> str:
    return str(round_to(value, Decimal("0.001")))


@dataclass(frozen=True)
class BranchSum:
    """A main meter's consumption against the sum of its branching counters."""

    main_quantity: Decimal
    children_quantity: Decimal
    relative_tolerance: Decimal = Decimal("0.05")  # 5 % of the main meter
    absolute_tolerance: Decimal = Decimal(1)  # units of the main meter

    @property
    def difference(self) -> Decimal:
        return self.main_quantity - self.children_quantity

    @property
    def allowed(self) -> Decimal:
        """The larger of the two tolerances, in the main meter's unit."""
        return max(
            abs(self.main_quantity) * self.relative_tolerance, self.absolute_tolerance
        )

    @property
    def off(self) -> bool:
        return abs(self.difference) > self.allowed


def check_branch_sum(
    main: Consumption,
    children: Sequence[Consumption],
    checker: Checker,
    relative_tolerance: Decimal = Decimal("0.05"),
    absolute_tolerance: Decimal = Decimal(1),
    others: Sequence[Consumption] = (),
) -> Finding | None:
    """branch_sum: a meter's branching counters (``Meter.parent``), summed over the
    period, against the meter itself. ``others`` are the meters hung directly under
    it beside its counters (apartment meters under no counter); they count in the
    sum. The finding fires when the two differ by more than the larger of
    ``relative_tolerance`` × the meter's consumption and ``absolute_tolerance``
    units; both sides × their multipliers. Not evaluated without counters, or when
    any side is estimated or held: the comparison needs measured figures."""
    under = [*children, *others]
    if not children or main.estimate is not None or main.held:
        return None
    if any(c.estimate is not None or c.held for c in under):
        return None
    check = BranchSum(
        main.quantity,
        sum((c.quantity for c in under), ZERO),
        relative_tolerance,
        absolute_tolerance,
    )
    if not check.off:
        return None
    beside = f" and {len(others)} other meter(s) under it" if others else ""
    return checker.finding(
        "branch_sum",
        f"meter {main.meter_serial}: {_fmt(check.main_quantity)} against "
        f"{_fmt(check.children_quantity)} on its {len(children)} branching "
        f"counter(s){beside}, {_fmt(check.difference)} apart (tolerance "
        f"{_fmt(check.allowed)})",
        main.register_id,
        main.closing,
    )
