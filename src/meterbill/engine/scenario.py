"""Run an allocation scenario given as JSON-compatible data (``allocate --scenario``).

Numbers may be strings ("12.50"), integers or Decimals. Parse the JSON with
``json.loads(text, parse_float=Decimal)`` so that 12.50 in the file stays exact; a
Python float that does reach us is read through ``Decimal(str(value))``, its shortest
representation. The format is described in ``docs/allocation.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from meterbill.engine.allocation import (
    HEIZKOSTENV_RANGE,
    KEYS,
    WATER_HEAT_CAPACITY_KWH_PER_M3K,
    Allocation,
    AllocationError,
    Allocator,
    Apartment,
    BranchMeter,
    CommonHeatingRule,
    ConsumptionRule,
    Cost,
    Finding,
    HotWaterHeatRule,
    KeyRule,
    MixedRule,
    Occupant,
    Part,
    Period,
    PersonPeriod,
    Rule,
    Share,
    allocate,
)
from meterbill.engine.json_depth import too_deep

T = TypeVar("T")
_SHOWN = Decimal("0.000001")  # explanation values are shown to 6 decimals


class ScenarioError(ValueError):
    """A scenario that cannot be run; the message starts with the JSON path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}" if path else message)
        self.path = path


# Limits of rule and scenario JSON. No rule nests deeper or has longer numbers;
# past them Python's json module fails without a position (RecursionError on
# thousands of nested brackets, ValueError past 4,300 digits of an integer).
MAX_JSON_DEPTH = 64
MAX_NUMBER_CHARS = 100


def load_json(text: str, path: str = "") -> Any:
    """JSON text as values, numbers with a fraction or exponent as their text (kept
    exact), or ``ScenarioError`` naming ``path`` and the line and column."""
    fault = too_deep(text, MAX_JSON_DEPTH)
    if fault is not None:
        raise ScenarioError(path, fault)
    try:
        return json.loads(text, parse_float=_float_text, parse_int=_int)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno} column {exc.colno}"
        raise ScenarioError(path, f"{where}: {exc.msg}") from None
    except _LongNumber as exc:
        raise ScenarioError(path, str(exc)) from None


class _LongNumber(ValueError):
    def __init__(self, text: str) -> None:
        super().__init__(
            f"a number of {len(text)} characters ({text[:12]}…); at most "
            f"{MAX_NUMBER_CHARS}"
        )


def _float_text(text: str) -> str:
    if len(text) > MAX_NUMBER_CHARS:
        raise _LongNumber(text)
    return text


def _int(text: str) -> int:
    if len(text) > MAX_NUMBER_CHARS:
        raise _LongNumber(text)
    return int(text)


def run_scenario(data: Mapping[str, Any]) -> dict[str, Any]:
    """Allocate the scenario's costs and return a JSON-ready result."""
    obj = _object(data, "", {"currency", "period", "apartments", "costs"})
    currency = _text(obj, "currency", "")
    period = _period(obj["period"], "period") if "period" in obj else None
    apartments = _items(obj, "apartments", "", _apartment)
    costs = _items(obj, "costs", "", _cost_parser(currency))
    _unique([a.id for a in apartments], "apartments")
    _unique([c.id for c in costs], "costs")
    allocation = Allocation(currency, {}, [])
    for i, cost in enumerate(costs):
        try:
            one = allocate(apartments, [cost], currency, period=period)
        except AllocationError as exc:
            where = "apartments" if str(exc).startswith("apartment") else f"costs[{i}]"
            raise ScenarioError(where, str(exc)) from None
        allocation.shares.update(one.shares)
        allocation.findings.extend(one.findings)
    return _result(allocation, apartments, costs, period)


# --- reading -------------------------------------------------------------------


def _object(value: Any, path: str, allowed: set[str]) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ScenarioError(path, "must be an object")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise ScenarioError(_join(path, str(unknown[0])), "unknown field")
    return value


def _unique(ids: list[str], path: str) -> None:
    for i, item in enumerate(ids):
        if item in ids[:i]:
            raise ScenarioError(f"{path}[{i}].id", f"duplicate id {item!r}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _required(obj: Mapping[str, Any], name: str, path: str) -> Any:
    if name not in obj:
        raise ScenarioError(_join(path, name), "is required")
    return obj[name]


def _text(obj: Mapping[str, Any], name: str, path: str, default: str = "") -> str:
    value = obj.get(name, default) if default else _required(obj, name, path)
    if not isinstance(value, str) or not value:
        raise ScenarioError(_join(path, name), "must be a non-empty string")
    return value


def _decimal(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | float | Decimal):
        raise ScenarioError(path, "must be a number or a numeric string")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ScenarioError(path, f"{value!r} is not a number") from None
    if not number.is_finite():
        raise ScenarioError(path, "must be a finite number")
    if number and not -12 <= number.adjusted() <= 12:
        raise ScenarioError(path, "must be between 1e-12 and 1e12 in size")
    return number


def _number(
    obj: Mapping[str, Any], name: str, path: str, default: Decimal | None = None
) -> Decimal:
    if name not in obj and default is not None:
        return default
    value = _decimal(_required(obj, name, path), _join(path, name))
    if value < 0:
        raise ScenarioError(_join(path, name), "must not be negative")
    return value


def _optional_number(obj: Mapping[str, Any], name: str, path: str) -> Decimal | None:
    return _number(obj, name, path) if obj.get(name) is not None else None


def _flag(obj: Mapping[str, Any], name: str, path: str) -> bool:
    value = obj.get(name, False)
    if not isinstance(value, bool):
        raise ScenarioError(_join(path, name), "must be true or false")
    return value


def _date(obj: Mapping[str, Any], name: str, path: str) -> date:
    value = _required(obj, name, path)
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ScenarioError(_join(path, name), "must be a date YYYY-MM-DD") from None


def _choice(
    obj: Mapping[str, Any], name: str, path: str, allowed: set[str], default: str
) -> str:
    value = obj.get(name, default)
    if not isinstance(value, str) or value not in allowed:
        raise ScenarioError(_join(path, name), f"must be one of {sorted(allowed)}")
    return str(value)


def _items(
    obj: Mapping[str, Any],
    name: str,
    path: str,
    parse: Callable[[Any, str], T],
    required: bool = True,
) -> list[T]:
    value = _required(obj, name, path) if required else obj.get(name, [])
    if not isinstance(value, list):
        raise ScenarioError(_join(path, name), "must be a list")
    return [parse(item, f"{_join(path, name)}[{i}]") for i, item in enumerate(value)]


def _number_map(value: Any, path: str) -> dict[str, Decimal]:
    if not isinstance(value, Mapping):
        raise ScenarioError(path, "must be an object")
    return {str(k): _number(value, k, path) for k in value}


def _period(value: Any, path: str) -> Period:
    obj = _object(value, path, {"start", "end"})
    period = Period(_date(obj, "start", path), _date(obj, "end", path))
    if period.end < period.start:
        raise ScenarioError(_join(path, "end"), "must not be before start")
    return period


def _apartment(value: Any, path: str) -> Apartment:
    fields = {"id", "area_m2", "heated_area_m2", "persons", "person_periods"}
    fields |= {"quota", "consumption", "allocators", "estimated", "occupants"}
    fields |= {"settlement"}
    obj = _object(value, path, fields)
    return Apartment(
        id=_text(obj, "id", path),
        area_m2=_number(obj, "area_m2", path),
        heated_area_m2=_optional_number(obj, "heated_area_m2", path),
        persons=_number(obj, "persons", path, Decimal(0)),
        person_periods=tuple(
            _items(obj, "person_periods", path, _person_period, required=False)
        ),
        quota=_number(obj, "quota", path, Decimal(0)),
        consumption=_number_map(obj.get("consumption", {}), _join(path, "consumption")),
        allocators=tuple(_items(obj, "allocators", path, _allocator, required=False)),
        estimated=_flag(obj, "estimated", path),
        occupants=tuple(_items(obj, "occupants", path, _occupant, required=False)),
        settlement=_settlement(obj, path),
    )


def _settlement(obj: Mapping[str, Any], path: str) -> dict[str, Decimal]:
    """Per utility, what the period settles of an earlier estimate (actual −
    estimate): the one place a negative quantity is accepted, and only for a
    utility the apartment has a consumption of."""
    value = obj.get("settlement", {})
    where = _join(path, "settlement")
    if not isinstance(value, Mapping):
        raise ScenarioError(where, "must be an object")
    consumption = obj.get("consumption", {})
    out = {}
    for utility in value:
        if utility not in consumption:
            raise ScenarioError(
                _join(where, str(utility)), "needs a consumption of the same utility"
            )
        out[str(utility)] = _decimal(value[utility], _join(where, str(utility)))
    return out


def _person_period(value: Any, path: str) -> PersonPeriod:
    obj = _object(value, path, {"start", "end", "persons"})
    start, end = _date(obj, "start", path), _date(obj, "end", path)
    return PersonPeriod(start, end, _number(obj, "persons", path))


def _allocator(value: Any, path: str) -> Allocator:
    obj = _object(value, path, {"id", "units", "kq", "kc", "estimated"})
    return Allocator(
        id=_text(obj, "id", path),
        units=_number(obj, "units", path),
        kq=_number(obj, "kq", path, Decimal(1)),
        kc=_number(obj, "kc", path, Decimal(1)),
        estimated=_flag(obj, "estimated", path),
    )


def _occupant(value: Any, path: str) -> Occupant:
    obj = _object(value, path, {"id", "start", "end", "degree_days"})
    return Occupant(
        id=_text(obj, "id", path),
        start=_date(obj, "start", path),
        end=_date(obj, "end", path),
        degree_days=_optional_number(obj, "degree_days", path),
    )


def _cost_parser(currency: str) -> Callable[[Any, str], Cost]:
    def parse(value: Any, path: str) -> Cost:
        fields = {"id", "utility", "amount", "currency", "quantity", "rule"}
        obj = _object(value, path, fields)
        amount = _decimal(_required(obj, "amount", path), _join(path, "amount"))
        return Cost(
            id=_text(obj, "id", path),
            utility=_text(obj, "utility", path),
            amount=amount,
            currency=_text(obj, "currency", path, currency),
            rule=_rule(_required(obj, "rule", path), _join(path, "rule")),
            quantity=_optional_number(obj, "quantity", path),
        )

    return parse


def parse_rule(value: Any, path: str = "rule", *, month: int | None = None) -> Rule:
    """A distribution rule in the scenario file's rule shape: the one parser of the
    CLI, the stored distribution rules and the rule screens.

    ``month``: the billed period's month, used by a ``common_heating`` rule that
    names no month of its own (a stored rule serves every month)."""
    if month is not None and isinstance(value, Mapping):
        value = _with_month(value, month)
    return _rule(value, path)


def _with_month(value: Mapping[str, Any], month: int) -> Mapping[str, Any]:
    if value.get("type") == "common_heating" and "month" not in value:
        return {**value, "month": month}
    heating = value.get("heating")
    if value.get("type") == "hot_water_heat" and isinstance(heating, Mapping):
        return {**value, "heating": _with_month(heating, month)}
    return value


def _rule(value: Any, path: str) -> Rule:
    if not isinstance(value, Mapping):
        raise ScenarioError(path, "must be an object")
    kind = _choice(value, "type", path, set(_RULES), "")
    return _RULES[kind](value, path)


def _key(obj: Mapping[str, Any], name: str, path: str, default: str) -> Any:
    return _choice(obj, name, path, set(KEYS), default)


def _key_rule(value: Any, path: str) -> KeyRule:
    obj = _object(value, path, {"type", "key", "utility", "weights"})
    key = _key(obj, "key", path, "")
    weights = None
    if key == "custom":
        weights = _number_map(_required(obj, "weights", path), _join(path, "weights"))
    utility = _text(obj, "utility", path) if "utility" in obj else None
    return KeyRule(key, utility=utility, weights=weights)


def _consumption_rule(value: Any, path: str) -> ConsumptionRule:
    fields = {"type", "common_key", "negative_policy", "missing_meter", "utility"}
    fields |= {"norm_per_person", "estimates", "branch_meters", "common_excludes"}
    obj = _object(value, path, fields)
    excludes = obj.get("common_excludes", [])
    if not isinstance(excludes, list) or not all(isinstance(i, str) for i in excludes):
        raise ScenarioError(_join(path, "common_excludes"), "must be a list of ids")
    policies = {"reduce_proportionally", "block"}
    return ConsumptionRule(
        common_key=_plain_key(obj, "common_key", path, "area"),
        negative_policy=_choice(  # type: ignore[arg-type]
            obj, "negative_policy", path, policies, "reduce_proportionally"
        ),
        missing_meter=_choice(  # type: ignore[arg-type]
            obj, "missing_meter", path, {"norm", "estimate"}, "norm"
        ),
        norm_per_person=_number(obj, "norm_per_person", path, Decimal(0)),
        estimates=_number_map(obj.get("estimates", {}), _join(path, "estimates")),
        branch_meters=tuple(
            _items(obj, "branch_meters", path, _branch_meter, required=False)
        ),
        utility=_text(obj, "utility", path) if "utility" in obj else None,
        common_excludes=frozenset(excludes),
    )


def _plain_key(obj: Mapping[str, Any], name: str, path: str, default: str) -> Any:
    """A key that needs no extra data (not "custom")."""
    return _choice(obj, name, path, set(KEYS) - {"custom"}, default)


def _branch_meter(value: Any, path: str) -> BranchMeter:
    obj = _object(value, path, {"id", "consumption", "apartments"})
    ids = _required(obj, "apartments", path)
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise ScenarioError(_join(path, "apartments"), "must be a list of ids")
    return BranchMeter(
        _text(obj, "id", path), _number(obj, "consumption", path), tuple(ids)
    )


def _mixed_rule(value: Any, path: str) -> MixedRule:
    fields = {"type", "percent_by_consumption", "consumption_key", "base_key"}
    fields |= {"utility", "heizkostenv_range", "estimated_area_limit_percent"}
    obj = _object(value, path, fields)
    percent = _number(obj, "percent_by_consumption", path)
    in_range = _flag(obj, "heizkostenv_range", path)
    low, high = HEIZKOSTENV_RANGE if in_range else (Decimal(0), Decimal(100))
    if not low <= percent <= high:
        raise ScenarioError(
            _join(path, "percent_by_consumption"), f"must be between {low} and {high}"
        )
    uses = {"allocator_units", "consumption"}
    return MixedRule(
        percent_by_consumption=percent,
        consumption_key=_choice(  # type: ignore[arg-type]
            obj, "consumption_key", path, uses, "allocator_units"
        ),
        base_key=_plain_key(obj, "base_key", path, "area"),
        utility=_text(obj, "utility", path) if "utility" in obj else None,
        heizkostenv_range=in_range,
        estimated_area_limit_percent=_optional_number(
            obj, "estimated_area_limit_percent", path
        ),
    )


def _common_heating_rule(value: Any, path: str) -> CommonHeatingRule:
    fields = {"type", "table", "climatic_zone", "month"}
    obj = _object(value, path, fields | {"estimated_area_limit_percent"})
    month = _required(obj, "month", path)
    if isinstance(month, bool) or not isinstance(month, int) or not 1 <= month <= 12:
        raise ScenarioError(_join(path, "month"), "must be a month number 1..12")
    table_path = _join(path, "table")
    table = _required(obj, "table", path)
    if not isinstance(table, Mapping):
        raise ScenarioError(table_path, "must be an object")
    zone = _text(obj, "climatic_zone", path)
    rows = {str(z): _month_row(row, f"{table_path}.{z}") for z, row in table.items()}
    if month not in rows.get(zone, {}):
        raise ScenarioError(table_path, f"has no percentage for {zone} month {month}")
    return CommonHeatingRule(
        rows,
        zone,
        month,
        _optional_number(obj, "estimated_area_limit_percent", path),
    )


def _month_row(value: Any, path: str) -> dict[int, Decimal]:
    row = _number_map(value, path)
    if any(k not in {str(m) for m in range(1, 13)} for k in row):
        raise ScenarioError(path, "months must be 1..12")
    if any(v > 100 for v in row.values()):
        raise ScenarioError(path, "percentages must be between 0 and 100")
    return {int(k): v for k, v in row.items()}


def _hot_water_rule(value: Any, path: str) -> HotWaterHeatRule:
    fields = {"type", "heating", "delta_t_k", "hot_water_utility"}
    obj = _object(value, path, fields | {"heat_capacity_kwh_per_m3k"})
    heating = _rule(_required(obj, "heating", path), _join(path, "heating"))
    if not isinstance(heating, KeyRule | MixedRule | CommonHeatingRule):
        raise ScenarioError(
            _join(path, "heating.type"), "must be key, mixed or common_heating"
        )
    return HotWaterHeatRule(
        heating=heating,
        delta_t_k=_number(obj, "delta_t_k", path),
        hot_water_utility=_text(obj, "hot_water_utility", path, "hot_water"),
        heat_capacity_kwh_per_m3k=_number(
            obj, "heat_capacity_kwh_per_m3k", path, WATER_HEAT_CAPACITY_KWH_PER_M3K
        ),
    )


_RULES: dict[str, Callable[[Any, str], Rule]] = {
    "key": _key_rule,
    "consumption": _consumption_rule,
    "mixed": _mixed_rule,
    "common_heating": _common_heating_rule,
    "hot_water_heat": _hot_water_rule,
}


# --- writing -------------------------------------------------------------------


def _shown(value: Decimal) -> str:
    """Explanation numbers: exact in the calculation, shown to 6 decimals."""
    return format(value.quantize(_SHOWN).normalize(), "f")


def _result(
    allocation: Allocation,
    apartments: list[Apartment],
    costs: list[Cost],
    period: Period | None,
) -> dict[str, Any]:
    return {
        "currency": allocation.currency,
        "period": None
        if period is None
        else {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "costs": [_cost_summary(c, allocation) for c in costs],
        "apartments": [
            {
                "id": apt.id,
                "total": str(allocation.total_for(apt.id)),
                "shares": [
                    _share(c.id, allocation.shares[c.id][apt.id])
                    for c in costs
                    if apt.id in allocation.shares[c.id]
                ],
            }
            for apt in apartments
        ],
        "findings": [_finding(f) for f in allocation.findings],
    }


def _cost_summary(cost: Cost, allocation: Allocation) -> dict[str, Any]:
    shares = allocation.shares[cost.id]
    allocated = sum((s.amount for s in shares.values()), Decimal(0))
    rule = next(iter(shares.values())).explanation.rule if shares else None
    return {
        "id": cost.id,
        "utility": cost.utility,
        "amount": str(cost.amount),
        "allocated": str(allocated),
        "status": "allocated" if shares else "blocked",
        "rule": rule,
    }


def _share(cost_id: str, share: Share) -> dict[str, Any]:
    return {
        "cost": cost_id,
        "amount": str(share.amount),
        "quantity": None if share.quantity is None else str(share.quantity),
        "explanation": {
            "rule": share.explanation.rule,
            "parts": [_part(p) for p in share.explanation.parts],
            "findings": list(share.explanation.findings),
        },
        "occupants": [
            {
                "id": o.occupant_id,
                "amount": str(o.amount),
                "basis": o.basis,
                "value": _shown(o.value),
            }
            for o in share.occupants
        ],
    }


def _part(part: Part) -> dict[str, Any]:
    return {
        "key": part.key,
        "value": _shown(part.value),
        "total": _shown(part.total),
        "percent": _shown(part.percent),
        "quantity": None if part.quantity is None else _shown(part.quantity),
        "note": part.note,
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "cost": finding.cost_id,
        "apartment": finding.apartment_id,
        "code": finding.code,
        "severity": finding.severity,
        "message": finding.message,
    }
