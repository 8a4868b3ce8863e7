"""The EPC payment QR code ("GiroCode", EPC069-12 version 002) for a SEPA credit
transfer in euro, drawn as SVG with segno.

The payload is twelve lines joined by LF; trailing empty lines are left out:

==  =====================================  =====================================
 1  service tag                            ``BCD``
 2  version                                ``002``
 3  character set                          ``1`` (UTF-8)
 4  identification                         ``SCT``
 5  BIC of the beneficiary's bank          optional in version 002 inside the EEA
 6  beneficiary name                       at most 70 characters
 7  beneficiary IBAN                       checked with python-stdnum
 8  amount                                 ``EUR`` + 0.01 … 999999999.99
 9  purpose code                           empty
10  structured reference (ISO 11649 RF)    empty: invoice numbers are not RF refs
11  unstructured remittance text           the invoice number, at most 140
12  beneficiary to originator information  empty
==  =====================================  =====================================

The standard asks for error correction level M and at most QR version 13 (the
payload is at most 331 bytes). It applies to euro transfers only: banks read the
code as a SEPA Credit Transfer order.
"""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import segno
from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError

MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
MAX_BYTES = 331


class EpcError(ValueError):
    """A field the EPC QR code cannot carry; the message names the field."""


def payload(
    name: str, iban: str, amount: Decimal, remittance: str, bic: str = ""
) -> str:
    """The EPC069-12 v002 payload for a euro credit transfer of ``amount`` (a
    Decimal with cents) to ``iban``, with ``remittance`` as unstructured text."""
    name = _single_line("beneficiary name", name)
    if not 0 < len(name) <= 70:
        raise EpcError(f"beneficiary name: 1 to 70 characters, got {len(name)}")
    try:
        iban = stdnum_iban.validate(iban)
        bic = stdnum_bic.validate(bic) if bic.strip() else ""
    except ValidationError as exc:
        raise EpcError(f"IBAN/BIC {iban!r} {bic!r}: {exc}") from exc
    # range first: quantizing 1E+40 would overflow the decimal context
    in_range = amount.is_finite() and MIN_AMOUNT <= amount <= MAX_AMOUNT
    if not in_range or amount != amount.quantize(MIN_AMOUNT):
        raise EpcError(f"amount: {MIN_AMOUNT}…{MAX_AMOUNT} in cents, got {amount}")
    # plain notation with two decimals: Decimal("1E+2") must be written 100.00
    remittance = _single_line("remittance text", remittance)
    if not 0 < len(remittance) <= 140:
        raise EpcError(f"remittance text: 1 to 140 characters, got {len(remittance)}")
    euro = f"EUR{amount.quantize(MIN_AMOUNT):f}"
    lines = ["BCD", "002", "1", "SCT", bic, name, iban, euro, "", ""]
    text = "\n".join([*lines, remittance])
    if len(text.encode("utf-8")) > MAX_BYTES:
        raise EpcError(f"payload: at most {MAX_BYTES} bytes")
    return text


def _single_line(field: str, value: str) -> str:
    """``value`` stripped; refused when it holds a line break or another control
    character: the payload is one field per line, so a line break in a field
    would shift the fields after it (a name followed by another IBAN would be
    read as the beneficiary's account)."""
    value = value.strip()
    bad = next((ch for ch in value if unicodedata.category(ch).startswith("C")), None)
    if bad is not None:
        raise EpcError(
            f"{field}: must be one line without control characters, got {bad!r}"
        )
    return value


def qr_code(text: str) -> segno.QRCode:
    """The QR symbol of an EPC payload: byte mode, UTF-8, level M, version ≤ 13."""
    code = segno.make_qr(
        text.encode("utf-8"), error="m", boost_error=False, mode="byte"
    )
    if code.version > 13:  # type: ignore[operator]
        raise EpcError(f"payload needs QR version {code.version}, at most 13")
    return code


def svg(text: str, size_mm: int = 30) -> str:
    """The QR symbol as an inline ``<svg>`` element ``size_mm`` wide, quiet zone
    included (4 modules, as ISO/IEC 18004 asks)."""
    code = qr_code(text)
    drawn = code.svg_inline(scale=1, border=4, omitsize=True, dark="#000")
    return drawn.replace("<svg ", f'<svg width="{size_mm}mm" height="{size_mm}mm" ', 1)
