"""Value information (VIF/VIFE) tables of EN 13757-3:2018, section 6.4 and annex E.

A VIF names a quantity, its unit and a decimal exponent. ``describe_vif`` turns the
primary VIF (and, for the 0xFB/0xFD extension tables, the first VIFE) into a
``Quantity``; the value of a record is then ``raw × 10^exponent`` in ``unit``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quantity:
    """What a VIF says: quantity name (our vocabulary), unit and decimal exponent."""

    name: str
    unit: str
    exponent: int = 0


UNKNOWN = Quantity("unknown", "")

_DURATION_UNITS = ("s", "min", "h", "d")


def describe_primary(vif: int) -> Quantity:
    """Describe a primary VIF (extension bit cleared), EN 13757-3 table 10."""
    code = vif & 0x7F
    n3 = code & 0x07
    n2 = code & 0x03
    if code <= 0x07:
        return Quantity("energy", "Wh", n3 - 3)
    if code <= 0x0F:
        return Quantity("energy", "J", n3)
    if code <= 0x17:
        return Quantity("volume", "m3", n3 - 6)
    if code <= 0x1F:
        return Quantity("mass", "kg", n3 - 3)
    if code <= 0x23:
        return Quantity("on_time", _DURATION_UNITS[n2])
    if code <= 0x27:
        return Quantity("operating_time", _DURATION_UNITS[n2])
    if code <= 0x2F:
        return Quantity("power", "W", n3 - 3)
    if code <= 0x37:
        return Quantity("power", "J/h", n3)
    if code <= 0x3F:
        return Quantity("volume_flow", "m3/h", n3 - 6)
    if code <= 0x47:
        return Quantity("volume_flow", "m3/min", n3 - 7)
    if code <= 0x4F:
        return Quantity("volume_flow", "m3/s", n3 - 9)
    if code <= 0x57:
        return Quantity("mass_flow", "kg/h", n3 - 3)
    if code <= 0x5B:
        return Quantity("flow_temperature", "C", n2 - 3)
    if code <= 0x5F:
        return Quantity("return_temperature", "C", n2 - 3)
    if code <= 0x63:
        return Quantity("temperature_difference", "K", n2 - 3)
    if code <= 0x67:
        return Quantity("external_temperature", "C", n2 - 3)
    if code <= 0x6B:
        return Quantity("pressure", "bar", n2 - 3)
    if code == 0x6C:
        return Quantity("date", "date")
    if code == 0x6D:
        return Quantity("datetime", "datetime")
    if code == 0x6E:
        return Quantity("hca", "hca")
    if 0x70 <= code <= 0x73:
        return Quantity("averaging_duration", _DURATION_UNITS[n2])
    if 0x74 <= code <= 0x77:
        return Quantity("actuality_duration", _DURATION_UNITS[n2])
    named = {
        0x78: "fabrication_no",
        0x79: "enhanced_id",
        0x7A: "bus_address",
    }
    if code in named:
        return Quantity(named[code], "")
    return UNKNOWN


def describe_fb(vife: int) -> Quantity:
    """The first extension table (VIF 0xFB), EN 13757-3 table 14."""
    code = vife & 0x7F
    n1 = code & 0x01
    if code <= 0x01:
        return Quantity("energy", "Wh", n1 + 5)  # MWh × 10^(n-1)
    if 0x08 <= code <= 0x09:
        return Quantity("energy", "J", n1 + 8)  # GJ × 10^(n-1)
    if 0x10 <= code <= 0x11:
        return Quantity("volume", "m3", n1 + 2)
    if 0x18 <= code <= 0x19:
        return Quantity("mass", "kg", n1 + 5)
    if 0x28 <= code <= 0x29:
        return Quantity("power", "W", n1 + 5)
    if 0x30 <= code <= 0x31:
        return Quantity("power", "J/h", n1 + 8)
    if 0x58 <= code <= 0x5B:
        return Quantity("flow_temperature", "F", (code & 0x03) - 3)
    if 0x5C <= code <= 0x5F:
        return Quantity("return_temperature", "F", (code & 0x03) - 3)
    if 0x1A <= code <= 0x1B:
        return Quantity("relative_humidity", "%", n1 - 1)
    if 0x74 <= code <= 0x77:
        return Quantity("cold_warm_temperature_limit", "C", (code & 0x03) - 3)
    return UNKNOWN


def describe_fd(vife: int) -> Quantity:
    """The second extension table (VIF 0xFD), EN 13757-3 table 13."""
    code = vife & 0x7F
    named = {
        0x08: "access_number",
        0x09: "medium",
        0x0A: "manufacturer",
        0x0B: "parameter_set",
        0x0C: "model_version",
        0x0D: "hardware_version",
        0x0E: "firmware_version",
        0x0F: "software_version",
        0x10: "customer_location",
        0x11: "customer",
        0x16: "password",
        0x17: "error_flags",
        0x1A: "digital_output",
        0x1B: "digital_input",
        0x3A: "dimensionless",
        0x60: "reset_counter",
        0x61: "cumulation_counter",
    }
    if code in named:
        return Quantity(named[code], "")
    if 0x40 <= code <= 0x4F:
        return Quantity("voltage", "V", (code & 0x0F) - 9)
    if 0x50 <= code <= 0x5F:
        return Quantity("current", "A", (code & 0x0F) - 12)
    if code == 0x74:
        return Quantity("remaining_battery", "d")
    return UNKNOWN


# Combinable VIFEs (EN 13757-3 table 15) that change what a value means: a record
# carrying one of them is not the plain register of its quantity.
VIFE_BACKWARD = 0x3C  # accumulation of the absolute value only if negative
VIFE_FORWARD = 0x3B  # accumulation only if positive
_PER_UNIT = range(0x20, 0x3A)  # "per second", "per litre", "start date of", …
_LIMITS = range(0x40, 0x70)  # limit values, exceed counts, durations of limits


def changes_meaning(vife: int) -> bool:
    """True if a combinable VIFE makes the record something else than the register."""
    code = vife & 0x7F
    return code == VIFE_BACKWARD or code in _PER_UNIT or code in _LIMITS


def correction_exponent(vife: int) -> int | None:
    """The power of ten a multiplicative-correction VIFE (0x70-0x77) applies."""
    code = vife & 0x7F
    if 0x70 <= code <= 0x77:
        return (code & 0x07) - 6
    if code == 0x7D:
        return 3
    return None
