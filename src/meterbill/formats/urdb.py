"""US OpenEI Utility Rate Database (URDB) tariffs, and hourly load files.

``read_tariff`` takes a tariff in either of the two shapes URDB hands out:

* one rate as a JSON object (the v7 export, with ``energyratestructure`` and
  friends at the top level);
* an API response ``{"items": [rate, ...]}``; the first item is taken, or the one
  whose ``label`` is given.

Supported: energy rates by period and tier with ``max`` in ``kWh`` (per month) or
``kWh daily`` (per day, scaled by the days of the month), ``rate`` and ``adj``;
time-of-use demand rates with schedules; flat demand rates with
``flatdemandmonths``; demand tiers in kW; fixed charges ``fixedchargefirstmeter`` in
``$/month`` or ``$/day`` (or ``fixedmonthlycharge``); minimum charges ``mincharge`` in
``$/month``, ``$/day`` or ``$/year`` (or ``minmonthlycharge`` and
``annualmincharge``). A tier ``max`` of 1e37 or more means "no limit" (URDB and SAM
write 1e38 for it).

Refused with ``InvalidFormat`` naming the JSON path: energy tiers in ``kWh/kW`` or
``kWh/kW daily`` (they need the billing demand), demand in anything but kW (hp,
kVA), fixed charges per year, coincident demand rates and demand ratchets. Sell
rates and ``dgrules`` are ignored: the engine rates load drawn from the grid only.

``read_load_csv`` reads one year of hourly kW values, one per line, after an
optional text header line (the SAM/PySAM export shape).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NoReturn

from meterbill.engine.json_depth import too_deep
from meterbill.engine.numbers import NotANumber, plain_decimal
from meterbill.engine.tariff import (
    ChargeUnit,
    DemandTier,
    EnergyTier,
    Schedule,
    Tariff,
    TariffError,
    UsageUnit,
)
from meterbill.formats.errors import InvalidFormat

# URDB's (and SAM's) stand-in for "no upper limit".
_NO_LIMIT = Decimal("1e37")
_MAX_PERIODS = 100
# A URDB export nests five levels (rate, schedule, period, tier); the parser
# recurses once per level, so far deeper text is refused before parsing.
MAX_JSON_DEPTH = 32
# Larger numbers are typing errors, and would overflow the rating arithmetic.
_MAX_DIGITS = 40
_MAX_LOAD_DIGITS = 12

_USAGE_UNITS = {
    "kwh": UsageUnit.KWH_PER_MONTH,
    "kwh daily": UsageUnit.KWH_PER_DAY,
    "kwh/day": UsageUnit.KWH_PER_DAY,
}
_CHARGE_UNITS = {"$/month": ChargeUnit.PER_MONTH, "$/day": ChargeUnit.PER_DAY}


def read_tariff(
    data: bytes | str, *, filename: str = "", label: str | None = None
) -> Tariff:
    """Read a URDB tariff (v7 export or API response) into a ``Tariff``."""
    document = _load_json(data, filename)
    rate, path = _select_rate(document, label, filename)
    return _Reader(rate, path, filename).tariff()


def read_load_csv(data: bytes | str, *, filename: str = "") -> list[Decimal]:
    """Read hourly load in kW, one value per line (a first non-numeric line is a
    header). A bad value stops the read: dropping a line would shift every later
    hour into the wrong time-of-use period."""
    text = _decode(data, filename)
    values: list[Decimal] = []
    for line_no, raw in enumerate(text.splitlines(), start=1):
        cell = raw.strip().rstrip(",").strip()
        if not cell:
            continue
        value = _decimal_or_none(cell)
        if value is None:
            if line_no == 1:
                continue  # header, e.g. "Exported Data (8760)"
            raise InvalidFormat(
                f"not a number: {cell[:40]!r}", file=filename, line=line_no, field="kW"
            )
        if value < 0 or (value and value.adjusted() >= _MAX_LOAD_DIGITS):
            raise InvalidFormat(
                f"load {cell[:40]} kW is negative or out of range",
                file=filename,
                line=line_no,
                field="kW",
            )
        values.append(value)
    if not values:
        raise InvalidFormat("no load values", file=filename)
    return values


def _decimal_or_none(cell: str) -> Decimal | None:
    try:
        return plain_decimal(cell, comma=False, negative=True, lone_point=True)
    except NotANumber:
        return None


def _decode(data: bytes | str, filename: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidFormat(f"not UTF-8 text: {exc.reason}", file=filename) from None


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a number JSON allows")


def _load_json(data: bytes | str, filename: str) -> Any:
    text = _decode(data, filename)
    fault = too_deep(text, MAX_JSON_DEPTH)
    if fault is not None:
        raise InvalidFormat(f"not a URDB tariff: {fault}", file=filename)
    try:
        return json.loads(
            text,
            parse_float=Decimal,
            parse_int=Decimal,
            parse_constant=_refuse_constant,
        )
    except json.JSONDecodeError as exc:
        raise InvalidFormat(
            f"not JSON: {exc.msg}", file=filename, line=exc.lineno
        ) from None
    except (ValueError, RecursionError) as exc:
        raise InvalidFormat(f"not JSON: {exc}", file=filename) from None


def _select_rate(document: Any, label: str | None, filename: str) -> tuple[Any, str]:
    if not isinstance(document, dict):
        raise InvalidFormat("a URDB tariff is a JSON object", file=filename, field="$")
    if "items" not in document:
        if label is not None and document.get("label") != label:
            raise InvalidFormat(
                f"the tariff's label is not {label!r}", file=filename, field="$.label"
            )
        return document, "$"
    items = document["items"]
    if not isinstance(items, list) or not items:
        raise InvalidFormat(
            "items must be a non-empty list of rates", file=filename, field="$.items"
        )
    if label is None:
        return items[0], "$.items[0]"
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("label") == label:
            return item, f"$.items[{index}]"
    raise InvalidFormat(
        f"no rate with label {label!r}", file=filename, field="$.items[*].label"
    )


class _Reader:
    """Walks one URDB rate object, remembering JSON paths for error messages."""

    def __init__(self, rate: Any, path: str, filename: str) -> None:
        if not isinstance(rate, dict):
            raise InvalidFormat(
                "a rate must be a JSON object", file=filename, field=path
            )
        self.rate = rate
        self.path = path
        self.filename = filename

    def fail(self, path: str, message: str) -> NoReturn:
        raise InvalidFormat(message, file=self.filename, field=path)

    def tariff(self) -> Tariff:
        self._refuse_unsupported()
        energy_periods = self._structure("energyratestructure", self._energy_tier)
        if not energy_periods:
            self.fail(f"{self.path}.energyratestructure", "no energy rates")
        demand_periods = self._structure("demandratestructure", self._demand_tier)
        flat_periods = self._structure("flatdemandstructure", self._demand_tier)
        has_tou_demand = bool(demand_periods)
        fixed, fixed_unit = self._fixed_charge()
        min_charge, min_unit, annual_min = self._min_charges()
        try:
            return Tariff(
                energy_periods=energy_periods,
                energy_weekday=self._schedule("energyweekdayschedule", energy_periods),
                energy_weekend=self._schedule("energyweekendschedule", energy_periods),
                demand_periods=demand_periods,
                demand_weekday=(
                    self._schedule("demandweekdayschedule", demand_periods)
                    if has_tou_demand
                    else None
                ),
                demand_weekend=(
                    self._schedule("demandweekendschedule", demand_periods)
                    if has_tou_demand
                    else None
                ),
                flat_demand_periods=flat_periods,
                flat_demand_months=self._flat_months(flat_periods),
                fixed_charge=fixed,
                fixed_charge_unit=fixed_unit,
                min_charge=min_charge,
                min_charge_unit=min_unit,
                annual_min_charge=annual_min,
                name=str(self.rate.get("name", "")),
            )
        except TariffError as exc:
            self.fail(self.path, str(exc))

    def _refuse_unsupported(self) -> None:
        for key in ("coincidentratestructure", "coincidentrateschedule"):
            if self.rate.get(key):
                self.fail(
                    f"{self.path}.{key}", "coincident demand rates are unsupported"
                )
        ratchets = self.rate.get("demandratchetpercentage")
        if isinstance(ratchets, list) and any(
            isinstance(v, Decimal) and v != 0 for v in ratchets
        ):
            self.fail(
                f"{self.path}.demandratchetpercentage",
                "demand ratchets are unsupported",
            )
        for key in ("demandrateunit", "flatdemandunit"):
            unit = self.rate.get(key)
            if unit is not None and str(unit).lower() != "kw":
                self.fail(
                    f"{self.path}.{key}",
                    f"demand in {unit!r} is unsupported; only kW is",
                )

    def _structure(
        self, key: str, tier_of: Callable[[Any, str], Any]
    ) -> tuple[tuple[Any, ...], ...]:
        path = f"{self.path}.{key}"
        structure = self.rate.get(key)
        if structure is None:
            return ()
        if not isinstance(structure, list) or len(structure) > _MAX_PERIODS:
            self.fail(path, f"must be a list of at most {_MAX_PERIODS} periods")
        periods = []
        for p, period in enumerate(structure):
            if not isinstance(period, list) or not period:
                self.fail(f"{path}[{p}]", "a period must be a non-empty list of tiers")
            tiers = tuple(
                tier_of(tier, f"{path}[{p}][{t}]") for t, tier in enumerate(period)
            )
            self._check_limits(tiers, f"{path}[{p}]")
            periods.append(tiers)
        return tuple(periods)

    def _check_limits(self, tiers: tuple[Any, ...], path: str) -> None:
        """Tier limits count from zero, so they must increase; only the last tier
        may be unlimited."""
        lower = Decimal(0)
        for t, tier in enumerate(tiers):
            limit = tier.max_usage if isinstance(tier, EnergyTier) else tier.max_kw
            if limit is None and t < len(tiers) - 1:
                self.fail(f"{path}[{t}].max", "only the last tier may be unlimited")
            if limit is not None and limit <= lower:
                self.fail(f"{path}[{t}].max", "tier limits must increase")
            lower = limit if limit is not None else lower

    def _energy_tier(self, tier: Any, path: str) -> EnergyTier:
        if not isinstance(tier, dict):
            self.fail(path, "a tier must be a JSON object")
        unit_text = tier.get("unit", "kWh")
        if not isinstance(unit_text, str):
            self.fail(f"{path}.unit", "must be text")
        unit = _USAGE_UNITS.get(unit_text.strip().lower())
        if unit is None:
            self.fail(
                f"{path}.unit",
                f"tier unit {unit_text!r} is unsupported; use 'kWh' or 'kWh daily'",
            )
        rate, adj = self._rate_and_adj(tier, path)
        return EnergyTier(
            rate=rate, max_usage=self._limit(tier, path), unit=unit, adjustment=adj
        )

    def _demand_tier(self, tier: Any, path: str) -> DemandTier:
        if not isinstance(tier, dict):
            self.fail(path, "a tier must be a JSON object")
        unit = tier.get("unit", "kW")
        if not isinstance(unit, str) or unit.strip().lower() != "kw":
            self.fail(
                f"{path}.unit", f"demand unit {unit!r} is unsupported; only kW is"
            )
        rate, adj = self._rate_and_adj(tier, path)
        return DemandTier(rate=rate, max_kw=self._limit(tier, path), adjustment=adj)

    def _rate_and_adj(self, tier: dict[str, Any], path: str) -> tuple[Decimal, Decimal]:
        if "rate" not in tier and "adj" not in tier:
            self.fail(f"{path}.rate", "a tier needs a rate or an adj")
        return (
            self._number(tier.get("rate", Decimal(0)), f"{path}.rate"),
            self._number(tier.get("adj", Decimal(0)), f"{path}.adj"),
        )

    def _limit(self, tier: dict[str, Any], path: str) -> Decimal | None:
        if tier.get("max") is None:
            return None
        limit = self._number(tier["max"], f"{path}.max")
        if limit <= 0:
            self.fail(f"{path}.max", "a tier limit must be positive")
        return None if limit >= _NO_LIMIT else limit

    def _number(self, value: Any, path: str) -> Decimal:
        if not isinstance(value, Decimal) or not value.is_finite():
            self.fail(path, f"must be a number, not {str(value)[:40]!r}")
        if value and value.adjusted() >= _MAX_DIGITS:
            self.fail(path, "number out of range")
        return value

    def _index(self, value: Any, path: str, count: int, what: str) -> int:
        if (
            not isinstance(value, Decimal)
            or not value.is_finite()
            or not 0 <= value < count
            or value != value.to_integral_value()
        ):
            self.fail(path, f"{str(value)[:40]!r} is not one of the {count} {what}")
        return int(value)

    def _schedule(self, key: str, periods: tuple[Any, ...]) -> Schedule:
        path = f"{self.path}.{key}"
        rows = self.rate.get(key)
        if not isinstance(rows, list) or len(rows) != 12:
            self.fail(path, "must be 12 rows (months) of 24 hourly periods")
        schedule = []
        for m, row in enumerate(rows):
            if not isinstance(row, list) or len(row) != 24:
                self.fail(f"{path}[{m}]", "must be 24 hourly periods")
            schedule.append(
                tuple(
                    self._index(v, f"{path}[{m}][{h}]", len(periods), "defined periods")
                    for h, v in enumerate(row)
                )
            )
        return tuple(schedule)

    def _flat_months(self, flat_periods: tuple[Any, ...]) -> tuple[int, ...] | None:
        path = f"{self.path}.flatdemandmonths"
        months = self.rate.get("flatdemandmonths")
        if months is None or not flat_periods:
            return None
        if not isinstance(months, list) or len(months) != 12:
            self.fail(path, "must list the flat demand period of each of 12 months")
        return tuple(
            self._index(v, f"{path}[{m}]", len(flat_periods), "flat demand periods")
            for m, v in enumerate(months)
        )

    def _fixed_charge(self) -> tuple[Decimal, ChargeUnit]:
        if "fixedchargefirstmeter" in self.rate:
            amount = self._number(
                self.rate["fixedchargefirstmeter"], f"{self.path}.fixedchargefirstmeter"
            )
            return amount, self._charge_unit("fixedchargeunits")
        if "fixedmonthlycharge" in self.rate:
            path = f"{self.path}.fixedmonthlycharge"
            return self._number(self.rate["fixedmonthlycharge"], path), (
                ChargeUnit.PER_MONTH
            )
        return Decimal(0), ChargeUnit.PER_MONTH

    def _min_charges(self) -> tuple[Decimal, ChargeUnit, Decimal]:
        """(monthly minimum, its unit, annual minimum)."""
        annual = Decimal(0)
        if "annualmincharge" in self.rate:
            path = f"{self.path}.annualmincharge"
            annual = self._number(self.rate["annualmincharge"], path)
        if "mincharge" in self.rate:
            amount = self._number(self.rate["mincharge"], f"{self.path}.mincharge")
            units = self.rate.get("minchargeunits", "$/month")
            if isinstance(units, str) and units.strip().lower() == "$/year":
                return Decimal(0), ChargeUnit.PER_MONTH, amount
            return amount, self._charge_unit("minchargeunits"), annual
        if "minmonthlycharge" in self.rate:
            path = f"{self.path}.minmonthlycharge"
            return (
                self._number(self.rate["minmonthlycharge"], path),
                (ChargeUnit.PER_MONTH),
                annual,
            )
        return Decimal(0), ChargeUnit.PER_MONTH, annual

    def _charge_unit(self, key: str) -> ChargeUnit:
        units = self.rate.get(key, "$/month")
        unit = (
            _CHARGE_UNITS.get(units.strip().lower()) if isinstance(units, str) else None
        )
        if unit is None:
            self.fail(
                f"{self.path}.{key}",
                f"charge unit {str(units)[:40]!r} is unsupported; "
                "use '$/month' or '$/day'",
            )
        return unit
