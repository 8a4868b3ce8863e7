"""Wireless M-Bus / OMS telegrams (EN 13757-3, -4, -7): decoder and file reader."""

from .reader import TelegramReading, read
from .records import Record
from .security import KeyMissing, WrongKey
from .telegram import FormatCache, Telegram, decode, decode_all

__all__ = [
    "FormatCache",
    "KeyMissing",
    "Record",
    "Telegram",
    "TelegramReading",
    "WrongKey",
    "decode",
    "decode_all",
    "read",
]
