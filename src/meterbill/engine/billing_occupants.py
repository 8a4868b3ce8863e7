"""Several contracts of one apartment in one period: a tenant or owner change.

The bill run first finds what the apartment is charged for over the whole period
(own consumption, common share, cost shares), exactly as for one contract; this
module then splits each item between the contracts, and each contract's part is
priced with its own tariffs over its own dates, so the tariff's fixed charges follow
those dates too (prorated by days).

How an item is split, in this order:

- own consumption, when every meter of the utility in place on each change day has a
  reading on that day (the outgoing contract's last day): by the readings, i.e. by
  each contract's consumption from its opening to its closing index;
- heat (utility kind ``heat``), when the branch has a mean outdoor temperature for
  every day of the period: by heating degree days, Σ max(0, 18 °C − mean) over each
  contract's days (a base of 18 °C, the usual heating limit; a summer part with no
  degree days at all falls back to days);
- everything else: by days of the period each contract covers.

Quantities and amounts are split with the largest-remainder method, so the parts add
up exactly to the apartment's item. Each part's trace says how it was split
("split between occupants: 12 of 30 days"). Only the contracts that take the
item's utility share it; days of the period no contract covers are shared by the
contracts in proportion, as the single contract of a partly vacant period pays it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from typing import TYPE_CHECKING

from .consumption import in_place, period_consumption
from .contract_charges import ContractChargeIn, add_contract_charges
from .money import split_largest_remainder
from .pricing import (
    Item,
    PricingJob,
    ServiceTariff,
    Wording,
    describe,
    price_charges,
)

if TYPE_CHECKING:
    from .billing import ApartmentIn, Charge, PeriodIn, UtilityIn

ZERO = Decimal(0)
# Heating degree days: Σ max(0, base − daily mean temperature), base 18 °C.
DEGREE_DAY_BASE_C = Decimal(18)
# Utility kinds split by degree days when the branch has the temperatures.
BY_DEGREE_DAYS = frozenset({"heat"})
# The finest step a split quantity keeps (a share "1" becomes 0.400 + 0.600).
QUANTITY_STEP = Decimal("0.001")


@dataclass(frozen=True)
class OccupancyIn:
    """One contract of an apartment that has several in the period: its days
    within the period (both included) and its own tariffs."""

    contract_id: int
    starts_on: date
    ends_on: date
    services: Mapping[str, ServiceTariff]
    # Its fees and one-off items (engine.contract_charges, dated by the contract).
    contract_charges: Sequence[ContractChargeIn] = ()

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1


@dataclass(frozen=True)
class _Basis:
    """How one item is split: each contract's weight, its total, and in words."""

    name: str  # "days", "degree_days" or "readings"
    weights: dict[int, Decimal]  # contract id → its value
    unit: str  # "days", "degree days", or the utility's unit
    note: str = ""  # why a more exact basis was not used

    def trace(self, contract_id: int, on: str = "") -> dict[str, object]:
        value, total = self.weights[contract_id], sum(self.weights.values(), ZERO)
        head = "split between occupants"
        if on:
            head += f" by the readings on {on}"
        text = f"{head}: {_shown(value)} of {_shown(total)} {self.unit}"
        out: dict[str, object] = {
            "basis": self.name,
            "value": _shown(value),
            "total": _shown(total),
            "text": text,
        }
        if self.note:
            out["note"] = self.note
        return out


# A contract's charge before pricing: its pricing job (the charge, its services,
# the utilities, its own dates), its occupancy (None: the apartment's only
# contract) and its fees and one-off items.
Unpriced = tuple[PricingJob, OccupancyIn | None, Sequence[ContractChargeIn]]


def split_apartment(
    charge: Charge,
    apartment: ApartmentIn,
    utilities: Mapping[str, UtilityIn],
    period: PeriodIn,
    temperatures: Mapping[str, Mapping[date, Decimal]],
    overrides: Mapping[str, str] | None = None,
) -> list[Unpriced]:
    """The apartment's charge ready for pricing: as it is with one contract;
    split into one charge per contract, each to be priced over its own dates,
    with several (``price_unpriced`` prices them)."""
    if len(apartment.occupancies) < 2:
        return [
            (
                (charge, apartment.services, utilities, period),
                None,
                apartment.contract_charges,
            )
        ]
    parts = split_charge(charge, apartment, utilities, period, temperatures, overrides)
    out: list[Unpriced] = []
    for occupancy, part in zip(apartment.occupancies, parts, strict=True):
        own = replace(period, starts_on=occupancy.starts_on, ends_on=occupancy.ends_on)
        job = (part, occupancy.services, utilities, own)
        out.append((job, occupancy, occupancy.contract_charges))
    return out


def price_unpriced(unpriced: Sequence[Unpriced], period: PeriodIn) -> list[Charge]:
    """The charges of many apartments priced together (``price_charges``: one
    ``rate_many`` per tariff plan), then each contract part's lines dated and
    every contract's fees added."""
    price_charges([job for job, _occupancy, _fees in unpriced])
    for (charge, _services, _utilities, _own), occupancy, fees in unpriced:
        if occupancy is not None:
            _date_lines(charge, occupancy, period)
        add_contract_charges(charge, fees, period)
    return [job[0] for job, _occupancy, _fees in unpriced]


def split_charge(
    charge: Charge,
    apartment: ApartmentIn,
    utilities: Mapping[str, UtilityIn],
    period: PeriodIn,
    temperatures: Mapping[str, Mapping[date, Decimal]],
    overrides: Mapping[str, str] | None = None,
) -> list[Charge]:
    """One unpriced charge per contract (in the order of ``occupancies``), each
    with its part of every item and all of the apartment's findings."""
    occupancies = apartment.occupancies
    items: dict[int, list[Item]] = {o.contract_id: [] for o in occupancies}
    for item in charge.items:
        takers = [o for o in occupancies if item.utility_code in o.services]
        if len(takers) == 1:
            items[takers[0].contract_id].append(item)  # the only one taking it
        if len(takers) < 2:
            continue
        utility = utilities.get(item.utility_code)
        basis, on = _by_readings(item, apartment, takers, period, overrides), ""
        if basis is not None:
            on = ", ".join(f"{o.ends_on:%d.%m.%Y}" for o in takers[:-1])
        else:
            basis = _by_weather(utility, takers, period, temperatures)
        for contract_id, part in _split_item(item, basis, on).items():
            items[contract_id].append(part)
    return [
        replace(
            charge,
            contract_id=o.contract_id,
            items=items[o.contract_id],
            lines=[],
            findings=list(charge.findings),
        )
        for o in occupancies
    ]


def _split_item(item: Item, basis: _Basis, on: str) -> dict[int, Item]:
    step = min(_step_of(item.quantity), QUANTITY_STEP)
    quantities = split_largest_remainder(
        item.quantity.quantize(step), basis.weights, step
    )
    amounts: dict[int, Decimal] = {}
    if item.amount is not None:
        amounts = split_largest_remainder(
            item.amount, basis.weights, _step_of(item.amount)
        )
    out = {}
    for contract_id, quantity in quantities.items():
        amount = amounts.get(contract_id)
        if not quantity and not amount:
            continue  # nothing of this item falls on the contract's days
        trace = {**item.trace, "occupants": basis.trace(contract_id, on)}
        out[contract_id] = replace(item, quantity=quantity, amount=amount, trace=trace)
    return out


def _by_readings(
    item: Item,
    apartment: ApartmentIn,
    takers: Sequence[OccupancyIn],
    period: PeriodIn,
    overrides: Mapping[str, str] | None,
) -> _Basis | None:
    """Own meter consumption with a reading on every change day: each contract's
    consumption between the readings. None when that cannot be done."""
    registers = apartment.meters.get(item.utility_code, ())
    if item.source != "own" or "norm" in item.trace or not registers:
        return None
    changes = [o.ends_on for o in takers[:-1]]
    ordered = all(a.ends_on < b.starts_on for a, b in pairwise(takers))
    if not ordered:
        return None  # overlapping contracts: no change day to read at
    for register in registers:
        for day in changes:
            read = any(
                r.read_on == day and r.kind == "index" for r in register.readings
            )
            if in_place(register, day) and not read:
                return None
    weights: dict[int, Decimal] = {}
    for n, o in enumerate(takers):
        # From the day after the previous change (the period's start for the first)
        # to the change day (the period's end for the last).
        starts_on = period.starts_on if n == 0 else changes[n - 1] + timedelta(1)
        ends_on = period.ends_on if n == len(takers) - 1 else o.ends_on
        weights[o.contract_id] = sum(
            (
                period_consumption(r, starts_on, ends_on, overrides).quantity
                for r in registers
            ),
            ZERO,
        )
    if any(w < 0 for w in weights.values()) or not any(weights.values()):
        return None
    return _Basis("readings", weights, item.unit)


def _by_weather(
    utility: UtilityIn | None,
    takers: Sequence[OccupancyIn],
    period: PeriodIn,
    temperatures: Mapping[str, Mapping[date, Decimal]],
) -> _Basis:
    days = _Basis("days", {o.contract_id: Decimal(o.days) for o in takers}, "days")
    if utility is None or utility.kind not in BY_DEGREE_DAYS:
        return days
    series = temperatures.get(utility.code, {})
    every_day = [period.starts_on + timedelta(n) for n in range(_days(period))]
    missing = sum(1 for d in every_day if d not in series)
    if missing:
        return replace(
            days,
            note=f"degree days not used: no temperature for {missing} day(s) "
            "of the period",
        )
    weights = {
        o.contract_id: sum(
            (
                max(ZERO, DEGREE_DAY_BASE_C - series[o.starts_on + timedelta(n)])
                for n in range(o.days)
            ),
            ZERO,
        )
        for o in takers
    }
    if not any(weights.values()):
        return replace(days, note="degree days not used: none in the period")
    return _Basis("degree_days", weights, "degree days")


def _date_lines(charge: Charge, occupancy: OccupancyIn, period: PeriodIn) -> None:
    """Each line of a contract's part shows its dates and says it is a part."""
    whole = (period.starts_on, period.ends_on)
    summary = {
        "basis": "days",
        "value": str(occupancy.days),
        "total": str(_days(period)),
        "text": f"split between occupants: {occupancy.days} of {_days(period)} "
        "days (the contract's own dates)",
    }
    for line in charge.lines:
        line.trace.setdefault("occupants", summary)
        if line.starts_on is None or line.ends_on is None:
            line.starts_on, line.ends_on = occupancy.starts_on, occupancy.ends_on
        if (occupancy.starts_on, occupancy.ends_on) == whole:
            continue
        if isinstance(line.wording, Wording) and line.wording.starts_on is None:
            line.wording = replace(
                line.wording, starts_on=line.starts_on, ends_on=line.ends_on
            )
            line.description = describe(line.wording, {})
        elif line.wording is None:
            line.description = (
                f"{line.description}, {occupancy.starts_on:%d.%m} – "
                f"{occupancy.ends_on:%d.%m.%Y}"
            )[:200]


def _days(period: PeriodIn) -> int:
    return (period.ends_on - period.starts_on).days + 1


def _step_of(value: Decimal) -> Decimal:
    exponent = value.as_tuple().exponent
    return Decimal(1).scaleb(min(exponent, 0) if isinstance(exponent, int) else 0)


def _shown(value: Decimal) -> str:
    return format(value.normalize(), "f")
