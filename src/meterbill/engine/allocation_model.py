"""The data of building cost allocation: apartments, costs, rules and results.

See ``meterbill.engine.allocation`` for the calculation and ``docs/allocation.md``
for the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal, get_args

Key = Literal[
    "consumption",
    "allocator_units",
    "area",
    "heated_area",
    "persons",
    "person_days",
    "equal",
    "quota",
    "custom",
]
KEYS: frozenset[str] = frozenset(get_args(Key))
NegativePolicy = Literal["reduce_proportionally", "block"]
MissingMeter = Literal["norm", "estimate"]

ZERO = Decimal(0)
HUNDRED = Decimal(100)
QUANTITY_STEP = Decimal("0.001")

# Heat needed to warm 1 m3 of water by 1 K: rho * c = 1000 kg/m3 * 4.1868 kJ/(kg K)
# / 3600 kJ/kWh = 1.163 kWh/(m3 K). Rules may configure another value.
WATER_HEAT_CAPACITY_KWH_PER_M3K = Decimal("1.163")

# Heizkostenverordnung (DE) §7(1) and §8(1): 50 to 70 % of the cost by consumption.
HEIZKOSTENV_RANGE = (Decimal(50), Decimal(70))


class AllocationError(ValueError):
    """The input or the configuration cannot be allocated at all."""


@dataclass(frozen=True)
class Period:
    """A billing period; ``start`` and ``end`` are both included."""

    start: date
    end: date

    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlap_days(self, start: date, end: date) -> int:
        return max(0, (min(end, self.end) - max(start, self.start)).days + 1)


@dataclass(frozen=True)
class PersonPeriod:
    start: date  # included
    end: date  # included
    persons: Decimal


@dataclass(frozen=True)
class Allocator:
    """A heat cost allocator (EN 834) on one radiator."""

    id: str
    units: Decimal
    kq: Decimal = Decimal(1)  # radiator rating factor
    kc: Decimal = Decimal(1)  # thermal coupling factor of the sensor
    estimated: bool = False

    @property
    def corrected_units(self) -> Decimal:
        """EN 834: consumption units = displayed units x KQ x KC."""
        return self.units * self.kq * self.kc


@dataclass(frozen=True)
class Occupant:
    """A tenant or owner of the apartment over part of the period."""

    id: str
    start: date  # included
    end: date  # included
    degree_days: Decimal | None = None  # when given for every occupant, the basis


@dataclass(frozen=True)
class Apartment:
    id: str
    area_m2: Decimal
    heated_area_m2: Decimal | None = None  # None: the whole area is heated
    persons: Decimal = ZERO
    person_periods: tuple[PersonPeriod, ...] = ()
    quota: Decimal = ZERO  # undivided share of ownership
    # Consumption per utility from a working meter; a utility missing here means
    # the apartment has no working meter for it.
    consumption: Mapping[str, Decimal] = field(default_factory=dict)
    allocators: tuple[Allocator, ...] = ()
    estimated: bool = False  # its readings for the period are estimates
    occupants: tuple[Occupant, ...] = ()
    # Per utility: what this period settles of an estimate an earlier bill used
    # (actual − estimate, either sign), on top of ``consumption``. Only a utility
    # with a consumption can have one; their sum is the own consumption, which a
    # settled over-estimate makes negative (docs/allocation.md, "Settlements").
    settlement: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def heated_area(self) -> Decimal:
        return self.area_m2 if self.heated_area_m2 is None else self.heated_area_m2

    def own_consumption(self, utility: str) -> Decimal | None:
        """The period's use plus its settlement; None without a working meter."""
        if utility not in self.consumption:
            return None
        return self.consumption[utility] + self.settlement.get(utility, ZERO)

    @property
    def is_estimated(self) -> bool:
        return self.estimated or any(a.estimated for a in self.allocators)


@dataclass(frozen=True)
class KeyRule:
    """The whole cost by one distribution key."""

    key: Key
    utility: str | None = None  # key "consumption": default the cost's utility
    weights: Mapping[str, Decimal] | None = None  # key "custom": precomputed
    weight_fn: Callable[[Apartment], Decimal] | None = None  # key "custom"


@dataclass(frozen=True)
class BranchMeter:
    """A branching counter under the main meter, feeding the listed apartments."""

    id: str
    consumption: Decimal
    apartment_ids: tuple[str, ...]


@dataclass(frozen=True)
class ConsumptionRule:
    """Measured consumption; main meter minus apartment meters is common consumption."""

    common_key: Key = "area"
    negative_policy: NegativePolicy = "reduce_proportionally"
    missing_meter: MissingMeter = "norm"
    norm_per_person: Decimal = ZERO
    estimates: Mapping[str, Decimal] = field(default_factory=dict)
    branch_meters: tuple[BranchMeter, ...] = ()
    utility: str | None = None
    # Apartments that pay their own consumption but take no common consumption.
    common_excludes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class MixedRule:
    """A percentage by consumption or allocator units, the rest by a base key."""

    percent_by_consumption: Decimal
    consumption_key: Literal["allocator_units", "consumption"] = "allocator_units"
    base_key: Key = "area"
    utility: str | None = None
    heizkostenv_range: bool = False  # require 50 <= percent <= 70
    estimated_area_limit_percent: Decimal | None = None


@dataclass(frozen=True)
class CommonHeatingRule:
    """Romanian practice: a common-spaces share by heated area, the rest by units.

    ``percent_table[climatic_zone][month]`` is the percentage of the heat cost for
    the common spaces, as the caller's methodology sets it.
    """

    percent_table: Mapping[str, Mapping[int, Decimal]]
    climatic_zone: str
    month: int
    estimated_area_limit_percent: Decimal | None = None


@dataclass(frozen=True)
class HotWaterHeatRule:
    """A combined heat bill: the hot-water heat by volume, the rest by ``heating``.

    Hot-water heat (kWh) = volume (m3) x rho*c (kWh/(m3 K)) x delta T (K); the
    cost's ``quantity`` is the building's total heat in kWh.
    """

    heating: KeyRule | MixedRule | CommonHeatingRule
    delta_t_k: Decimal
    hot_water_utility: str = "hot_water"
    heat_capacity_kwh_per_m3k: Decimal = WATER_HEAT_CAPACITY_KWH_PER_M3K


Rule = KeyRule | ConsumptionRule | MixedRule | CommonHeatingRule | HotWaterHeatRule


@dataclass(frozen=True)
class Cost:
    """A provider bill (or part of one) to distribute over the apartments."""

    id: str
    utility: str
    amount: Decimal
    currency: str
    rule: Rule
    quantity: Decimal | None = None  # main meter or billed quantity, if any


@dataclass(frozen=True)
class Part:
    """One term of an apartment's weight: its value of a key over the key total."""

    key: str
    value: Decimal
    total: Decimal
    percent: Decimal  # the percentage of the cost this part distributes
    quantity: Decimal | None = None  # consumption rules: the quantity it brings
    note: str = ""

    @property
    def fraction(self) -> Decimal:
        return self.percent / HUNDRED * self.value / self.total


@dataclass(frozen=True)
class Finding:
    cost_id: str
    code: str
    message: str
    apartment_id: str | None = None
    severity: Literal["warning", "error"] = "warning"


@dataclass(frozen=True)
class Explanation:
    rule: str
    parts: tuple[Part, ...]
    findings: tuple[str, ...] = ()


@dataclass(frozen=True)
class OccupantShare:
    occupant_id: str
    amount: Decimal
    basis: str  # "days" or "degree_days"
    value: Decimal


@dataclass(frozen=True)
class Share:
    amount: Decimal
    quantity: Decimal | None
    explanation: Explanation
    occupants: tuple[OccupantShare, ...] = ()


@dataclass
class Allocation:
    currency: str
    # cost id -> apartment id -> share; a blocked cost has no shares
    shares: dict[str, dict[str, Share]]
    findings: list[Finding]

    def total_for(self, apartment_id: str) -> Decimal:
        return sum(
            (s[apartment_id].amount for s in self.shares.values() if apartment_id in s),
            ZERO,
        )


@dataclass
class Plan:
    """A rule's exact split of one cost, before rounding (internal)."""

    rule: str
    parts: dict[str, list[Part]]
    findings: list[Finding] = field(default_factory=list)
    blocked: bool = False
    # Explicit weights (consumption rules: quantities); else the parts' fractions.
    weights: dict[str, Decimal] | None = None

    def weight_of(self, apartment_id: str) -> Decimal:
        if self.weights is not None:
            return self.weights[apartment_id]
        return sum((p.fraction for p in self.parts[apartment_id]), ZERO)
