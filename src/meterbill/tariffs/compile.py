"""Stored tariffs into engine objects: component rows into ``engine.components``
components, versions into engine ``TariffVersion``s, VatRate rows into ``VatRates``.

``build_component`` is the one validation of a component's parameters: the save
path, the CLI (``add-tariff --components``) and the web forms all call it, so what
one accepts the others accept. Its errors name the field (``params.blocks[1][0]``)
and, for formulas, the line, column and the unknown name.

``versions_for`` and ``vat_schedule`` load what a bill run chunk needs in a fixed
number of queries and compile each version once (the chunk then rates thousands of
apartments with the same objects).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn

from meterbill.engine import components as engine
from meterbill.engine.formula import FormulaError, compile_formula
from meterbill.engine.pricing import SIMPLE_FIXED, SIMPLE_UNIT
from meterbill.engine.tariff import TariffError
from meterbill.formats.errors import FormatError
from meterbill.formats.urdb import read_tariff

from .models import ComponentKind, TariffComponent, TariffVersion, VatRate

# Net prices: at most 12 integer digits and 6 decimals, as the simple prices.
MAX_PRICE = Decimal(10) ** 12
PRICE_STEP = Decimal("0.000001")
CODE_RE = re.compile(r"[A-Za-z0-9_.-]{1,32}")
UNIT_CODE_RE = re.compile(r"[A-Z0-9]{2,3}")
# Rates by law: only S takes its rate from a VatRate row or the version.
FIXED_RATES: dict[str, Decimal | None] = {"Z": Decimal(0), "E": Decimal(0)}
FIXED_RATES.update({"AE": Decimal(0), "O": None})
# Categories without VAT whose e-invoice breakdown states why (BR-E-10, BR-AE-10,
# BR-O-10); S and Z must state nothing (BR-S-10, BR-Z-10).
EXEMPT_CATEGORIES = frozenset({"E", "AE", "O"})
# A code of the CEF VATEX list: VATEX-EU-132, VATEX-EU-AE, VATEX-FR-FRANCHISE…
VATEX_RE = re.compile(r"VATEX-[A-Z]{2}-[A-Z0-9-]{1,20}")
# The variables a formula may read (engine.components.STANDARD_NAMES).
FORMULA_NAMES = engine.STANDARD_NAMES
LANGUAGES = ("en", "ro")


class TariffConfigError(ValueError):
    """A component or version that cannot be used; ``field`` names what is wrong
    (``params.blocks[1][0]``, ``formula``), ``position`` the component."""

    def __init__(self, message: str, *, field: str = "", position: int | None = None):
        self.field = field
        self.position = position
        self.reason = message
        where = []
        if position is not None:
            where.append(f"component {position}")
        if field:
            where.append(field)
        prefix = ", ".join(where)
        super().__init__(f"{prefix}: {message}" if prefix else message)


@dataclass(frozen=True)
class StoredVersion(engine.TariffVersion):
    """An engine tariff version that remembers its row: the id for the line trace,
    its rounding, and the simple VAT rate used when the organisation has no VatRate
    for a category."""

    version_id: int = 0
    tariff_id: int = 0
    rounding: engine.Rounding = field(default_factory=engine.Rounding)
    fallback_vat: tuple[str, Decimal] | None = None
    # Component code → description by language ("ro": "Apă rece"), from params.
    descriptions: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


def check_vat_categories(categories: Iterable[str]) -> None:
    """EN 16931 BR-O-11 and BR-O-12: an invoice with a line not subject to VAT
    (category O) has no line of another category; a version's components all
    land on the same invoice, so O stands alone in a version."""
    found = set(categories)
    if "O" in found and len(found) > 1:
        others = ", ".join(sorted(found - {"O"}))
        raise TariffConfigError(
            f"category O (not subject to VAT) cannot share an invoice with "
            f"category {others} (EN 16931 BR-O-11, BR-O-12)",
            field="vat_category",
        )


def build_component(
    kind: str,
    code: str,
    description: str,
    vat_category: str,
    params: Mapping[str, Any] | None,
    formula: str = "",
    *,
    position: int | None = None,
    default_unit_code: str = "C62",
) -> engine.Component:
    """The engine component for one stored (or submitted) component; raises
    TariffConfigError naming the field when anything is wrong."""
    p = _Params(params or {}, position)
    if not isinstance(code, str) or not CODE_RE.fullmatch(code):
        p.fail("code", "1 to 32 of letters, digits, '_', '.' and '-'")
    if not isinstance(description, str) or not description.strip():
        p.fail("description", "a component needs a line text")
    if len(description) > 200:
        p.fail("description", "at most 200 characters")
    if vat_category not in engine.VatCategory._value2member_map_:
        p.fail("vat_category", f"unknown VAT category {vat_category!r}")
    p.descriptions()
    base = {"code": code, "description": description, "vat_category": vat_category}
    builder = _BUILDERS.get(kind)
    if builder is None:
        p.fail("kind", f"unknown kind {kind!r}; one of {', '.join(_BUILDERS)}")
    try:
        component = builder(p, base, formula, default_unit_code)
    except engine.RatingError as exc:
        p.fail("params", str(exc))
    p.check_unknown()
    return component


def _fixed(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    per = p.choice("per", ("apartment", "meter"), "apartment")
    return engine.FixedCharge(
        **base, amount_per_month=p.price("amount_per_month"), per=per
    )


def _unit_price(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    return engine.UnitPrice(
        **base, unit_price=p.price("unit_price"), unit_code=p.unit_code(unit)
    )


def _excise(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    return engine.ExciseTax(
        **base, unit_price=p.price("unit_price"), unit_code=p.unit_code(unit)
    )


def _block(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    raw = p.get("blocks")
    if not isinstance(raw, list) or not raw:
        p.fail("params.blocks", 'a list of ["limit per month", "price"] pairs')
    blocks = []
    for i, pair in enumerate(raw):
        name = f"params.blocks[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            p.fail(name, 'a ["limit per month", "price"] pair (limit null: no limit)')
        limit = None if pair[0] is None else p.number(f"{name}[0]", pair[0])
        blocks.append((limit, p.number(f"{name}[1]", pair[1], price=True)))
    basis = p.choice("basis", ("incremental", "all_units"), "incremental")
    return engine.BlockPrice(
        **base, blocks=tuple(blocks), unit_code=p.unit_code(unit), basis=basis
    )


def _seasonal(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    raw = p.get("prices_by_month")
    if not isinstance(raw, list) or len(raw) != 12:
        p.fail("params.prices_by_month", "12 prices, January first")
    prices = tuple(
        p.number(f"params.prices_by_month[{i}]", v, price=True)
        for i, v in enumerate(raw)
    )
    return engine.SeasonalPrice(
        **base, prices_by_month=prices, unit_code=p.unit_code(unit)
    )


def _formula(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    if not isinstance(formula, str) or not formula.strip():
        p.fail("formula", "a formula component needs a formula")
    amount = p.formula("formula", formula, base["code"])
    quantity_text = p.get("quantity")
    quantity = None
    if quantity_text is not None:
        if not isinstance(quantity_text, str):
            p.fail("params.quantity", "a formula, as text")
        quantity = p.formula("params.quantity", quantity_text, base["code"])
    return engine.FormulaCharge(
        **base, formula=amount, quantity=quantity, unit_code=p.unit_code("C62")
    )


def _minimum(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    return engine.MinimumCharge(**base, amount_per_month=p.price("amount_per_month"))


def _maximum(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    return engine.MaximumCharge(**base, amount_per_month=p.price("amount_per_month"))


def _time_of_use(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    return engine.TimeOfUseEnergy(**base, tariff=p.urdb())


def _demand(p: _Params, base: dict, formula: str, unit: str) -> engine.Component:
    tariff = p.urdb()
    if not tariff.demand_periods and not tariff.flat_demand_periods:
        p.fail("params.urdb", "the URDB rate has no demand charges")
    return engine.DemandCharge(**base, tariff=tariff)


_BUILDERS = {
    ComponentKind.FIXED.value: _fixed,
    ComponentKind.UNIT_PRICE.value: _unit_price,
    ComponentKind.EXCISE.value: _excise,
    ComponentKind.BLOCK.value: _block,
    ComponentKind.SEASONAL.value: _seasonal,
    ComponentKind.FORMULA.value: _formula,
    ComponentKind.MINIMUM.value: _minimum,
    ComponentKind.MAXIMUM.value: _maximum,
    ComponentKind.TIME_OF_USE.value: _time_of_use,
    ComponentKind.DEMAND.value: _demand,
}
# Components whose lines need a year of hourly load.
NEEDS_INTERVALS = (engine.TimeOfUseEnergy, engine.DemandCharge)


class _Params:
    """Reads one component's params, remembering which keys were used."""

    def __init__(self, params: Mapping[str, Any], position: int | None) -> None:
        if not isinstance(params, Mapping):
            raise TariffConfigError("a JSON object", field="params", position=position)
        self.params = params
        self.position = position
        self.used = {"descriptions"}

    def fail(self, field: str, message: str) -> NoReturn:
        raise TariffConfigError(message, field=field, position=self.position)

    def get(self, key: str) -> Any:
        self.used.add(key)
        return self.params.get(key)

    def check_unknown(self) -> None:
        unknown = sorted(set(self.params) - self.used)
        if unknown:
            self.fail(f"params.{unknown[0]}", "not a parameter of this kind")

    def number(self, name: str, value: Any, price: bool = False) -> Decimal:
        if isinstance(value, float) or isinstance(value, bool):
            self.fail(name, f"write the number as a string ({value!r} is a float)")
        try:
            number = Decimal(str(value)) if isinstance(value, str | int) else None
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            self.fail(name, f"{value!r} is not a number")
        assert number is not None
        if price and not -MAX_PRICE < number < MAX_PRICE:
            self.fail(name, f"must be between -{MAX_PRICE} and {MAX_PRICE}")
        if price and number != number.quantize(PRICE_STEP):
            self.fail(name, "more than 6 decimals")
        return number

    def price(self, key: str) -> Decimal:
        value = self.get(key)
        if value is None:
            self.fail(f"params.{key}", "required")
        number = self.number(f"params.{key}", value, price=True)
        if number < 0:
            self.fail(f"params.{key}", "must not be negative")
        return number

    def choice(self, key: str, allowed: Sequence[str], default: str) -> Any:
        value = self.get(key)
        if value is None:
            return default
        if value not in allowed:
            self.fail(f"params.{key}", f"one of {', '.join(allowed)}, not {value!r}")
        return value

    def unit_code(self, default: str) -> str:
        value = self.get("unit_code")
        if value is None:
            return default
        if not isinstance(value, str) or not UNIT_CODE_RE.fullmatch(value):
            self.fail("params.unit_code", "a UN/ECE Rec 20 code such as MTQ or KWH")
        return str(value)

    def formula(self, name: str, text: str, code: str = "") -> Any:
        owner = f"component {code}" if code else ""
        try:
            return compile_formula(text, FORMULA_NAMES, known_tables=(), owner=owner)
        except FormulaError as exc:
            where = f" at line {exc.line}, column {exc.column}" if exc.line else ""
            self.fail(name, f"{exc.reason}{where}")

    def urdb(self) -> Any:
        rate = self.get("urdb")
        if not isinstance(rate, Mapping):
            self.fail("params.urdb", "the URDB rate object (as exported by OpenEI)")
        try:
            return read_tariff(json.dumps(rate))
        except (FormatError, TariffError, ValueError) as exc:
            self.fail("params.urdb", str(exc))

    def descriptions(self) -> None:
        value = self.params.get("descriptions")
        if value is None:
            return
        if not isinstance(value, Mapping) or not all(
            lang in LANGUAGES and isinstance(text, str) and 0 < len(text) <= 200
            for lang, text in value.items()
        ):
            self.fail(
                "params.descriptions",
                f'line texts by language, e.g. {{"ro": "..."}}; languages '
                f"{', '.join(LANGUAGES)}",
            )


def compile_version(
    version: TariffVersion,
    rows: Sequence[TariffComponent],
    tariff_code: str,
    unit_code: str,
    utility_name: str,
) -> StoredVersion:
    """One stored version as an engine version. Without component rows: a unit
    price and a fixed charge per apartment, in the version's VAT category."""
    if rows:
        built = tuple(
            build_component(
                c.kind,
                c.code,
                c.description,
                c.vat_category,
                c.params,
                c.formula,
                position=c.position,
                default_unit_code=unit_code,
            )
            for c in sorted(rows, key=lambda c: c.position)
        )
        descriptions = {
            c.code: dict((c.params or {}).get("descriptions") or {}) for c in rows
        }
        check_vat_categories(c.vat_category for c in rows)
    else:
        built = simple_components(version, unit_code, utility_name)
        descriptions = {}
    return StoredVersion(
        code=tariff_code,
        valid_from=version.valid_from,
        currency=version.currency,
        components=built,
        version_id=version.pk,
        tariff_id=version.tariff_id,
        rounding=engine.Rounding(version.rounding_mode, version.rounding_point),  # type: ignore[arg-type]
        fallback_vat=(version.vat_category, version.vat_rate_percent),
        descriptions=descriptions,
    )


def simple_components(
    version: TariffVersion, unit_code: str, utility_name: str
) -> tuple[engine.Component, ...]:
    """The components a version without component rows stands for."""
    out: list[engine.Component] = [
        engine.UnitPrice(
            SIMPLE_UNIT,
            utility_name,
            version.vat_category,
            unit_price=version.unit_price_net,
            unit_code=unit_code,
        )
    ]
    if version.fixed_charge_per_month:
        out.append(
            engine.FixedCharge(
                SIMPLE_FIXED,
                utility_name,  # "– fixed charge" is added in the customer's language
                version.vat_category,
                amount_per_month=version.fixed_charge_per_month,
            )
        )
    return tuple(out)


def versions_for(
    tariff_ids: Iterable[int], starts_on: date, ends_on: date
) -> dict[int, list[StoredVersion]]:
    """Every version of each tariff in force on some day of starts_on..ends_on
    (the newest one from before the period, and those starting inside it), compiled
    once each; two queries. A tariff with no version in force at all is absent.
    Raises TariffConfigError for the first stored version that does not compile."""
    found, problems = load_versions(tariff_ids, starts_on, ends_on)
    for message in problems.values():
        raise TariffConfigError(message)
    return found


def load_versions(
    tariff_ids: Iterable[int], starts_on: date, ends_on: date
) -> tuple[dict[int, list[StoredVersion]], dict[int, str]]:
    """As ``versions_for``, but a tariff whose stored version does not compile is
    left out and reported in the second result (tariff id → message), so the other
    tariffs still rate."""
    ids = set(tariff_ids)
    rows = list(
        TariffVersion.objects.filter(tariff_id__in=ids, valid_from__lte=ends_on)
        .select_related("tariff__utility")
        .order_by("tariff_id", "valid_from")
    )
    kept: dict[int, list[TariffVersion]] = defaultdict(list)
    for v in rows:
        if v.valid_from <= starts_on:
            kept[v.tariff_id].clear()  # an older version, replaced before the period
        kept[v.tariff_id].append(v)
    wanted = [v.pk for vs in kept.values() for v in vs]
    parts: dict[int, list[TariffComponent]] = defaultdict(list)
    for c in TariffComponent.objects.filter(version_id__in=wanted):
        parts[c.version_id].append(c)
    out: dict[int, list[StoredVersion]] = {}
    problems: dict[int, str] = {}
    for tariff_id, versions in kept.items():
        try:
            out[tariff_id] = [
                compile_version(
                    v,
                    parts.get(v.pk, []),
                    v.tariff.code,
                    v.tariff.utility.unit_code,
                    v.tariff.utility.name,
                )
                for v in versions
            ]
        except TariffConfigError as exc:
            v = versions[0]
            problems[tariff_id] = f"tariff {v.tariff.code}: {exc}"
    return out, problems


def vat_schedule(organisation_id: int) -> list[engine.VatRates]:
    """The organisation's VAT rates as engine VatRates, one per date on which any
    category's rate changes, each holding every category's rate in force that
    day; Z, E and AE are always 0 and O has no rate. One query."""
    rows = list(
        VatRate.objects.filter(organisation_id=organisation_id)
        .order_by("valid_from")
        .values_list("category", "rate_percent", "valid_from")
    )
    return merge_vat(rows)


def check_vat_exemption(category: str, reason: str, code: str) -> None:
    """A VatRate's exemption reason (BT-120) and VATEX code (BT-121): E, AE and O
    need one of them, S and Z neither; raises TariffConfigError naming the field."""
    if code and not VATEX_RE.fullmatch(code):
        raise TariffConfigError(
            f"{code!r} is not a VATEX code (such as VATEX-EU-132)",
            field="exemption_code",
        )
    if category in EXEMPT_CATEGORIES and not (reason.strip() or code):
        raise TariffConfigError(
            f"category {category} needs an exemption reason or a VATEX code "
            f"(EN 16931 BR-{category}-10)",
            field="exemption_reason",
        )
    if category not in EXEMPT_CATEGORIES and (reason.strip() or code):
        raise TariffConfigError(
            f"category {category} charges VAT: it has no exemption reason "
            f"(EN 16931 BR-{category}-10)",
            field="exemption_reason",
        )


def vat_exemptions(organisation_id: int, on: date) -> dict[str, tuple[str, str]]:
    """Category → (exemption reason, VATEX code) of the organisation's VatRate of
    E, AE and O in force ``on`` (its latest row from that day or before); a
    category without a row, or whose row states neither, is left out. One query."""
    rows = (
        VatRate.objects.filter(
            organisation_id=organisation_id,
            category__in=EXEMPT_CATEGORIES,
            valid_from__lte=on,
        )
        .order_by("valid_from")
        .values_list("category", "exemption_reason", "exemption_code")
    )
    in_force = {category: (reason, code) for category, reason, code in rows}
    return {c: rc for c, rc in in_force.items() if rc[0].strip() or rc[1]}


def merge_vat(
    rows: Iterable[tuple[str, Decimal | None, date]],
) -> list[engine.VatRates]:
    """(category, rate, valid_from) rows into dated VatRates (see vat_schedule)."""
    by_day: dict[date, dict[str, Decimal | None]] = defaultdict(dict)
    for category, rate, valid_from in rows:
        by_day[valid_from][category] = rate
    rates: dict[str, Decimal | None] = dict(FIXED_RATES)
    out = [engine.VatRates(date.min, rates)]
    for day in sorted(by_day):
        rates = {**rates, **by_day[day]}
        out.append(engine.VatRates(day, rates))
    return out


def vat_for(
    schedule: Sequence[engine.VatRates], versions: Sequence[StoredVersion]
) -> list[engine.VatRates]:
    """The organisation's schedule, completed with each version's own VAT rate for
    a category the organisation has no rate for on that day."""
    rows: list[tuple[str, Decimal | None, date]] = []
    for v in versions:
        if v.fallback_vat is None:
            continue
        category, rate = v.fallback_vat
        if not any(category in s.rates for s in schedule):
            rows.append((category, rate, v.valid_from))
    if not rows:
        return list(schedule)
    for s in schedule:
        rows += [(c, r, s.valid_from) for c, r in s.rates.items()]
    return merge_vat(rows)
