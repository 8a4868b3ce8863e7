"""The row every meter-reading reader returns, whatever the file format."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal


@dataclass(frozen=True, slots=True)
class ReadingRow:
    line: int  # 1-based line in the source file (first line of the record)
    meter_ref: str  # meter serial, or the NMI for NEM12/13, as in the file
    register: str  # NEM12/13: the NMI suffix (E1, B1, Q1 …); CSV: "" if absent
    read_on: datetime.date  # date of the index, or LAST day covered by a consumption
    value: Decimal  # the index (kind="index") or the consumed units ("consumption")
    kind: Literal["index", "consumption"]
    unit: str  # as normalised: "kWh", "kVArh", "m3", "MWh", "GJ", "units" …
    # A actual, E estimated, S substituted, F final substituted, N null, V variable
    quality: str = "A"
    period_start: datetime.date | None = None  # first day covered, for consumption
    meter_serial: str = ""  # NEM12/13: the meter serial number (MeterSerialNumber)
    source_ref: str = ""  # e.g. "NEM12 300-record at line 3" — for the audit trail
