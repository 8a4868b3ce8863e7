"""Checks on one keyed-in index, before it is saved (pure: no Django).

The same rules the bill run applies later (``engine.validation``), told to the person
at the keyboard at once: a value that is not a number, an index below the previous one
(``register_decrease``: a misread, or a meter exchange to record first) and a date
outside the period being entered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .numbers import NotANumber, plain_decimal

# What Reading.value holds: 14 integer digits and 6 decimals.
INDEX_DIGITS = 14
INDEX_PLACES = 6


@dataclass(frozen=True)
class EntryError:
    field: str  # "value" or "read_on"
    code: str  # "not_a_number", "register_decrease", "outside_period"


def parse_index(text: str) -> Decimal | None:
    """The index typed as text, as a Decimal; None if it is not a plain non-negative
    number (ASCII digits, "." or "," as the decimal separator, no exponent, no
    thousands separator, at most 14 integer digits and 6 decimals)."""
    try:
        value = plain_decimal(text, places=INDEX_PLACES)
    except NotANumber:
        return None
    if value and value.adjusted() >= INDEX_DIGITS:
        return None
    return value


def check_index(
    text: str,
    read_on: date,
    starts_on: date,
    ends_on: date,
    previous: Decimal | None,
) -> tuple[Decimal | None, list[EntryError]]:
    """The parsed value and the errors that keep it from being saved."""
    errors: list[EntryError] = []
    if not starts_on <= read_on <= ends_on:
        errors.append(EntryError("read_on", "outside_period"))
    value = parse_index(text)
    if value is None:
        errors.append(EntryError("value", "not_a_number"))
    elif previous is not None and value < previous:
        errors.append(EntryError("value", "register_decrease"))
    return value, errors
