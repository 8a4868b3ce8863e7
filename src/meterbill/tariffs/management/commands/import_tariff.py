"""``meterbill import-tariff --format urdb|json FILE --code ELEC --utility
electricity --valid-from 2026-01-01 [--label ...]``: a tariff version from a file.

``urdb``: a US Utility Rate Database rate (the OpenEI v7 export, or an API response
whose first item, or the one with ``--label``, is taken) becomes the components
``time_of_use`` (energy), ``demand`` (when the rate has demand charges), ``fixed``
(``$/month``; ``$/day`` becomes a formula × days) and ``minimum`` (``$/month``).
``json``: a list of components, or an object with the "components" list and the
"tables" its formulas look up, as in docs/tariffs.md."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.management import BaseCommand, CommandError

from meterbill.engine.tariff import ChargeUnit, Tariff
from meterbill.formats.errors import FormatError
from meterbill.formats.urdb import read_tariff
from meterbill.orgs.services import SetupRefused, organisation_named
from meterbill.tariffs.services import add_tariff_version

from .add_tariff import _decimal, version_file


class Command(BaseCommand):
    help = "Import a tariff version from a URDB rate or a components file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--format", required=True, choices=["urdb", "json"])
        parser.add_argument("--code", required=True)
        parser.add_argument("--utility", required=True, help="utility code")
        parser.add_argument("--valid-from", required=True, help="YYYY-MM-DD")
        parser.add_argument("--vat", default="0", help="VAT %% if no VatRate exists")
        parser.add_argument("--vat-category", default="S")
        parser.add_argument("--label", help="URDB: the rate's label in a response")
        parser.add_argument("--name", default="")
        parser.add_argument("--organisation")

    def handle(self, *args, **o) -> None:
        try:
            valid_from = date.fromisoformat(o["valid_from"])
        except ValueError as exc:
            raise CommandError(f"--valid-from: {exc}") from exc
        tables: dict[str, Any] = {}
        if o["format"] == "json":
            components, tables = version_file(o["file"])
        else:
            components = urdb_components(o["file"], o["label"], o["vat_category"])
        try:
            org = organisation_named(o["organisation"])
            version = add_tariff_version(
                org,
                o["code"],
                o["utility"],
                valid_from,
                Decimal(0),
                _decimal("vat", o["vat"]),
                vat_category=o["vat_category"],
                name=o["name"],
                components=components,
                tables=tables,
            )
        except SetupRefused as exc:
            raise CommandError(f"{o['file']}: {exc}") from exc
        kinds = ", ".join(str(c["kind"]) for c in components)
        self.stdout.write(
            f"tariff {o['code']}: version from {version.valid_from} with "
            f"{len(components)} components ({kinds})"
            + (f", {len(tables)} lookup tables" if tables else "")
        )


def urdb_components(name: str, label: str | None, vat: str) -> list[dict[str, Any]]:
    """The components a URDB rate stands for (see the module docstring)."""
    try:
        data = Path(name).read_bytes()
    except OSError as exc:
        raise CommandError(f"{name}: cannot read it ({exc})") from exc
    try:
        tariff = read_tariff(data, filename=name, label=label)
    except FormatError as exc:
        raise CommandError(str(exc)) from exc
    rate = _rate_object(json.loads(data), label)
    out: list[dict[str, Any]] = [
        _component("time_of_use", "ENERGY", "Energy", vat, {"urdb": rate})
    ]
    if tariff.demand_periods or tariff.flat_demand_periods:
        out.append(_component("demand", "DEMAND", "Demand", vat, {"urdb": rate}))
    out += _fixed_and_minimum(tariff, vat)
    return out


def _fixed_and_minimum(tariff: Tariff, vat: str) -> list[dict[str, Any]]:
    out = []
    if tariff.fixed_charge:
        amount = _price_text(tariff.fixed_charge)
        if tariff.fixed_charge_unit is ChargeUnit.PER_MONTH:
            params = {"amount_per_month": amount}
            out.append(_component("fixed", "FIXED", "Fixed charge", vat, params))
        else:
            fixed = _component("formula", "FIXED", "Fixed charge", vat, {})
            fixed["formula"] = f"{amount} * days"
            out.append(fixed)
    if tariff.min_charge:
        if tariff.min_charge_unit is not ChargeUnit.PER_MONTH:
            raise CommandError(
                "mincharge per day or per year cannot be imported as a component; "
                "use $/month"
            )
        params = {"amount_per_month": _price_text(tariff.min_charge)}
        out.append(_component("minimum", "MIN", "Minimum charge", vat, params))
    return out


def _component(
    kind: str, code: str, description: str, vat: str, params: dict[str, Any]
) -> dict[str, Any]:
    return {
        "kind": kind,
        "code": code,
        "description": description,
        "vat_category": vat,
        "params": params,
    }


def _rate_object(document: Any, label: str | None) -> Any:
    if isinstance(document, dict) and isinstance(document.get("items"), list):
        items = document["items"]
        if label is None:
            return items[0]
        return next(i for i in items if isinstance(i, dict) and i.get("label") == label)
    return document


def _price_text(value: Decimal) -> str:
    """A URDB charge at the 6 decimals prices are stored with: URDB files carry
    binary-float noise (35.280000000000001 for 35.28)."""
    return format(value.quantize(Decimal("0.000001")).normalize(), "f")
