"""What a radio meter's id and AES key must look like before they are stored.

The radio id is the identification number of the meter's link-layer address
(EN 13757-4, A-field: four bytes sent least significant first, printed as eight
digits, BCD on most meters, hex on some). The key of an encrypted meter is AES-128:
16 bytes, 32 hex digits. Only ASCII digits and letters a-f count: Python's
``int``/``bytes.fromhex`` and regular expressions would take other scripts' digits.
"""

from __future__ import annotations

import re

RADIO_ID_DIGITS = 8
AES_KEY_DIGITS = 32
_RADIO_ID = re.compile(rf"[0-9A-Fa-f]{{{RADIO_ID_DIGITS}}}")
_AES_KEY = re.compile(rf"[0-9A-Fa-f]{{{AES_KEY_DIGITS}}}")


def radio_id_problem(radio_id: str) -> str | None:
    """Why ``radio_id`` cannot be a meter's radio id, or None when it can."""
    if not _RADIO_ID.fullmatch(radio_id):
        return f"radio id {radio_id!r} is not {RADIO_ID_DIGITS} hexadecimal digits"
    return None


def aes_key_problem(key: str) -> str | None:
    """Why ``key`` cannot be an AES-128 key, or None when it can."""
    if not _AES_KEY.fullmatch(key):
        return f"the AES key is not {AES_KEY_DIGITS} hexadecimal digits"
    return None


def radio_ref(radio_id: str) -> str:
    """The form telegrams are matched by: lower case, without leading zeros."""
    return radio_id.strip().lower().lstrip("0") or "0"
