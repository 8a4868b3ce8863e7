"""Identifiers typed into the premises screens: VAT ids (checked with python-stdnum
where a country scheme exists), country codes and meter serials."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from babel import Locale
from django.utils.translation import gettext as _
from stdnum import get_cc_module
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
)
from stdnum.exceptions import ValidationError as StdnumError


class InvalidVatId(ValueError):
    """The VAT id does not follow its country's scheme. ``reason`` is one of
    "checksum", "length", "format", "component"; the message is python-stdnum's."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


REASONS = {
    InvalidChecksum: "checksum",
    InvalidLength: "length",
    InvalidFormat: "format",
    InvalidComponent: "component",
}


# Separators people type inside a VAT id ("RO 1854.7290", "GB-980-780-684").
VAT_SEPARATORS = re.compile(r"[\s.\-/]")


@cache
def _countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes of real countries and territories: CLDR's, without
    the codes reserved for private use (AA, QM-QZ, XA-XZ but Kosovo's XK, ZZ) and
    for groupings (EU, EZ, UN)."""
    codes = {
        c
        for c in Locale("en").territories
        if isinstance(c, str) and re.fullmatch(r"[A-Z]{2}", c)
    }
    private = {c for c in codes if c == "AA" or "QM" <= c <= "QZ"}
    private |= {c for c in codes if c.startswith("X") and c != "XK"}
    return frozenset(codes - private - {"ZZ", "EU", "EZ", "UN"})


def is_country(code: str) -> bool:
    """Whether ``code`` is an assigned ISO 3166-1 alpha-2 code ("RO", not "ZZ").

    >>> is_country("RO"), is_country("ZZ")
    (True, False)
    """
    return code in _countries()


def _eu_prefix(vat_id: str) -> bool:
    prefix = vat_id[:2].lower()
    return prefix.isalpha() and (prefix in eu_vat.MEMBER_STATES or prefix == "el")


def _prefix_module(vat_id: str) -> tuple[str, Any]:
    """The country prefix of ``vat_id`` and the scheme it names ("", None: none)."""
    prefix = vat_id[:2].upper()
    if not prefix.isalpha() or not prefix.isascii():
        return "", None
    if _eu_prefix(vat_id):
        return prefix, eu_vat
    module = get_cc_module(prefix.lower(), "vat")
    return (prefix, module) if module is not None else ("", None)


def check_vat_id(vat_id: str, country: str) -> str:
    """``vat_id`` in its compact form (spaces, dots, dashes and slashes removed),
    with its country prefix when one was typed.

    An id with a country prefix ("RO18547290", "GB980780684") is checked by that
    country's scheme; otherwise the scheme of ``country`` (ISO 3166-1 alpha-2) is
    used, when python-stdnum has one. An id of a country without a scheme is kept
    as typed.

    >>> check_vat_id("RO 1854.7290", "RO")
    'RO18547290'
    >>> check_vat_id("GB980780684", "GB")
    'GB980780684'
    >>> check_vat_id("18547290", "RO")
    '18547290'
    """
    compact = VAT_SEPARATORS.sub("", vat_id.strip())
    if not compact:
        return ""
    prefix, module = _prefix_module(compact)
    if module is None and country:
        module = get_cc_module(country.lower(), "vat")
    if module is None:
        return vat_id.strip()
    try:
        number = str(module.validate(compact))
    except StdnumError as error:
        reason = REASONS.get(type(error), "format")
        raise InvalidVatId(reason, str(error)) from error
    # Some schemes (GB, RO) return the number without the prefix that was typed.
    if prefix and not number.upper().startswith(prefix):
        number = prefix + number
    return number


class InvalidSerial(ValueError):
    """A meter serial that could be mistaken for another one."""


def check_serial(serial: str) -> str:
    """``serial`` stripped and in Unicode NFKC form (full-width "Ａ" becomes "A").

    Only printable ASCII is accepted: a Cyrillic "А" or a Unicode hyphen looks like
    the ASCII one on screen and on the meter's plate, and would make a second meter
    of the "same" serial. Serials are compared without regard to case
    (``serial__iexact``), so "a1-1-cw" and "A1-1-CW" are one serial.

    >>> check_serial(" ＡＢ-12 ")
    'AB-12'
    """
    normal = unicodedata.normalize("NFKC", serial).strip()
    for char in normal:
        if not (char.isascii() and char.isprintable()):
            name = unicodedata.name(char, f"U+{ord(char):04X}")
            raise InvalidSerial(
                _(
                    "The serial contains %(char)r (%(name)s): only ASCII letters, "
                    "digits and punctuation."
                )
                % {"char": char, "name": name}
            )
    return normal
