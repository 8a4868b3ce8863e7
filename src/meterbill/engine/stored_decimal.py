"""Whether a number can be stored in a decimal column and read back unchanged.

A decimal column has ``max_digits`` digits, ``decimal_places`` of them after the
point. On PostgreSQL and MariaDB that is the whole story. SQLite has no decimal
type: Django keeps the value as a binary double (REAL) and, reading it back,
quantizes it to the column's places with a precision of ``max_digits``. A double
holds 15 significant decimal digits exactly (C's DBL_DIG); a value with more comes
back rounded, and the rounding may carry into one digit too many
(999999999999.999999 is read back as 1000000000000.000000, 19 digits in an 18-digit
column), which makes every read of the row fail.

So a number meterbill stores has at most 15 significant digits, on every database:
what a form, an upload or the CLI accepts is the same wherever it runs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

# Significant decimal digits a binary double keeps exactly (DBL_DIG).
EXACT_DIGITS = 15


class DecimalColumn(Protocol):
    """A decimal column's shape (a Django ``DecimalField`` has both)."""

    @property
    def max_digits(self) -> int | None: ...

    @property
    def decimal_places(self) -> int | None: ...


@dataclass(frozen=True)
class ColumnFault:
    """Why a number does not fit: ``kind`` is ``not_finite``, ``integer_digits``
    (``limit`` digits before the point), ``decimals`` (``limit`` places) or
    ``significant`` (``limit`` significant digits)."""

    kind: str
    limit: int

    def __str__(self) -> str:
        texts = {
            "not_finite": "must be a finite number",
            "integer_digits": f"too large: at most {self.limit} digits before the "
            f"decimal point",
            "decimals": f"at most {self.limit} decimals",
            "significant": f"at most {self.limit} significant digits",
        }
        return texts[self.kind]


def column_fault(value: Decimal, column: DecimalColumn) -> ColumnFault | None:
    """None when ``value`` fits ``column`` and is read back as it was stored."""
    if not value.is_finite():
        return ColumnFault("not_finite", 0)
    if not value:
        return None
    max_digits = column.max_digits or 0
    places = column.decimal_places or 0
    digits, exponent = _trimmed(value)
    integer_digits = max(value.adjusted() + 1, 0)
    if integer_digits > max_digits - places:
        return ColumnFault("integer_digits", max_digits - places)
    if -exponent > places:
        return ColumnFault("decimals", places)
    if digits > EXACT_DIGITS:
        return ColumnFault("significant", EXACT_DIGITS)
    return None


def _trimmed(value: Decimal) -> tuple[int, int]:
    """(significant digits, exponent) without trailing zeros; exact, unlike
    ``normalize()``, which rounds to the context's precision."""
    digits = value.as_tuple().digits
    exponent = int(value.as_tuple().exponent)
    end = len(digits)
    while end > 1 and digits[end - 1] == 0:
        end -= 1
        exponent += 1
    return end, exponent
