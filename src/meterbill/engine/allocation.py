"""Building cost allocation: split a provider bill over the apartments of a residence.

Every rule turns a cost into exact weights per apartment, each weight made of parts
(key, the apartment's value, the key total, the percentage of the cost the part
distributes). The amount is rounded once, with the largest-remainder method, so the
apartments' amounts add up to the cost to the cent. Each share carries the parts and
the findings that explain it. The rules are described in ``docs/allocation.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_FLOOR, Decimal

from meterbill.engine.allocation_keys import key_values, percent_plan, person_days
from meterbill.engine.allocation_metered import (
    consumption_plan,
    hot_water_heat_kwh,
    hot_water_plan,
)
from meterbill.engine.allocation_model import (
    HEIZKOSTENV_RANGE,
    KEYS,
    QUANTITY_STEP,
    WATER_HEAT_CAPACITY_KWH_PER_M3K,
    Allocation,
    AllocationError,
    Allocator,
    Apartment,
    BranchMeter,
    CommonHeatingRule,
    ConsumptionRule,
    Cost,
    Explanation,
    Finding,
    HotWaterHeatRule,
    Key,
    KeyRule,
    MixedRule,
    Occupant,
    OccupantShare,
    Part,
    Period,
    PersonPeriod,
    Plan,
    Rule,
    Share,
)
from meterbill.engine.money import precision, round_to, split_largest_remainder

__all__ = [
    "HEIZKOSTENV_RANGE",
    "KEYS",
    "WATER_HEAT_CAPACITY_KWH_PER_M3K",
    "Allocation",
    "AllocationError",
    "Allocator",
    "Apartment",
    "BranchMeter",
    "CommonHeatingRule",
    "ConsumptionRule",
    "Cost",
    "Explanation",
    "Finding",
    "HotWaterHeatRule",
    "Key",
    "KeyRule",
    "MixedRule",
    "Occupant",
    "OccupantShare",
    "Part",
    "Period",
    "PersonPeriod",
    "Rule",
    "Share",
    "allocate",
    "hot_water_heat_kwh",
    "key_values",
    "person_days",
    "split_between_occupants",
]


def allocate(
    apartments: Sequence[Apartment],
    costs: Sequence[Cost],
    currency: str,
    *,
    period: Period | None = None,
) -> Allocation:
    """Split every cost over the apartments; amounts sum to each cost to the cent."""
    _check_apartments(apartments)
    if len({c.id for c in costs}) != len(costs):
        raise AllocationError("cost ids must be unique")
    shares: dict[str, dict[str, Share]] = {}
    findings: list[Finding] = []
    for cost in costs:
        _check_cost(cost, currency)
        plan = _plan(cost, apartments, period)
        findings.extend(plan.findings)
        shares[cost.id] = {} if plan.blocked else _round(cost, plan, apartments, period)
    return Allocation(currency, shares, findings)


def _check_apartments(apartments: Sequence[Apartment]) -> None:
    if not apartments:
        raise AllocationError("a residence needs at least one apartment")
    if len({a.id for a in apartments}) != len(apartments):
        raise AllocationError("apartment ids must be unique")
    for apt in apartments:
        values = [apt.area_m2, apt.heated_area, apt.persons, apt.quota]
        values += list(apt.consumption.values())
        values += [v for a in apt.allocators for v in (a.units, a.kq, a.kc)]
        values += [p.persons for p in apt.person_periods]
        if any(v < 0 for v in values):
            raise AllocationError(f"apartment {apt.id}: values must not be negative")
        for utility in apt.settlement:
            if utility not in apt.consumption:
                raise AllocationError(
                    f"apartment {apt.id}: a {utility} settlement needs a {utility} "
                    "consumption"
                )


def _check_cost(cost: Cost, currency: str) -> None:
    if cost.currency.upper() != currency.upper():
        raise AllocationError(f"cost {cost.id}: currency {cost.currency} != {currency}")
    if cost.amount != cost.amount.quantize(precision(currency)):
        raise AllocationError(
            f"cost {cost.id}: amount {cost.amount} is finer than {precision(currency)}"
        )
    if cost.quantity is not None and cost.quantity < 0:
        raise AllocationError(f"cost {cost.id}: quantity must not be negative")


def _plan(cost: Cost, apartments: Sequence[Apartment], period: Period | None) -> Plan:
    rule = cost.rule
    if isinstance(rule, ConsumptionRule):
        return consumption_plan(cost, rule, apartments, period)
    if isinstance(rule, HotWaterHeatRule):
        return hot_water_plan(cost, rule, apartments, period)
    return percent_plan(cost, rule, apartments, period)


def _round(
    cost: Cost, plan: Plan, apartments: Sequence[Apartment], period: Period | None
) -> dict[str, Share]:
    """Round once: largest remainder over the exact weights."""
    weights = {a.id: plan.weight_of(a.id) for a in apartments}
    amounts = _split(cost, cost.amount, weights, precision(cost.currency))
    quantities: dict[str, Decimal] = {}
    if cost.quantity is not None:
        total = round_to(cost.quantity, QUANTITY_STEP)
        quantities = _split(cost, total, weights, QUANTITY_STEP)
    shares = {}
    for apt in apartments:
        msgs = tuple(
            f.message for f in plan.findings if f.apartment_id in (None, apt.id)
        )
        explanation = Explanation(plan.rule, tuple(plan.parts[apt.id]), msgs)
        occupants = split_between_occupants(apt, amounts[apt.id], cost.currency, period)
        shares[apt.id] = Share(
            amounts[apt.id], quantities.get(apt.id), explanation, occupants
        )
    return shares


def _split(
    cost: Cost, total: Decimal, weights: dict[str, Decimal], step: Decimal
) -> dict[str, Decimal]:
    """Largest remainder; a settled over-estimate can make a weight negative
    (the apartment's own consumption), and then each part is its exact share
    floored to ``step`` and the steps left over go to the largest remainders."""
    if all(w >= 0 for w in weights.values()):
        return split_largest_remainder(total, weights, step)
    weight_sum = sum(weights.values(), Decimal(0))
    if weight_sum <= 0:
        raise AllocationError(
            f"cost {cost.id}: the settlements leave nothing positive to split by"
        )
    units = int((total / step).to_integral_value())
    exact = {k: Decimal(units) * w / weight_sum for k, w in weights.items()}
    floors = {
        k: int(e.to_integral_value(rounding=ROUND_FLOOR)) for k, e in exact.items()
    }
    order = sorted(
        enumerate(weights),
        key=lambda o: (exact[o[1]] - floors[o[1]], -o[0]),
        reverse=True,
    )
    for _, key in order[: units - sum(floors.values())]:
        floors[key] += 1
    return {k: n * step for k, n in floors.items()}


def split_between_occupants(
    apt: Apartment, amount: Decimal, currency: str, period: Period | None
) -> tuple[OccupantShare, ...]:
    """Split an apartment's amount between its occupants by days of occupation
    within the period, or by degree-days when every occupant has them."""
    if not apt.occupants:
        return ()
    if len({o.id for o in apt.occupants}) != len(apt.occupants):
        raise AllocationError(f"apartment {apt.id}: occupant ids must be unique")
    basis = "days"
    if all(o.degree_days is not None for o in apt.occupants):
        basis = "degree_days"
    values = {o.id: _occupant_value(o, period, basis) for o in apt.occupants}
    if any(v < 0 for v in values.values()):
        raise AllocationError(f"apartment {apt.id}: negative occupant degree-days")
    parts = split_largest_remainder(amount, values, precision(currency))
    return tuple(
        OccupantShare(o.id, parts[o.id], basis, values[o.id]) for o in apt.occupants
    )


def _occupant_value(occupant: Occupant, period: Period | None, basis: str) -> Decimal:
    if basis == "degree_days" and occupant.degree_days is not None:
        return occupant.degree_days
    if period is not None:
        return Decimal(period.overlap_days(occupant.start, occupant.end))
    return Decimal(max(0, (occupant.end - occupant.start).days + 1))
