"""Numbers as people type them and files write them, parsed one way everywhere.

``Decimal("١٢")`` is 12 and ``\\d`` matches the digits of every script, so a
look-alike typed by mistake, or pasted from another script, would pass as a number.
Only ASCII digits are numbers here; no exponent, no thousands separator, no NaN or
infinity, at most one decimal separator.
"""

from __future__ import annotations

import re
from decimal import Decimal

_PLAIN = re.compile(r"([+-]?)([0-9]+)(?:([.,])([0-9]+))?")
# xsd:decimal also writes "0.5" as ".5" and "5" as "5.".
_LONE_POINT = re.compile(r"([+-]?)([0-9]*)(?:([.])([0-9]*))?")


class NotANumber(ValueError):
    """The text is not a plain number; the message says why, in words."""


def plain_decimal(
    text: str,
    *,
    comma: bool = True,
    negative: bool = False,
    places: int | None = None,
    lone_point: bool = False,
) -> Decimal:
    """The Decimal written in ``text`` (spaces around it ignored).

    ``comma``: a decimal comma is accepted as well as a point; ``negative``: a
    leading minus is accepted; ``places``: more decimals than that are refused
    unless they are trailing zeros (12.340 is 12.34), so that nothing is rounded
    away; ``lone_point``: a point with no digits on one side is accepted, as
    xsd:decimal writes it (".5", "5."; never the comma). Raises NotANumber."""
    match = _PLAIN.fullmatch(text.strip())
    if match is None and lone_point:
        match = _LONE_POINT.fullmatch(text.strip())
        if match is not None and not (match.group(2) or match.group(4)):
            match = None  # a sign or a point alone is no number
    if match is None:
        raise NotANumber(f"{text.strip()[:40]!r} is not a number")
    sign, whole, separator, fraction = match.groups()
    whole = whole or "0"
    if sign == "-" and not negative:
        raise NotANumber(f"{text.strip()[:40]!r} is negative")
    if separator == "," and not comma:
        raise NotANumber(f"{text.strip()[:40]!r}: the decimal separator is a point")
    fraction = fraction or ""
    if places is not None and len(fraction.rstrip("0")) > places:
        raise NotANumber(
            f"{text.strip()[:40]!r} has more than {places} decimals, "
            "which would be rounded away"
        )
    return Decimal(f"{sign}{whole}.{fraction}" if fraction else f"{sign}{whole}")
