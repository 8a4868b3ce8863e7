"""Cells of the CSV files the product writes, safe to open in a spreadsheet.

A text cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage
return before one) is read by Excel and LibreOffice as a formula: a meter serial
``=HYPERLINK("http://…","A1-1-CW")`` would come back as a live link ("CSV
injection", OWASP). Such a cell is written with a leading apostrophe, which the
spreadsheets show as text; a number such as ``-12.5`` is left as it is, as it is
no formula. Every CSV export writes its cells through :func:`cell` or
:func:`row`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def cell(value: Any) -> Any:
    """``value`` unchanged, or prefixed with ``'`` when it is text a spreadsheet
    would read as a formula.

    >>> cell('=HYPERLINK("http://x","A1")')
    '\\'=HYPERLINK("http://x","A1")'
    >>> cell("-12.5"), cell("A1-1-CW"), cell(None)
    ('-12.5', 'A1-1-CW', None)
    """
    if (
        isinstance(value, str)
        and value.startswith(TRIGGERS)
        and not _NUMBER.fullmatch(value)
    ):
        return "'" + value
    return value


def row(record: Mapping[str, Any]) -> dict[str, Any]:
    """A CSV record (as for ``csv.DictWriter``) with every cell made safe."""
    return {key: cell(value) for key, value in record.items()}
