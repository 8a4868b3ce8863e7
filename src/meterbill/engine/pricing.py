"""Pricing: a contract's items for the period become priced invoice lines.

The bill run first decides what each apartment is charged for (``Item``: its own
metered quantity, its share of the common consumption, its share of a building cost,
each with the explanation of how it was found), then prices the items with the
tariff of each contract service. Keeping the two steps apart lets the allocation
rules and the tariff components change independently.

Per service, the quantity items (own + common share) are rated together over every
tariff version and VAT rate in force during the period, so blocks, minimums and
maximums apply to the service's total. The rating is the batch engine's
(``components_batch``): the tariff plan keeps one ``Rater`` for every contract
priced with it, and ``price_charges`` rates many charges with one call per plan;
the results are ``components.rate_period``'s to the digit. Lines
that are quantity × one price (unit price, excise) are then shown once per source
(own meter, common consumption) at that price: the exact amounts add up to the
total's, and a customer sees what their meter measured and what is their share.
Other lines keep the own and common quantities in their trace.

A cost share (heat by allocators) is already an amount: it is taken as it is, with
the provider bill's VAT rate.

What cannot be rated becomes a finding on the contract that holds its invoice,
never a crash of the run and never a silent zero: ``tariff_missing`` (days of the
period without a version), ``tariff_error`` (a formula or a rating error, with its
message, or a line an invoice cannot store: see ``stored_fault``),
``tariff_needs_intervals`` (time-of-use or demand without hourly data).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal
from functools import cache, cached_property
from typing import TYPE_CHECKING, Literal

from . import collector
from .components import (
    MONTH_NAMES,
    BlockPrice,
    Component,
    DemandCharge,
    ExciseTax,
    PricedLine,
    Rating,
    RatingError,
    Rounding,
    SeasonalPrice,
    TariffVersion,
    TimeOfUseEnergy,
    UnitPrice,
    Usage,
    VatRates,
    round_lines,
)
from .components_batch import Rater, prepare_version
from .formula import FormulaError, Trace
from .money import round_to, split_largest_remainder
from .rating import Line
from .stored_decimal import EXACT_DIGITS, DecimalColumn, column_fault
from .tariff import TariffError
from .validation import BLOCK, Finding

if TYPE_CHECKING:
    from .billing import Charge, PeriodIn, UtilityIn

ZERO = Decimal(0)
ONE = Decimal(1)
TEXT_KEY = "_text"
# The items' own traces, already JSON values: merged into the line's trace as they are.
ITEMS_KEY = "_items"
PRICE_STEP = Decimal("0.000001")
# Lines that are quantity × one price, shown once per source.
LINEAR = (UnitPrice, ExciseTax)
NEEDS_INTERVALS = (TimeOfUseEnergy, DemandCharge)
# Lines priced from the quantity in another way: their trace lists the sources.
QUANTITY_PRICED = (BlockPrice, SeasonalPrice)
# The codes of the components a version without component rows stands for; stored
# components cannot take them (codes have no parentheses).
SIMPLE_UNIT = "(unit)"
SIMPLE_FIXED = "(fixed)"
UNITS_BY_CODE = {"MON": "month", "C62": "unit", "KWH": "kWh", "KWT": "kW"}


@dataclass(frozen=True)
class Column:
    """A decimal column's shape, as numbers: the engine does not import Django
    (tests/billing checks these against the models)."""

    max_digits: int
    decimal_places: int


# invoicing.models.InvoiceLine: quantity, unit_price_net, net_amount.
LINE_QUANTITY = Column(20, 6)
LINE_UNIT_PRICE = Column(18, 6)
LINE_AMOUNT = Column(18, 2)
# What an ArithmeticError in rating means, in words (the formula preview says the
# same: "An amount is out of range").
OUT_OF_RANGE = "an amount is out of range (more digits than an invoice holds)"

Source = Literal["own", "settlement", "common", "cost"]
# The sources a linear line is shown once for; any other item counts as common.
LINE_SOURCES = ("own", "settlement", "common")


@dataclass
class Item:
    """One thing a contract is charged for, before pricing.

    ``source``: ``own`` (its own meters), ``settlement`` (what its own meters
    settle of an estimate an earlier bill used: priced like ``own``, shown apart),
    ``common`` (its share of the common consumption) or ``cost`` (its share of a
    building cost, in money: ``amount`` and ``vat_rate_percent`` are set and the
    tariff's prices do not apply)."""

    utility_code: str
    source: Source
    description: str
    quantity: Decimal
    unit: str
    unit_code: str
    trace: dict[str, object]
    amount: Decimal | None = None
    vat_rate_percent: Decimal | None = None


@dataclass(frozen=True)
class TariffPlan:
    """One tariff over one period, compiled once per bill run chunk and shared by
    every contract with that tariff: its versions in force in the period (oldest
    first), the VAT schedule and the rounding. ``problem``: why it cannot be used
    (a stored component that no longer compiles), empty when it can."""

    tariff_code: str
    versions: tuple[TariffVersion, ...]
    vat: tuple[VatRates, ...]
    rounding: Rounding = field(default_factory=Rounding)
    # valid_from → the version's row id, for the line trace.
    version_ids: Mapping[date, int] = field(default_factory=dict)
    # (valid_from, component code) → line text by language ("ro": "Apă rece").
    descriptions: Mapping[tuple[date, str], Mapping[str, str]] = field(
        default_factory=dict
    )
    # The VAT category of cost shares (their rate is the provider bill's).
    cost_vat_category: str = "S"
    problem: str = ""
    # (valid_from, component code) → the component's class, computed once.
    kinds: Mapping[tuple[date, str], type[Component]] = field(
        init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        kinds = {
            (v.valid_from, c.code): type(c) for v in self.versions for c in v.components
        }
        object.__setattr__(self, "kinds", kinds)

    @cached_property
    def needs_intervals(self) -> bool:
        """Some version has time-of-use or demand charges."""
        return any(
            isinstance(c, NEEDS_INTERVALS) for v in self.versions for c in v.components
        )

    @cached_property
    def rater(self) -> Rater:
        """The batch rating engine for this plan, made on first use and kept as
        long as the plan (one bill run chunk): the versions are prepared and each
        period is planned once for every contract with the tariff."""
        return Rater(
            [prepare_version(v) for v in self.versions], self.vat, self.rounding
        )


@dataclass(frozen=True)
class ServiceTariff:
    """What prices one contract service: the tariff plan and the apartment's own
    variables for formulas and per-meter charges (``area``, ``persons``,
    ``meters``...). ``hourly_load_kw``: a year of hourly load, for time-of-use and
    demand components, when the register has interval data (with the weekday of
    1 January it is rated with: ``Usage.year_start_weekday``); else
    ``intervals_problem`` may say why there is none."""

    plan: TariffPlan
    variables: Mapping[str, Decimal] = field(default_factory=dict)
    hourly_load_kw: Sequence[Decimal] | None = None
    year_start_weekday: int | None = None
    intervals_problem: str = ""


@dataclass(frozen=True)
class Wording:
    """How a line's text is built at issue, in the customer's language: the
    component's name by language ("" = the stored text), a standard suffix
    (``own``, ``common``, ``fixed``) and, for a split period, the part's dates."""

    names: Mapping[str, str]
    suffix: str = ""
    block: int | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    # The bill run's own English text for the source ("Cold water – common
    # consumption (by persons)"), used for English instead of name + suffix.
    text: str = ""
    # A time-of-use or demand line's calendar month (1 = January) and energy or
    # demand period, counted from 1 (URDB counts from 0); None: not shown.
    month: int | None = None
    tou_period: int | None = None


def price_charge(
    charge: Charge,
    services: Mapping[str, ServiceTariff],
    utilities: Mapping[str, UtilityIn],
    period: PeriodIn,
) -> None:
    """Append to ``charge.lines`` each service's priced lines (its cost items
    first, then the rated quantity lines); a service that cannot be rated adds a
    finding instead."""
    price_charges([(charge, services, utilities, period)])


# What one contract is priced with: its charge, services, the utilities, and the
# period (its own dates for a contract of part of the period).
PricingJob = tuple[
    "Charge", Mapping[str, ServiceTariff], Mapping[str, "UtilityIn"], "PeriodIn"
]


@dataclass
class _Rated:
    """One service of one charge waiting for its rating."""

    code: str
    utility: UtilityIn | None
    service: ServiceTariff
    items: Sequence[Item]
    period: PeriodIn
    own: Decimal
    common: Decimal
    usage: Usage
    # What rate_many found for the usage: its Rating, or the error rate_period
    # would have raised.
    rating: Rating | ValueError | ArithmeticError | None = None


@collector.paused()
def price_charges(jobs: Sequence[PricingJob]) -> None:
    """``price_charge`` for many charges at once: the quantities of every charge
    with the same tariff plan are rated by one ``rate_many`` call (the plan's
    versions prepared and each period planned once per plan), then each charge
    gets its lines in the order ``price_charge`` gives them. The results are those
    of ``components.rate_period`` to the digit. The lines are made without the
    cyclic garbage collector (see ``collector``): the bill run keeps them all
    until it writes them, and its passes over them cost more than the pricing."""
    # Per charge: each service's cost lines, then its rated lines (a _Rated to
    # fill) or the finding that says why it cannot be rated.
    steps: list[list[Line | _Rated | Finding]] = []
    by_plan: dict[int, list[_Rated]] = {}
    plans: dict[int, TariffPlan] = {}
    for charge, services, utilities, period in jobs:
        todo: list[Line | _Rated | Finding] = []
        steps.append(todo)
        for code, service in services.items():
            items = [i for i in charge.items if i.utility_code == code]
            todo += [_cost_line(i, service.plan) for i in items if i.amount is not None]
            quantities = [i for i in items if i.amount is None]
            if items and not quantities:
                continue  # a service billed by cost shares only
            try:
                rated = _to_rate(code, utilities.get(code), service, quantities, period)
            except _NotRated as exc:
                todo.append(_finding(charge, exc))
                continue
            todo.append(rated)
            plans[id(service.plan)] = service.plan
            by_plan.setdefault(id(service.plan), []).append(rated)

    for key, waiting in by_plan.items():
        ratings = plans[key].rater.rate_many([r.usage for r in waiting])
        for rated, rating in zip(waiting, ratings, strict=True):
            rated.rating = rating

    for (charge, _services, _utilities, _period), todo in zip(jobs, steps, strict=True):
        for step in todo:
            if isinstance(step, Finding):
                charge.findings.append(step)
            elif isinstance(step, _Rated):
                try:
                    charge.lines += _rated_lines(step)
                except _NotRated as exc:
                    charge.findings.append(_finding(charge, exc))
            else:
                charge.lines.append(step)


class _NotRated(Exception):
    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


def _finding(charge: Charge, exc: _NotRated) -> Finding:
    return Finding(exc.rule, BLOCK, f"contract {charge.contract_id}: {exc}")


def _to_rate(
    code: str,
    utility: UtilityIn | None,
    service: ServiceTariff,
    items: Sequence[Item],
    period: PeriodIn,
) -> _Rated:
    """The usage of one service, once the plan is known to be usable for it."""
    plan = service.plan
    name = utility.name if utility else code
    if plan.problem:
        raise _NotRated(
            "tariff_error", f"{name} tariff {plan.tariff_code}: {plan.problem}"
        )
    _check_coverage(plan, name, period)
    if service.hourly_load_kw is None and plan.needs_intervals:
        why = service.intervals_problem or "the meter has no hourly consumption data"
        raise _NotRated(
            "tariff_needs_intervals",
            f"{name} tariff {plan.tariff_code} has time-of-use or demand charges and "
            f"{why} for {period.name}",
        )
    own = sum((i.quantity for i in items if _source(i) != "common"), ZERO)
    common = sum((i.quantity for i in items if _source(i) == "common"), ZERO)
    usage = Usage(
        period.starts_on,
        period.ends_on,
        own + common,
        service.variables,
        service.hourly_load_kw,
        service.year_start_weekday,
    )
    return _Rated(code, utility, service, items, period, own, common, usage)


def _rated_lines(rated: _Rated) -> list[Line]:
    """The lines of a rated service: by source, rounded, worded. A line whose
    quantity, unit price or amount an invoice line cannot store holds the
    contract (``tariff_error`` naming the component, the number and the limit)."""
    plan = rated.service.plan
    name = rated.utility.name if rated.utility else rated.code
    where = f"{name} tariff {plan.tariff_code}"
    lines: list[PricedLine] = []
    rounded = False
    try:
        if not isinstance(rated.rating, Rating):
            assert rated.rating is not None, "rated by price_charges"
            raise rated.rating
        lines = _by_source(
            rated.rating.lines, plan, rated.items, rated.own, rated.common
        )
        round_lines(lines, plan.versions[0].currency, plan.rounding)
        rounded = True
    except ArithmeticError as exc:
        # Which line, when the lines are known: else the error in words.
        why = _unstorable(lines, rounded) or arithmetic_text(exc)
        raise _NotRated("tariff_error", f"{where}: {why}") from None
    except (RatingError, FormulaError, TariffError) as exc:
        raise _NotRated("tariff_error", f"{where}: {exc}") from None
    why = _unstorable(lines, rounded)
    if why:
        raise _NotRated("tariff_error", f"{where}: {why}")
    return [_line(rated.code, rated.utility, plan, pl, rated.period) for pl in lines]


def arithmetic_text(exc: ArithmeticError) -> str:
    """A decimal error of rating in words, not the repr of its class
    (``[<class 'decimal.Overflow'>]``)."""
    if isinstance(exc, ZeroDivisionError):
        return "a division by zero"
    return OUT_OF_RANGE


def _unstorable(lines: Sequence[PricedLine], rounded: bool) -> str:
    """Why the first line that an invoice line cannot store does not fit ("" when
    all fit): its exact amount when the rounding failed on it."""
    for pl in lines:
        amount = pl.net_amount if rounded else pl.amount
        for what, value, column in (
            ("quantity", pl.quantity, LINE_QUANTITY),
            ("unit price", pl.unit_price, LINE_UNIT_PRICE),
            ("amount", amount, LINE_AMOUNT),
        ):
            why = stored_fault(what, value, column, "an invoice line")
            if why:
                return f"component {pl.component}: {why}"
    return ""


def stored_fault(what: str, value: Decimal, column: DecimalColumn, holder: str) -> str:
    """Why ``value`` cannot be stored in ``column`` and read back as it is, in
    words ("the amount 100000000000000000.00 is too large for an invoice line (at
    most 16 digits before the decimal point)"), or "" when it can. The value is
    checked as the column keeps it: rounded to its places, half away from zero
    as PostgreSQL's numeric does (the writer passes the number as it is; on
    SQLite ``stored_decimal.column_fault`` checks it survives the double)."""
    max_digits = column.max_digits or 0
    places = column.decimal_places or 0
    # Fast path: below 10^(k - 1), k = min(15, max_digits) - places, the number
    # rounded to the places has at most k integer digits (a carry included) and
    # at most 15 significant digits: it fits, no need to look further.
    bound = _bound(min(EXACT_DIGITS, max_digits) - places - 1)
    if value.is_finite() and -bound < value < bound:
        return ""
    if not value.is_finite():
        return f"the {what} {value} is not a finite number"
    stored = value
    if value.adjusted() <= _SHOWN_DIGITS:  # else shown as it is, with an exponent
        digits = max(value.adjusted() + 1, 0) + places + 2
        context = Context(prec=digits, rounding=ROUND_HALF_UP)
        stored = value.quantize(ONE.scaleb(-places), context=context)
    fault = column_fault(stored, column)
    if fault is None:
        return ""
    text = f"the {what} {_number_text(stored)}"
    if fault.kind == "integer_digits":
        return (
            f"{text} is too large for {holder} (at most {fault.limit} digits "
            f"before the decimal point)"
        )
    return f"{text} does not fit {holder} ({fault})"


@cache
def _bound(digits: int) -> Decimal:
    return ONE.scaleb(digits) if digits >= 0 else ZERO


# A number with more integer digits is named with an exponent in a finding.
_SHOWN_DIGITS = 40


def _number_text(value: Decimal) -> str:
    """A number as plain text, or with an exponent when it is very long."""
    if abs(value.adjusted()) > _SHOWN_DIGITS:
        return str(value)
    text = format(value, "f")
    return text if len(text) <= 60 else text[:59] + "…"


def _check_coverage(plan: TariffPlan, name: str, period: PeriodIn) -> None:
    first = min((v.valid_from for v in plan.versions), default=None)
    if first is not None and first <= period.starts_on:
        return
    through = period.ends_on if first is None else first - timedelta(days=1)
    days = (through - period.starts_on).days + 1
    raise _NotRated(
        "tariff_missing",
        f"{name} tariff {plan.tariff_code} has no version in force from "
        f"{period.starts_on} to {through} ({days} days of {period.name})",
    )


def _by_source(
    lines: list[PricedLine],
    plan: TariffPlan,
    items: Sequence[Item],
    own: Decimal,
    common: Decimal,
) -> list[PricedLine]:
    """Each quantity × price line once per source; the others with the sources'
    quantities and explanations in the trace."""
    kinds = plan.kinds
    own_traces = [i.trace for i in items if _source(i) != "common"]
    common_traces = [i.trace for i in items if _source(i) == "common"]
    out: list[PricedLine] = []
    for line in lines:
        kind = kinds.get((_version_of(plan, line.starts_on), line.component))
        if kind is not None and issubclass(kind, LINEAR) and not items:
            continue  # nothing measured or shared: no quantity line
        if kind is None or not issubclass(kind, LINEAR):
            line.trace["own_quantity"] = own
            line.trace["common_quantity"] = common
            if items and kind is not None and issubclass(kind, QUANTITY_PRICED):
                line.trace[ITEMS_KEY] = {"sources": own_traces + common_traces}
            out.append(line)
            continue
        out += _split_line(line, items)
    return out


def _source(item: Item) -> str:
    return item.source if item.source in LINE_SOURCES else "common"


def _split_line(line: PricedLine, items: Sequence[Item]) -> list[PricedLine]:
    weights = {
        s: sum((i.quantity for i in items if _source(i) == s), ZERO)
        for s in LINE_SOURCES
    }
    weights = {s: q for s, q in weights.items() if q}
    if len(weights) < 2:
        weights = {next(iter(weights), "own"): line.quantity}
    exponent = line.quantity.as_tuple().exponent
    step = ONE.scaleb(min(int(exponent), 0)) if isinstance(exponent, int) else ONE
    if len(weights) == 1:
        shares = {k: line.quantity for k in weights}
    elif all(q > 0 for q in weights.values()):
        shares = split_largest_remainder(line.quantity, weights, step)
    else:
        shares = _signed_shares(line.quantity, weights, step)
    out = []
    for source, quantity in shares.items():
        mine = [i for i in items if _source(i) == source]
        texts = {i.description for i in mine}
        trace = dict(line.trace)
        trace["source"] = source
        trace["quantity"] = quantity
        if len(mine) == 1:
            trace[ITEMS_KEY] = mine[0].trace  # how the quantity was found
        else:
            trace[ITEMS_KEY] = {"items": [i.trace for i in mine]}
        # The bill run's English text for the source, when its items agree on one.
        trace[TEXT_KEY] = texts.pop() if len(texts) == 1 else ""
        out.append(
            PricedLine(
                line.component,
                line.description,
                quantity,
                line.unit_code,
                line.unit_price,
                quantity * line.unit_price,
                line.vat_category,
                line.vat_rate,
                line.starts_on,
                line.ends_on,
                trace,
            )
        )
    return out


def _signed_shares(
    quantity: Decimal, weights: dict[str, Decimal], step: Decimal
) -> dict[str, Decimal]:
    """A settlement makes a source negative: the sources' own quantities when the
    line prices all of them, else each its proportion rounded to ``step`` and the
    last one the rest (the shares still add up to the line)."""
    total = sum(weights.values(), ZERO)
    if quantity == total or not total:
        return dict(weights) if quantity == total else {"own": quantity}
    shares = {s: round_to(quantity * q / total, step) for s, q in weights.items()}
    last = list(shares)[-1]
    shares[last] = quantity - sum((v for s, v in shares.items() if s != last), ZERO)
    return shares


def _version_of(plan: TariffPlan, day: date) -> date:
    found = plan.versions[0].valid_from
    for v in plan.versions:
        if v.valid_from <= day:
            found = v.valid_from
    return found


def _line(
    code: str,
    utility: UtilityIn | None,
    plan: TariffPlan,
    pl: PricedLine,
    period: PeriodIn,
) -> Line:
    valid_from = _version_of(plan, pl.starts_on)
    source = pl.trace.get("source")
    names = {"": pl.description}
    extra = plan.descriptions.get((valid_from, pl.component), {})
    block = None
    stem, sep, number = pl.description.rpartition(", block ")
    if sep and number.isdigit():  # BlockPrice's "<description>, block <n>"
        names = {"": stem}
        block = int(number)
    names.update(extra)
    month = tou_period = None
    kind = plan.kinds.get((valid_from, pl.component))
    if kind is not None and issubclass(kind, NEEDS_INTERVALS):
        names, block, month, tou_period = _tou_wording(plan, valid_from, pl)
        names.update(extra)
    suffix = str(source) if source in LINE_SOURCES else ""
    # A version without components words its lines as the bill run's items do.
    text = str(pl.trace.pop(TEXT_KEY, ""))
    if pl.component != SIMPLE_UNIT:
        text = ""
    found = pl.trace.pop(ITEMS_KEY, None)
    if pl.component == SIMPLE_FIXED:
        suffix = "fixed"
    # Dates are shown for a line that prices only part of the period.
    part = (pl.starts_on, pl.ends_on) != (period.starts_on, period.ends_on)
    wording = Wording(
        names,
        suffix,
        block,
        pl.starts_on if part else None,
        pl.ends_on if part else None,
        text,
        month,
        tou_period,
    )
    trace = _jsonable(pl.trace)
    assert isinstance(trace, dict)
    if isinstance(found, dict):
        trace.update(found)
    trace["tariff"] = {
        "code": plan.tariff_code,
        "version": plan.version_ids.get(valid_from),
        "valid_from": valid_from.isoformat(),
    }
    trace["part"] = [pl.starts_on.isoformat(), pl.ends_on.isoformat()]
    unit = (
        utility.unit
        if utility and pl.unit_code == utility.unit_code
        else UNITS_BY_CODE.get(pl.unit_code, pl.unit_code)
    )
    return Line(
        code,
        describe(wording, {}),
        pl.quantity,
        unit,
        pl.unit_code,
        pl.unit_price,
        pl.net_amount,
        pl.vat_category,
        ZERO if pl.vat_rate is None else pl.vat_rate,
        trace,
        starts_on=pl.starts_on,
        ends_on=pl.ends_on,
        wording=wording,
    )


def _tou_wording(
    plan: TariffPlan, valid_from: date, pl: PricedLine
) -> tuple[dict[str, str], int | None, int | None, int | None]:
    """A time-of-use or demand line's words from its trace: the component's name,
    the tier as a block when the month has several (the line text says so), the
    month, and the period counted from 1 (a flat demand has none)."""
    name = next(
        (
            c.description
            for v in plan.versions
            if v.valid_from == valid_from
            for c in v.components
            if c.code == pl.component
        ),
        pl.description,
    )
    month = pl.trace.get("month")
    period = pl.trace.get("period")
    tier = pl.trace.get("tier")
    block = tier if isinstance(tier, int) and ", block " in pl.description else None
    return (
        {"": name},
        block,
        month if isinstance(month, int) else None,
        period + 1 if isinstance(period, int) else None,
    )


ENGLISH = {
    "own": "own meter",
    "common": "common consumption",
    "settlement": "settlement of an estimate",
    "fixed": "fixed charge",
    "forecast": "advance (forecast)",
    "block": "block %(number)s",
    "period": "period %(number)s",
    # time-of-use lines' months: month_1 (January) to month_12
    **{f"month_{m}": name for m, name in enumerate(MONTH_NAMES, start=1)},
}


def describe(wording: Wording, words: Mapping[str, str], language: str = "") -> str:
    """The line text: name, month and period (time-of-use), block, suffix and
    dates. ``words`` gives the standard words in the customer's language (English
    when absent)."""
    english = language in ("", "en")
    if wording.text and english:
        text = wording.text
    else:
        text = wording.names.get(language) or wording.names[""]
    if wording.month is not None:
        key = f"month_{wording.month}"
        text += ", " + words.get(key, ENGLISH[key])
    if wording.tou_period is not None:
        period = words.get("period", ENGLISH["period"])
        text += ", " + period % {"number": wording.tou_period}
    if wording.block is not None:
        block = words.get("block", ENGLISH["block"])
        text += ", " + block % {"number": wording.block}
    if wording.suffix and not (wording.text and english):
        text += " – " + words.get(wording.suffix, ENGLISH[wording.suffix])
    if wording.starts_on is not None and wording.ends_on is not None:
        text += f", {wording.starts_on:%d.%m} – {wording.ends_on:%d.%m.%Y}"
    return text[:200]


def _jsonable(value: object) -> object:
    """A trace as JSON values: Decimals and dates as text."""
    kind = type(value)
    if kind is str or kind is int or value is None:
        return value
    if kind is Decimal:
        return str(value)
    if kind is dict or isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}  # type: ignore[attr-defined]
    if kind is list or kind is tuple:
        return [_jsonable(v) for v in value]  # type: ignore[attr-defined]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Trace):
        return value.as_dict()
    return value


def _cost_line(item: Item, plan: TariffPlan) -> Line:
    assert item.amount is not None
    unit_price = (
        (item.amount / item.quantity).quantize(PRICE_STEP) if item.quantity else ZERO
    )
    return Line(
        item.utility_code,
        item.description,
        item.quantity,
        item.unit,
        item.unit_code,
        unit_price,
        item.amount,
        plan.cost_vat_category,
        item.vat_rate_percent if item.vat_rate_percent is not None else ZERO,
        item.trace,
    )
