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

The result for each usage is what ``rate_period`` returns (the same lines, amounts,
traces, totals and parts, checked by property tests), or the error that
``rate_period`` would have raised for it (RatingError, FormulaError, TariffError,
a decimal ArithmeticError): one bad apartment does not stop the others.
Components of kinds this module does not specialise (time-of-use energy, demand
charges, components of other classes) are rated by their own ``lines`` method on a
Part, exactly as ``rate_period`` does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, getcontext
from operator import attrgetter
from typing import Any

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
    round_lines,
)
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
    run prices contract by contract): the versions, VAT schedule and rounding are
    fixed once, and each period is planned once and kept for the later calls.
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
        """As the module's ``rate_many``, with this Rater's versions."""
        rate = self._batch.rate
        out: list[Rating | ValueError | ArithmeticError] = []
        with collector.paused():
            for usage in usages:
                try:
                    out.append(rate(usage))
                except (ValueError, ArithmeticError) as exc:
                    out.append(exc)
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
            parts.append(_PlannedPart(Decimal(info.days), info.months, raters))
            labels.append((starts_on, ends_on, f"{version.code}@{version.valid_from}"))
            generic = generic or compiled.generic
            for component in version.components:
                rate = rates.get(component.vat_category)
                keys.add(self.key(component.vat_category, rate))
        plan = _Plan(
            tuple(parts),
            tuple((e - s).days + 1 for s, e in bounds),
            tuple(labels),
            error,
            keys.pop() if len(keys) == 1 and not generic else None,
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
            if taken > 0 or (first and not left):
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

__all__ = ["PreparedVersion", "prepare_version", "rate_many"]
