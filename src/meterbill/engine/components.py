"""Tariff versions as lists of components, and the rating of one billing period.

A tariff version is a list of components; each turns the usage of a part of the
period into priced lines that carry their trace. ``rate_period`` does the whole job
for one apartment (or service point) and one period:

1. Split the period at every date on which a tariff version or a VAT rate changes.
   The quantity is split over the parts by their days with the largest-remainder
   method at the quantity's own precision, so the parts add up to the quantity.
2. Rate each part with the version and the VAT rates valid on its first day. Each
   component sees the part's quantity (``consumption``), ``days`` and ``months``
   (calendar months, partial ones counted by days) and the caller's variables.
   Minimum and maximum charges compare with the lines made before them in the part.
3. Round: at the ``line`` point every line's exact amount is rounded on its own; at
   the ``invoice`` point the exact amounts are rounded cumulatively within each VAT
   group, so each group's lines add up to its rounded exact sum.
4. Totals by the EN 16931 calculation rules (BR-CO-10, 13, 14, 15, 17), as
   ``meterbill.formats.einvoice.model.compute_totals`` computes them.

Amounts are net of VAT. Excise duties are lines like any other and so part of the
VAT base (Council Directive 2006/112/EC, art. 78).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Literal, Protocol, TypeVar

from meterbill.engine.formula import Formula, Tables, compile_formula
from meterbill.engine.money import (
    precision,
    round_money,
    round_to,
    split_largest_remainder,
)
from meterbill.engine.rating import month_fraction
from meterbill.engine.tariff import MonthBill, Tariff, rate_days

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
QUANTITY_SHOWN = Decimal("0.0001")  # months and shares as shown on a line

# The variables every formula component may read; callers may add their own.
STANDARD_NAMES = (
    "consumption",
    "days",
    "months",
    "area",
    "persons",
    "meters",
    "previous_balance",
)


class RatingError(ValueError):
    """A tariff, a VAT schedule or a usage that cannot be rated; says which."""


class VatCategory(StrEnum):
    """VAT categories we bill in, as EN 16931 codes (BT-151, UNTDID 5305)."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    OUTSIDE_SCOPE = "O"


def check_vat_rate(category: str, rate_percent: Decimal | None) -> None:
    """EN 16931 BR-S-05, BR-Z-05, BR-E-05, BR-AE-05, BR-O-05: S has a rate above
    zero; Z, E and AE the rate 0; O no rate at all."""
    try:
        code = VatCategory(category)
    except ValueError:
        raise RatingError(f"unknown VAT category {category!r}") from None
    if code is VatCategory.OUTSIDE_SCOPE:
        ok = rate_percent is None
    elif code is VatCategory.STANDARD:
        ok = rate_percent is not None and rate_percent > 0
    else:
        ok = rate_percent == 0
    if not ok:
        raise RatingError(f"VAT category {category}: rate {rate_percent} not allowed")


@dataclass(frozen=True)
class VatRates:
    """The VAT rates by category code valid from ``valid_from``."""

    valid_from: date
    rates: Mapping[str, Decimal | None]

    def __post_init__(self) -> None:
        for category, rate in self.rates.items():
            check_vat_rate(category, rate)


@dataclass(slots=True)
class PricedLine:
    """One invoice line before numbering. ``amount`` is exact; ``net_amount`` is
    the rounded figure (BT-131), set by the rounding step."""

    component: str
    description: str
    quantity: Decimal
    unit_code: str  # UN/ECE Rec 20
    unit_price: Decimal  # net, per unit
    amount: Decimal
    vat_category: str
    vat_rate: Decimal | None
    starts_on: date
    ends_on: date
    trace: dict[str, object]
    net_amount: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class Part:
    """A slice of the period with one tariff version and one set of VAT rates."""

    starts_on: date
    ends_on: date
    days: int
    months: Decimal
    quantity: Decimal
    variables: dict[str, Decimal]
    vat_rates: Mapping[str, Decimal | None]
    tables: Tables
    usage: Usage


@dataclass(frozen=True)
class Usage:
    """What is rated: the period (both days included), the measured quantity over
    it, the caller's variables (area, persons, meters...) and, for time-of-use
    and demand charges, one year of hourly load in kW from 1 January."""

    starts_on: date
    ends_on: date
    quantity: Decimal
    variables: Mapping[str, Decimal] = field(default_factory=dict)
    hourly_load_kw: Sequence[Decimal] | None = None
    # of 1 January, 0 = Monday; None: that of the period's first year
    year_start_weekday: int | None = None


@dataclass(frozen=True)
class Component:
    """Base of all components: a code, a line text and the VAT category."""

    code: str
    description: str
    vat_category: str = VatCategory.STANDARD.value

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        raise NotImplementedError

    def line(
        self,
        part: Part,
        quantity: Decimal,
        unit_code: str,
        unit_price: Decimal,
        amount: Decimal,
        trace: dict[str, object],
        description: str = "",
    ) -> PricedLine:
        if self.vat_category not in part.vat_rates:
            raise RatingError(
                f"component {self.code}: no VAT rate for category {self.vat_category} "
                f"on {part.starts_on}"
            )
        trace["component"] = self.code
        return PricedLine(
            self.code,
            description or self.description,
            quantity,
            unit_code,
            unit_price,
            amount,
            self.vat_category,
            part.vat_rates[self.vat_category],
            part.starts_on,
            part.ends_on,
            trace,
        )


@dataclass(frozen=True)
class FixedCharge(Component):
    """A charge per month, per apartment or per meter (variable ``meters``),
    prorated by days: partial months count their days over the month's days."""

    amount_per_month: Decimal = ZERO
    per: Literal["apartment", "meter"] = "apartment"

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        count = part.variables.get("meters") if self.per == "meter" else ONE
        if count is None:
            raise RatingError(
                f"component {self.code}: the variable 'meters' has no value"
            )
        quantity = part.months * count
        amount = quantity * self.amount_per_month
        trace: dict[str, object] = {
            "rule": f"fixed charge per month × months × {self.per}s",
            "months": part.months,
            "count": count,
        }
        shown = round_to(quantity, QUANTITY_SHOWN)
        return [self.line(part, shown, "MON", self.amount_per_month, amount, trace)]


@dataclass(frozen=True)
class UnitPrice(Component):
    """The part's quantity × a unit price."""

    unit_price: Decimal = ZERO
    unit_code: str = "C62"
    rule: str = "quantity × unit price"

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        amount = part.quantity * self.unit_price
        trace: dict[str, object] = {"rule": self.rule, "quantity": part.quantity}
        return [
            self.line(
                part, part.quantity, self.unit_code, self.unit_price, amount, trace
            )
        ]


@dataclass(frozen=True)
class ExciseTax(UnitPrice):
    """A per-unit tax (excise duty on electricity, gas): quantity × rate. It is
    part of the VAT base, so its VAT category is normally the supply's."""

    rule: str = "quantity × excise rate per unit"


@dataclass(frozen=True)
class BlockPrice(Component):
    """Block (tiered) prices. ``blocks`` are (limit per month, price) with limits
    counted from zero and the last limit None. The limits are scaled by the part's
    months. ``incremental``: each block's quantity at its price (inclining or
    declining blocks alike); ``all_units``: the whole quantity at the price of the
    block it reaches. A negative quantity (an estimate settled lower) is priced
    all at the first block's price, on either basis."""

    blocks: tuple[tuple[Decimal | None, Decimal], ...] = ()
    unit_code: str = "C62"
    basis: Literal["incremental", "all_units"] = "incremental"

    def __post_init__(self) -> None:
        limits = [limit for limit, _price in self.blocks]
        if not limits or limits[-1] is not None or None in limits[:-1]:
            raise RatingError(f"{self.code}: only the last block has no limit")
        finite = [limit for limit in limits[:-1] if limit is not None]
        if any(b <= a for a, b in zip([ZERO, *finite], finite, strict=False)):
            raise RatingError(f"{self.code}: block limits must increase from zero")

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        if self.basis == "all_units":
            return self._all_units(part)
        left, lower, out = part.quantity, ZERO, []
        if left < 0:
            # a negative quantity (an estimate settled lower) all at the first
            # block's price, as all_units prices it: the blocks the earlier
            # period filled are not known here
            first_limit, price = self.blocks[0]
            upper = None if first_limit is None else first_limit * part.months
            return [self._block_line(part, 0, ZERO, upper, left, price)]
        for index, (limit, price) in enumerate(self.blocks):
            upper = None if limit is None else limit * part.months
            room = left if upper is None else min(left, upper - lower)
            if room > 0 or (index == 0 and not left):
                out.append(self._block_line(part, index, lower, upper, room, price))
            left -= room
            if upper is None or left <= 0:
                return out
            lower = upper
        return out

    def _all_units(self, part: Part) -> list[PricedLine]:
        lower = ZERO
        for index, (limit, price) in enumerate(self.blocks):
            upper = None if limit is None else limit * part.months
            if upper is None or part.quantity <= upper:
                return [
                    self._block_line(part, index, lower, upper, part.quantity, price)
                ]
            lower = upper
        return []

    def _block_line(
        self,
        part: Part,
        index: int,
        lower: Decimal,
        upper: Decimal | None,
        quantity: Decimal,
        price: Decimal,
    ) -> PricedLine:
        trace: dict[str, object] = {
            "rule": f"block {index + 1} ({self.basis}), limits × months",
            "block_from": lower,
            "block_to": upper,
            "months": part.months,
        }
        text = f"{self.description}, block {index + 1}"
        return self.line(
            part, quantity, self.unit_code, price, quantity * price, trace, text
        )


@dataclass(frozen=True)
class SeasonalPrice(Component):
    """A unit price by calendar month (January first). The part's quantity is
    split over its months by days (largest remainder), one line per month."""

    prices_by_month: tuple[Decimal, ...] = ()
    unit_code: str = "C62"

    def __post_init__(self) -> None:
        if len(self.prices_by_month) != 12:
            raise RatingError(f"{self.code}: give 12 monthly prices")

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        spans = _month_spans(part.starts_on, part.ends_on)
        shares = _split_by_days(part.quantity, [days for _s, _e, days in spans])
        out = []
        for (starts_on, ends_on, days), quantity in zip(spans, shares, strict=True):
            price = self.prices_by_month[starts_on.month - 1]
            trace: dict[str, object] = {
                "rule": "quantity split by days × the month's price",
                "month": starts_on,
                "days": days,
            }
            line = self.line(
                part, quantity, self.unit_code, price, quantity * price, trace
            )
            line.starts_on, line.ends_on = starts_on, ends_on
            out.append(line)
        return out


@dataclass(frozen=True)
class FormulaCharge(Component):
    """A formula component. Without ``quantity`` the formula gives the amount
    (quantity 1); with it, the formula gives the unit price and the amount is
    quantity × price."""

    formula: Formula | None = None
    quantity: Formula | None = None
    unit_code: str = "C62"

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        if self.formula is None:
            raise RatingError(f"{self.code}: no formula")
        value, trace = self.formula.evaluate(part.variables, part.tables)
        details: dict[str, object] = {"rule": "formula", "formula": self.formula.text}
        details["formula_trace"] = trace
        if self.quantity is None:
            return [self.line(part, ONE, self.unit_code, value, value, details)]
        quantity, quantity_trace = self.quantity.evaluate(part.variables, part.tables)
        details["quantity_formula"] = self.quantity.text
        details["quantity_trace"] = quantity_trace
        return [
            self.line(part, quantity, self.unit_code, value, quantity * value, details)
        ]


@dataclass(frozen=True)
class MinimumCharge(Component):
    """Tops the part's lines made so far up to a monthly minimum × months."""

    amount_per_month: Decimal = ZERO

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        subtotal = sum((line.amount for line in made), ZERO)
        floor = self.amount_per_month * part.months
        if subtotal >= floor:
            return []
        trace: dict[str, object] = {
            "rule": "minimum per month × months − lines so far",
            "subtotal": subtotal,
            "minimum": floor,
        }
        gap = floor - subtotal
        return [self.line(part, ONE, "C62", gap, gap, trace)]


@dataclass(frozen=True)
class MaximumCharge(Component):
    """Caps the part's lines made so far at a monthly maximum × months, with a
    negative line for the excess."""

    amount_per_month: Decimal = ZERO

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        subtotal = sum((line.amount for line in made), ZERO)
        cap = self.amount_per_month * part.months
        if subtotal <= cap:
            return []
        trace: dict[str, object] = {
            "rule": "maximum per month × months − lines so far",
            "subtotal": subtotal,
            "maximum": cap,
        }
        excess = cap - subtotal
        return [self.line(part, ONE, "C62", excess, excess, trace)]


TOU_RULE = "URDB time-of-use energy (SAM utilityrate5)"


@dataclass(frozen=True)
class TimeOfUseEnergy(Component):
    """Time-of-use energy from a year of hourly load, rated by ``tariff.py`` (the
    SAM/URDB rules) on the part's days: for each calendar month the part touches,
    one line per (energy period, tier) used, from the hours of the part's days in
    that month at this version's prices (a month cut by a version or VAT change is
    rated in each part on its own days; tier limits scale with the days, see
    ``tariff.rate_days``). Quantities shown to 0.001 kWh.

    A month's lines add up to its exact energy charge rounded once to
    ``money_step`` (the currency's smallest amount): the rounding is shared out
    over the lines by the largest remainder, so a month's bill is the reference
    calculator's to the cent. A line's exact amount is kept in its trace."""

    tariff: Tariff | None = None
    money_step: Decimal = Decimal("0.01")

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        out = []
        tariff = _tariff_of(self.tariff)
        for bill in _bills_of_days(tariff, part.usage, part.starts_on, part.ends_on):
            cells = bill.trace.kwh_by_period_tier
            amounts = _month_shares(bill.trace.energy_by_period_tier, self.money_step)
            tiers = {tier for _period, tier in cells}
            for (period, tier), kwh in cells.items():
                price = tariff.energy_periods[period][tier].price
                exact = bill.trace.energy_by_period_tier[(period, tier)]
                details: dict[str, object] = {
                    "rule": TOU_RULE,
                    "month": bill.month,
                    "days": bill.trace.days,
                    "period": period,
                    "tier": tier + 1,
                    "kwh": kwh,
                    "exact_amount": exact,
                }
                shown_tier = tier + 1 if len(tiers) > 1 else None
                text = tou_text(self.description, bill.month, period + 1, shown_tier)
                shown = round_to(kwh, Decimal("0.001"))
                amount = amounts[(period, tier)]
                out.append(self.line(part, shown, "KWH", price, amount, details, text))
        return out


@dataclass(frozen=True)
class DemandCharge(Component):
    """Demand charges (time-of-use and flat) from ``tariff.py``: quantity the peak
    kW, amount the tiered charge; the unit price shown is the amount over the peak
    (to 6 places).

    A calendar month's demand is the charge of its peaks, those of all the
    month's days in the period whatever part they fall in. Each part is charged
    its days' share of it at its own version's rates (and VAT): the charge × the
    part's days in the month / the month's days, so a month cut by a version or
    VAT change shows a demand line per part, and a version without a demand
    charge charges none for its days. A month wholly in one part is charged once,
    whole: the reference calculator's month.

    Rounded as the month's energy is: the month's demand lines and the part's
    time-of-use energy lines of that month made before them add up to their exact
    sum rounded once (``money_step``), the demand lines taking the difference by
    the largest remainder, so that energy and demand together are the reference
    calculator's month to the cent. The exact amounts are in the traces."""

    tariff: Tariff | None = None
    money_step: Decimal = Decimal("0.01")

    def lines(self, part: Part, made: list[PricedLine]) -> list[PricedLine]:
        out = []
        tariff = _tariff_of(self.tariff)
        usage = part.usage
        for first, last, days in _month_spans(usage.starts_on, usage.ends_on):
            # the part's days of the month's days in the period
            own = (min(last, part.ends_on) - max(first, part.starts_on)).days + 1
            if own <= 0:
                continue
            for bill in _bills_of_days(tariff, usage, first, last):
                out += self._month_lines(part, made, bill, (first, last), own, days)
        return out

    def _month_lines(
        self,
        part: Part,
        made: list[PricedLine],
        bill: MonthBill,
        span: tuple[date, date],
        own: int,
        days: int,
    ) -> list[PricedLine]:
        """The demand lines of the month of ``bill``, rated on the month's days
        ``span`` in the period (``days`` of them), for the ``own`` days of them
        in ``part``."""
        charges: list[tuple[int | None, Decimal, Decimal]] = [
            (p + 1, bill.trace.demand_peaks[p].kw, amount)
            for p, amount in bill.trace.demand_tou_by_period.items()
        ]
        if bill.trace.flat_demand_period is not None:
            charges.append((None, bill.trace.flat_peak.kw, bill.demand_flat))
        if own != days:  # the part's days' share of the month's charge
            charges = [(p, kw, amount * own / days) for p, kw, amount in charges]
        first, last = max(span[0], part.starts_on), min(span[1], part.ends_on)
        shares = _demand_shares(
            made, bill.month, [amount for _p, _kw, amount in charges], self.money_step
        )
        out = []
        for (period, peak_kw, amount), share in zip(charges, shares, strict=True):
            price = round_to(amount / peak_kw, Decimal("0.000001")) if peak_kw else ZERO
            details: dict[str, object] = {
                "rule": "URDB demand charge (SAM utilityrate5)",
                "month": bill.month,
                "demand": "flat" if period is None else f"period {period}",
                "peak_kw": peak_kw,
                "days": [first, last],
                "exact_amount": amount,
            }
            if own != days:
                details["peak_days"] = list(span)
                details["share_of_days"] = [own, days]
            if period is not None:
                details["period"] = period - 1
            text = tou_text(self.description, bill.month, period, None)
            out.append(self.line(part, peak_kw, "KWT", price, share, details, text))
        return out


# English month names (``calendar.month_name`` follows the process's locale).
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def tou_text(name: str, month: int, period: int | None, tier: int | None) -> str:
    """A time-of-use or demand line's English text: "Energy, November, period 2,
    block 1" (the period counted from 1, no period for flat demand, the tier only
    when the month has several). Pricing words it again in the customer's
    language from the line's trace."""
    text = f"{name}, {MONTH_NAMES[month - 1]}"
    if period is not None:
        text += f", period {period}"
    if tier is not None:
        text += f", block {tier}"
    return text


@dataclass(frozen=True)
class TariffVersion:
    """A tariff as valid from a date: its components in rating order, the lookup
    tables its formulas read, and the currency."""

    code: str
    valid_from: date
    currency: str
    components: tuple[Component, ...]
    tables: Tables = field(default_factory=dict)


@dataclass(frozen=True)
class Rounding:
    """Where and how amounts are rounded to the currency's precision."""

    mode: str = ROUND_HALF_UP
    point: Literal["line", "invoice"] = "line"


@dataclass(frozen=True, slots=True)
class VatGroup:
    """EN 16931 BG-23: one VAT category and rate."""

    category: str  # BT-118
    rate_percent: Decimal | None  # BT-119
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117


@dataclass(frozen=True, slots=True)
class InvoiceTotals:
    """EN 16931 BG-22 (without document allowances, charges or prepayments)."""

    line_net_total: Decimal  # BT-106 = Σ BT-131 (BR-CO-10)
    tax_exclusive: Decimal  # BT-109 = BT-106 (BR-CO-13)
    vat_total: Decimal  # BT-110 = Σ BT-117 (BR-CO-14)
    tax_inclusive: Decimal  # BT-112 = BT-109 + BT-110 (BR-CO-15)
    vat_breakdown: tuple[VatGroup, ...]


class DeferredLines(Protocol):
    """Where a batch keeps the lines and totals of many ratings as columns of
    numbers (``components_batch``): it makes the objects of the i-th."""

    def lines_of(self, index: int) -> list[PricedLine]: ...

    def totals_of(self, index: int) -> InvoiceTotals: ...


class Rating:
    """The rating of one usage: its priced lines, the invoice totals and the parts
    of the period as (from, through, tariff version).

    The batch engine computes every amount, net amount and total at once but may
    leave the objects to ``Rating.deferred``: they are made on first read, so a
    bill run keeps one object per apartment instead of a dozen lines with their
    traces (which the garbage collector would scan again and again) until it turns
    them into invoice lines. Read or not, a Rating is immutable and equals the one
    with the same lines, totals and parts.

    It is a slotted class, not a dataclass: a batch's lines and totals are
    properties made on first read, which the bill run's speed needs. So
    ``dataclasses.replace`` and ``asdict`` do not apply to it; make a new Rating
    from ``lines``, ``totals`` and ``parts`` instead."""

    __slots__ = ("_index", "_lines", "_parts", "_source", "_totals")

    def __init__(
        self,
        lines: list[PricedLine],
        totals: InvoiceTotals,
        parts: tuple[tuple[date, date, str], ...],
    ) -> None:
        self._lines: list[PricedLine] | None = lines
        self._totals: InvoiceTotals | None = totals
        self._parts = parts
        self._source: DeferredLines | None = None
        self._index = 0

    @classmethod
    def deferred(
        cls,
        source: DeferredLines,
        index: int,
        parts: tuple[tuple[date, date, str], ...],
    ) -> Rating:
        """The rating whose lines ``source.lines_of(index)`` and totals
        ``source.totals_of(index)`` make, each on first read."""
        rating = cls.__new__(cls)
        rating._lines = rating._totals = None
        rating._parts, rating._source, rating._index = parts, source, index
        return rating

    @property
    def lines(self) -> list[PricedLine]:
        if self._lines is None:
            assert self._source is not None
            self._lines = self._source.lines_of(self._index)
            self._release()
        return self._lines

    @property
    def totals(self) -> InvoiceTotals:
        if self._totals is None:
            assert self._source is not None
            self._totals = self._source.totals_of(self._index)
            self._release()
        return self._totals

    @property
    def parts(self) -> tuple[tuple[date, date, str], ...]:
        return self._parts

    def _release(self) -> None:
        # the columns are freed once the batch's last rating is made
        if self._lines is not None and self._totals is not None:
            self._source = None

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not Rating:
            return NotImplemented
        assert isinstance(other, Rating)
        return (self.lines, self.totals, self.parts) == (
            other.lines,
            other.totals,
            other.parts,
        )

    __hash__ = None  # type: ignore[assignment]  # lines are a list, as before

    def __repr__(self) -> str:
        return (
            f"Rating(lines={self.lines!r}, totals={self.totals!r}, "
            f"parts={self.parts!r})"
        )

    def __reduce__(self) -> tuple[type[Rating], tuple[object, ...]]:
        return (Rating, (self.lines, self.totals, self.parts))


def rate_period(
    versions: Sequence[TariffVersion],
    vat: Sequence[VatRates],
    usage: Usage,
    rounding: Rounding = Rounding(),
) -> Rating:
    """Rate ``usage`` with the tariff versions and VAT rates valid over its period;
    see the module docstring for the steps."""
    if usage.ends_on < usage.starts_on:
        raise RatingError(f"the period ends {usage.ends_on} before it starts")
    versions = sorted(versions, key=lambda v: v.valid_from)
    vat = sorted(vat, key=lambda r: r.valid_from)
    currency = _one_currency(versions)
    bounds = _part_bounds(usage, versions, vat)
    quantities = _split_by_days(usage.quantity, [(e - s).days + 1 for s, e in bounds])

    lines: list[PricedLine] = []
    parts = []
    for (starts_on, ends_on), quantity in zip(bounds, quantities, strict=True):
        version = _valid_on(versions, starts_on, "tariff version")
        rates = _valid_on(vat, starts_on, "VAT rates").rates
        part = _make_part(usage, starts_on, ends_on, quantity, rates, version)
        made: list[PricedLine] = []
        for component in version.components:
            made.extend(component.lines(part, made))
        lines.extend(made)
        parts.append((starts_on, ends_on, f"{version.code}@{version.valid_from}"))

    round_lines(lines, currency, rounding)
    return Rating(lines, invoice_totals(lines, currency, rounding.mode), tuple(parts))


def round_lines(lines: list[PricedLine], currency: str, rounding: Rounding) -> None:
    """Set each line's ``net_amount``. Line point: each exact amount rounded on its
    own. Invoice point: within each VAT group, line k gets round(Σ exact of lines
    1..k) − round(Σ exact of lines 1..k−1), so the group's lines add up to its
    rounded exact sum and each stays within one step of its exact amount."""
    step, mode = precision(currency), rounding.mode
    if rounding.point == "line":
        for line in lines:
            line.net_amount = round_to(line.amount, step, mode)
        return
    running: dict[tuple[str, Decimal | None], tuple[Decimal, Decimal]] = {}
    for line in lines:
        key = (line.vat_category, line.vat_rate)
        exact, rounded = running.get(key, (ZERO, ZERO))
        exact += line.amount
        now = round_to(exact, step, mode)
        line.net_amount = now - rounded
        running[key] = (exact, now)


class NetLine(Protocol):
    """What invoice totals read of a line: a PricedLine, or a stored line."""

    @property
    def vat_category(self) -> str: ...
    @property
    def vat_rate(self) -> Decimal | None: ...
    @property
    def net_amount(self) -> Decimal: ...


def invoice_totals(
    lines: Sequence[NetLine], currency: str, mode: str = ROUND_HALF_UP
) -> InvoiceTotals:
    """Totals by EN 16931 BR-CO: per (category, rate) BT-116 = Σ line nets and
    BT-117 = BT-116 × rate / 100 rounded once (BR-CO-17); BT-110 = Σ BT-117."""
    bases: dict[tuple[str, Decimal | None], Decimal] = {}
    for line in lines:
        rate = None if line.vat_rate is None else line.vat_rate.normalize()
        key = (line.vat_category, rate)
        bases[key] = bases.get(key, ZERO) + line.net_amount
    zero = round_money(ZERO, currency, mode)
    groups = tuple(
        VatGroup(
            category,
            rate,
            base,
            round_money(base * rate / HUNDRED, currency, mode) if rate else zero,
        )
        for (category, rate), base in sorted(
            bases.items(), key=lambda kv: (kv[0][0], kv[0][1] or ZERO)
        )
    )
    net = sum((line.net_amount for line in lines), zero)
    vat_total = sum((g.tax_amount for g in groups), zero)
    return InvoiceTotals(net, net, vat_total, net + vat_total, groups)


@dataclass(frozen=True)
class PenaltyRule:
    """Late-payment penalty: ``rate_per_day`` percent of the overdue amount for each
    day late beyond ``grace_days``, capped at ``cap_percent`` of the overdue amount.
    The formula may be replaced by any formula over PENALTY_NAMES."""

    rate_per_day: Decimal
    grace_days: int
    cap_percent: Decimal
    formula: Formula | None = None
    vat_category: str = VatCategory.OUTSIDE_SCOPE.value


PENALTY_NAMES = (
    "overdue_amount",
    "days_late",
    "grace_days",
    "rate_per_day",
    "cap_percent",
)
DEFAULT_PENALTY_FORMULA = compile_formula(
    "min(overdue_amount * rate_per_day / 100 * max(days_late - grace_days, 0),"
    " overdue_amount * cap_percent / 100)",
    PENALTY_NAMES,
)


def late_payment_penalty(
    overdue_amount: Decimal,
    due_on: date,
    paid_on: date,
    rule: PenaltyRule,
    currency: str,
    rounding: Rounding = Rounding(),
) -> PricedLine | None:
    """The penalty line for ``overdue_amount`` due on ``due_on`` and paid (or
    assessed) on ``paid_on``; None when nothing is due. Days late are counted from
    the day after the due date through ``paid_on``."""
    days_late = max((paid_on - due_on).days, 0)
    env = {
        "overdue_amount": overdue_amount,
        "days_late": Decimal(days_late),
        "grace_days": Decimal(rule.grace_days),
        "rate_per_day": rule.rate_per_day,
        "cap_percent": rule.cap_percent,
    }
    formula = rule.formula or DEFAULT_PENALTY_FORMULA
    value, trace = formula.evaluate(env)
    amount = round_money(value, currency, rounding.mode)
    if amount <= 0:
        return None
    rate = None if rule.vat_category == VatCategory.OUTSIDE_SCOPE.value else ZERO
    check_vat_rate(rule.vat_category, rate)
    return PricedLine(
        "penalty",
        f"Late-payment penalty, {days_late} days",
        ONE,
        "C62",
        amount,
        value,
        rule.vat_category,
        rate,
        due_on + timedelta(days=1),
        paid_on,
        {"rule": "late-payment penalty", "formula": formula.text, "trace": trace},
        amount,
    )


def _one_currency(versions: Sequence[TariffVersion]) -> str:
    if not versions:
        raise RatingError("no tariff version to rate with")
    currencies = {v.currency for v in versions}
    if len(currencies) != 1:
        raise RatingError(
            f"tariff versions in several currencies: {sorted(currencies)}"
        )
    return versions[0].currency


_Dated = TypeVar("_Dated", TariffVersion, VatRates)


def _part_bounds(
    usage: Usage, versions: Sequence[TariffVersion], vat: Sequence[VatRates]
) -> list[tuple[date, date]]:
    changes = sorted(
        {
            d
            for d in [v.valid_from for v in versions] + [r.valid_from for r in vat]
            if usage.starts_on < d <= usage.ends_on
        }
    )
    starts = [usage.starts_on, *changes]
    ends = [d - timedelta(days=1) for d in changes] + [usage.ends_on]
    return list(zip(starts, ends, strict=True))


def _valid_on(items: Sequence[_Dated], day: date, what: str) -> _Dated:
    found = None
    for item in items:
        if item.valid_from <= day:
            found = item
    if found is None:
        raise RatingError(f"no {what} valid on {day}")
    return found


def _make_part(
    usage: Usage,
    starts_on: date,
    ends_on: date,
    quantity: Decimal,
    rates: Mapping[str, Decimal | None],
    version: TariffVersion,
) -> Part:
    days = (ends_on - starts_on).days + 1
    months = month_fraction(starts_on, ends_on)
    variables = dict(usage.variables)
    variables["consumption"] = quantity
    variables["days"] = Decimal(days)
    variables["months"] = months
    return Part(
        starts_on,
        ends_on,
        days,
        months,
        quantity,
        variables,
        rates,
        version.tables,
        usage,
    )


def _split_by_days(quantity: Decimal, days: Sequence[int]) -> list[Decimal]:
    """``quantity`` split in proportion to ``days`` at the quantity's own
    precision (largest remainder), so the shares add up to it exactly."""
    if len(days) == 1:
        return [quantity]
    exponent = quantity.as_tuple().exponent
    step = ONE.scaleb(min(int(exponent), 0)) if isinstance(exponent, int) else ONE
    shares = split_largest_remainder(
        quantity, {i: Decimal(d) for i, d in enumerate(days)}, step
    )
    return [shares[i] for i in range(len(days))]


def _month_spans(starts_on: date, ends_on: date) -> list[tuple[date, date, int]]:
    spans = []
    day = starts_on
    while day <= ends_on:
        next_month = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        through = min(next_month - timedelta(days=1), ends_on)
        spans.append((day, through, (through - day).days + 1))
        day = through + timedelta(days=1)
    return spans


def _tariff_of(tariff: Tariff | None) -> Tariff:
    if tariff is None:
        raise RatingError("time-of-use and demand charges need a URDB tariff")
    return tariff


def _bills_of_days(
    tariff: Tariff, usage: Usage, first: date, last: date
) -> list[MonthBill]:
    """The month bills of ``tariff`` for the days ``first`` to ``last`` of the
    usage's hourly load, one per calendar month they touch (``tariff.rate_days``).
    The load is one calendar year of 365 days (the period's): a period over two
    years, or holding 29 February, cannot be rated and says so."""
    load = usage.hourly_load_kw
    if load is None:
        raise RatingError("time-of-use and demand charges need hourly load")
    if usage.starts_on.year != usage.ends_on.year:
        raise RatingError(
            f"time-of-use and demand charges are rated within one calendar year; "
            f"the period {usage.starts_on} to {usage.ends_on} runs into a second"
        )
    weekday = usage.year_start_weekday
    if weekday is None:
        weekday = date(usage.starts_on.year, 1, 1).weekday()
    return rate_days(tariff, load, weekday, rating_day(first), rating_day(last))


def rating_day(day: date) -> int:
    """The day's position (0-based) in the 365-day rating year, as the hourly
    load is laid out (``metering.intervals``): 29 February has none."""
    position = (day - date(day.year, 1, 1)).days
    if calendar.isleap(day.year) and day >= date(day.year, 2, 29):
        if day == date(day.year, 2, 29):
            raise RatingError(f"{day}: the rating year of 365 days has no 29 February")
        position -= 1
    return position


def _demand_shares(
    made: list[PricedLine], month: int, exact: list[Decimal], step: Decimal
) -> list[Decimal]:
    """The demand amounts of ``month``: with the month's energy lines in ``made``,
    round(exact energy + exact demand) − the energy lines' amounts, shared out
    over the demand charges by the largest remainder; a charge below zero leaves
    them exact."""
    if any(amount < 0 for amount in exact):
        return exact
    energy = [
        line
        for line in made
        if line.trace.get("rule") == TOU_RULE and line.trace.get("month") == month
    ]
    exact_energy = sum((_exact_of(line) for line in energy), ZERO)
    shown_energy = sum((line.amount for line in energy), ZERO)
    total = round_to(exact_energy + sum(exact, ZERO), step) - shown_energy
    if total < 0 or total != round_to(total, step):
        return exact  # the energy lines were left exact (a credit rate)
    shares = split_largest_remainder(total, dict(enumerate(exact)), step)
    return [shares[i] for i in range(len(exact))]


def _exact_of(line: PricedLine) -> Decimal:
    exact = line.trace.get("exact_amount")
    return exact if isinstance(exact, Decimal) else line.amount


def _month_shares(
    exact: Mapping[tuple[int, int], Decimal], step: Decimal
) -> dict[tuple[int, int], Decimal]:
    """The month's exact charges rounded once (half up) as a whole and shared out
    over the cells by the largest remainder; charges below zero (a credit rate)
    are left exact, each line then rounded on its own."""
    if any(amount < 0 for amount in exact.values()):
        return dict(exact)
    total = round_to(sum(exact.values(), ZERO), step)
    return split_largest_remainder(total, exact, step)


__all__ = [
    "BlockPrice",
    "Component",
    "DemandCharge",
    "ExciseTax",
    "FixedCharge",
    "FormulaCharge",
    "MaximumCharge",
    "MinimumCharge",
    "PenaltyRule",
    "PricedLine",
    "Rating",
    "Rounding",
    "SeasonalPrice",
    "TariffVersion",
    "TimeOfUseEnergy",
    "UnitPrice",
    "Usage",
    "VatCategory",
    "VatRates",
    "invoice_totals",
    "late_payment_penalty",
    "rate_period",
]
