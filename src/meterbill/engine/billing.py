"""One residence's (or one direct contract's) bill for a period, as priced lines.

For each utility of a residence:

- metered utilities (water, gas, electricity): each apartment pays its own meters'
  consumption; the common consumption (main meter − Σ apartment meters) is split over
  the apartments that take part in it by persons, as quantities rounded once with the
  largest-remainder method, so the shares add up to the common consumption exactly;
  a negative difference is not distributed and raises ``negative_common``;
- heat with cost allocators: the provider bill's net amount is split by allocator units
  corrected with the EN 834 factors (units × KQ × KC), to the cent.

Every line's trace names the readings, estimates, shares and tariff version used.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .consumption import Consumption, RegisterIn, period_consumption
from .money import precision, round_money, round_to, split_largest_remainder
from .pricing import Item, price_charge
from .rating import Line, TariffPrice
from .validation import Finding, severity

ZERO = Decimal(0)


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
class ApartmentIn:
    apartment_id: int
    label: str
    persons: int
    contract_id: int | None
    services: Mapping[str, TariffPrice]  # utility code → tariff version in force
    meters: Mapping[str, Sequence[RegisterIn]] = field(default_factory=dict)
    allocators: Sequence[AllocatorIn] = ()
    in_common: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProviderBillIn:
    utility_code: str
    quantity: Decimal
    amount_net: Decimal
    vat_rate_percent: Decimal
    currency: str


@dataclass(frozen=True)
class ResidenceIn:
    residence_id: int
    apartments: Sequence[ApartmentIn]
    main_meters: Mapping[str, Sequence[RegisterIn]] = field(default_factory=dict)
    provider_bills: Mapping[str, ProviderBillIn] = field(default_factory=dict)


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
    consumptions: list[Consumption] = []
    charges = {
        a.apartment_id: Charge(a.contract_id, a.apartment_id)
        for a in res.apartments
        if a.contract_id is not None
    }
    findings: list[Finding] = []

    for code, utility in utilities.items():
        users = [a for a in res.apartments if code in a.services]
        if not users:
            continue
        if utility.kind == "heat" and any(a.allocators for a in users):
            consumptions += _heat_by_allocators(
                res, users, utility, period, charges, overrides
            )
        else:
            consumptions += _metered(
                res, users, utility, period, charges, overrides, findings
            )

    for a in res.apartments:
        charge = charges.get(a.apartment_id)
        if charge is not None:
            price_charge(charge, a.services, utilities, period)
    return ResidenceResult(list(charges.values()), consumptions, findings)


def _metered(
    res: ResidenceIn,
    users: Sequence[ApartmentIn],
    utility: UtilityIn,
    period: PeriodIn,
    charges: dict[int, Charge],
    overrides: Mapping[str, str] | None,
    findings: list[Finding],
) -> list[Consumption]:
    step = Decimal(1).scaleb(-utility.quantity_decimals)
    seen: list[Consumption] = []
    own: dict[int, Decimal] = {}
    # What each apartment counts for in the common sum: a blocked reading counts with
    # its estimate, so its consumption is not charged to the neighbours.
    for_split: dict[int, Decimal] = {}
    unknown: list[str] = []
    for a in users:
        regs = [
            period_consumption(r, period.starts_on, period.ends_on, overrides)
            for r in a.meters.get(utility.code, ())
        ]
        seen += regs
        qty = round_to(sum((c.quantity for c in regs), ZERO), step)
        own[a.apartment_id] = qty
        for_split[a.apartment_id] = round_to(
            sum((_split_quantity(c, unknown) for c in regs), ZERO), step
        )
        charge = charges.get(a.apartment_id)
        if charge is None:
            continue
        for c in regs:
            charge.findings += c.findings
        if regs:
            charge.items.append(
                Item(
                    utility.code,
                    "own",
                    f"{utility.name} – own meter",
                    qty,
                    utility.unit,
                    utility.unit_code,
                    {"consumption": [c.trace() for c in regs]},
                )
            )

    mains = [
        period_consumption(r, period.starts_on, period.ends_on, overrides)
        for r in res.main_meters.get(utility.code, ())
    ]
    seen += mains
    if not mains or any(m.held or m.estimate for m in mains):
        # No trustworthy main-meter figure: there is no common consumption to split.
        for m in mains:
            findings += m.findings
        return seen
    if unknown:
        sev = severity("common_blocked", overrides)
        if sev != "off":
            findings.append(
                Finding(
                    "common_blocked",
                    sev,
                    f"residence {res.residence_id} {utility.name}: common consumption "
                    f"not split: no usable reading or estimate for meter(s) "
                    f"{', '.join(unknown)}",
                )
            )
        return seen
    main_qty = round_to(sum((m.quantity for m in mains), ZERO), step)
    common = main_qty - sum(for_split.values(), ZERO)
    sharing = [a for a in users if utility.code in a.in_common]
    if common < 0:
        sev = severity("negative_common", overrides)
        if sev != "off":
            findings.append(
                Finding(
                    "negative_common",
                    sev,
                    f"residence {res.residence_id} {utility.name}: "
                    f"main meter {main_qty} "
                    f"{utility.unit} < apartments {main_qty - common} {utility.unit}; "
                    f"difference {common} not distributed",
                )
            )
        return seen
    if common == 0 or not sharing:
        return seen

    weights = {a.apartment_id: Decimal(a.persons) for a in sharing}
    shares = split_largest_remainder(common, weights, step)
    total_persons = sum(weights.values(), ZERO)
    for a in sharing:
        charge = charges.get(a.apartment_id)
        if charge is None:
            continue
        charge.items.append(
            Item(
                utility.code,
                "common",
                f"{utility.name} – common consumption (by persons)",
                shares[a.apartment_id],
                utility.unit,
                utility.unit_code,
                {
                    "share": {
                        "key": "persons",
                        "value": str(weights[a.apartment_id]),
                        "key_total": str(total_persons),
                        "common_quantity": str(common),
                        "main_meter": str(main_qty),
                        "apartments_total": str(main_qty - common),
                        "rule": "main meter − Σ apartment meters, split by persons, "
                        "largest remainder",
                    },
                    "main_meters": [m.trace() for m in mains],
                },
            )
        )
    return seen


def _heat_by_allocators(
    res: ResidenceIn,
    users: Sequence[ApartmentIn],
    utility: UtilityIn,
    period: PeriodIn,
    charges: dict[int, Charge],
    overrides: Mapping[str, str] | None,
) -> list[Consumption]:
    bill = res.provider_bills.get(utility.code)
    seen: list[Consumption] = []
    units: dict[int, Decimal] = {}
    traces: dict[int, list[dict[str, object]]] = {}
    for a in users:
        total = ZERO
        traces[a.apartment_id] = []
        for alloc in a.allocators:
            c = period_consumption(
                alloc.register, period.starts_on, period.ends_on, overrides
            )
            seen.append(c)
            corrected = c.quantity * alloc.kq * alloc.kc
            total += corrected
            traces[a.apartment_id].append(
                {
                    **c.trace(),
                    "kq": str(alloc.kq),
                    "kc": str(alloc.kc),
                    "corrected_units": str(corrected),
                }
            )
            if a.apartment_id in charges:
                charges[a.apartment_id].findings += c.findings
        units[a.apartment_id] = total
    if bill is None:
        return seen

    amounts = split_largest_remainder(
        round_money(bill.amount_net, bill.currency), units, precision(bill.currency)
    )
    total_units = sum(units.values(), ZERO)
    for a in users:
        charge = charges.get(a.apartment_id)
        if charge is None:
            continue
        charge.items.append(
            Item(
                utility.code,
                "cost",
                f"{utility.name} – by heat cost allocators",
                round_to(units[a.apartment_id], Decimal("0.001")),
                "units",
                "C62",
                {
                    "allocators": traces[a.apartment_id],
                    "share": {
                        "key": "allocator units × KQ × KC (EN 834)",
                        "value": str(units[a.apartment_id]),
                        "key_total": str(total_units),
                        "cost": str(bill.amount_net),
                        "rule": "provider bill split by corrected units, largest "
                        "remainder to the cent",
                    },
                },
                amounts[a.apartment_id],
                bill.vat_rate_percent,
            )
        )
    return seen


def _split_quantity(c: Consumption, unknown: list[str]) -> Decimal:
    if not c.held:
        return c.quantity
    if c.substitute is None:
        unknown.append(c.meter_serial or f"#{c.register_id}")
        return ZERO
    return c.substitute


def bill_direct(
    contract_id: int,
    services: Mapping[str, TariffPrice],
    registers: Mapping[str, Sequence[RegisterIn]],
    utilities: Mapping[str, UtilityIn],
    period: PeriodIn,
    overrides: Mapping[str, str] | None = None,
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
        charge.items.append(
            Item(
                code,
                "own",
                f"{utility.name} – metered",
                qty,
                utility.unit,
                utility.unit_code,
                {"consumption": [c.trace() for c in regs]},
            )
        )
    price_charge(charge, services, utilities, period)
    return charge, seen
