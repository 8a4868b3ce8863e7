"""Set-based loading of a bill run chunk's inputs into engine data.

A chunk of residences costs a fixed number of queries (about ten), whatever the number
of apartments: never one query per apartment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum

from meterbill.engine.allocation import PersonPeriod
from meterbill.engine.billing import (
    AllocatorIn,
    ApartmentIn,
    ApartmentUtilityIn,
    BranchCounterIn,
    DistributionRuleIn,
    ProviderBillIn,
    ResidenceIn,
    UtilityIn,
)
from meterbill.engine.billing_branch_sum import BranchSumIn, MeterIn
from meterbill.engine.billing_occupants import OccupancyIn
from meterbill.engine.components import RatingError, Rounding, VatRates
from meterbill.engine.consumption import ReadingIn, RegisterIn
from meterbill.engine.contract_charges import ContractChargeIn
from meterbill.engine.money import round_money
from meterbill.engine.pricing import ServiceTariff, TariffPlan
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.queries import OWED, OWED_BACK
from meterbill.metering.estimation import Plan, estimation_plans, late_actuals
from meterbill.metering.intervals import HourlyLoad, LoadRequest, hourly_loads
from meterbill.metering.models import (
    EstimationSetting,
    Meter,
    Reading,
    Register,
    TemperatureDay,
)
from meterbill.premises.models import (
    Apartment,
    ApartmentPersons,
    ApartmentUtility,
    Contract,
    ContractCharge,
    ContractService,
    Residence,
    Utility,
)
from meterbill.tariffs.compile import load_versions, vat_for, vat_schedule
from meterbill.tariffs.models import Tariff

from .distribution import rules_in_force
from .models import Period, ProviderBill, RuleSetting

# History read before a period, for estimates (average daily use over a year).
HISTORY_DAYS = 400
# Readings dated this long after the period's end are loaded to flag them.
LOOKAHEAD_DAYS = 62
# A utility without a metering.EstimationSetting: average daily use.
DEFAULT_PLAN = Plan()


def utilities_for(organisation_id: int) -> dict[str, UtilityIn]:
    return {
        u.code: UtilityIn(
            u.code, u.name, u.kind, u.unit, u.unit_code, u.quantity_decimals
        )
        for u in Utility.objects.filter(organisation_id=organisation_id)
    }


def rule_overrides(branch_id: int) -> dict[str, str]:
    return dict(
        RuleSetting.objects.filter(branch_id=branch_id).values_list("rule", "severity")
    )


def _valid_in(period: Period) -> Q:
    return Q(valid_from__lte=period.ends_on) & (
        Q(valid_to__isnull=True) | Q(valid_to__gte=period.starts_on)
    )


def _prices(tariff_ids: Iterable[int], period: Period) -> dict[int, TariffPlan]:
    """Each tariff as a plan for the period: every version in force on some day of
    it, compiled once, with the organisation's VAT schedule (a fixed number of
    queries, whatever the number of contracts). A tariff without any version in
    the period gets a plan without versions (the finding ``tariff_missing``); one
    whose stored components no longer compile a plan with its ``problem``."""
    ids = set(tariff_ids)
    tariffs = {
        pk: (code, org_id)
        for pk, code, org_id in Tariff.objects.filter(pk__in=ids).values_list(
            "pk", "code", "organisation_id"
        )
    }
    versions, problems = load_versions(ids, period.starts_on, period.ends_on)
    schedules = {org: vat_schedule(org) for org in {o for _c, o in tariffs.values()}}
    plans: dict[int, TariffPlan] = {}
    for pk, (code, org_id) in tariffs.items():
        found = versions.get(pk, [])
        newest = found[-1] if found else None
        try:
            vat = tuple(vat_for(schedules[org_id], found))
        except RatingError as exc:
            # A version's own VAT rate the organisation's schedule does not
            # replace breaks EN 16931 (S at 0 %): its contracts are held with a
            # tariff_error finding naming the tariff, not the chunk failed.
            vat, problems[pk] = (), f"{exc} (the version's VAT rate)"
        plans[pk] = TariffPlan(
            code,
            tuple(found),
            vat,
            newest.rounding if newest else Rounding(),
            {v.valid_from: v.version_id for v in found},
            {
                (v.valid_from, c): texts
                for v in found
                for c, texts in v.descriptions.items()
                if texts
            },
            newest.fallback_vat[0] if newest and newest.fallback_vat else "S",
            problems.get(pk, ""),
        )
    return plans


def _services(
    contracts: Sequence[Contract], period: Period
) -> dict[int, dict[str, ServiceTariff]]:
    """contract id → {utility code → its tariff plan and the apartment's (or
    service point's) variables: area, persons, meters of the utility}."""
    rows = list(
        ContractService.objects.filter(contract__in=contracts).values_list(
            "contract_id", "utility__code", "tariff_id"
        )
    )
    plans = _prices((t for _c, _u, t in rows), period)
    apartment_of = {c.pk: c.apartment_id for c in contracts if c.apartment_id}
    point_of = {c.pk: c.service_point_id for c in contracts if c.service_point_id}
    sizes = {
        pk: (area, persons)
        for pk, area, persons in Apartment.objects.filter(
            pk__in=set(apartment_of.values())
        ).values_list("pk", "area_m2", "persons")
    }
    counts: dict[tuple[str, int | None, int | None], int] = defaultdict(int)
    for apt_id, sp_id, code in (
        Meter.objects.filter(
            Q(apartment_id__in=set(apartment_of.values()))
            | Q(service_point_id__in=set(point_of.values()))
        )
        .exclude(kind__in=[Meter.Kind.MAIN, Meter.Kind.HCA])
        .filter(Q(installed_on__isnull=True) | Q(installed_on__lte=period.ends_on))
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=period.starts_on))
        .values_list("apartment_id", "service_point_id", "utility__code")
    ):
        counts[(code, apt_id, sp_id)] += 1
    balances = (
        _previous_balances(contracts, period)
        if any(_reads(plans[t], "previous_balance") for _c, _u, t in rows)
        else {}
    )
    loads = _hourly_loads(contracts, rows, plans, period)
    out: dict[int, dict[str, ServiceTariff]] = defaultdict(dict)
    for contract_id, code, tariff_id in rows:
        apartment = apartment_of.get(contract_id)
        point = None if apartment else point_of.get(contract_id)
        variables = {"meters": Decimal(counts[(code, apartment, point)])}
        if apartment in sizes:
            area, persons = sizes[apartment]
            variables["area"] = area
            variables["persons"] = Decimal(persons)
        if contract_id in balances:
            variables["previous_balance"] = balances[contract_id]
        load = loads.get((contract_id, code))
        out[contract_id][code] = ServiceTariff(
            plans[tariff_id],
            variables,
            load.kw if load else None,
            load.year_start_weekday if load else None,
            load.problem if load else "",
        )
    return out


def _hourly_loads(
    contracts: Sequence[Contract],
    rows: Sequence[tuple[int, str, int]],
    plans: Mapping[int, TariffPlan],
    period: Period,
) -> dict[tuple[int, str], HourlyLoad]:
    """(contract id, utility code) → the hourly load of its service point's meters
    over the contract's days of the period, for the services whose tariff has
    time-of-use or demand charges: two queries for all of them
    (``metering.intervals``). An apartment's contract has none: its common share is
    not measured by the hour."""
    by_pk = {c.pk: c for c in contracts}
    requests: dict[tuple[int, str], LoadRequest] = {}
    for contract_id, code, tariff_id in rows:
        contract = by_pk[contract_id]
        if contract.apartment_id or not contract.service_point_id:
            continue
        if not plans[tariff_id].needs_intervals:
            continue
        requests[(contract_id, code)] = (
            contract.service_point_id,
            code,
            max(contract.valid_from, period.starts_on),
            min(contract.valid_to or period.ends_on, period.ends_on),
        )
    return hourly_loads(requests)


def _reads(plan: TariffPlan, name: str) -> bool:
    return any(
        name in formula.names
        for v in plan.versions
        for c in v.components
        for formula in (getattr(c, "formula", None), getattr(c, "quantity", None))
        if formula is not None
    )


def _previous_balances(
    contracts: Sequence[Contract], period: Period
) -> dict[int, Decimal]:
    """contract id → what its customer owes on documents of other periods issued by
    the period's end (``invoicing.queries.balance_of``: unpaid documents with their
    sign, a credit note against what it cancels); two grouped queries."""
    customers = {c.pk: c.customer_id for c in contracts}
    documents = Invoice.objects.filter(
        customer_id__in=set(customers.values()), issue_date__lte=period.ends_on
    ).exclude(period=period)
    owed: dict[int, Decimal] = defaultdict(Decimal)
    for queryset, sign in (
        (documents.filter(OWED), 1),
        (documents.filter(OWED_BACK), -1),
    ):
        for customer_id, currency, total in (
            queryset.values("customer_id", "currency")
            .annotate(total=Sum("total_gross"))
            .values_list("customer_id", "currency", "total")
        ):
            # Some databases sum decimals with extra digits: back to the currency's.
            owed[customer_id] += sign * round_money(total, currency)
    return {pk: owed[customer] for pk, customer in customers.items()}


class MeterRow(NamedTuple):
    """What the bill run needs of a meter: plain values, no model instance (a chunk
    loads tens of thousands of meters)."""

    pk: int
    kind: str
    serial: str
    multiplier: Decimal
    installed_on: date | None
    removed_on: date | None
    residence_id: int | None
    apartment_id: int | None
    service_point_id: int | None
    utility_code: str
    kq: Decimal
    kc: Decimal
    parent_id: int | None = None  # the branching counter or main meter above it


def _meter_rows(meters: QuerySet[Meter]) -> list[MeterRow]:
    return [
        MeterRow(*row)
        for row in meters.values_list(
            "pk",
            "kind",
            "serial",
            "multiplier",
            "installed_on",
            "removed_on",
            "residence_id",
            "apartment_id",
            "service_point_id",
            "utility__code",
            "kq",
            "kc",
            "parent_id",
        )
    ]


def _registers(
    meters: Sequence[MeterRow], period: Period
) -> dict[int, list[RegisterIn]]:
    """meter id → its registers with their readings, their late actual readings
    and their utility's estimation plan, in five queries at most."""
    by_meter = {m.pk: m for m in meters}
    regs = list(
        Register.objects.filter(meter_id__in=by_meter, role="consumption").values_list(
            "pk", "meter_id", "digits"
        )
    )
    readings: dict[int, list[ReadingIn]] = defaultdict(list)
    rows = (
        Reading.objects.filter(
            register_id__in=[pk for pk, _m, _d in regs],
            read_on__gte=period.starts_on - timedelta(days=HISTORY_DAYS),
            read_on__lte=period.ends_on + timedelta(days=LOOKAHEAD_DAYS),
        )
        .exclude(status=Reading.Status.REJECTED)
        .order_by("register_id", "read_on")
        .values_list(
            "register_id",
            "pk",
            "read_on",
            "value",
            "kind",
            "status",
            "period_start",
            "source",
            "flags",
        )
    )
    for reg_id, pk, read_on, value, kind, status, start, source, flags in rows.iterator(
        2000
    ):
        readings[reg_id].append(
            ReadingIn(
                pk,
                read_on,
                value,
                kind,
                status,
                start,
                source,
                frozenset(flags.split(",")) if flags else frozenset(),
            )
        )
    since = period.starts_on - timedelta(days=HISTORY_DAYS)
    late = late_actuals([pk for pk, _m, _d in regs], since, period.ends_on)
    plans = estimation_plans(
        period.branch_id, {m.utility_code for m in meters}, since, period.ends_on
    )
    out: dict[int, list[RegisterIn]] = defaultdict(list)
    for reg_id, meter_id, digits in regs:
        meter = by_meter[meter_id]
        rs = readings[reg_id]
        kind = (
            "consumption"
            if rs and all(x.kind == "consumption" for x in rs)
            else "index"
        )
        plan = plans.get(meter.utility_code, DEFAULT_PLAN)
        out[meter.pk].append(
            RegisterIn(
                reg_id,
                meter.serial,
                digits,
                meter.multiplier,
                rs,
                kind,
                meter.installed_on,
                meter.removed_on,
                plan.methods,
                plan.temperatures,
                late.get(reg_id, ()),
            )
        )
    return out


def residences_input(
    residence_ids: Sequence[int], period: Period
) -> tuple[list[ResidenceIn], dict[int, Contract]]:
    """Engine inputs for a chunk of residences, and the contracts billed in it."""
    apartments = list(
        Apartment.objects.filter(residence_id__in=residence_ids)
        .order_by("residence_id", "pk")
        .values_list("pk", "residence_id", "number", "persons", "area_m2", "quota")
    )
    contracts = list(
        Contract.objects.filter(
            _valid_in(period), apartment__residence_id__in=residence_ids
        ).order_by("valid_from", "pk")
    )
    # The contract in force at the period's end carries the apartment; several in
    # the period split its items by their days (engine.billing_occupants).
    contract_of = {c.apartment_id: c for c in contracts}
    services = _services(contracts, period)
    fees = contract_charges_input(contracts, period)
    shared = _occupancies(contracts, period, services, fees)
    persons_of = _persons(apartments, period)
    temperatures = _temperatures(shared, period)
    in_common, params = _apartment_utilities(residence_ids)

    meters = _meter_rows(
        Meter.objects.filter(
            Q(residence_id__in=residence_ids)
            | Q(apartment__residence_id__in=residence_ids)
        ).filter(Q(removed_on__isnull=True) | Q(removed_on__gte=period.starts_on))
    )
    registers = _registers(meters, period)
    bills = ProviderBill.objects.filter(residence_id__in=residence_ids, period=period)
    bills_of: dict[int, dict[str, ProviderBillIn]] = defaultdict(dict)
    for b in bills.select_related("utility"):
        bills_of[b.residence_id][b.utility.code] = ProviderBillIn(
            b.utility.code, b.quantity, b.amount_net, b.vat_rate_percent, b.currency
        )

    apt_meters: dict[int, dict[str, list[RegisterIn]]] = defaultdict(
        lambda: defaultdict(list)
    )
    apt_allocators: dict[int, list[AllocatorIn]] = defaultdict(list)
    mains: dict[int, dict[str, list[RegisterIn]]] = defaultdict(
        lambda: defaultdict(list)
    )
    counters = _branch_counters(meters, registers)
    sums = _branch_sums(meters, registers, {pk: rid for pk, rid, *_rest in apartments})
    for m in meters:
        for reg in registers.get(m.pk, ()):
            if m.kind == Meter.Kind.BRANCH_COUNTER:
                continue
            if m.kind == Meter.Kind.HCA and m.apartment_id:
                apt_allocators[m.apartment_id].append(AllocatorIn(reg, m.kq, m.kc))
            elif m.kind == Meter.Kind.MAIN and m.residence_id:
                mains[m.residence_id][m.utility_code].append(reg)
            elif m.apartment_id:
                apt_meters[m.apartment_id][m.utility_code].append(reg)

    by_res: dict[int, list[ApartmentIn]] = defaultdict(list)
    for apt_id, residence_id, number, _persons_now, area_m2, quota in apartments:
        contract = contract_of.get(apt_id)
        occupancies = shared.get(apt_id, ())
        persons, person_periods = persons_of[apt_id]
        by_res[residence_id].append(
            ApartmentIn(
                apt_id,
                number,
                persons,
                contract.pk if contract else None,
                _union(o.services for o in occupancies)
                if occupancies
                else services.get(contract.pk, {})
                if contract
                else {},
                apt_meters.get(apt_id, {}),
                tuple(apt_allocators.get(apt_id, ())),
                frozenset(in_common.get(apt_id, ())),
                area_m2,
                quota,
                params.get(apt_id, {}),
                fees.get(contract.pk, ()) if contract else (),
                occupancies,
                person_periods,
            )
        )
    rules = _rules(residence_ids, period)
    residences = [
        ResidenceIn(
            rid,
            by_res.get(rid, []),
            mains.get(rid, {}),
            bills_of.get(rid, {}),
            rules.get(rid, {}),
            counters.get(rid, {}),
            sums.get(rid, ()),
            temperatures,
        )
        for rid in residence_ids
    ]
    return residences, {c.pk: c for c in contracts}


def _occupancies(
    contracts: Sequence[Contract],
    period: Period,
    services: Mapping[int, Mapping[str, ServiceTariff]],
    fees: Mapping[int, Sequence[ContractChargeIn]],
) -> dict[int, tuple[OccupancyIn, ...]]:
    """apartment id → its contracts in the period, oldest first, each with its
    days within the period; only apartments with more than one (no query)."""
    by_apartment: dict[int, list[Contract]] = defaultdict(list)
    for c in contracts:
        if c.apartment_id is not None:
            by_apartment[c.apartment_id].append(c)
    return {
        apt_id: tuple(
            OccupancyIn(
                c.pk,
                max(c.valid_from, period.starts_on),
                min(c.valid_to or period.ends_on, period.ends_on),
                services.get(c.pk, {}),
                tuple(fees.get(c.pk, ())),
            )
            for c in found
        )
        for apt_id, found in by_apartment.items()
        if len(found) > 1
    }


def _union(
    services: Iterable[Mapping[str, ServiceTariff]],
) -> dict[str, ServiceTariff]:
    """Every utility any contract takes (the newest contract's tariff first)."""
    out: dict[str, ServiceTariff] = {}
    for found in services:
        out.update(found)
    return out


def _persons(
    apartments: Sequence[tuple], period: Period
) -> dict[int, tuple[int, tuple[PersonPeriod, ...]]]:
    """apartment id → its persons at the period's end and, when the number changed
    within the period, the persons over it (``premises.ApartmentPersons``; one
    query). Without history: ``Apartment.persons`` all along; the first row of a
    history also stands for the days before it."""
    rows: dict[int, list[tuple[date, int]]] = defaultdict(list)
    for apt_id, day, persons in (
        ApartmentPersons.objects.filter(apartment_id__in=[a[0] for a in apartments])
        .order_by("apartment_id", "valid_from")
        .values_list("apartment_id", "valid_from", "persons")
    ):
        rows[apt_id].append((day, persons))
    out: dict[int, tuple[int, tuple[PersonPeriod, ...]]] = {}
    for apt_id, _residence, _number, current, *_rest in apartments:
        found = rows.get(apt_id)
        if not found:
            out[apt_id] = (current, ())
            continue
        history = [r for r in found if r[0] <= period.ends_on] or found[:1]
        # The rows in force on some day of the period; the first of them from the
        # period's start (a history's first row stands for the days before it).
        starts = [
            (day, n)
            for i, (day, n) in enumerate(history)
            if i + 1 == len(history) or history[i + 1][0] > period.starts_on
        ]
        starts[0] = (period.starts_on, starts[0][1])
        spans = tuple(
            PersonPeriod(
                day,
                starts[i + 1][0] - timedelta(days=1)
                if i + 1 < len(starts)
                else period.ends_on,
                Decimal(n),
            )
            for i, (day, n) in enumerate(starts)
        )
        out[apt_id] = (starts[-1][1], spans if len(spans) > 1 else ())
    return out


def _temperatures(
    shared: Mapping[int, Sequence[OccupancyIn]], period: Period
) -> dict[str, dict[date, Decimal]]:
    """heat utility code → day → mean outdoor °C over the period, from the station
    its estimation setting names (else the branch's default one), for the heat
    split between occupants; three queries, and none without such a split."""
    ids = [o.contract_id for found in shared.values() for o in found]
    if not ids:
        return {}
    heat = dict(
        Utility.objects.filter(
            kind=Utility.Kind.HEAT, contractservice__contract_id__in=ids
        )
        .values_list("pk", "code")
        .distinct()
    )
    if not heat:
        return {}
    station_of = dict.fromkeys(heat.values(), "")
    for utility_id, station in EstimationSetting.objects.filter(
        branch_id=period.branch_id, utility_id__in=heat
    ).values_list("utility_id", "station"):
        station_of[heat[utility_id]] = station
    series: dict[str, dict[date, Decimal]] = defaultdict(dict)
    for station, day, mean_c in TemperatureDay.objects.filter(
        branch_id=period.branch_id,
        station__in=set(station_of.values()),
        day__gte=period.starts_on,
        day__lte=period.ends_on,
    ).values_list("station", "day", "mean_c"):
        series[station][day] = mean_c
    return {code: series[station] for code, station in station_of.items()}


def _apartment_utilities(
    residence_ids: Sequence[int],
) -> tuple[dict[int, set[str]], dict[int, dict[str, ApartmentUtilityIn]]]:
    """apartment id → the utilities it shares the common consumption of, and its
    per-utility parameters (metering, persons, distribution area): one query."""
    in_common: dict[int, set[str]] = defaultdict(set)
    params: dict[int, dict[str, ApartmentUtilityIn]] = defaultdict(dict)
    rows = ApartmentUtility.objects.filter(
        apartment__residence_id__in=residence_ids
    ).values_list(
        "apartment_id",
        "utility__code",
        "in_common",
        "metering",
        "persons",
        "distribution_area_m2",
    )
    for apt_id, code, common, metering, persons, area in rows:
        if common:
            in_common[apt_id].add(code)
        metered = metering == ApartmentUtility.Metering.METERED
        params[apt_id][code] = ApartmentUtilityIn(metered, persons, area)
    return in_common, params


def _branch_counters(
    meters: Sequence[MeterRow], registers: Mapping[int, list[RegisterIn]]
) -> dict[int, dict[str, list[BranchCounterIn]]]:
    """residence id → utility code → its branching counters, each with the
    apartments whose meters hang under it (``Meter.parent``)."""
    under: dict[int, set[int]] = defaultdict(set)
    for m in meters:
        if m.parent_id is not None and m.apartment_id is not None:
            under[m.parent_id].add(m.apartment_id)
    out: dict[int, dict[str, list[BranchCounterIn]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for m in meters:
        if m.kind == Meter.Kind.BRANCH_COUNTER and m.residence_id is not None:
            out[m.residence_id][m.utility_code].append(
                BranchCounterIn(
                    m.serial, registers.get(m.pk, []), frozenset(under[m.pk])
                )
            )
    return out


def _branch_sums(
    meters: Sequence[MeterRow],
    registers: Mapping[int, list[RegisterIn]],
    residence_of: Mapping[int, int],
) -> dict[int, list[BranchSumIn]]:
    """residence id → its meters with branching counters under them, each with the
    meters directly under it, for the ``branch_sum`` rule (from ``Meter.parent``,
    no query). The main meters of a utility count as one meter, and a counter or
    apartment meter without a parent hangs under them, as in the common split."""
    counted = (Meter.Kind.BRANCH_COUNTER, Meter.Kind.APARTMENT)
    under: dict[int | None, list[MeterRow]] = defaultdict(list)
    mains: dict[tuple[int, str], list[MeterRow]] = defaultdict(list)
    loose: dict[tuple[int, str], list[MeterRow]] = defaultdict(list)
    for m in meters:
        home = m.residence_id or residence_of.get(m.apartment_id or 0)
        if home is None:
            continue
        if m.kind == Meter.Kind.MAIN:
            mains[(home, m.utility_code)].append(m)
        elif m.kind in counted and m.parent_id is None:
            loose[(home, m.utility_code)].append(m)
        elif m.kind in counted:
            under[m.parent_id].append(m)

    def meter_in(m: MeterRow) -> MeterIn:
        return MeterIn(m.serial, tuple(registers.get(m.pk, ())))

    def check(code: str, top: list[MeterRow], below: list[MeterRow]) -> BranchSumIn:
        below = [c for c in below if c.utility_code == code]
        return BranchSumIn(
            code,
            tuple(meter_in(m) for m in top),
            tuple(meter_in(c) for c in below if c.kind == Meter.Kind.BRANCH_COUNTER),
            tuple(meter_in(c) for c in below if c.kind == Meter.Kind.APARTMENT),
        )

    out: dict[int, list[BranchSumIn]] = defaultdict(list)
    for (home, code), group in mains.items():
        below = [c for m in group for c in under[m.pk]] + loose[(home, code)]
        out[home].append(check(code, group, below))
    for m in meters:
        home = m.residence_id or residence_of.get(m.apartment_id or 0)
        if m.kind == Meter.Kind.BRANCH_COUNTER and home is not None:
            out[home].append(check(m.utility_code, [m], under[m.pk]))
    return {home: [c for c in found if c.counters] for home, found in out.items()}


def _rules(
    residence_ids: Sequence[int], period: Period
) -> dict[int, dict[str, DistributionRuleIn]]:
    """residence id → utility code → the distribution rule in force at the
    period's end (the residence's own, else its branch default): two queries."""
    branch_of = dict(
        Residence.objects.filter(pk__in=residence_ids).values_list("pk", "branch_id")
    )
    found = rules_in_force(branch_of, period.ends_on)
    return {
        res_id: {
            row.utility.code: DistributionRuleIn(
                row.pk,
                "residence" if row.residence_id else "branch default",
                row.valid_from,
                row.splits,
                row.rule,
            )
            for row in by_utility.values()
        }
        for res_id, by_utility in found.items()
    }


def direct_input(
    contract_ids: Sequence[int], period: Period
) -> tuple[list[Contract], dict[int, dict], dict[int, dict[str, list[RegisterIn]]]]:
    """Engine inputs for contracts on service points: contract, services, registers."""
    contracts = list(Contract.objects.filter(pk__in=contract_ids).order_by("pk"))
    services = _services(contracts, period)
    sp_ids = {c.service_point_id for c in contracts}
    # Only the meters installed during some of the period: one removed before it
    # (an exchange) or installed after it has no reading to give for it.
    meters = _meter_rows(
        Meter.objects.filter(service_point_id__in=sp_ids)
        .filter(Q(installed_on__isnull=True) | Q(installed_on__lte=period.ends_on))
        .filter(Q(removed_on__isnull=True) | Q(removed_on__gte=period.starts_on))
    )
    registers = _registers(meters, period)
    per_sp: dict[int, dict[str, list[RegisterIn]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for m in meters:
        if m.service_point_id is not None:
            per_sp[m.service_point_id][m.utility_code] += registers.get(m.pk, [])
    regs_of = {
        c.pk: per_sp.get(c.service_point_id, {}) if c.service_point_id else {}
        for c in contracts
    }
    return contracts, services, regs_of


def direct_contract_ids(period: Period, branch_ids: Sequence[int]) -> list[int]:
    return list(
        Contract.objects.filter(
            _valid_in(period), branch_id__in=branch_ids, service_point__isnull=False
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


ZERO = Decimal(0)


# The ContractCharge columns the engine reads, under ContractChargeIn's names.
CHARGE_FIELDS = (
    "pk",
    "contract_id",
    "code",
    "description",
    "quantity",
    "unit_code",
    "unit_price_net",
    "vat_category",
    "vat_rate_percent",
    "vat_exemption_reason",
    "vat_exemption_code",
    "recurrence",
    "valid_from",
    "valid_to",
)


def contract_charges_input(
    contracts: Iterable[Contract], period: Period
) -> dict[int, list[ContractChargeIn]]:
    """contract id → its fees and one-off items to bill in the period, with the
    organisation's VAT schedule: one query, plus one per organisation for the
    schedule. A one-off item not billed yet goes to the period's first invoice:
    once the contract has one, the item waits for the next period (a correction
    of the period would bill it without linking it). A billed item is left out,
    except for the period of its invoice, so that a rebill or a correction of that
    period computes it again."""
    ids = [c.pk for c in contracts]
    if not ids:
        return {}
    # The contract's invoice of the period, issued and not cancelled.
    invoiced = Invoice.objects.filter(
        contract_id=OuterRef("contract_id"),
        period_id=period.pk,
        kind=Invoice.Kind.INVOICE,
    ).exclude(state=Invoice.State.CANCELLED)
    rows = ContractCharge.objects.filter(_valid_in(period), contract_id__in=ids).filter(
        Q(recurrence=ContractCharge.Recurrence.MONTHLY)
        | Q(invoice__isnull=True) & ~Exists(invoiced)
        | Q(invoice__period_id=period.pk)
    )
    schedules: dict[int, tuple[VatRates, ...]] = {}
    out: dict[int, list[ContractChargeIn]] = defaultdict(list)
    for row in rows.order_by("contract_id", "valid_from", "pk").values(
        *CHARGE_FIELDS,
        "contract__valid_from",
        "contract__valid_to",
        "contract__branch__organisation_id",
        "contract__branch__organisation__currency",
    ):
        org_id = row["contract__branch__organisation_id"]
        if org_id not in schedules:
            schedules[org_id] = tuple(vat_schedule(org_id))
        out[row["contract_id"]].append(
            ContractChargeIn(
                charge_id=row["pk"],
                **{name: row[name] for name in CHARGE_FIELDS[2:]},
                contract_valid_from=row["contract__valid_from"],
                contract_valid_to=row["contract__valid_to"],
                currency=row["contract__branch__organisation__currency"],
                vat_schedule=schedules[org_id],
            )
        )
    return out
