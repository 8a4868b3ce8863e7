"""Checks on one keyed-in index, before it is saved (pure: no Django).

The same rules the bill run applies later (``engine.validation``), told to the person
at the keyboard at once: a value that is not a number, an index below the previous one
(``register_decrease``: a misread, or a meter exchange to record first) and a date
outside the period being entered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

# Digits with one optional decimal separator, "." or "," (as typed in Romanian).
_NUMBER = re.compile(r"^\d{1,14}(?:[.,]\d{1,6})?$")


@dataclass(frozen=True)
class EntryError:
    field: str  # "value" or "read_on"
    code: str  # "not_a_number", "register_decrease", "outside_period"


def parse_index(text: str) -> Decimal | None:
    """The index typed as text, as a Decimal; None if it is not a plain non-negative
    number (no exponent, no thousands separator, at most 6 decimals)."""
    text = text.strip()
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


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
