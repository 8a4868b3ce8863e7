"""Reading flags from a telegram: the words of ``engine.rules.READING_FLAGS``.

Sources, EN 13757-3/-7 and OMS:

- the status byte of the transport header (EN 13757-7 table 7): application status
  ``1`` busy → ``busy``, ``2`` application error → ``fault``, ``3`` alarm → ``alarm``
  (OMS: a device alarm such as tampering or leakage); bit 2 power low →
  ``low_battery``; bit 3 permanent error and bit 4 temporary error → ``fault``;
- an "error flags" data record (VIF FD 17) other than 0 → ``fault``.

The manufacturer-specific bits 5-7 of the status byte mean nothing common and are
not read.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .telegram import Telegram

_STATUS_WORDS = {
    "BUSY": "busy",
    "APPLICATION_ERROR": "fault",
    "ALARM": "alarm",
    "POWER_LOW": "low_battery",
    "PERMANENT_ERROR": "fault",
    "TEMPORARY_ERROR": "fault",
}


def telegram_flags(telegram: Telegram) -> frozenset[str]:
    """The reading flags a decoded telegram carries; empty when all is well."""
    words = {_STATUS_WORDS[name] for name in telegram.status_flags}
    for record in telegram.records:
        if record.quantity.name != "error_flags" or record.storage != 0:
            continue
        if isinstance(record.value, Decimal) and record.value != 0:
            words.add("fault")
    return frozenset(words)
