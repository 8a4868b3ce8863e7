"""Metered costs: consumption with common consumption, and hot-water heat.

The main meter is the cost's ``quantity``; what the apartment meters (and the
branching counters) do not account for is common consumption.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

from meterbill.engine.allocation_keys import (
    key_values,
    note_missing_readings,
    note_negative_weights,
    percent_plan,
)
from meterbill.engine.allocation_model import (
    HUNDRED,
    WATER_HEAT_CAPACITY_KWH_PER_M3K,
    ZERO,
    AllocationError,
    Apartment,
    BranchMeter,
    ConsumptionRule,
    Cost,
    Finding,
    HotWaterHeatRule,
    Part,
    Period,
    Plan,
)
from meterbill.engine.money import round_to


@dataclass
class _Group:
    """A quantity spread over some apartments in proportion to their key values."""

    key: str
    values: dict[str, Decimal]
    quantity: Decimal
    note: str


def consumption_plan(
    cost: Cost,
    rule: ConsumptionRule,
    apartments: Sequence[Apartment],
    period: Period | None,
) -> Plan:
    """Own consumption plus a share of common consumption, priced alike.

    Common consumption = main meter - (branching counters + apartments directly
    under the main meter); under each branching counter, the counter minus its
    apartments. Positive: spread by ``common_key``; negative: per policy.
    """
    if cost.quantity is None:
        raise AllocationError(f"cost {cost.id}: the main meter quantity is required")
    utility = rule.utility or cost.utility
    plan = Plan(f"consumption+common:{rule.common_key}", {a.id: [] for a in apartments})
    own, notes = _own_consumption(cost, rule, apartments, utility, plan)
    common = key_values(rule.common_key, apartments, utility=utility, period=period)
    common = {k: v for k, v in common.items() if k not in rule.common_excludes}
    if rule.common_key == "consumption":
        note_negative_weights(cost, plan, apartments, utility)
    groups = [_Group("consumption", own, ZERO, "")]
    grouped: set[str] = set()
    for branch in rule.branch_meters:
        members = _branch_members(branch, apartments, grouped)
        label = f"branching counter {branch.id}"
        diff = branch.consumption - sum((own[m] for m in members), ZERO)
        if diff < 0:
            if not _accept_negative(cost, rule, plan, label):
                return plan
            _reduce(
                own, notes, members, branch.consumption / (branch.consumption - diff)
            )
            diff = ZERO  # the reduced apartments now add up to the counter
        values = {m: common[m] for m in members if m in common}
        groups.append(_Group(rule.common_key, values, diff, f"common of {label}"))
    below = sum((b.consumption for b in rule.branch_meters), ZERO)
    below += sum((own[a.id] for a in apartments if a.id not in grouped), ZERO)
    diff, factor = cost.quantity - below, Decimal(1)
    if diff < 0:
        if not _accept_negative(cost, rule, plan, "main meter"):
            return plan
        diff, factor = ZERO, cost.quantity / below
    groups.append(_Group(rule.common_key, common, diff, "common of the main meter"))
    groups[0].quantity = sum(own.values(), ZERO)
    _spread(cost, plan, groups, factor, notes)
    return plan


def _accept_negative(cost: Cost, rule: ConsumptionRule, plan: Plan, label: str) -> bool:
    """A meter reads less than the meters below it: block the cost, or go on and
    reduce the consumptions below it proportionally (returns True)."""
    if rule.negative_policy == "block":
        msg = f"{label} reads less than the meters below it: cost not split"
        plan.findings.append(Finding(cost.id, "negative_common", msg, None, "error"))
        plan.blocked = True
        return False
    msg = f"{label} reads less than the meters below it: consumptions reduced"
    plan.findings.append(Finding(cost.id, "negative_common", msg))
    return True


def _reduce(
    own: dict[str, Decimal], notes: dict[str, str], members: list[str], factor: Decimal
) -> None:
    for m in members:
        own[m] *= factor
        notes[m] += f", reduced x{round_to(factor, Decimal('0.000001'))}"


def _own_consumption(
    cost: Cost,
    rule: ConsumptionRule,
    apartments: Sequence[Apartment],
    utility: str,
    plan: Plan,
) -> tuple[dict[str, Decimal], dict[str, str]]:
    """Measured consumption; without a working meter the norm or the estimate."""
    own: dict[str, Decimal] = {}
    notes: dict[str, str] = {}
    for apt in apartments:
        measured = apt.own_consumption(utility)
        if measured is not None:
            own[apt.id], notes[apt.id] = measured, "meter"
            if utility in apt.settlement:
                notes[apt.id] += (
                    f": {apt.consumption[utility]} used"
                    f" {apt.settlement[utility]:+} settled"
                )
            continue
        if rule.missing_meter == "estimate":
            if apt.id not in rule.estimates:
                raise AllocationError(f"cost {cost.id}: no estimate for {apt.id}")
            own[apt.id], notes[apt.id] = rule.estimates[apt.id], "estimate"
        else:
            own[apt.id] = apt.persons * rule.norm_per_person
            notes[apt.id] = f"norm: {apt.persons} persons x {rule.norm_per_person}"
        if own[apt.id] < 0:
            raise AllocationError(f"cost {cost.id}: estimates must not be negative")
        msg = f"no working {utility} meter: charged by {notes[apt.id]}"
        plan.findings.append(Finding(cost.id, "no_meter", msg, apt.id))
    return own, notes


def _branch_members(
    branch: BranchMeter, apartments: Sequence[Apartment], grouped: set[str]
) -> list[str]:
    known = {a.id for a in apartments}
    for apt_id in branch.apartment_ids:
        if apt_id not in known or apt_id in grouped:
            raise AllocationError(
                f"branching counter {branch.id}: apartment {apt_id} is unknown "
                "or under another branching counter"
            )
    if branch.consumption < 0 or not branch.apartment_ids:
        raise AllocationError(
            f"branching counter {branch.id}: needs apartments and a consumption >= 0"
        )
    grouped.update(branch.apartment_ids)
    return list(branch.apartment_ids)


def _spread(
    cost: Cost,
    plan: Plan,
    groups: list[_Group],
    factor: Decimal,
    notes: dict[str, str],
) -> None:
    """Turn the groups into parts and quantities; weights are the quantities."""
    main = cost.quantity or ZERO
    weights = dict.fromkeys(plan.parts, ZERO)
    for group in groups[:1]:
        # Own consumption is each apartment's own quantity, whatever the others'
        # (a settled over-estimate makes one negative, and the sum may be zero).
        if not any(v * factor for v in group.values.values()):
            continue
        percent = group.quantity * factor * HUNDRED / main if main else ZERO
        for apt_id, value in group.values.items():
            share = value * factor
            note = notes[apt_id]
            if factor != 1:
                note += f", main meter factor {round_to(factor, Decimal('0.000001'))}"
            plan.parts[apt_id].append(
                Part(group.key, value, group.quantity, percent, share, note)
            )
            weights[apt_id] += share
    for group in groups[1:]:
        quantity = group.quantity * factor
        if quantity == 0:
            continue
        if not group.values:
            raise AllocationError(
                f"cost {cost.id}: {group.note} has no apartment to take it"
            )
        values, total = group.values, sum(group.values.values(), ZERO)
        if total == 0:
            values, total = dict.fromkeys(values, Decimal(1)), Decimal(len(values))
            msg = f"{group.key}: key total is zero: equal shares"
            plan.findings.append(Finding(cost.id, "zero_key_total", msg))
        percent = quantity * HUNDRED / main
        for apt_id, value in values.items():
            share = quantity * value / total
            note = group.note
            if factor != 1:
                note += f", main meter factor {round_to(factor, Decimal('0.000001'))}"
            part = Part(group.key, value, total, percent, share, note)
            plan.parts[apt_id].append(part)
            weights[apt_id] += share
    if not any(weights.values()):
        msg = "no consumption measured or billed: equal shares"
        plan.findings.append(Finding(cost.id, "zero_consumption", msg))
    plan.weights = weights


def hot_water_heat_kwh(
    volume_m3: Decimal,
    delta_t_k: Decimal,
    heat_capacity_kwh_per_m3k: Decimal = WATER_HEAT_CAPACITY_KWH_PER_M3K,
) -> Decimal:
    """Heat to warm hot water: E (kWh) = V (m3) x rho*c (kWh/(m3 K)) x delta T (K)."""
    return volume_m3 * heat_capacity_kwh_per_m3k * delta_t_k


def hot_water_plan(
    cost: Cost,
    rule: HotWaterHeatRule,
    apartments: Sequence[Apartment],
    period: Period | None,
) -> Plan:
    """Hot-water heat E = V x rho*c x delta T by volume; the rest by ``heating``."""
    if not cost.quantity:
        raise AllocationError(
            f"cost {cost.id}: the total heat (kWh) must be given and above zero"
        )
    plan = percent_plan(cost, rule.heating, apartments, period)
    utility = rule.hot_water_utility
    volume = key_values("consumption", apartments, utility=utility)
    rho_c = rule.heat_capacity_kwh_per_m3k
    kwh = {k: hot_water_heat_kwh(v, rule.delta_t_k, rho_c) for k, v in volume.items()}
    total = sum(kwh.values(), ZERO)
    percent = min(total * HUNDRED / cost.quantity, HUNDRED)
    if total > cost.quantity:
        msg = f"hot-water heat {total} kWh exceeds the billed {cost.quantity} kWh"
        plan.findings.append(Finding(cost.id, "hot_water_heat_over_total", msg))
    rest = (HUNDRED - percent) / HUNDRED
    for apt_id, parts in plan.parts.items():
        parts[:] = [replace(p, percent=p.percent * rest) for p in parts]
        if total > 0:
            note = f"{volume[apt_id]} m3 x {rho_c} kWh/(m3 K) x {rule.delta_t_k} K"
            hot_water = Part("hot_water_heat_kwh", kwh[apt_id], total, percent)
            parts.insert(0, replace(hot_water, note=note))
    note_missing_readings(cost, plan, apartments, utility)
    shown = round_to(percent, Decimal("0.01"))
    plan.rule = f"hot_water_heat:{shown}% hot_water_heat_kwh, rest {plan.rule}"
    return plan
