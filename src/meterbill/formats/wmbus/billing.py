"""Billing values from decoded records: the registers a utility bills from.

Which record is the register follows EN 13757-3 record semantics: the current
register is storage 0, tariff 0, subunit 0, function "instantaneous", without a
VIFE that turns it into something else (a rate, a limit, a backward count). The
set-date (due date) register is the lowest storage number above 0 that carries the
quantity; its date is the date record of the same storage.

Energy is returned in kWh (from Wh divided by 1000, from J divided by 3.6 × 10^6),
rounded half-even to ENERGY_PLACES decimals (1 mWh): a GJ reading has no finite
kWh expansion, and a real32 reading carries no more precision.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from meterbill.engine.money import round_to
from meterbill.formats.errors import InvalidValue

from .records import Record

if TYPE_CHECKING:
    from .telegram import Telegram

ENERGY_PLACES = Decimal("0.000001")
_JOULES_PER_KWH = Decimal(3_600_000)
_WH_PER_KWH = Decimal(1000)

BillingValue = Decimal | date | str


def billing_values(telegram: Telegram) -> dict[str, BillingValue]:
    values: dict[str, BillingValue] = dict(telegram.proprietary_values)
    records = telegram.records
    for name, kind in (
        ("total_m3", _is_volume),
        ("total_energy_consumption_kwh", _is_energy),
        ("current_consumption_hca", _is_hca),
    ):
        value = _current(records, kind)
        if value is not None and name not in values:
            values[name] = value
    for name, at_set_date in _set_date_values(records).items():
        values.setdefault(name, at_set_date)
    values.setdefault("status", " ".join(telegram.status_flags) or "OK")
    return values


def _is_volume(record: Record) -> bool:
    return record.quantity.name == "volume"


def _is_energy(record: Record) -> bool:
    return record.quantity.name == "energy"


def _is_hca(record: Record) -> bool:
    return record.quantity.name == "hca"


def _is_register(record: Record, storage: int, tariff: int = 0) -> bool:
    return (
        record.storage == storage
        and record.tariff == tariff
        and record.subunit == 0
        and record.function == "instantaneous"
        and record.plain
        and isinstance(record.value, Decimal)
    )


def _current(records: list[Record], kind: Callable[[Record], bool]) -> Decimal | None:
    """The tariff-0 register; a meter with a single tariff register sends that one
    as its total (for example electricity meters that count in tariff 1)."""
    for record in records:
        if kind(record) and _is_register(record, 0):
            return _in_billing_unit(record)
    tariffed = [
        r for r in records if kind(r) and r.tariff > 0 and _is_register(r, 0, r.tariff)
    ]
    if len({r.tariff for r in tariffed}) == 1:
        return _in_billing_unit(tariffed[0])
    return None


def _in_billing_unit(record: Record) -> Decimal:
    """The record's value in the billing unit; InvalidValue when it has none (a
    corrupted record: infinite, or too large to hold to ENERGY_PLACES)."""
    value = record.value
    assert isinstance(value, Decimal)
    divisor = {"Wh": _WH_PER_KWH, "J": _JOULES_PER_KWH}.get(record.quantity.unit)
    if divisor is None:
        return value
    try:
        return round_to(value / divisor, ENERGY_PLACES, ROUND_HALF_EVEN).normalize()
    except ArithmeticError:
        raise InvalidValue(
            f"energy value {value} {record.quantity.unit} cannot be read as kWh",
            field="value",
        ) from None


def _set_date_values(records: list[Record]) -> dict[str, BillingValue]:
    values: dict[str, BillingValue] = {}
    storages = sorted(
        {
            r.storage
            for r in records
            if r.storage > 0 and (_is_hca(r) or _is_volume(r) or _is_energy(r))
        }
    )
    storage = storages[0] if storages else 1
    for kind, name in (
        (_is_hca, "consumption_at_set_date_hca"),
        (_is_volume, "volume_at_set_date_m3"),
        (_is_energy, "energy_at_set_date_kwh"),
    ):
        for record in records:
            if kind(record) and _is_register(record, storage):
                values[name] = _in_billing_unit(record)
                break
    for record in records:
        if record.storage == storage and record.quantity.name in ("date", "datetime"):
            if isinstance(record.value, datetime):
                values["set_date"] = record.value.date()
                break
            if isinstance(record.value, date):
                values["set_date"] = record.value
                break
    return values
