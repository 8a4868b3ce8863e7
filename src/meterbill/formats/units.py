"""Units that differ only by a decimal prefix, and exact conversion between them.

A register keeps its readings in one unit; a file may give the same quantity in
another of the same kind (Wh for a kWh register, a day of MSCONS re-sent in MWh).
Such values convert exactly, by a power of ten; values of different kinds (kWh and
m3, kWh and kVArh) never convert.
"""

from __future__ import annotations

from decimal import Decimal

# unit → (base unit, power of ten of the base unit)
SCALES: dict[str, tuple[str, int]] = {
    "Wh": ("Wh", 0),
    "kWh": ("Wh", 3),
    "MWh": ("Wh", 6),
    "VArh": ("VArh", 0),
    "kVArh": ("VArh", 3),
    "MVArh": ("VArh", 6),
    "VAh": ("VAh", 0),
    "kVAh": ("VAh", 3),
    "MVAh": ("VAh", 6),
    "MJ": ("J", 6),
    "GJ": ("J", 9),
    "l": ("m3", -3),
    "m3": ("m3", 0),
    "units": ("units", 0),
    "HCA": ("units", 0),
}


def power_between(unit: str, target: str) -> int | None:
    """The power of ten that turns a value in ``unit`` into ``target``
    (``value.scaleb(power)``), or None when they are not of the same kind or
    one of them is not known."""
    source, into = SCALES.get(unit), SCALES.get(target)
    if source is None or into is None or source[0] != into[0]:
        return None
    return source[1] - into[1]


def in_unit(value: Decimal, unit: str, target: str) -> Decimal | None:
    """``value`` in ``unit`` expressed in ``target``: exact, by a power of ten;
    unchanged when either unit is empty or both are the same; None when they
    cannot convert."""
    if not unit or not target or unit == target:
        return value
    power = power_between(unit, target)
    return None if power is None else value.scaleb(power)
