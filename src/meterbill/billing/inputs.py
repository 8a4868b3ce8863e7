"""Set-based loading of a bill run chunk's inputs into engine data.

A chunk of residences costs a fixed number of queries (about ten), whatever the number
of apartments: never one query per apartment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, QuerySet

from meterbill.engine.billing import (
    AllocatorIn,
    ApartmentIn,
    ProviderBillIn,
    ResidenceIn,
    UtilityIn,
)
from meterbill.engine.consumption import ReadingIn, RegisterIn
from meterbill.engine.rating import TariffPrice
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.models import (
    Apartment,
    ApartmentUtility,
    Contract,
    ContractService,
    Utility,
)
from meterbill.tariffs.models import TariffVersion

from .models import Period, ProviderBill, RuleSetting

# History read before a period, for estimates (average daily use over a year).
HISTORY_DAYS = 400
# Readings dated this long after the period's end are loaded to flag them.
LOOKAHEAD_DAYS = 62


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


def _prices(tariff_ids: Iterable[int], on: date) -> dict[int, TariffPrice]:
    """The version of each tariff in force on ``on`` (the newest valid_from <= on)."""
    found: dict[int, TariffPrice] = {}
    versions = TariffVersion.objects.filter(
        tariff_id__in=set(tariff_ids), valid_from__lte=on
    ).select_related("tariff")
    for v in versions.order_by("tariff_id", "valid_from"):
        found[v.tariff_id] = TariffPrice(
            v.tariff.code,
            v.pk,
            v.valid_from,
            v.currency,
            v.fixed_charge_per_month,
            v.unit_price_net,
            v.vat_category,
            v.vat_rate_percent,
        )
    return found


def _services(contracts: Sequence[Contract], period: Period) -> dict[int, dict]:
    """contract id → {utility code → TariffPrice} for the tariffs in force."""
    rows = list(
        ContractService.objects.filter(contract__in=contracts).values_list(
            "contract_id", "utility__code", "tariff_id"
        )
    )
    prices = _prices((t for _c, _u, t in rows), period.ends_on)
    out: dict[int, dict] = defaultdict(dict)
    for contract_id, code, tariff_id in rows:
        if tariff_id in prices:
            out[contract_id][code] = prices[tariff_id]
    return out


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
        )
    ]


def _registers(
    meters: Sequence[MeterRow], period: Period
) -> dict[int, list[RegisterIn]]:
    """meter id → its registers with their readings, in two queries."""
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
        )
    )
    for reg_id, pk, read_on, value, kind, status, start, source in rows.iterator(2000):
        readings[reg_id].append(
            ReadingIn(pk, read_on, value, kind, status, start, source)
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
        .values_list("pk", "residence_id", "number", "persons")
    )
    contracts = list(
        Contract.objects.filter(
            _valid_in(period), apartment__residence_id__in=residence_ids
        ).order_by("valid_from")
    )
    # The contract in force at the period's end wins when an apartment has several.
    contract_of = {c.apartment_id: c for c in contracts}
    services = _services(list(contract_of.values()), period)
    in_common: dict[int, set[str]] = defaultdict(set)
    for apt_id, code, common in ApartmentUtility.objects.filter(
        apartment__residence_id__in=residence_ids
    ).values_list("apartment_id", "utility__code", "in_common"):
        if common:
            in_common[apt_id].add(code)

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
    for m in meters:
        for reg in registers.get(m.pk, ()):
            if m.kind == Meter.Kind.HCA and m.apartment_id:
                apt_allocators[m.apartment_id].append(AllocatorIn(reg, m.kq, m.kc))
            elif m.kind == Meter.Kind.MAIN and m.residence_id:
                mains[m.residence_id][m.utility_code].append(reg)
            elif m.apartment_id:
                apt_meters[m.apartment_id][m.utility_code].append(reg)

    by_res: dict[int, list[ApartmentIn]] = defaultdict(list)
    for apt_id, residence_id, number, persons in apartments:
        contract = contract_of.get(apt_id)
        by_res[residence_id].append(
            ApartmentIn(
                apt_id,
                number,
                persons,
                contract.pk if contract else None,
                services.get(contract.pk, {}) if contract else {},
                apt_meters.get(apt_id, {}),
                tuple(apt_allocators.get(apt_id, ())),
                frozenset(in_common.get(apt_id, ())),
            )
        )
    residences = [
        ResidenceIn(rid, by_res.get(rid, []), mains.get(rid, {}), bills_of.get(rid, {}))
        for rid in residence_ids
    ]
    return residences, {c.pk: c for c in contract_of.values()}


def direct_input(
    contract_ids: Sequence[int], period: Period
) -> tuple[list[Contract], dict[int, dict], dict[int, dict[str, list[RegisterIn]]]]:
    """Engine inputs for contracts on service points: contract, services, registers."""
    contracts = list(Contract.objects.filter(pk__in=contract_ids).order_by("pk"))
    services = _services(contracts, period)
    sp_ids = {c.service_point_id for c in contracts}
    meters = _meter_rows(Meter.objects.filter(service_point_id__in=sp_ids))
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
