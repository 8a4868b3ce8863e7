"""Distribution keys and the percentage splits built on them.

Each split is a list of terms (a key and the percentage of the cost it takes); an
apartment's weight is the sum over the terms of percent x value / key total.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from meterbill.engine.allocation_model import (
    HEIZKOSTENV_RANGE,
    HUNDRED,
    KEYS,
    ZERO,
    AllocationError,
    Apartment,
    CommonHeatingRule,
    Cost,
    Finding,
    Key,
    KeyRule,
    MixedRule,
    Part,
    Period,
    Plan,
)
from meterbill.engine.money import round_to


def percent_plan(
    cost: Cost,
    rule: KeyRule | MixedRule | CommonHeatingRule,
    apartments: Sequence[Apartment],
    period: Period | None,
) -> Plan:
    if isinstance(rule, KeyRule):
        return _terms_plan(
            cost, f"key:{rule.key}", [(rule, HUNDRED)], apartments, period
        )
    if isinstance(rule, MixedRule):
        return _mixed_plan(cost, rule, apartments, period)
    return _common_heating_plan(cost, rule, apartments, period)


def key_values(
    key: Key,
    apartments: Sequence[Apartment],
    *,
    utility: str = "",
    period: Period | None = None,
    custom: KeyRule | None = None,
) -> dict[str, Decimal]:
    """Each apartment's value of a distribution key (no reading: zero)."""
    if key not in KEYS:
        raise AllocationError(f"unknown distribution key {key!r}")
    if key == "custom":
        return _custom_values(apartments, custom)
    return {a.id: key_value(key, a, utility, period) for a in apartments}


def key_value(key: str, apt: Apartment, utility: str, period: Period | None) -> Decimal:
    if key == "consumption":
        # A share cannot be negative: a settled over-estimate weighs 0.
        return max(apt.own_consumption(utility) or ZERO, ZERO)
    if key == "allocator_units":
        return sum((a.corrected_units for a in apt.allocators), ZERO)
    if key == "person_days":
        return person_days(apt, period)
    simple: dict[str, Decimal] = {
        "area": apt.area_m2,
        "heated_area": apt.heated_area,
        "persons": apt.persons,
        "equal": Decimal(1),
        "quota": apt.quota,
    }
    return simple[key]


def person_days(apt: Apartment, period: Period | None) -> Decimal:
    """Sum of persons x days over the apartment's person periods (within ``period``)."""
    if not apt.person_periods:
        if period is None:
            raise AllocationError(
                f"apartment {apt.id}: person_days needs person periods or a period"
            )
        return apt.persons * period.days()
    total = ZERO
    for p in apt.person_periods:
        days = (p.end - p.start).days + 1
        if period is not None:
            days = period.overlap_days(p.start, p.end)
        total += p.persons * max(days, 0)
    return total


def _custom_values(
    apartments: Sequence[Apartment], rule: KeyRule | None
) -> dict[str, Decimal]:
    if rule is not None and rule.weight_fn is not None:
        values = {a.id: rule.weight_fn(a) for a in apartments}
    elif rule is not None and rule.weights is not None:
        missing = [a.id for a in apartments if a.id not in rule.weights]
        if missing:
            raise AllocationError(f"custom weights missing for {', '.join(missing)}")
        values = {a.id: rule.weights[a.id] for a in apartments}
    else:
        raise AllocationError("key 'custom' needs weights or a weight function")
    if any(not isinstance(v, Decimal) or v < 0 for v in values.values()):
        raise AllocationError("custom weights must be non-negative Decimals")
    return values


# A term of a percentage split: a key (given as a KeyRule) and the percent it takes.
_Term = tuple[KeyRule, Decimal]


def _terms_plan(
    cost: Cost,
    rule_name: str,
    terms: list[_Term],
    apartments: Sequence[Apartment],
    period: Period | None,
) -> Plan:
    """Build the parts of a split by one or more keys, each with its percentage."""
    plan = Plan(rule_name, {a.id: [] for a in apartments})
    for key_rule, percent in terms:
        if percent == 0:
            continue
        utility = key_rule.utility or cost.utility
        values = key_values(
            key_rule.key, apartments, utility=utility, period=period, custom=key_rule
        )
        total = sum(values.values(), ZERO)
        note = ""
        if total == 0:
            # Nothing to weigh by: this part goes in equal shares, and we say so.
            values = dict.fromkeys(values, Decimal(1))
            total = Decimal(len(values))
            note = "key total is zero: equal shares"
            plan.findings.append(
                Finding(cost.id, "zero_key_total", f"{key_rule.key}: {note}")
            )
        elif key_rule.key == "consumption":
            note_missing_readings(cost, plan, apartments, utility)
        if key_rule.key == "consumption":
            note_negative_weights(cost, plan, apartments, utility)
        for apt_id, value in values.items():
            plan.parts[apt_id].append(
                Part(key_rule.key, value, total, percent, None, note)
            )
    return plan


def note_missing_readings(
    cost: Cost, plan: Plan, apartments: Sequence[Apartment], utility: str
) -> None:
    for apt in apartments:
        if utility not in apt.consumption:
            msg = f"no {utility} reading: counted as zero"
            plan.findings.append(Finding(cost.id, "no_reading", msg, apt.id))


def note_negative_weights(
    cost: Cost, plan: Plan, apartments: Sequence[Apartment], utility: str
) -> None:
    """Say where a settlement made the own consumption negative: as a weight of
    the consumption key it counts as 0."""
    for apt in apartments:
        own = apt.own_consumption(utility)
        if own is not None and own < 0:
            msg = (
                f"{utility} own consumption {own} (a settled estimate) is below "
                "zero: it weighs 0 in the consumption key"
            )
            plan.findings.append(Finding(cost.id, "negative_own_weight", msg, apt.id))


def _mixed_plan(
    cost: Cost, rule: MixedRule, apartments: Sequence[Apartment], period: Period | None
) -> Plan:
    """Heizkostenverordnung §7/§8: part by consumption, the rest by a fixed key."""
    percent = rule.percent_by_consumption
    low, high = HEIZKOSTENV_RANGE if rule.heizkostenv_range else (ZERO, HUNDRED)
    if not low <= percent <= high:
        raise AllocationError(
            f"cost {cost.id}: percent_by_consumption must be between {low} and {high}"
        )
    base = KeyRule(rule.base_key)
    area_key: Literal["area", "heated_area"] = (
        "heated_area" if rule.base_key == "heated_area" else "area"
    )
    limit = rule.estimated_area_limit_percent
    if _estimated_area_over(cost, apartments, area_key, limit):
        return _area_only_plan(cost, base, apartments, area_key, period, limit)
    by_use = KeyRule(rule.consumption_key, utility=rule.utility)
    name = f"mixed:{percent}% {rule.consumption_key}/{HUNDRED - percent}% {base.key}"
    terms = [(by_use, percent), (base, HUNDRED - percent)]
    return _terms_plan(cost, name, terms, apartments, period)


def _common_heating_plan(
    cost: Cost,
    rule: CommonHeatingRule,
    apartments: Sequence[Apartment],
    period: Period | None,
) -> Plan:
    """Common-spaces share by heated area, the rest by corrected allocator units."""
    try:
        percent = rule.percent_table[rule.climatic_zone][rule.month]
    except KeyError:
        raise AllocationError(
            f"cost {cost.id}: no common-heating percentage for zone "
            f"{rule.climatic_zone} month {rule.month}"
        ) from None
    if not ZERO <= percent <= HUNDRED:
        raise AllocationError(f"cost {cost.id}: common percentage must be 0..100")
    area = KeyRule("heated_area")
    limit = rule.estimated_area_limit_percent
    if _estimated_area_over(cost, apartments, "heated_area", limit):
        return _area_only_plan(cost, area, apartments, "heated_area", period, limit)
    name = (
        f"common_heating:zone {rule.climatic_zone} month {rule.month}: "
        f"{percent}% heated_area/{HUNDRED - percent}% allocator_units"
    )
    terms = [(area, percent), (KeyRule("allocator_units"), HUNDRED - percent)]
    return _terms_plan(cost, name, terms, apartments, period)


def _estimated_share(
    apartments: Sequence[Apartment], area_key: Literal["area", "heated_area"]
) -> Decimal:
    """Percentage of the area held by apartments whose readings are estimated."""
    total = sum((key_value(area_key, a, "", None) for a in apartments), ZERO)
    if total == 0:
        return ZERO
    estimated = (key_value(area_key, a, "", None) for a in apartments if a.is_estimated)
    return sum(estimated, ZERO) * HUNDRED / total


def _estimated_area_over(
    cost: Cost,
    apartments: Sequence[Apartment],
    area_key: Literal["area", "heated_area"],
    limit: Decimal | None,
) -> bool:
    return limit is not None and _estimated_share(apartments, area_key) > limit


def _area_only_plan(
    cost: Cost,
    base: KeyRule,
    apartments: Sequence[Apartment],
    area_key: Literal["area", "heated_area"],
    period: Period | None,
    limit: Decimal | None,
) -> Plan:
    """Heizkostenverordnung §9a(2): when the estimated apartments hold more than the
    limit (there: 25 %) of the area, the whole cost goes by the fixed key."""
    name = f"key:{base.key} (estimated area over limit)"
    plan = _terms_plan(cost, name, [(base, HUNDRED)], apartments, period)
    share = round_to(_estimated_share(apartments, area_key), Decimal("0.01"))
    msg = f"estimated apartments hold {share}% of the area (> {limit}%)"
    msg += f": all by {base.key}"
    plan.findings.append(Finding(cost.id, "estimated_area_over_limit", msg))
    return plan
