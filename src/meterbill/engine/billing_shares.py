"""The bill run's link to the allocation engine: a residence's apartments, meters and
configured rule become ``allocation`` input, and the resulting shares become items.

The bill run calls ``allocation.allocate`` exactly as ``meterbill allocate`` does,
with the apartments' numbers as ids, so a stored rule and a scenario file of the same
building give the same shares. Each share's explanation (rule, parts: key, value,
key total, percent) is kept in the item's trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from .allocation import (
    Allocation,
    AllocationError,
    Allocator,
    Apartment,
    Cost,
    Part,
    PersonPeriod,
    Rule,
    Share,
    allocate,
)
from .allocation import Finding as AllocationFinding
from .allocation import Period as AllocationPeriod
from .money import round_to
from .scenario import ScenarioError, parse_rule

ZERO = Decimal(0)
QUANTITY_STEP = Decimal("0.001")
SHOWN = Decimal("0.000001")
# ISO 4217 "no currency": a split of quantities only (common consumption).
NO_CURRENCY = "XXX"

# How a key reads on an invoice line and the payment list.
KEY_WORDS = {
    "allocator_units": "allocator units × KQ × KC (EN 834)",
    "consumption": "measured consumption",
    "area": "area",
    "heated_area": "heated area",
    "persons": "persons",
    "person_days": "person-days",
    "equal": "equal shares",
    "quota": "quota of ownership",
    "custom": "custom weights",
    "hot_water_heat_kwh": "hot-water heat (kWh)",
}


@dataclass(frozen=True)
class EngineApartment:
    """What the allocation engine needs of one billed apartment (plain values)."""

    label: str
    area_m2: Decimal
    heated_area_m2: Decimal | None
    persons: Decimal
    quota: Decimal
    consumption: Mapping[str, Decimal]
    allocators: tuple[Allocator, ...]
    estimated: bool
    # The persons over the period when the number changed in it (person-days).
    person_periods: tuple[PersonPeriod, ...] = ()
    # Per utility: what the period settles of an estimate an earlier bill used
    # (actual − estimate), apart from ``consumption``, the period's use.
    settlement: Mapping[str, Decimal] = field(default_factory=dict)


def engine_apartment(a: EngineApartment) -> Apartment:
    return Apartment(
        id=a.label,
        area_m2=a.area_m2,
        heated_area_m2=a.heated_area_m2,
        persons=a.persons,
        person_periods=a.person_periods,
        quota=a.quota,
        consumption=dict(a.consumption),
        allocators=a.allocators,
        estimated=a.estimated,
        settlement=dict(a.settlement),
    )


def persons_over(
    persons: Decimal, history: Sequence[PersonPeriod], period: AllocationPeriod
) -> Decimal:
    """The persons the ``persons`` key and the norm count for the period: the
    person-days over the period's days, so a change within it weighs by its days
    (2 persons for 11 days and 3 for 19 of 30: 79 / 30). Without a change in the
    period: ``persons``."""
    if not history:
        return persons
    person_days = sum(
        (p.persons * period.overlap_days(p.start, p.end) for p in history), ZERO
    )
    return person_days / period.days()


def read_rule(rule: Mapping[str, Any], month: int) -> Rule:
    """A stored rule, in the scenario rule shape; ``ScenarioError`` if it is bad."""
    return parse_rule(rule, "rule", month=month)


def rule_utilities(rule: Mapping[str, Any], own: str) -> set[str]:
    """The utilities whose meter consumption a rule reads (``own`` included)."""
    found = {own}
    if rule.get("type") == "hot_water_heat":
        found.add(str(rule.get("hot_water_utility", "hot_water")))
    for name in ("utility", "hot_water_utility"):
        if isinstance(rule.get(name), str):
            found.add(str(rule[name]))
    heating = rule.get("heating")
    if isinstance(heating, Mapping):
        found |= rule_utilities(heating, own)
    return found


def run(
    apartments: Sequence[EngineApartment],
    cost: Cost,
    period: AllocationPeriod,
) -> Allocation:
    """One cost over the apartments, by the same call as ``meterbill allocate``."""
    return allocate(
        [engine_apartment(a) for a in apartments],
        [cost],
        cost.currency,
        period=period,
    )


def shown(value: Decimal) -> str:
    return format(value.quantize(SHOWN).normalize(), "f")


def part_trace(part: Part) -> dict[str, Any]:
    return {
        "key": part.key,
        "value": shown(part.value),
        "total": shown(part.total),
        "percent": shown(part.percent),
        "quantity": None if part.quantity is None else shown(part.quantity),
        "note": part.note,
    }


def key_words(parts: Iterable[Part]) -> str:
    """The keys of a share in words, with their percentages when there are several:
    "allocator units × KQ × KC (EN 834) 60% + area 40%"."""
    seen: dict[str, Decimal] = {}
    for p in parts:
        seen[p.key] = seen.get(p.key, ZERO) + p.percent
    if len(seen) == 1:
        return KEY_WORDS.get(next(iter(seen)), next(iter(seen)))
    return " + ".join(
        f"{KEY_WORDS.get(k, k)} {shown(round_to(v, Decimal('0.01')))}%"
        for k, v in seen.items()
    )


def share_trace(share: Share, parts: Sequence[Part], **extra: str) -> dict[str, Any]:
    """The ``share`` trace of an item: key, value, key total, rule, every part."""
    first = parts[0] if parts else None
    return {
        "key": key_words(parts),
        "value": shown(first.value) if first else "0",
        "key_total": shown(first.total) if first else "0",
        **extra,
        "rule": share.explanation.rule,
        "parts": [part_trace(p) for p in parts],
        "findings": list(share.explanation.findings),
    }


def floor_quantity(value: Decimal) -> Decimal:
    return value.quantize(QUANTITY_STEP, rounding=ROUND_DOWN)


def error_text(exc: AllocationError | ScenarioError) -> str:
    return str(exc)


def negative_finding(allocation: Allocation) -> AllocationFinding | None:
    return next((f for f in allocation.findings if f.code == "negative_common"), None)
