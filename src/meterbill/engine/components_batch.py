"""The batch path of the rating engine: one tariff, many apartments, one call.

``rate_period`` (``engine.components``) is the reference: it rates one usage and
reads as the rules are written. A bill run rates thousands of apartments with the
same tariff versions over the same period, so most of that work is the same for
each of them: the parts of the period, their days and months, the block limits
scaled to the months, the months a seasonal price spans, the VAT rate of each line,
the texts. This module does that work once:

* ``prepare_version(version)`` once per tariff version and bill run;
* ``rate_many(prepared, usages, vat, rounding)`` plans each distinct period once
  (parts, VAT rates, one rater per component specialised to the part) and then
  rates every usage with plain Decimal arithmetic, no Part objects, rounding
  contexts set up once.

The usages of one period are rated column by column when the period is one part
with one VAT group, rounded at the line point, and all its components are of the
kinds specialised here (the usual bill run): each component computes its amounts
and net amounts for all the usages in list comprehensions, the totals follow as
columns too, and the PricedLine objects, their traces and the totals' objects are
made when a Rating is first read (``Rating.deferred``). Such a batch keeps one
object per usage (and its formula traces) instead of a dozen, which is most of the
saving: the garbage collector scans every object kept. Other periods, and the
periods where some usage raises, are rated usage by usage with the raters.

The result for each usage is what ``rate_period`` returns (the same lines, amounts,
traces, totals and parts, checked by property tests), or the error that
``rate_period`` would have raised for it (RatingError, FormulaError, TariffError,
a decimal ArithmeticError): one bad apartment does not stop the others. The
batch rounds each line as it makes it, rate_period once all lines are made, so a
usage the batch stops at with a decimal error is rated again by rate_period,
whose error may be a later component's.
Components of kinds this module does not specialise (time-of-use energy, demand
charges, components of other classes) are rated by their own ``lines`` method on a
Part, exactly as ``rate_period`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, getcontext
from functools import partial
from operator import attrgetter
from typing import Any, cast

from meterbill.engine import collector
from meterbill.engine.components import (
    QUANTITY_SHOWN,
    BlockPrice,
    Component,
    ExciseTax,
    FixedCharge,
    FormulaCharge,
    InvoiceTotals,
    MaximumCharge,
    MinimumCharge,
    Part,
    PricedLine,
    Rating,
    RatingError,
    Rounding,
    SeasonalPrice,
    TariffVersion,
    UnitPrice,
    Usage,
    VatGroup,
    VatRates,
    _month_spans,
    _one_currency,
    _part_bounds,
    _split_by_days,
    _valid_on,
    rate_period,
    round_lines,
)
from meterbill.engine.formula import Formula, Trace
from meterbill.engine.money import precision
from meterbill.engine.rating import month_fraction

ZERO = Decimal(0)
_LINE_ROUNDING = Rounding()  # rate_period's default
ONE = Decimal(1)
HUNDRED = Decimal(100)

# A rater adds the lines of one component for one usage to ``made``:
# (quantity of the part, variables of the part, lines of the part so far, usage).
_Rater = Callable[[Decimal, dict[str, Decimal], list[PricedLine], Usage], None]


@dataclass(frozen=True, slots=True)
class _PartInfo:
    """What every rater of a part may fix in advance."""

    starts_on: date
    ends_on: date
    days: int
    months: Decimal
    vat_rates: Mapping[str, Decimal | None]
    tables: Mapping[str, Mapping[str, Decimal]]
    # (amount, step) -> the line's net amount: the amount rounded at the line
    # point; ZERO at the invoice point, where round_lines sets it afterwards
    round_net: Callable[[Decimal, Decimal], Decimal]
    step: Decimal
    # (quantity, step) -> round_to(quantity, step), half up, in the caller's context
    shown: Callable[[Decimal, Decimal], Decimal]


_Factory = Callable[[_PartInfo], _Rater]


class PreparedVersion:
    """A tariff version prepared for ``rate_many``: one rater factory per
    component, specialised to a part of a period when the period is planned."""

    __slots__ = ("factories", "generic", "version")

    def __init__(self, version: TariffVersion) -> None:
        self.version = version
        self.factories = tuple(_factory(c) for c in version.components)
        # components rated by their own lines(): their lines' VAT is not known
        # in advance
        self.generic = any(type(c) not in _SPECIALISED for c in version.components)


def prepare_version(version: TariffVersion) -> PreparedVersion:
    """Prepare ``version`` for ``rate_many``; do it once per bill run. (Not to be
    confused with ``tariffs.compile.compile_version``, which makes the engine's
    TariffVersion from the database's.)"""
    return PreparedVersion(version)


@dataclass(frozen=True, slots=True)
class _PlannedPart:
    days: Decimal
    months: Decimal
    raters: tuple[_Rater, ...]


@dataclass(frozen=True, slots=True)
class _Plan:
    """How the usages of one period are rated."""

    parts: tuple[_PlannedPart, ...]
    day_counts: tuple[int, ...]  # of every part, to split the quantity
    labels: tuple[tuple[date, date, str], ...]  # Rating.parts
    # what rate_period raises after rating ``parts`` (a part without a version
    # or VAT rates), or None
    error: str | None
    # the one VAT group (category, normalised rate) every line falls in, when
    # it is known in advance; None: found line by line
    vat_key: tuple[str, Decimal | None] | None
    # one per component, when the usages of the period can be rated column by
    # column (one part, one VAT group, line rounding, no generic component)
    columns: tuple[_Column, ...] | None = None


def rate_many(
    prepared: PreparedVersion | Sequence[PreparedVersion],
    usages: Sequence[Usage],
    vat: Sequence[VatRates],
    rounding: Rounding = _LINE_ROUNDING,
) -> list[Rating | ValueError | ArithmeticError]:
    """Rate each usage as ``rate_period(versions, vat, usage, rounding)`` would,
    with the versions in ``prepared``. Item i of the result is the Rating of
    ``usages[i]``, or the error raised for it (a ValueError such as RatingError
    or FormulaError, or an ArithmeticError). Arithmetic runs in the caller's
    decimal context, as in ``rate_period``."""
    return Rater(prepared, vat, rounding).rate_many(usages)


class Rater:
    """``rate_many`` for a caller that meets its usages a few at a time (the bill
    run prices residence by residence): the versions, VAT schedule and rounding
    are fixed once, and each period is planned once and kept for the later calls.
    The decimal context is the one current when the Rater is made."""

    def __init__(
        self,
        prepared: PreparedVersion | Sequence[PreparedVersion],
        vat: Sequence[VatRates],
        rounding: Rounding = _LINE_ROUNDING,
    ) -> None:
        self._batch = _Batch(
            [prepared] if isinstance(prepared, PreparedVersion) else prepared,
            vat,
            rounding,
        )

    def rate_many(
        self, usages: Sequence[Usage]
    ) -> list[Rating | ValueError | ArithmeticError]:
        """As the module's ``rate_many``, with this Rater's versions. The usages
        of one period are rated together, column by column where the plan allows
        (see ``_Batch.rate_group``), else one by one."""
        batch = self._batch
        periods = [(usage.starts_on, usage.ends_on) for usage in usages]
        if len(set(periods)) < 2:  # the bill run's usual case: one period
            with collector.paused():
                return batch.rate_group(usages)
        by_period: dict[tuple[date, date], list[int]] = {}
        for index, period in enumerate(periods):
            by_period.setdefault(period, []).append(index)
        out: list[Rating | ValueError | ArithmeticError] = [_NOT_YET] * len(usages)
        with collector.paused():
            for indexes in by_period.values():
                group = [usages[i] for i in indexes]
                ratings = batch.rate_group(group)
                for index, rating in zip(indexes, ratings, strict=True):
                    out[index] = rating
        return out


class _Batch:
    """The state of one Rater: versions, VAT, rounding contexts and the plans of
    the periods met so far."""

    def __init__(
        self,
        prepared: Sequence[PreparedVersion],
        vat: Sequence[VatRates],
        rounding: Rounding,
    ) -> None:
        self.versions = sorted(prepared, key=lambda c: c.version.valid_from)
        self.vat = sorted(vat, key=lambda r: r.valid_from)
        self.rounding = rounding
        self.currency_error = ""
        try:
            self.currency = _one_currency([c.version for c in self.versions])
        except RatingError as exc:
            self.currency, self.currency_error = "", str(exc)
        # The caller's context, once with the half-up mode of shown quantities
        # and once with the rounding's mode for money.
        self.half_up = getcontext().copy()
        self.half_up.rounding = ROUND_HALF_UP
        self.money = getcontext().copy()
        self.money.rounding = rounding.mode
        self.step = precision(self.currency)
        self.line_point = rounding.point == "line"
        self.zero = self.money.quantize(ZERO, self.step)
        self.plans: dict[tuple[date, date], _Plan] = {}
        self.normal_keys: dict[tuple[str, Decimal | None], _Key] = {}

    def rate_each(
        self, usages: Sequence[Usage]
    ) -> list[Rating | ValueError | ArithmeticError]:
        """The usages rated one by one, each its Rating or its error."""
        out: list[Rating | ValueError | ArithmeticError] = []
        rate = self.rate
        for usage in usages:
            try:
                out.append(rate(usage))
            except ValueError as exc:
                out.append(exc)
            except ArithmeticError:
                out.append(self.reference(usage))
        return out

    def reference(self, usage: Usage) -> Rating | ValueError | ArithmeticError:
        """What rate_period gives for a usage the batch stopped at with a decimal
        error. The batch rounds each line as it makes it and rate_period once all
        lines are made, so for a line too large to round rate_period may raise a
        later component's error instead (a formula naming a variable without a
        value); only such usages pay for the reference."""
        versions = [prepared.version for prepared in self.versions]
        try:
            return rate_period(versions, self.vat, usage, self.rounding)
        except (ValueError, ArithmeticError) as exc:
            return exc

    def rate_group(
        self, usages: Sequence[Usage]
    ) -> list[Rating | ValueError | ArithmeticError]:
        """The usages of one period: by columns when the plan allows it and there
        are at least COLUMNS_FROM of them, else one by one. When some usage
        raises, each half is rated again the same way, so the usages that raise
        end up rated one by one (each with rate_period's error) and the others
        still by columns."""
        plan = self.columnar_plan(usages)
        if plan is None:
            return self.rate_each(usages)
        try:
            block = _Block(plan, usages, self)
        except (ValueError, ArithmeticError):
            if len(usages) < 2 * COLUMNS_FROM:
                return self.rate_each(usages)
            half = len(usages) // 2
            return self.rate_group(usages[:half]) + self.rate_group(usages[half:])
        deferred, labels = Rating.deferred, plan.labels
        return [deferred(block, index, labels) for index in range(len(usages))]

    def columnar_plan(self, usages: Sequence[Usage]) -> _Plan | None:
        """The plan of the usages' period if they are to be rated by columns."""
        if len(usages) < COLUMNS_FROM:
            return None
        first = usages[0]
        try:
            plan = self.plans.get((first.starts_on, first.ends_on)) or self.plan(first)
        except (ValueError, ArithmeticError):
            return None  # rate_each gives each usage the error
        if plan.columns is None or plan.vat_key is None:
            return None
        return plan

    def rate(self, usage: Usage) -> Rating:
        plan = self.plans.get((usage.starts_on, usage.ends_on))
        if plan is None:
            plan = self.plan(usage)
        lines = _rate_usage(plan, usage)
        if not self.line_point:
            round_lines(lines, self.currency, self.rounding)
        return Rating(lines, self.totals(lines, plan.vat_key), plan.labels)

    def plan(self, usage: Usage) -> _Plan:
        """The parts of the usage's period, as rate_period splits it."""
        if usage.ends_on < usage.starts_on:
            raise RatingError(f"the period ends {usage.ends_on} before it starts")
        if self.currency_error:
            raise RatingError(self.currency_error)
        bounds = _part_bounds(usage, [c.version for c in self.versions], self.vat)
        parts, labels, keys = [], [], set()
        error = None
        columns: tuple[_Column, ...] | None = None
        generic = False
        for starts_on, ends_on in bounds:
            try:
                compiled = _version_on(self.versions, starts_on)
                rates = _valid_on(self.vat, starts_on, "VAT rates").rates
            except RatingError as exc:
                error = str(exc)
                break
            version = compiled.version
            info = _PartInfo(
                starts_on,
                ends_on,
                (ends_on - starts_on).days + 1,
                month_fraction(starts_on, ends_on),
                rates,
                version.tables,
                self.money.quantize if self.line_point else _no_net,
                self.step,
                self.half_up.quantize,
            )
            raters = tuple(factory(info) for factory in compiled.factories)
            columns = _columns(version, info) if self.line_point else None
            parts.append(_PlannedPart(Decimal(info.days), info.months, raters))
            labels.append((starts_on, ends_on, f"{version.code}@{version.valid_from}"))
            generic = generic or compiled.generic
            for component in version.components:
                rate = rates.get(component.vat_category)
                keys.add(self.key(component.vat_category, rate))
        if len(bounds) != 1 or error is not None:
            columns = None
        plan = _Plan(
            tuple(parts),
            tuple((e - s).days + 1 for s, e in bounds),
            tuple(labels),
            error,
            keys.pop() if len(keys) == 1 and not generic else None,
            columns,
        )
        self.plans[usage.starts_on, usage.ends_on] = plan
        return plan

    def key(self, category: str, rate: Decimal | None) -> _Key:
        """The VAT group of a line, as invoice_totals keys it."""
        key = self.normal_keys.get((category, rate))
        if key is None:
            key = (category, None if rate is None else rate.normalize())
            self.normal_keys[category, rate] = key
        return key

    def totals(self, lines: list[PricedLine], vat_key: _Key | None) -> InvoiceTotals:
        """``invoice_totals`` of the reference: the same operations in the same
        order. With one VAT group known in advance, its base is the net total
        (ZERO + nets and 0.00 + nets are the same numbers when nets are rounded
        to the currency's step)."""
        zero = self.zero
        net = zero
        if vat_key is not None:
            for line in lines:
                net += line.net_amount
            groups: tuple[VatGroup, ...] = ()
            if lines:
                groups = (self.group(vat_key, net),)
        else:
            bases: dict[_Key, Decimal] = {}
            key = self.key
            for line in lines:
                group = key(line.vat_category, line.vat_rate)
                bases[group] = bases.get(group, ZERO) + line.net_amount
                net += line.net_amount
            groups = tuple(
                self.group(group, base)
                for group, base in sorted(
                    bases.items(), key=lambda kv: (kv[0][0], kv[0][1] or ZERO)
                )
            )
        vat_total = zero
        for group_total in groups:
            vat_total += group_total.tax_amount
        return InvoiceTotals(net, net, vat_total, net + vat_total, groups)

    def group(self, key: _Key, base: Decimal) -> VatGroup:
        category, rate = key
        if not rate:
            return VatGroup(category, rate, base, self.zero)
        tax = self.money.quantize(base * rate / HUNDRED, self.step)
        return VatGroup(category, rate, base, tax)


_Key = tuple[str, Decimal | None]


def _no_net(amount: Decimal, step: Decimal) -> Decimal:
    return ZERO


def _version_on(versions: Sequence[PreparedVersion], day: date) -> PreparedVersion:
    """The last version valid on ``day``, as ``_valid_on`` finds it."""
    found = None
    for compiled in versions:
        if compiled.version.valid_from <= day:
            found = compiled
    if found is None:
        raise RatingError(f"no tariff version valid on {day}")
    return found


def _rate_usage(plan: _Plan, usage: Usage) -> list[PricedLine]:
    lines: list[PricedLine] = []
    if len(plan.day_counts) == 1:
        if plan.parts:
            part = plan.parts[0]
            variables = dict(usage.variables)
            variables["consumption"] = quantity = usage.quantity
            variables["days"] = part.days
            variables["months"] = part.months
            for rater in part.raters:
                rater(quantity, variables, lines, usage)
    else:
        quantities = _split_by_days(usage.quantity, plan.day_counts)
        for part, quantity in zip(plan.parts, quantities, strict=False):
            variables = dict(usage.variables)
            variables["consumption"] = quantity
            variables["days"] = part.days
            variables["months"] = part.months
            made: list[PricedLine] = []
            for rater in part.raters:
                rater(quantity, variables, made, usage)
            lines.extend(made)
    if plan.error is not None:
        raise RatingError(plan.error)
    return lines


# --- one factory per component kind: (part) -> rater ---------------------------


def _factory(component: Component) -> _Factory:
    make = _SPECIALISED.get(type(component))
    if make is None:
        return lambda info: _generic(component, info)

    def factory(info: _PartInfo) -> _Rater:
        # without a VAT rate for its category the component makes its lines
        # itself, and raises the reference's RatingError
        if component.vat_category not in info.vat_rates:
            return _generic(component, info)
        assert make is not None
        return make(component, info)

    return factory


def _generic(component: Component, info: _PartInfo) -> _Rater:
    round_net, step = info.round_net, info.step

    def rate(
        quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        part = Part(
            info.starts_on,
            info.ends_on,
            info.days,
            info.months,
            quantity,
            variables,
            info.vat_rates,
            info.tables,
            usage,
        )
        for line in component.lines(part, made):
            line.net_amount = round_net(line.amount, step)
            made.append(line)

    return rate


def _fixed_charge(component: FixedCharge, info: _PartInfo) -> _Rater:
    code, text = component.code, component.description
    price, category = component.amount_per_month, component.vat_category
    vat_rate, round_net, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on, months, shown = (
        info.starts_on,
        info.ends_on,
        info.months,
        info.shown,
    )
    rule = f"fixed charge per month × months × {component.per}s"

    if component.per != "meter":
        amount = months * ONE * price
        quantity = shown(months * ONE, QUANTITY_SHOWN)
        net_amount = round_net(amount, step)

        def per_apartment(
            _quantity: Decimal,
            variables: dict[str, Decimal],
            made: list[PricedLine],
            usage: Usage,
        ) -> None:
            trace = {"rule": rule, "months": months, "count": ONE, "component": code}
            made.append(
                PricedLine(
                    code,
                    text,
                    quantity,
                    "MON",
                    price,
                    amount,
                    category,
                    vat_rate,
                    starts_on,
                    ends_on,
                    trace,
                    net_amount,
                )
            )

        return per_apartment

    def per_meter(
        _quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        count = variables.get("meters")
        if count is None:
            raise RatingError(f"component {code}: the variable 'meters' has no value")
        quantity = months * count
        amount = quantity * price
        trace = {"rule": rule, "months": months, "count": count, "component": code}
        made.append(
            PricedLine(
                code,
                text,
                shown(quantity, QUANTITY_SHOWN),
                "MON",
                price,
                amount,
                category,
                vat_rate,
                starts_on,
                ends_on,
                trace,
                round_net(amount, step),
            )
        )

    return per_meter


def _unit_price(component: UnitPrice, info: _PartInfo) -> _Rater:
    code, text, unit_code = component.code, component.description, component.unit_code
    price, rule, category = component.unit_price, component.rule, component.vat_category
    vat_rate, round_net, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on = info.starts_on, info.ends_on

    def rate(
        quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        amount = quantity * price
        made.append(
            PricedLine(
                code,
                text,
                quantity,
                unit_code,
                price,
                amount,
                category,
                vat_rate,
                starts_on,
                ends_on,
                {"rule": rule, "quantity": quantity, "component": code},
                round_net(amount, step),
            )
        )

    return rate


def _block_price(component: BlockPrice, info: _PartInfo) -> _Rater:
    code, unit_code, basis = component.code, component.unit_code, component.basis
    category = component.vat_category
    vat_rate, round_net, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on, months = info.starts_on, info.ends_on, info.months
    # per block: lower and upper limit (× months), the room between them (None
    # for the last block), its price, line text and rule
    blocks = []
    lower = ZERO
    for index, (limit, price) in enumerate(component.blocks):
        upper = None if limit is None else limit * months
        blocks.append(
            (
                index == 0,
                lower,
                upper,
                None if upper is None else upper - lower,
                price,
                f"{component.description}, block {index + 1}",
                f"block {index + 1} ({basis}), limits × months",
            )
        )
        if upper is None:
            break
        lower = upper

    def incremental(
        quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        left = quantity
        for first, lower, upper, room, price, text, rule in blocks:
            taken = room if room is not None and room < left else left
            # the first block also prices nothing (a zero line) and a negative
            # quantity (all of it, as rate_period)
            if taken > 0 or (first and left <= 0):
                amount = taken * price
                trace = {
                    "rule": rule,
                    "block_from": lower,
                    "block_to": upper,
                    "months": months,
                    "component": code,
                }
                made.append(
                    PricedLine(
                        code,
                        text,
                        taken,
                        unit_code,
                        price,
                        amount,
                        category,
                        vat_rate,
                        starts_on,
                        ends_on,
                        trace,
                        round_net(amount, step),
                    )
                )
            left -= taken
            if room is None or left <= 0:
                return

    def all_units(
        quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        for _first, lower, upper, _room, price, text, rule in blocks:
            if upper is None or quantity <= upper:
                amount = quantity * price
                trace = {
                    "rule": rule,
                    "block_from": lower,
                    "block_to": upper,
                    "months": months,
                    "component": code,
                }
                made.append(
                    PricedLine(
                        code,
                        text,
                        quantity,
                        unit_code,
                        price,
                        amount,
                        category,
                        vat_rate,
                        starts_on,
                        ends_on,
                        trace,
                        round_net(amount, step),
                    )
                )
                return

    return all_units if basis == "all_units" else incremental


def _seasonal_price(component: SeasonalPrice, info: _PartInfo) -> _Rater:
    code, text, unit_code = component.code, component.description, component.unit_code
    category = component.vat_category
    vat_rate, round_net, step = info.vat_rates[category], info.round_net, info.step
    # (first day, last day, days, price) of each calendar month in the part
    months = [
        (starts_on, ends_on, days, component.prices_by_month[starts_on.month - 1])
        for starts_on, ends_on, days in _month_spans(info.starts_on, info.ends_on)
    ]
    day_counts = [days for _s, _e, days, _p in months]
    rule = "quantity split by days × the month's price"

    if len(months) == 1:
        ((starts_on, ends_on, days, price),) = months

        def one_month(
            quantity: Decimal,
            variables: dict[str, Decimal],
            made: list[PricedLine],
            usage: Usage,
        ) -> None:
            amount = quantity * price
            trace = {"rule": rule, "month": starts_on, "days": days, "component": code}
            made.append(
                PricedLine(
                    code,
                    text,
                    quantity,
                    unit_code,
                    price,
                    amount,
                    category,
                    vat_rate,
                    starts_on,
                    ends_on,
                    trace,
                    round_net(amount, step),
                )
            )

        return one_month

    def rate(
        quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        shares = _split_by_days(quantity, day_counts)
        for (starts_on, ends_on, days, price), share in zip(
            months, shares, strict=True
        ):
            amount = share * price
            trace = {"rule": rule, "month": starts_on, "days": days, "component": code}
            made.append(
                PricedLine(
                    code,
                    text,
                    share,
                    unit_code,
                    price,
                    amount,
                    category,
                    vat_rate,
                    starts_on,
                    ends_on,
                    trace,
                    round_net(amount, step),
                )
            )

    return rate


def _formula_charge(component: FormulaCharge, info: _PartInfo) -> _Rater:
    code, text, unit_code = component.code, component.description, component.unit_code
    category, tables = component.vat_category, info.tables
    vat_rate, round_net, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on = info.starts_on, info.ends_on
    price_formula, quantity_formula = component.formula, component.quantity
    if price_formula is None:
        return _raises(RatingError(f"{code}: no formula"))
    price_of, price_text = price_formula.evaluate, price_formula.text

    def amount_only(
        quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        value, trace = price_of(variables, tables)
        details = {
            "rule": "formula",
            "formula": price_text,
            "formula_trace": trace,
            "component": code,
        }
        made.append(
            PricedLine(
                code,
                text,
                ONE,
                unit_code,
                value,
                value,
                category,
                vat_rate,
                starts_on,
                ends_on,
                details,
                round_net(value, step),
            )
        )

    if quantity_formula is None:
        return amount_only
    quantity_of, quantity_text = quantity_formula.evaluate, quantity_formula.text

    def price_and_quantity(
        quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        value, trace = price_of(variables, tables)
        how_many, how_many_trace = quantity_of(variables, tables)
        amount = how_many * value
        details = {
            "rule": "formula",
            "formula": price_text,
            "formula_trace": trace,
            "quantity_formula": quantity_text,
            "quantity_trace": how_many_trace,
            "component": code,
        }
        made.append(
            PricedLine(
                code,
                text,
                how_many,
                unit_code,
                value,
                amount,
                category,
                vat_rate,
                starts_on,
                ends_on,
                details,
                round_net(amount, step),
            )
        )

    return price_and_quantity


def _raises(error: RatingError) -> _Rater:
    message = str(error)

    def rate(
        quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        raise RatingError(message)

    return rate


def _limit_charge(component: MinimumCharge | MaximumCharge, info: _PartInfo) -> _Rater:
    """Minimum (top up to) and maximum (cap at) per month × months, over the
    lines of the part made before."""
    code, text, category = component.code, component.description, component.vat_category
    vat_rate, round_net, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on = info.starts_on, info.ends_on
    limit = component.amount_per_month * info.months
    minimum = isinstance(component, MinimumCharge)
    rule = (
        "minimum per month × months − lines so far"
        if minimum
        else "maximum per month × months − lines so far"
    )
    label = "minimum" if minimum else "maximum"

    def rate(
        quantity: Decimal,
        variables: dict[str, Decimal],
        made: list[PricedLine],
        usage: Usage,
    ) -> None:
        subtotal = sum(map(_amount_of, made), ZERO)
        if subtotal >= limit if minimum else subtotal <= limit:
            return
        trace = {"rule": rule, "subtotal": subtotal, label: limit, "component": code}
        difference = limit - subtotal
        made.append(
            PricedLine(
                code,
                text,
                ONE,
                "C62",
                difference,
                difference,
                category,
                vat_rate,
                starts_on,
                ends_on,
                trace,
                round_net(difference, step),
            )
        )

    return rate


_amount_of = attrgetter("amount")
# a result not yet filled in, never returned
_NOT_YET = RatingError("not rated")

_SPECIALISED: dict[type[Component], Callable[[Any, _PartInfo], _Rater]] = {
    FixedCharge: _fixed_charge,
    UnitPrice: _unit_price,
    ExciseTax: _unit_price,
    BlockPrice: _block_price,
    SeasonalPrice: _seasonal_price,
    FormulaCharge: _formula_charge,
    MinimumCharge: _limit_charge,
    MaximumCharge: _limit_charge,
}


# --- the columnar path: one part, one VAT group, line rounding ------------------
#
# A bill run rates hundreds of apartments over the same period with the same
# tariff. For such a group each component computes its amounts for all of them
# at once in list comprehensions (the same Decimal operations, in the same order
# per apartment, as rate_period), and the running net total of every apartment is
# kept as a column too. The PricedLine objects and their traces, the VAT group and
# the totals are made from the columns when a Rating is first read
# (``Rating.deferred``), so a batch keeps a few lists per component instead of a
# dozen objects per apartment.

# the variables a part adds to the usage's own (see components._make_part)
_OF_THE_PART = frozenset(("consumption", "days", "months"))
# Fewer usages of a period than this are rated one by one: setting up the
# columns and reading the lines from them costs more than it saves (measured
# with bench/bench_rating.py's tariff, all lines read: even at about 8).
COLUMNS_FROM = 8

# (index of the usage, its lines so far): adds the component's lines of the usage
_Emit = Callable[[int, list[PricedLine]], None]
_Column = Callable[["_Block"], _Emit]


class _Block:
    """The usages of one single-part period rated column by column: the numbers
    of every line and total, and the functions that make the objects of one
    usage (the ``DeferredLines`` of its Ratings)."""

    __slots__ = (
        "amounts",
        "category",
        "emitters",
        "inclusive",
        "lined",
        "net_amounts",
        "nets",
        "part",
        "quantities",
        "rate",
        "taxes",
        "usages",
        "variables",
        "vat_totals",
        "zero",
    )

    def __init__(self, plan: _Plan, usages: Sequence[Usage], batch: _Batch) -> None:
        assert plan.columns is not None and plan.vat_key is not None
        count = len(usages)
        self.usages = usages
        self.part = plan.parts[0]
        self.quantities = [usage.quantity for usage in usages]
        self.variables: list[dict[str, Decimal]] | None = None
        self.zero = batch.zero
        # per usage: whether it has a line yet (None: all have)
        self.lined: list[bool] | None = [False] * count
        # every component's exact and net amounts in line order, ZERO where
        # a usage has no line of the component (adding ZERO to a sum of such
        # amounts gives the same number, digits and exponent alike, as leaving
        # it out: each sum starts from ZERO or from the currency's zero)
        self.amounts: list[Sequence[Decimal]] = []
        self.net_amounts: list[Sequence[Decimal]] = []
        self.emitters = [column(self) for column in plan.columns]
        self.total(plan.vat_key, batch)
        # what only the columns needed
        self.usages, self.variables = (), None
        self.amounts, self.net_amounts = [], []

    def total(self, vat_key: _Key, batch: _Batch) -> None:
        """The totals of each usage's one VAT group, as _Batch.totals finds
        them: the net total (zero + the nets in line order) and its VAT."""
        zero, count = self.zero, len(self.quantities)
        self.nets = _add_all([zero] * count, self.net_amounts)
        self.category, self.rate = vat_key
        rate, money, step = self.rate, batch.money, batch.step
        if rate:
            self.taxes = [
                money.quantize(net * rate / HUNDRED, step) for net in self.nets
            ]
        else:
            self.taxes = [zero] * count
        self.vat_totals = [zero + tax for tax in self.taxes]
        self.inclusive = [
            net + vat for net, vat in zip(self.nets, self.vat_totals, strict=True)
        ]

    def formula_variables(self, *formulas: Formula) -> Sequence[Mapping[str, Decimal]]:
        """Each usage's variables for ``formulas``, as rate_period's part has
        them: the usage's own when they read none of the part's."""
        if not any(name in _OF_THE_PART for f in formulas for name in f.names):
            return [usage.variables for usage in self.usages]
        if self.variables is None:
            days, months = self.part.days, self.part.months
            self.variables = [
                {
                    **usage.variables,
                    "consumption": usage.quantity,
                    "days": days,
                    "months": months,
                }
                for usage in self.usages
            ]
        return self.variables

    def book(self, amounts: Sequence[Decimal], nets: Sequence[Decimal]) -> None:
        """A component that gives every usage one line."""
        self.amounts.append(amounts)
        self.net_amounts.append(nets)
        self.lined = None

    def book_some(
        self,
        amounts: Sequence[Decimal],
        nets: Sequence[Decimal],
        lines: Sequence[object | None],
    ) -> None:
        """A component that gives a line to the usages whose item in ``lines``
        is not None; ``amounts`` and ``nets`` are ZERO for the others."""
        self.amounts.append(amounts)
        self.net_amounts.append(nets)
        if self.lined is not None:
            self.lined = [
                lined or line is not None
                for lined, line in zip(self.lined, lines, strict=True)
            ]

    def subtotals(self) -> list[Decimal]:
        """Each usage's lines so far summed from ZERO in line order, as minimum
        and maximum charges sum them in rate_period."""
        return _add_all([ZERO] * len(self.quantities), self.amounts)

    def lines_of(self, index: int) -> list[PricedLine]:
        lines: list[PricedLine] = []
        for emit in self.emitters:
            emit(index, lines)
        return lines

    def totals_of(self, index: int) -> InvoiceTotals:
        net = self.nets[index]
        if self.lined is not None and not self.lined[index]:
            return InvoiceTotals(net, net, self.zero, net + self.zero, ())
        group = VatGroup(self.category, self.rate, net, self.taxes[index])
        vat_total = self.vat_totals[index]
        return InvoiceTotals(net, net, vat_total, self.inclusive[index], (group,))


def _add_all(
    totals: list[Decimal], columns: Sequence[Sequence[Decimal]]
) -> list[Decimal]:
    """``totals`` plus the columns (none of them with a None), left to right."""
    if not columns:
        return totals
    if len(columns) == 1:
        return [t + v for t, v in zip(totals, columns[0], strict=True)]
    # sum(row, total) is total + row[0] + row[1] + ..., in that order
    rows = zip(*columns, strict=True)
    return [sum(row, total) for total, row in zip(totals, rows, strict=True)]


def _columns(version: TariffVersion, info: _PartInfo) -> tuple[_Column, ...] | None:
    """The column of each component of ``version`` for a part, or None when one
    of them cannot be rated by columns."""
    out: list[_Column] = []
    for component in version.components:
        build = _COLUMN_KINDS.get(type(component))
        if build is None or component.vat_category not in info.vat_rates:
            return None
        out.append(partial(build, component, info))
    return tuple(out)


def _fixed_column(component: FixedCharge, info: _PartInfo, block: _Block) -> _Emit:
    code, text = component.code, component.description
    price, category = component.amount_per_month, component.vat_category
    vat_rate, quantize, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on, months = info.starts_on, info.ends_on, info.months
    rule = f"fixed charge per month × months × {component.per}s"
    count = len(block.quantities)

    if component.per != "meter":
        amount = months * ONE * price
        shown = info.shown(months * ONE, QUANTITY_SHOWN)
        net = quantize(amount, step)
        block.book([amount] * count, [net] * count)

        def per_apartment(index: int, out: list[PricedLine]) -> None:
            trace = {"rule": rule, "months": months, "count": ONE, "component": code}
            out.append(
                PricedLine(
                    code,
                    text,
                    shown,
                    "MON",
                    price,
                    amount,
                    category,
                    vat_rate,
                    starts_on,
                    ends_on,
                    trace,
                    net,
                )
            )

        return per_apartment

    counts = [usage.variables.get("meters") for usage in block.usages]
    if None in counts:
        raise RatingError(f"component {code}: the variable 'meters' has no value")
    meters = cast("list[Decimal]", counts)
    quantities = [months * number for number in meters]
    amounts = [quantity * price for quantity in quantities]
    nets = [quantize(amount, step) for amount in amounts]
    # rounded now, not when the line is read: a quantity too large to show to
    # 0.0001 is the usage's error, raised by rate_many as rate_period raises it
    show = info.shown
    shown_quantities = [show(quantity, QUANTITY_SHOWN) for quantity in quantities]
    block.book(amounts, nets)

    def per_meter(index: int, out: list[PricedLine]) -> None:
        trace = {
            "rule": rule,
            "months": months,
            "count": meters[index],
            "component": code,
        }
        out.append(
            PricedLine(
                code,
                text,
                shown_quantities[index],
                "MON",
                price,
                amounts[index],
                category,
                vat_rate,
                starts_on,
                ends_on,
                trace,
                nets[index],
            )
        )

    return per_meter


def _unit_price_column(component: UnitPrice, info: _PartInfo, block: _Block) -> _Emit:
    code, text, unit_code = component.code, component.description, component.unit_code
    price, rule, category = component.unit_price, component.rule, component.vat_category
    vat_rate, quantize, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on = info.starts_on, info.ends_on
    quantities = block.quantities
    amounts = [quantity * price for quantity in quantities]
    nets = [quantize(amount, step) for amount in amounts]
    block.book(amounts, nets)

    def emit(index: int, out: list[PricedLine]) -> None:
        quantity = quantities[index]
        out.append(
            PricedLine(
                code,
                text,
                quantity,
                unit_code,
                price,
                amounts[index],
                category,
                vat_rate,
                starts_on,
                ends_on,
                {"rule": rule, "quantity": quantity, "component": code},
                nets[index],
            )
        )

    return emit


def _block_price_column(component: BlockPrice, info: _PartInfo, block: _Block) -> _Emit:
    code, unit_code, basis = component.code, component.unit_code, component.basis
    category, months = component.vat_category, info.months
    vat_rate, quantize, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on = info.starts_on, info.ends_on
    # per block that gives a line to some usage: (its template, what each usage
    # takes of it or None, amounts and nets, ZERO where it takes nothing)
    made: list[
        tuple[
            tuple[Decimal, Decimal | None, Decimal, str, str],
            list[Decimal | None],
            list[Decimal],
            list[Decimal],
        ]
    ] = []
    quantities = block.quantities
    if basis == "all_units":
        chosen = [_all_units_block(component, months, q) for q in quantities]
    left = quantities
    lower = ZERO
    for index, (limit, price) in enumerate(component.blocks):
        upper = None if limit is None else limit * months
        template = (
            lower,
            upper,
            price,
            f"{component.description}, block {index + 1}",
            f"block {index + 1} ({basis}), limits × months",
        )
        if basis == "all_units":
            taken: list[Decimal | None] = [
                q if pick == index else None
                for q, pick in zip(quantities, chosen, strict=True)
            ]
        else:
            room = None if upper is None else upper - lower
            taken, left = _takes(left, room, index == 0)
        if any(part is not None for part in taken):
            amounts = [ZERO if q is None else q * price for q in taken]
            nets = [quantize(a, step) for a in amounts]
            block.book_some(amounts, nets, taken)
            made.append((template, taken, amounts, nets))
        if upper is None:
            break
        lower = upper

    def emit(index: int, out: list[PricedLine]) -> None:
        for (lower, upper, price, text, rule), taken, amounts, nets in made:
            quantity = taken[index]
            if quantity is None:
                continue
            trace = {
                "rule": rule,
                "block_from": lower,
                "block_to": upper,
                "months": months,
                "component": code,
            }
            out.append(
                PricedLine(
                    code,
                    text,
                    quantity,
                    unit_code,
                    price,
                    amounts[index],
                    category,
                    vat_rate,
                    starts_on,
                    ends_on,
                    trace,
                    nets[index],
                )
            )

    return emit


def _takes(
    left: list[Decimal], room: Decimal | None, first: bool
) -> tuple[list[Decimal | None], list[Decimal]]:
    """What each usage takes of an incremental block with ``room`` (None: the
    last block), ``left`` being what it has still to price, and what is left
    after it. rate_period's loop takes min(left, room) and makes a line when that
    is above zero, or for the first block also when nothing is left at all (a
    zero line); it stops when nothing is left. Scaled limits never decrease (a
    rounded product of increasing limits and the same months), so the room is
    zero or above. With room above zero a usage takes something exactly when
    left > 0 (the first block: any quantity, a negative one all of it), and once
    it has taken all it keeps ZERO left and takes no more lines. A block without
    room (two limits that are the same once scaled to 28 digits) gives a line
    only to a first-block usage with nothing or less left, and leaves the rest
    as it is (rest - room, as rate_period subtracts it)."""
    if room is not None and not room:
        taken: list[Decimal | None] = [
            rest if first and rest <= 0 else None for rest in left
        ]
    elif first:
        # a negative quantity: all of it at the first block's price
        taken = [rest if room is None or rest <= room else room for rest in left]
    else:
        taken = [
            (rest if room is None or rest <= room else room) if rest > 0 else None
            for rest in left
        ]
    if room is None:
        return taken, left
    return taken, [rest - room if room < rest else ZERO for rest in left]


def _all_units_block(component: BlockPrice, months: Decimal, quantity: Decimal) -> int:
    """The block whose price an all-units block price takes for ``quantity``."""
    for index, (limit, _price) in enumerate(component.blocks):
        if limit is None or quantity <= limit * months:
            return index
    return -1


def _seasonal_column(component: SeasonalPrice, info: _PartInfo, block: _Block) -> _Emit:
    code, text, unit_code = component.code, component.description, component.unit_code
    category = component.vat_category
    vat_rate, quantize, step = info.vat_rates[category], info.round_net, info.step
    spans = _month_spans(info.starts_on, info.ends_on)
    rule = "quantity split by days × the month's price"
    # per calendar month: the quantity of each usage in it (its share by days)
    if len(spans) == 1:
        by_month = [block.quantities]
    else:
        day_counts = [days for _s, _e, days in spans]
        shares = [_split_by_days(q, day_counts) for q in block.quantities]
        by_month = [[share[month] for share in shares] for month in range(len(spans))]
    # per calendar month: (first day, last day, days, price, quantities, amounts,
    # nets)
    months = []
    for (starts_on, ends_on, days), quantities in zip(spans, by_month, strict=True):
        price = component.prices_by_month[starts_on.month - 1]
        amounts = [quantity * price for quantity in quantities]
        nets = [quantize(amount, step) for amount in amounts]
        block.book(amounts, nets)
        months.append((starts_on, ends_on, days, price, quantities, amounts, nets))

    def emit(index: int, out: list[PricedLine]) -> None:
        for starts_on, ends_on, days, price, quantities, amounts, nets in months:
            trace = {"rule": rule, "month": starts_on, "days": days, "component": code}
            out.append(
                PricedLine(
                    code,
                    text,
                    quantities[index],
                    unit_code,
                    price,
                    amounts[index],
                    category,
                    vat_rate,
                    starts_on,
                    ends_on,
                    trace,
                    nets[index],
                )
            )

    return emit


def _formula_column(component: FormulaCharge, info: _PartInfo, block: _Block) -> _Emit:
    code, text, unit_code = component.code, component.description, component.unit_code
    category, tables = component.vat_category, info.tables
    vat_rate, quantize, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on = info.starts_on, info.ends_on
    price_formula, quantity_formula = component.formula, component.quantity
    if price_formula is None:
        raise RatingError(f"{code}: no formula")
    variables = block.formula_variables(
        price_formula, *([] if quantity_formula is None else [quantity_formula])
    )
    price_text = price_formula.text
    # each usage's value, and the variables and steps of its trace: the Trace
    # objects are made when a line is read (one object fewer per usage kept)
    values, used, steps = price_formula.evaluate_many(variables, tables)
    if quantity_formula is None:
        nets = [quantize(value, step) for value in values]
        block.book(values, nets)

        def amount_only(index: int, out: list[PricedLine]) -> None:
            value = values[index]
            details = {
                "rule": "formula",
                "formula": price_text,
                "formula_trace": Trace(used[index], steps[index]),
                "component": code,
            }
            out.append(
                PricedLine(
                    code,
                    text,
                    ONE,
                    unit_code,
                    value,
                    value,
                    category,
                    vat_rate,
                    starts_on,
                    ends_on,
                    details,
                    nets[index],
                )
            )

        return amount_only

    quantity_text = quantity_formula.text
    how_many, quantity_used, quantity_steps = quantity_formula.evaluate_many(
        variables, tables
    )
    amounts = [q * value for q, value in zip(how_many, values, strict=True)]
    nets = [quantize(amount, step) for amount in amounts]
    block.book(amounts, nets)

    def price_and_quantity(index: int, out: list[PricedLine]) -> None:
        value = values[index]
        details = {
            "rule": "formula",
            "formula": price_text,
            "formula_trace": Trace(used[index], steps[index]),
            "quantity_formula": quantity_text,
            "quantity_trace": Trace(quantity_used[index], quantity_steps[index]),
            "component": code,
        }
        out.append(
            PricedLine(
                code,
                text,
                how_many[index],
                unit_code,
                value,
                amounts[index],
                category,
                vat_rate,
                starts_on,
                ends_on,
                details,
                nets[index],
            )
        )

    return price_and_quantity


def _limit_column(
    component: MinimumCharge | MaximumCharge, info: _PartInfo, block: _Block
) -> _Emit:
    code, text, category = component.code, component.description, component.vat_category
    vat_rate, quantize, step = info.vat_rates[category], info.round_net, info.step
    starts_on, ends_on = info.starts_on, info.ends_on
    limit = component.amount_per_month * info.months
    minimum = isinstance(component, MinimumCharge)
    label = "minimum" if minimum else "maximum"
    rule = f"{label} per month × months − lines so far"
    subtotals = block.subtotals()
    if minimum:
        gaps = [None if s >= limit else limit - s for s in subtotals]
    else:
        gaps = [None if s <= limit else limit - s for s in subtotals]
    amounts = [ZERO if gap is None else gap for gap in gaps]
    nets = [quantize(amount, step) for amount in amounts]
    block.book_some(amounts, nets, gaps)

    def emit(index: int, out: list[PricedLine]) -> None:
        gap = gaps[index]
        if gap is None:
            return
        trace = {
            "rule": rule,
            "subtotal": subtotals[index],
            label: limit,
            "component": code,
        }
        out.append(
            PricedLine(
                code,
                text,
                ONE,
                "C62",
                gap,
                gap,
                category,
                vat_rate,
                starts_on,
                ends_on,
                trace,
                nets[index],
            )
        )

    return emit


_COLUMN_KINDS: dict[type[Component], Callable[[Any, _PartInfo, _Block], _Emit]] = {
    FixedCharge: _fixed_column,
    UnitPrice: _unit_price_column,
    ExciseTax: _unit_price_column,
    BlockPrice: _block_price_column,
    SeasonalPrice: _seasonal_column,
    FormulaCharge: _formula_column,
    MinimumCharge: _limit_column,
    MaximumCharge: _limit_column,
}

__all__ = ["PreparedVersion", "prepare_version", "rate_many"]
