"""Stored tariffs into engine objects: component rows into ``engine.components``
components, versions into engine ``TariffVersion``s, VatRate rows into ``VatRates``.

``build_component`` is the one validation of a component's parameters: the save
path, the CLI (``add-tariff --components``) and the web forms all call it, so what
one accepts the others accept. Its errors name the field (``params.blocks[1][0]``)
and, for formulas, the line, column and the unknown name. ``build_table`` is the same
for a version's lookup tables (the price lists its formulas read with ``lookup``):
a formula may only name a table of its own version.

``versions_for`` and ``vat_schedule`` load what a bill run chunk needs in a fixed
number of queries and compile each version once (the chunk then rates thousands of
apartments with the same objects).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Context, Decimal, Inexact, InvalidOperation
from typing import Any, NoReturn

from meterbill.engine import components as engine
from meterbill.engine.formula import FormulaError, Tables, compile_formula
from meterbill.engine.money import precision
from meterbill.engine.numbers import NotANumber, plain_decimal
from meterbill.engine.pricing import SIMPLE_FIXED, SIMPLE_UNIT
from meterbill.engine.stored_decimal import DecimalColumn, column_fault
from meterbill.engine.tariff import TariffError
from meterbill.formats.errors import FormatError
from meterbill.formats.urdb import read_tariff
from meterbill.invoicing.models import InvoiceLine

from .models import (
    ComponentKind,
    LookupTable,
    TariffComponent,
    TariffVersion,
    VatRate,
)

# Net prices: at most 12 integer digits and 6 decimals, as the simple prices.
MAX_PRICE = Decimal(10) ** 12
PRICE_STEP = Decimal("0.000001")


@dataclass(frozen=True)
class _Column:
    max_digits: int
    decimal_places: int


# What an invoice line stores: a price (amount per month, unit price, a block's
# price, a table value) lands in its unit price column, so it also keeps at most 15
# significant digits (stored_decimal). A block limit per month is scaled by the
# period's months into the line's quantity (20 digits): it is held to the price's
# shape, 12 integer digits and 6 decimals, which leaves room for the months.
PRICE_COLUMN: DecimalColumn = InvoiceLine._meta.get_field("unit_price_net")
LIMIT_COLUMN: DecimalColumn = _Column(18, 6)
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
# Lookup tables: a name as a formula quotes it, keys as the formula's quoted texts
# (at most 200 characters, no quote, backslash or line break), values as prices.
TABLE_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,31}")
MAX_KEY_LENGTH = 200
MAX_TABLE_ROWS = 1000
NUMBER_KEY_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# A number key is kept as lookup() writes a number: formula precision, no rounding.
KEY_CONTEXT = Context(prec=34, traps=[Inexact, InvalidOperation])


class TariffConfigError(ValueError):
    """A component or version that cannot be used; ``field`` names what is wrong
    (``params.blocks[1][0]``, ``formula``), ``position`` the component."""

    def __init__(
        self,
        message: str,
        *,
        field: str = "",
        position: int | None = None,
        component: str = "",
    ):
        self.field = field
        self.position = position
        self.reason = message
        where = []
        if position is not None:
            where.append(f"component {position}")
        if field:
            where.append(field)
        prefix = ", ".join(where)
        # ``component``: the component's code, said before the reason (a form
        # shows ``reason`` on the component's own field, without it)
        text = f"{component}: {message}" if component else message
        super().__init__(f"{prefix}: {text}" if prefix else text)


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
    tables: Iterable[str] = (),
) -> engine.Component:
    """The engine component for one stored (or submitted) component; raises
    TariffConfigError naming the field when anything is wrong. ``tables``: the
    names of the version's lookup tables, the only ones its formulas may read."""
    p = _Params(params or {}, position, tables, code)
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
        limit = None
        if pair[0] is not None:
            limit = p.number(f"{name}[0]", pair[0], column=LIMIT_COLUMN)
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

    def __init__(
        self,
        params: Mapping[str, Any],
        position: int | None,
        tables: Iterable[str],
        code: str = "",
    ) -> None:
        if not isinstance(params, Mapping):
            raise TariffConfigError("a JSON object", field="params", position=position)
        self.params = params
        self.position = position
        self.tables = tuple(tables)
        self.code = code if isinstance(code, str) else ""
        self.used = {"descriptions"}

    def fail(self, field: str, message: str, *, named: bool = False) -> NoReturn:
        """Refuse ``field``; ``named``: the message also names the component."""
        component = self.code if named else ""
        raise TariffConfigError(
            message, field=field, position=self.position, component=component
        )

    def get(self, key: str) -> Any:
        self.used.add(key)
        return self.params.get(key)

    def check_unknown(self) -> None:
        unknown = sorted(set(self.params) - self.used)
        if unknown:
            self.fail(f"params.{unknown[0]}", "not a parameter of this kind")

    def number(
        self,
        name: str,
        value: Any,
        price: bool = False,
        column: DecimalColumn | None = None,
    ) -> Decimal:
        """The number ``value`` (a string or an int). A ``price`` is below 10^12
        with at most 6 decimals; every number fits its invoice line ``column``
        (a price's by default): digits, decimals and 15 significant digits."""
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
        if column is None and price:
            column = PRICE_COLUMN
        fault = None if column is None else column_fault(number, column)
        if fault is not None:
            self.fail(name, str(fault), named=True)
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
            return compile_formula(
                text, FORMULA_NAMES, known_tables=self.tables, owner=owner
            )
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


def table_key(raw: Any) -> str:
    """A lookup key as ``lookup()`` finds it: a quoted text as written (spaces
    around it dropped), a number by its plain text ("2.50" and "2.5" are "2.5",
    the key ``lookup("t", 2.50)`` reads). Raises ValueError saying what is wrong."""
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ValueError(f"a key is a text, not {raw!r}")
    text = str(raw).strip()
    if not text:
        raise ValueError("the key is empty")
    if len(text) > MAX_KEY_LENGTH:
        raise ValueError(f"a key has at most {MAX_KEY_LENGTH} characters")
    if any(c in "\"'\\" or not c.isprintable() for c in text):
        raise ValueError(
            f"key {text[:40]!r}: a formula cannot quote a key with quotes, "
            f"backslashes or control characters"
        )
    if not NUMBER_KEY_RE.fullmatch(text):
        return text
    try:
        number = KEY_CONTEXT.normalize(Decimal(text))
    except Inexact:
        raise ValueError(f"key {text[:40]!r}: more than 34 digits") from None
    plain = format(number, "f")
    return "0" if plain in ("-0", "0") else plain


def table_value(raw: Any) -> Decimal:
    """A table's value: a decimal written with a point (a JSON string or whole
    number, never a float), below 10^12 in size, at most 6 decimals and 15
    significant digits, as prices are. Raises ValueError saying what is wrong."""
    if isinstance(raw, float):
        raise ValueError(f"write the number as a string ({raw!r} is a float)")
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        raise ValueError(f"{raw!r} is not a number")
    try:
        value = plain_decimal(str(raw), comma=False, negative=True, places=6)
    except NotANumber as exc:
        raise ValueError(str(exc)) from None
    if not -MAX_PRICE < value < MAX_PRICE:
        raise ValueError(f"{raw} must be between -{MAX_PRICE} and {MAX_PRICE}")
    fault = column_fault(value, PRICE_COLUMN)
    if fault is not None:
        raise ValueError(f"{raw}: {fault}")
    return value


def check_table_name(name: Any) -> str:
    """The table's name, or TariffConfigError saying why it is not one."""
    if not isinstance(name, str) or not name.strip():
        raise TariffConfigError("a table needs a name", field="tables")
    if not TABLE_NAME_RE.fullmatch(name):
        raise TariffConfigError(
            f"table name {name[:40]!r}: 1 to 32 of letters, digits and '_', "
            f"not starting with a digit",
            field="tables",
        )
    return name


def build_table(name: Any, rows: Iterable[tuple[Any, Any]]) -> dict[str, Decimal]:
    """A lookup table's key → value, checked: its name and its rows
    (``check_rows``). Errors name the table and the key: ``tables.zone["A"]``."""
    name = check_table_name(name)
    return check_rows(rows, f"tables.{name}")


def check_rows(rows: Iterable[tuple[Any, Any]], field: str) -> dict[str, Decimal]:
    """(key, value) rows as key → value: each key (``table_key``) once only, each
    value a price (``table_value``), 1 to MAX_TABLE_ROWS rows; TariffConfigError
    names ``field`` and the key."""
    out: dict[str, Decimal] = {}
    for raw_key, raw_value in rows:
        try:
            key = table_key(raw_key)
        except ValueError as exc:
            raise TariffConfigError(str(exc), field=field) from None
        where = f"{field}[{key!r}]"
        if key in out:
            raise TariffConfigError("the key is given twice", field=where)
        try:
            out[key] = table_value(raw_value)
        except ValueError as exc:
            raise TariffConfigError(str(exc), field=where) from None
        if len(out) > MAX_TABLE_ROWS:
            raise TariffConfigError(f"at most {MAX_TABLE_ROWS} rows", field=field)
    if not out:
        raise TariffConfigError("a table needs at least one row", field=field)
    return out


def build_tables(tables: Iterable[LookupTable]) -> dict[str, dict[str, Decimal]]:
    """A version's stored tables as the engine's ``Tables`` (name → key → value)."""
    return {t.name: build_table(t.name, _pairs(t.rows, t.name)) for t in tables}


def _pairs(rows: Any, name: str) -> list[tuple[Any, Any]]:
    if not isinstance(rows, list) or not all(
        isinstance(r, list) and len(r) == 2 for r in rows
    ):
        raise TariffConfigError("rows are [key, value] pairs", field=f"tables.{name}")
    return [(key, value) for key, value in rows]


def tables_read(component: TariffComponent) -> set[str]:
    """The lookup tables a stored component's formulas read (none for another
    kind, nor from a formula that does not compile)."""
    if component.kind != ComponentKind.FORMULA:
        return set()
    texts = [component.formula, (component.params or {}).get("quantity")]
    out: set[str] = set()
    for text in texts:
        if isinstance(text, str) and text.strip():
            try:
                out.update(compile_formula(text, FORMULA_NAMES).tables)
            except FormulaError:
                continue
    return out


def compile_version(
    version: TariffVersion,
    rows: Sequence[TariffComponent],
    tariff_code: str,
    unit_code: str,
    utility_name: str,
    tables: Sequence[LookupTable] = (),
) -> StoredVersion:
    """One stored version as an engine version, with its lookup tables. Without
    component rows: a unit price and a fixed charge per apartment, in the
    version's VAT category."""
    lookup: Tables = build_tables(tables)
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
                tables=lookup,
            )
            for c in sorted(rows, key=lambda c: c.position)
        )
        # time-of-use months are rounded once, to the currency's smallest amount
        step = precision(version.currency)
        built = tuple(
            replace(c, money_step=step) if isinstance(c, NEEDS_INTERVALS) else c
            for c in built
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
        tables=lookup,
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
    once each with their lookup tables; three queries. A tariff with no version in
    force at all is absent. Raises TariffConfigError for the first stored version
    that does not compile."""
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
    tables: dict[int, list[LookupTable]] = defaultdict(list)
    for t in LookupTable.objects.filter(version_id__in=wanted):
        tables[t.version_id].append(t)
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
                    tables.get(v.pk, []),
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
    a category the organisation has no rate for on that day: on each date on
    which either changes, the organisation's rates in force that day over the
    versions' own (each from its version's ``valid_from`` until the next version
    with a rate of that category). A version's own rate the organisation's
    replaces on every day it would apply is never checked (S at 0 %)."""
    own: dict[date, dict[str, Decimal | None]] = defaultdict(dict)
    for v in versions:
        if v.fallback_vat is not None:
            category, rate = v.fallback_vat
            own[v.valid_from][category] = rate
    if not own:
        return list(schedule)
    org = sorted(schedule, key=lambda s: s.valid_from)
    out: list[engine.VatRates] = []
    in_force: dict[str, Decimal | None] = dict(FIXED_RATES)
    for day in sorted({date.min, *own, *(s.valid_from for s in org)}):
        in_force = {**in_force, **own.get(day, {})}
        org_rates = [s.rates for s in org if s.valid_from <= day]
        rates = {**in_force, **(org_rates[-1] if org_rates else {})}
        out.append(engine.VatRates(day, rates))
    return out
