"""One residence's (or one direct contract's) bill for a period, as priced lines.

For each utility of a residence, the distribution rule configured for it (the
residence's own, else its branch default; ``billing.distribution``) decides what is
split, and the split itself is done by ``engine.allocation``, the code behind
``meterbill allocate``:

- metered utilities (water, gas, electricity), rule ``splits = quantity`` or none:
  each apartment pays its own meters' consumption; the common consumption (main meter
  − branching counters and apartment meters) is split by the rule (default: a
  ``consumption`` rule by persons), as quantities rounded once with the
  largest-remainder method, priced by the tariff. Apartments without a working meter
  are charged by norm or estimate. A negative difference follows the rule's policy:
  reduced proportionally, or blocked (not split; with a configured ``block`` policy the
  invoices of the apartments taking the utility are held);
- a provider bill with a rule ``splits = cost`` (and heat with allocators, by default
  allocator units × KQ × KC): the bill's net amount is split by the rule to the cent,
  as cost items with the provider bill's VAT rate.

Every line's trace names the readings, estimates, shares (key, value, key total,
rule) and tariff version used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from . import billing_estimates as building
from . import billing_occupants as occupants
from . import billing_shares as shares
from .allocation import (
    Allocation,
    AllocationError,
    Allocator,
    BranchMeter,
    ConsumptionRule,
    Cost,
    KeyRule,
    PersonPeriod,
    Rule,
)
from .allocation import Period as AllocationPeriod
from .billing_branch_sum import BranchSumIn, branch_sum_finding
from .consumption import Consumption, RegisterIn, Settlement, period_consumption
from .contract_charges import ContractChargeIn, add_contract_charges
from .estimation import QuantityEstimate
from .money import round_money, round_to
from .pricing import Item, ServiceTariff, price_charge
from .rating import Line
from .rules import Checker
from .scenario import ScenarioError
from .validation import BLOCK, Finding, severity

ZERO = Decimal(0)
QUANTITY = "quantity"
COST = "cost"


@dataclass(frozen=True)
class UtilityIn:
    code: str
    name: str
    kind: str
    unit: str
    unit_code: str
    quantity_decimals: int = 3


@dataclass(frozen=True)
class AllocatorIn:
    register: RegisterIn
    kq: Decimal
    kc: Decimal


@dataclass(frozen=True)
class ApartmentUtilityIn:
    """An apartment's parameters for one utility."""

    # False: unmetered or meter faulty; charged by the rule's norm or estimate.
    metered: bool = True
    persons: int | None = None  # overrides the apartment's persons when set
    distribution_area_m2: Decimal | None = None  # the heated area for this utility


@dataclass(frozen=True)
class ApartmentIn:
    apartment_id: int
    label: str
    persons: int
    contract_id: int | None
    services: Mapping[str, ServiceTariff]  # utility code → its tariff
    meters: Mapping[str, Sequence[RegisterIn]] = field(default_factory=dict)
    allocators: Sequence[AllocatorIn] = ()
    in_common: frozenset[str] = frozenset()
    area_m2: Decimal = ZERO
    quota: Decimal = ZERO
    utility_params: Mapping[str, ApartmentUtilityIn] = field(default_factory=dict)
    # The contract's fees and one-off items (engine.contract_charges).
    contract_charges: Sequence[ContractChargeIn] = ()
    # Several contracts in the period (a tenant or owner change): each one's days
    # and tariffs; ``contract_id`` and ``services`` are then the last one's and the
    # union of them all (engine.billing_occupants). Empty with one contract.
    occupancies: Sequence[occupants.OccupancyIn] = ()
    # The persons over the period when the number changed in it (person-days);
    # empty: ``persons`` all along.
    person_periods: tuple[PersonPeriod, ...] = ()


@dataclass(frozen=True)
class ProviderBillIn:
    utility_code: str
    quantity: Decimal
    amount_net: Decimal
    vat_rate_percent: Decimal
    currency: str


@dataclass(frozen=True)
class DistributionRuleIn:
    """A stored distribution rule in force for a residence and utility."""

    rule_id: int
    origin: str  # "residence" or "branch default"
    valid_from: date
    splits: str  # "quantity" (common consumption) or "cost" (the provider bill)
    rule: Mapping[str, Any]  # the scenario file's rule JSON

    def trace(self) -> dict[str, object]:
        return {
            "id": self.rule_id,
            "origin": self.origin,
            "valid_from": self.valid_from.isoformat(),
            "splits": self.splits,
        }


@dataclass(frozen=True)
class BranchCounterIn:
    """A branching counter under a residence's main meter and the apartments
    whose meters hang under it."""

    serial: str
    registers: Sequence[RegisterIn]
    apartment_ids: frozenset[int]


@dataclass(frozen=True)
class ResidenceIn:
    residence_id: int
    apartments: Sequence[ApartmentIn]
    main_meters: Mapping[str, Sequence[RegisterIn]] = field(default_factory=dict)
    provider_bills: Mapping[str, ProviderBillIn] = field(default_factory=dict)
    rules: Mapping[str, DistributionRuleIn] = field(default_factory=dict)
    branch_counters: Mapping[str, Sequence[BranchCounterIn]] = field(
        default_factory=dict
    )
    # Meters with branching counters under them, for the branch_sum rule.
    branch_sums: Sequence[BranchSumIn] = ()
    # utility code → day → mean outdoor °C, to split heat between occupants.
    temperatures: Mapping[str, Mapping[date, Decimal]] = field(default_factory=dict)


@dataclass
class Charge:
    """What one contract is billed for the period: first the items (quantities and
    cost shares, with their explanation), then the priced lines made from them."""

    contract_id: int
    apartment_id: int | None
    items: list[Item] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return any(f.holds_invoice for f in self.findings)


@dataclass
class ResidenceResult:
    charges: list[Charge]
    consumptions: list[Consumption]  # every register evaluated, estimates included
    findings: list[Finding]  # residence-level findings (common consumption)


@dataclass(frozen=True)
class PeriodIn:
    starts_on: date
    ends_on: date
    name: str


def bill_residence(
    res: ResidenceIn,
    utilities: Mapping[str, UtilityIn],
    period: PeriodIn,
    overrides: Mapping[str, str] | None = None,
) -> ResidenceResult:
    """Price every apartment of a residence for the period."""
    run = _ResidenceRun(res, utilities, period, overrides)
    for code, utility in utilities.items():
        users = [a for a in res.apartments if code in a.services]
        if not users:
            continue
        setting = res.rules.get(code)
        if _splits_cost(setting, utility, users):
            _split_cost(run, users, utility, setting)
        else:
            _metered(run, users, utility, setting)
    _branch_sums(run)

    unpriced: list[occupants.Unpriced] = []
    for a in res.apartments:
        charge = run.charges.get(a.apartment_id)
        if charge is not None:
            # One charge per contract: several when the occupant changed.
            unpriced += occupants.split_apartment(
                charge, a, utilities, period, res.temperatures, overrides
            )
    # Priced together: one batch rating per tariff plan for the residence.
    charges = occupants.price_unpriced(unpriced, period)
    return ResidenceResult(charges, run.seen, run.findings)


def _splits_cost(
    setting: DistributionRuleIn | None, utility: UtilityIn, users: Sequence[ApartmentIn]
) -> bool:
    if setting is not None:
        return setting.splits == COST
    return utility.kind == "heat" and any(a.allocators for a in users)


@dataclass
class _Measured:
    """An apartment's meters of one utility over the period."""

    registers: list[Consumption]
    quantity: Decimal  # measured, rounded to the utility's decimals
    # What it counts for in the common sum: a blocked reading counts with its
    # estimate, so its consumption is not charged to the neighbours.
    for_split: Decimal
    unknown: list[str]  # meters with neither a usable reading nor an estimate
    traces: list[dict[str, object]]  # the registers' traces, estimates included
    estimated: bool  # some register's consumption is an estimate
    # Of ``for_split``: what settles estimates earlier bills used (actual −
    # estimate), so the allocation engine sees the period's use apart from it.
    settled: Decimal = ZERO


@dataclass
class _Units:
    """An apartment's heat cost allocators over the period."""

    total: Decimal  # Σ units × KQ × KC
    allocators: tuple[Allocator, ...]
    traces: list[dict[str, object]]


class _ResidenceRun:
    """One residence's bill: every register is evaluated once, whichever rules
    read it."""

    def __init__(
        self,
        res: ResidenceIn,
        utilities: Mapping[str, UtilityIn],
        period: PeriodIn,
        overrides: Mapping[str, str] | None,
    ) -> None:
        self.res, self.utilities, self.overrides = res, utilities, overrides
        self.period = period
        self.allocation_period = AllocationPeriod(period.starts_on, period.ends_on)
        self.charges = {
            a.apartment_id: Charge(a.contract_id, a.apartment_id)
            for a in res.apartments
            if a.contract_id is not None
        }
        self.findings: list[Finding] = []
        self.seen: list[Consumption] = []
        self.checker = Checker(overrides)
        # Registers estimated by the building average without an index to store.
        self.quantity_estimates: dict[int, QuantityEstimate] = {}
        self._evaluated: dict[int, Consumption] = {}
        self._measured: dict[tuple[str, int], _Measured | None] = {}
        self._building: dict[str, list[tuple[Decimal, Decimal]]] = {}
        self._units: dict[int, _Units] = {}

    def consumption(self, register: RegisterIn) -> Consumption:
        """The register's consumption over the period, evaluated once."""
        c = self._evaluated.get(register.register_id)
        if c is None:
            c = period_consumption(
                register, self.period.starts_on, self.period.ends_on, self.overrides
            )
            self._evaluated[register.register_id] = c
            self.seen.append(c)
        return c

    def measured(self, code: str, users: Sequence[ApartmentIn]) -> dict[int, _Measured]:
        """apartment id → its meters of ``code`` (apartments with none left out).
        The residence's users of ``code`` are evaluated with the first call, so
        that the building average sees the whole building."""
        step = _step(self.utilities.get(code))
        asked = {a.apartment_id for a in users}
        todo = [
            a
            for a in self.res.apartments
            if (a.apartment_id in asked or code in a.services)
            and (code, a.apartment_id) not in self._measured
        ]
        regs = {
            a.apartment_id: [self.consumption(r) for r in a.meters[code]]
            for a in todo
            if a.meters.get(code)
        }
        self.building_average(code, todo, regs)
        for a in todo:
            found = None
            if a.apartment_id in regs:
                got = regs[a.apartment_id]
                unknown: list[str] = []
                found = _Measured(
                    got,
                    round_to(sum((c.quantity for c in got), ZERO), step),
                    round_to(
                        sum((_split_quantity(c, unknown) for c in got), ZERO), step
                    ),
                    unknown,
                    [building.trace(c, self.quantity_estimates) for c in got],
                    any(
                        c.estimate is not None
                        or c.register_id in self.quantity_estimates
                        for c in got
                    ),
                    round_to(_settled(got), step),
                )
                self.add_findings(a, [f for c in got for f in c.findings])
            self._measured[(code, a.apartment_id)] = found
        return {
            a.apartment_id: m
            for a in users
            if (m := self._measured[(code, a.apartment_id)]) is not None
        }

    def building_average(
        self,
        code: str,
        apartments: Sequence[ApartmentIn],
        regs: Mapping[int, list[Consumption]],
    ) -> None:
        """Estimate by the building average per m² the apartments' meters that the
        branch wants estimated so (``engine.billing_estimates``). The measured
        apartments of the first evaluation of ``code`` are the building."""
        if code not in self._building:
            step = _step(self.utilities.get(code))
            pairs = (
                building.measured_pair(regs[a.apartment_id], _area(a, code), step)
                for a in apartments
                if a.apartment_id in regs and _metered_flag(a, code)
            )
            self._building[code] = [p for p in pairs if p is not None]
        measured = self._building[code]
        starts_on, ends_on = self.period.starts_on, self.period.ends_on
        for a in apartments:
            got = regs.get(a.apartment_id, [])
            if len(got) != 1 or not _metered_flag(a, code):
                continue
            register, c = a.meters[code][0], got[0]
            if not building.needs_average(register, c, starts_on, ends_on):
                continue
            found = building.apply_average(
                register, c, measured, _area(a, code), starts_on, ends_on, self.checker
            )
            if found is not None and c.estimate is None:
                self.quantity_estimates[c.register_id] = found

    def units(self, users: Sequence[ApartmentIn]) -> dict[int, _Units]:
        """apartment id → its allocators' corrected units (EN 834)."""
        for a in users:
            if a.apartment_id in self._units or not a.allocators:
                continue
            total, engine, traces = ZERO, [], []
            for alloc in a.allocators:
                c = self.consumption(alloc.register)
                corrected = c.quantity * alloc.kq * alloc.kc
                total += corrected
                serial = c.meter_serial or f"#{c.register_id}"
                engine.append(
                    Allocator(
                        serial, c.quantity, alloc.kq, alloc.kc, c.estimate is not None
                    )
                )
                traces.append(
                    {
                        **c.trace(),
                        "kq": str(alloc.kq),
                        "kc": str(alloc.kc),
                        "corrected_units": str(corrected),
                    }
                )
                self.add_findings(a, c.findings)
            self._units[a.apartment_id] = _Units(total, tuple(engine), traces)
        return {
            a.apartment_id: self._units[a.apartment_id]
            for a in users
            if a.apartment_id in self._units
        }

    def add_findings(self, a: ApartmentIn, findings: Sequence[Finding]) -> None:
        charge = self.charges.get(a.apartment_id)
        if charge is not None:
            charge.findings += findings

    def engine_apartments(
        self,
        users: Sequence[ApartmentIn],
        code: str,
        setting: DistributionRuleIn | None,
    ) -> list[shares.EngineApartment]:
        """The users as the allocation engine sees them, for a cost of ``code``."""
        wanted = shares.rule_utilities(setting.rule, code) if setting else {code}
        measured = {u: self.measured(u, users) for u in wanted if u in self.utilities}
        units = self.units(users)
        out = []
        for a in users:
            params = a.utility_params.get(code, ApartmentUtilityIn())
            consumption: dict[str, Decimal] = {}
            settlement: dict[str, Decimal] = {}
            estimated = False
            for u, by_apartment in measured.items():
                got = by_apartment.get(a.apartment_id)
                if (
                    got is None
                    or not a.utility_params.get(u, ApartmentUtilityIn()).metered
                ):
                    continue
                consumption[u] = got.for_split - got.settled
                if got.settled:
                    settlement[u] = got.settled
                if u == code:
                    estimated = got.estimated
            mine = units.get(a.apartment_id)
            # A utility's own persons count stands for the whole period.
            history = a.person_periods if params.persons is None else ()
            persons = a.persons if params.persons is None else params.persons
            out.append(
                shares.EngineApartment(
                    a.label,
                    a.area_m2,
                    params.distribution_area_m2,
                    shares.persons_over(
                        Decimal(persons), history, self.allocation_period
                    ),
                    a.quota,
                    consumption,
                    mine.allocators if mine else (),
                    estimated,
                    history,
                    settlement,
                )
            )
        return out

    def configured(
        self,
        users: Sequence[ApartmentIn],
        utility: UtilityIn,
        setting: DistributionRuleIn,
    ) -> Rule | None:
        """The stored rule, read for this period's month; None (and a blocking
        finding) when it can no longer be read."""
        try:
            return shares.read_rule(setting.rule, self.period.ends_on.month)
        except ScenarioError as exc:
            self.hold(
                users, "distribution_rule", utility, f"rule {setting.rule_id}: {exc}"
            )
            return None

    def allocate(
        self,
        users: Sequence[ApartmentIn],
        utility: UtilityIn,
        setting: DistributionRuleIn | None,
        cost: Cost,
        apartments: Sequence[shares.EngineApartment] | None = None,
    ) -> Allocation | None:
        if apartments is None:
            apartments = self.engine_apartments(users, utility.code, setting)
        try:
            return shares.run(apartments, cost, self.allocation_period)
        except AllocationError as exc:
            origin = f"rule {setting.rule_id}" if setting else "default rule"
            self.hold(users, "distribution_rule", utility, f"{origin}: {exc}")
            return None

    def hold(
        self, users: Sequence[ApartmentIn], rule: str, utility: UtilityIn, text: str
    ) -> None:
        """A residence finding that holds the invoices of the utility's users."""
        finding = Finding(
            rule,
            BLOCK,
            f"residence {self.res.residence_id} {utility.name}: {text}"[:300],
        )
        self.findings.append(finding)
        for a in users:
            self.add_findings(a, [finding])


def _step(utility: UtilityIn | None) -> Decimal:
    return Decimal(1).scaleb(-(utility.quantity_decimals if utility else 3))


@dataclass
class _Common:
    """A split of the common consumption, as the engine gave it."""

    allocation: Allocation
    main_quantity: Decimal
    apartments_total: Decimal  # Σ own consumption (meters, norms, estimates)
    reduced: bool
    main_traces: list[dict[str, object]]
    setting: DistributionRuleIn | None


def _metered(
    run: _ResidenceRun,
    users: Sequence[ApartmentIn],
    utility: UtilityIn,
    setting: DistributionRuleIn | None,
) -> None:
    measured = run.measured(utility.code, users)
    common = _common_split(run, users, utility, setting, measured)
    for a in users:
        charge = run.charges.get(a.apartment_id)
        if charge is None:
            continue
        working = a.apartment_id in measured and _metered_flag(a, utility.code)
        _metered_items(
            charge, a, utility, measured.get(a.apartment_id), working, common
        )


def _metered_flag(a: ApartmentIn, code: str) -> bool:
    return a.utility_params.get(code, ApartmentUtilityIn()).metered


def _area(a: ApartmentIn, code: str) -> Decimal:
    """The apartment's area for a utility: its distribution area when set."""
    area = a.utility_params.get(code, ApartmentUtilityIn()).distribution_area_m2
    return a.area_m2 if area is None else area


def _branch_sums(run: _ResidenceRun) -> None:
    """branch_sum for every meter with branching counters under it: a residence
    finding; when it blocks, the utility's users are held until it is accepted."""
    for check in run.res.branch_sums:
        if check.utility_code not in run.utilities:
            continue
        finding = branch_sum_finding(
            check, run.consumption, run.checker, run.quantity_estimates
        )
        if finding is None:
            continue
        run.findings.append(finding)
        if finding.holds_invoice:
            for a in run.res.apartments:
                if check.utility_code in a.services:
                    run.add_findings(a, [finding])


def _common_split(
    run: _ResidenceRun,
    users: Sequence[ApartmentIn],
    utility: UtilityIn,
    setting: DistributionRuleIn | None,
    measured: Mapping[int, _Measured],
) -> _Common | None:
    """Main meter − Σ apartments (and branching counters), split by the rule; None
    when there is nothing (trustworthy) to split."""
    code = utility.code
    mains = [run.consumption(r) for r in run.res.main_meters.get(code, ())]
    if not mains or any(m.held or m.estimate for m in mains):
        # No trustworthy main-meter figure: there is no common consumption to split.
        for m in mains:
            run.findings += m.findings
        return None
    counters, unknown = _branch_counters(run, users, code)
    unknown += [
        s
        for a in users
        if a.apartment_id in measured and _metered_flag(a, code)
        for s in measured[a.apartment_id].unknown
    ]
    if unknown:
        _common_blocked(run, utility, unknown)
        return None
    if not any(code in a.in_common for a in users):
        return None
    rule = _consumption_rule(run, users, utility, setting)
    if rule is None:
        return None
    rule = ConsumptionRule(
        common_key=rule.common_key,
        negative_policy=rule.negative_policy,
        missing_meter=rule.missing_meter,
        norm_per_person=rule.norm_per_person,
        estimates=rule.estimates,
        branch_meters=rule.branch_meters + counters,
        utility=rule.utility,
        common_excludes=rule.common_excludes
        | {a.label for a in users if code not in a.in_common},
    )
    main_qty = round_to(sum((m.quantity for m in mains), ZERO), _step(utility))
    cost = Cost(code, code, ZERO, shares.NO_CURRENCY, rule, main_qty)
    apartments = run.engine_apartments(users, code, setting)
    allocation = run.allocate(users, utility, setting, cost, apartments)
    if allocation is None:
        return None
    own_total = _apartments_total(apartments, rule, code)
    blocked = not allocation.shares[code]
    if shares.negative_finding(allocation) is not None:
        _negative(run, users, utility, setting, main_qty, own_total, blocked)
    if blocked:
        return None
    return _Common(
        allocation,
        main_qty,
        own_total,
        shares.negative_finding(allocation) is not None,
        [m.trace() for m in mains],
        setting,
    )


def _consumption_rule(
    run: _ResidenceRun,
    users: Sequence[ApartmentIn],
    utility: UtilityIn,
    setting: DistributionRuleIn | None,
) -> ConsumptionRule | None:
    """The configured rule, or the default: common consumption by persons, a
    negative difference left undistributed."""
    if setting is None:
        return ConsumptionRule(common_key="persons", negative_policy="block")
    rule = run.configured(users, utility, setting)
    if rule is None or isinstance(rule, ConsumptionRule):
        return rule
    run.hold(
        users,
        "distribution_rule",
        utility,
        f"rule {setting.rule_id}: splitting the common consumption needs a "
        "'consumption' rule",
    )
    return None


def _branch_counters(
    run: _ResidenceRun, users: Sequence[ApartmentIn], code: str
) -> tuple[tuple[BranchMeter, ...], list[str]]:
    labels = {a.apartment_id: a.label for a in users}
    found: list[BranchMeter] = []
    unknown: list[str] = []
    for counter in run.res.branch_counters.get(code, ()):
        regs = [run.consumption(r) for r in counter.registers]
        members = tuple(labels[i] for i in sorted(counter.apartment_ids) if i in labels)
        if not members:
            continue
        quantity = sum((_split_quantity(c, unknown) for c in regs), ZERO)
        found.append(BranchMeter(counter.serial, quantity, members))
    return tuple(found), unknown


def _apartments_total(
    apartments: Sequence[shares.EngineApartment], rule: ConsumptionRule, code: str
) -> Decimal:
    """Σ own consumption as the rule counts it: meters, else norm or estimate."""
    total = ZERO
    for a in apartments:
        if code in a.consumption:
            total += a.consumption[code] + a.settlement.get(code, ZERO)
        elif rule.missing_meter == "estimate":
            total += rule.estimates.get(a.label, ZERO)
        else:
            total += a.persons * rule.norm_per_person
    return total


def _common_blocked(run: _ResidenceRun, utility: UtilityIn, unknown: list[str]) -> None:
    sev = severity("common_blocked", run.overrides)
    if sev == "off":
        return
    run.findings.append(
        Finding(
            "common_blocked",
            sev,
            f"residence {run.res.residence_id} {utility.name}: common consumption "
            f"not split: no usable reading or estimate for meter(s) "
            f"{', '.join(unknown)}",
        )
    )


def _negative(
    run: _ResidenceRun,
    users: Sequence[ApartmentIn],
    utility: UtilityIn,
    setting: DistributionRuleIn | None,
    main_qty: Decimal,
    own_total: Decimal,
    blocked: bool,
) -> None:
    """A configured ``block`` policy holds the users' invoices; otherwise the
    branch's severity of ``negative_common`` applies."""
    text = (
        f"main meter {main_qty} {utility.unit} < apartments {own_total} "
        f"{utility.unit}; difference {main_qty - own_total} "
    )
    if blocked and setting is not None:
        run.hold(
            users, "negative_common", utility, text + "not distributed (policy block)"
        )
        return
    sev = severity("negative_common", run.overrides)
    if sev == "off":
        return
    text += "not distributed" if blocked else "reduced proportionally"
    run.findings.append(
        Finding(
            "negative_common",
            sev,
            f"residence {run.res.residence_id} {utility.name}: {text}",
        )
    )


def _metered_items(
    charge: Charge,
    a: ApartmentIn,
    utility: UtilityIn,
    got: _Measured | None,
    working: bool,
    common: _Common | None,
) -> None:
    """The apartment's own item (meter, or norm/estimate without a working meter)
    and its common item; together they make the engine's quantity share."""
    share = common.allocation.shares[utility.code][a.label] if common else None
    if share is None or share.quantity is None or common is None:
        if got is not None:
            charge.items += _own_items(utility, got)
        return
    parts = share.explanation.parts
    if working and got is not None:
        if common.reduced:
            # The meters under the main meter read more than it: the apartment's
            # consumption is scaled down, and there is no common part.
            item = _own_item(utility, got, share.quantity)
            item.description = f"{utility.name} – own meter (reduced)"
            item.trace["reduced"] = shares.share_trace(share, parts)
            charge.items.append(item)
            return
        charge.items += _own_items(utility, got)
        base = got.for_split
    else:
        base = _norm_item(charge, utility, share, got)
    common_parts = [p for p in parts if p.key != "consumption"]
    quantity = share.quantity - base
    if quantity <= 0 or not common_parts:
        return
    words = shares.KEY_WORDS.get(common_parts[0].key, common_parts[0].key)
    charge.items.append(
        Item(
            utility.code,
            "common",
            f"{utility.name} – common consumption (by {words})",
            quantity,
            utility.unit,
            utility.unit_code,
            {
                "share": shares.share_trace(
                    share,
                    common_parts,
                    common_quantity=str(common.main_quantity - common.apartments_total),
                    main_meter=str(common.main_quantity),
                    apartments_total=str(common.apartments_total),
                )
                | {
                    "rule": f"main meter − Σ apartment meters, split by {words}, "
                    f"largest remainder ({share.explanation.rule})"
                },
                "main_meters": common.main_traces,
                "distribution_rule": _rule_trace(common.setting),
            },
        )
    )


def _own_items(utility: UtilityIn, got: _Measured) -> list[Item]:
    """The own-meter item; when a register settles an estimate an earlier bill
    used, the period's use and one settlement item per such register (the
    settlement's quantity may be negative: an over-estimate credited)."""
    items = _settlement_items(utility, got.registers)
    use = got.quantity - sum((i.quantity for i in items), ZERO)
    return [_own_item(utility, got, use), *items]


def _settlement_items(
    utility: UtilityIn, registers: Sequence[Consumption]
) -> list[Item]:
    step = _step(utility)
    items: list[Item] = []
    for c in registers:
        if c.settlement is None or c.held:
            continue
        quantity = round_to(c.settlement.difference, step)
        items.append(
            Item(
                utility.code,
                "settlement",
                f"{utility.name} – {settlement_text(c.settlement, step)}"[:200],
                quantity,
                utility.unit,
                utility.unit_code,
                {"consumption": [c.trace()], "settles": str(quantity)},
            )
        )
    return items


def settlement_text(s: Settlement, step: Decimal) -> str:
    """'settlement of the estimate of 30 Nov 2026: 109.677 → actual 105.000 read
    on 14 Dec 2026'."""
    return (
        f"settlement of the estimate of {_day(s.estimate.read_on)}: "
        f"{round_to(s.estimate.value, step)} → actual "
        f"{round_to(s.actual.value, step)} read on {_day(s.actual.read_on)}"
    )


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"


def _own_item(utility: UtilityIn, got: _Measured, quantity: Decimal) -> Item:
    return Item(
        utility.code,
        "own",
        f"{utility.name} – own meter",
        quantity,
        utility.unit,
        utility.unit_code,
        {"consumption": got.traces},
    )


def _norm_item(
    charge: Charge, utility: UtilityIn, share: Any, got: _Measured | None
) -> Decimal:
    """Without a working meter: the norm (persons × norm) or the estimate the rule
    gives, as an own item. Returns its quantity."""
    own = [p for p in share.explanation.parts if p.key == "consumption"]
    quantity = shares.floor_quantity(sum((p.quantity or ZERO for p in own), ZERO))
    if quantity <= 0:
        return ZERO
    note = own[0].note if own else ""
    how = "estimate" if note.startswith("estimate") else "norm"
    trace: dict[str, object] = {
        "norm": {
            "basis": note,
            "quantity": str(quantity),
            "rule": share.explanation.rule,
        }
    }
    if got is not None:
        trace["consumption"] = got.traces
    charge.items.append(
        Item(
            utility.code,
            "own",
            f"{utility.name} – by {how} (no working meter)",
            quantity,
            utility.unit,
            utility.unit_code,
            trace,
        )
    )
    return quantity


def _rule_trace(setting: DistributionRuleIn | None) -> dict[str, object]:
    return setting.trace() if setting else {"origin": "default"}


def _split_cost(
    run: _ResidenceRun,
    users: Sequence[ApartmentIn],
    utility: UtilityIn,
    setting: DistributionRuleIn | None,
) -> None:
    """The provider bill's net amount split by the rule (default: allocator units
    × KQ × KC), as cost items with the bill's VAT rate."""
    code = utility.code
    units = run.units(users)
    bill = run.res.provider_bills.get(code)
    if setting is not None:
        run.engine_apartments(users, code, setting)  # evaluate the meters it reads
    if bill is None:
        return
    rule = (
        KeyRule("allocator_units")
        if setting is None
        else run.configured(users, utility, setting)
    )
    if rule is None:
        return
    amount = round_money(bill.amount_net, bill.currency)
    quantity = bill.quantity if bill.quantity > 0 else None
    cost = Cost(code, code, amount, bill.currency, rule, quantity)
    allocation = run.allocate(users, utility, setting, cost)
    if allocation is None:
        return
    negative = shares.negative_finding(allocation)
    if not allocation.shares[code]:
        text = negative.message if negative else "cost not split"
        run.hold(users, "negative_common", utility, f"provider bill: {text}")
        return
    if negative is not None:
        run.findings.append(
            Finding(
                "negative_common",
                severity("negative_common", run.overrides),
                f"residence {run.res.residence_id} {utility.name}: provider bill: "
                f"{negative.message}",
            )
        )
    for a in users:
        charge = run.charges.get(a.apartment_id)
        if charge is not None:
            share = allocation.shares[code][a.label]
            charge.items.append(
                _cost_item(utility, bill, setting, share, units.get(a.apartment_id))
            )


def _cost_item(
    utility: UtilityIn,
    bill: ProviderBillIn,
    setting: DistributionRuleIn | None,
    share: Any,
    units: _Units | None,
) -> Item:
    parts = list(share.explanation.parts)
    by_units = any(p.key == "allocator_units" for p in parts)
    trace: dict[str, object] = {}
    if by_units and units is not None:
        trace["allocators"] = units.traces
    trace["share"] = shares.share_trace(share, parts, cost=str(bill.amount_net))
    trace["distribution_rule"] = _rule_trace(setting)
    if setting is None:
        # The default heat split: the corrected units are the line's quantity.
        trace["share"]["rule"] = (  # type: ignore[index]
            "provider bill split by corrected units, largest remainder to the cent"
        )
        quantity = round_to(units.total if units else ZERO, Decimal("0.001"))
        description, unit, unit_code = (
            f"{utility.name} – by heat cost allocators",
            "units",
            "C62",
        )
    else:
        keys = " + ".join(
            f"{p.key.replace('_', ' ')} {shares.shown(p.percent)}%" for p in parts
        )
        description = f"{utility.name} – share of the building's bill ({keys})"[:200]
        quantity = share.quantity if share.quantity is not None else Decimal(1)
        unit, unit_code = (
            (utility.unit, utility.unit_code)
            if share.quantity is not None
            else ("share", "C62")
        )
    return Item(
        utility.code,
        "cost",
        description,
        quantity,
        unit,
        unit_code,
        trace,
        share.amount,
        bill.vat_rate_percent,
    )


def _settled(registers: Sequence[Consumption]) -> Decimal:
    """Σ (actual − estimate) of the registers whose period opens from an estimate
    an earlier bill used; a held register counts with its substitute, not this."""
    return sum(
        (c.settlement.difference for c in registers if c.settlement and not c.held),
        ZERO,
    )


def _split_quantity(c: Consumption, unknown: list[str]) -> Decimal:
    if not c.held:
        return c.quantity
    if c.substitute is None:
        unknown.append(c.meter_serial or f"#{c.register_id}")
        return ZERO
    return c.substitute


def bill_direct(
    contract_id: int,
    services: Mapping[str, ServiceTariff],
    registers: Mapping[str, Sequence[RegisterIn]],
    utilities: Mapping[str, UtilityIn],
    period: PeriodIn,
    overrides: Mapping[str, str] | None = None,
    contract_charges: Sequence[ContractChargeIn] = (),
) -> tuple[Charge, list[Consumption]]:
    """A contract billed from its own meters (a service point): no shared costs."""
    charge = Charge(contract_id, None)
    seen: list[Consumption] = []
    for code in services:
        utility = utilities[code]
        step = Decimal(1).scaleb(-utility.quantity_decimals)
        regs = [
            period_consumption(r, period.starts_on, period.ends_on, overrides)
            for r in registers.get(code, ())
        ]
        seen += regs
        for c in regs:
            charge.findings += c.findings
        qty = round_to(sum((c.quantity for c in regs), ZERO), step)
        settled = _settlement_items(utility, regs)
        charge.items.append(
            Item(
                code,
                "own",
                f"{utility.name} – metered",
                qty - sum((i.quantity for i in settled), ZERO),
                utility.unit,
                utility.unit_code,
                {"consumption": [c.trace() for c in regs]},
            )
        )
        charge.items += settled
    price_charge(charge, services, utilities, period)
    add_contract_charges(charge, contract_charges, period)
    return charge, seen
