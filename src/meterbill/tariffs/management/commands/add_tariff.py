"""``meterbill add-tariff --code ELEC --utility electricity --valid-from 2000-01-01
--unit-price 0.85 --vat 21 [--fixed-per-month 12.00] [--vat-category S]
[--components FILE.json] [--rounding-mode ROUND_HALF_UP] [--rounding-point line]``:
a tariff version (the tariff is created with its first version). With
``--components`` the version prices with the components in the file (a JSON list,
or an object with the "components" list and the "tables" its formulas look up, as
in docs/tariffs.md); ``--unit-price`` may then be left out."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management import BaseCommand, CommandError

from meterbill.engine.json_depth import too_deep
from meterbill.engine.numbers import NotANumber, plain_decimal
from meterbill.orgs.services import SetupRefused, organisation_named
from meterbill.tariffs.services import add_tariff_version

# A version's JSON nests a URDB rate (formats.urdb allows 32 levels) in a component
# in the list in the file's object: 64 levels is ample, and far from the depth at
# which Python's json module gives up with a RecursionError.
MAX_JSON_DEPTH = 64
# The names a version's JSON object may give (a typo such as "table" is refused,
# not ignored with its tables).
VERSION_NAMES = ("components", "tables")


def _decimal(name: str, text: str) -> Decimal:
    try:
        return plain_decimal(text, comma=False, negative=True)
    except NotANumber as exc:
        raise CommandError(f"--{name}: {exc}") from exc


class Command(BaseCommand):
    help = "Add a tariff version (prices net of VAT) in force from a date."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code", required=True)
        parser.add_argument("--utility", required=True, help="utility code")
        parser.add_argument("--valid-from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--unit-price", help="net per unit (simple version)")
        parser.add_argument("--vat", required=True, help="VAT rate in percent")
        parser.add_argument("--fixed-per-month", default="0")
        parser.add_argument("--vat-category", default="S")
        parser.add_argument("--currency")
        parser.add_argument("--name", default="")
        parser.add_argument("--organisation")
        parser.add_argument(
            "--components", help="JSON file: a list of components (docs/tariffs.md)"
        )
        parser.add_argument("--rounding-mode", default="ROUND_HALF_UP")
        parser.add_argument("--rounding-point", default="line", help="line, invoice")

    def handle(self, *args, **o) -> None:
        try:
            valid_from = date.fromisoformat(o["valid_from"])
        except ValueError as exc:
            raise CommandError(f"--valid-from: {exc}") from exc
        components, tables = (
            version_file(o["components"]) if o["components"] else ([], {})
        )
        if o["unit_price"] is None and not components:
            raise CommandError("give --unit-price, or the components with --components")
        try:
            org = organisation_named(o["organisation"])
            version = add_tariff_version(
                org,
                o["code"],
                o["utility"],
                valid_from,
                _decimal("unit-price", o["unit_price"] or "0"),
                _decimal("vat", o["vat"]),
                _decimal("fixed-per-month", o["fixed_per_month"]),
                o["vat_category"],
                o["currency"],
                o["name"],
                components=components,
                rounding_mode=o["rounding_mode"],
                rounding_point=o["rounding_point"],
                tables=tables,
            )
        except SetupRefused as exc:
            where = f"{o['components']}: " if components else ""
            raise CommandError(f"{where}{exc}") from exc
        if components:
            self.stdout.write(
                f"tariff {o['code']}: version from {version.valid_from} with "
                f"{len(components)} components"
                + (f", {len(tables)} lookup tables" if tables else "")
            )
            return
        self.stdout.write(
            f"tariff {o['code']}: version from {version.valid_from} "
            f"({version.unit_price_net} {version.currency}/unit net, "
            f"{version.fixed_charge_per_month} per month, "
            f"VAT {version.vat_rate_percent}%)"
        )


def version_file(name: str) -> tuple[list[Any], dict[str, Any]]:
    """The version's JSON file: a list of components, or an object with the
    "components" list and, optionally, "tables" (name → {key: "value"}). A name
    given twice in one object is refused: JSON would keep only the last."""
    try:
        text = Path(name).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"{name}: cannot read it ({exc})") from exc
    document = _parse(name, text)
    data, tables = document, {}
    if isinstance(document, dict):
        unknown = sorted(set(document) - set(VERSION_NAMES))
        if unknown:
            raise CommandError(
                f"{name}: unknown name {unknown[0]!r} in the version's object "
                f"(it has {' and '.join(repr(n) for n in VERSION_NAMES)})"
            )
        data, tables = document.get("components"), document.get("tables", {})
    if not isinstance(data, list) or not data:
        raise CommandError(f"{name}: a JSON list of components (docs/tariffs.md)")
    if not isinstance(tables, dict):
        raise CommandError(
            f'{name}: "tables" is an object, {{"name": {{"key": "1.20"}}}}'
        )
    return data, tables


def _parse(name: str, text: str) -> Any:
    """The file's JSON, or a CommandError naming the file: the depth is checked
    first (json recurses once per level), and whole numbers longer than any price
    are refused before Python converts them (it gives up at 4,300 digits)."""
    deep = too_deep(text, MAX_JSON_DEPTH)
    if deep is not None:
        raise CommandError(f"{name}, {deep}")
    try:
        return json.loads(
            text, object_pairs_hook=_unique_names, parse_int=_whole_number
        )
    except json.JSONDecodeError as exc:
        raise CommandError(
            f"{name}, line {exc.lineno}, column {exc.colno}: not JSON ({exc.msg})"
        ) from exc
    except (DuplicateName, NumberTooLong) as exc:
        raise CommandError(f"{name}: {exc}") from exc


# More digits than any price, position or count in a version has (prices are
# below 10^12); a longer whole number is refused, not converted.
MAX_WHOLE_DIGITS = 40


class NumberTooLong(ValueError):
    """A whole number in the JSON with more than MAX_WHOLE_DIGITS digits."""


def _whole_number(text: str) -> int:
    if len(text.lstrip("-")) > MAX_WHOLE_DIGITS:
        raise NumberTooLong(
            f"a whole number of {len(text.lstrip('-'))} digits ({text[:12]}…); "
            f"a price has at most 12 digits before the point"
        )
    return int(text)


class DuplicateName(ValueError):
    """A JSON object that gives one name twice."""


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateName(f"{key!r} is given twice in one JSON object")
        out[key] = value
    return out
