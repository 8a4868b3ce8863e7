"""Meter readings in our documented layout, from the first sheet of an XLSX workbook.

The columns and row rules are those of the CSV layout (``csv_readings``); the line
of a row is its sheet row number. Numeric cells arrive from openpyxl as floats and
are taken through their shortest repr, which is the number as the sheet stores it.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Mapping

from openpyxl import load_workbook

from . import csv_readings
from .errors import InvalidFormat, ReadResult
from .readings import ReadingRow


def read(
    data: bytes | str,
    *,
    filename: str = "",
    column_map: Mapping[str, str] | None = None,
    date_format: str | None = None,
    today: datetime.date | None = None,
) -> ReadResult[ReadingRow]:
    """Read the first sheet: good rows, and one error per rejected row."""
    result: ReadResult[ReadingRow] = ReadResult()
    layout = None
    for number, cells in _sheet_rows(data, filename):
        if not any(csv_readings.clean(c) for c in cells):
            continue
        if layout is None:
            layout = csv_readings.header_layout(
                cells, number, filename, column_map, date_format, today
            )
            continue
        csv_readings.add_row(result, cells, number, layout)
    if layout is None:
        raise InvalidFormat("the first sheet has no header row", file=filename, line=1)
    return result


# A workbook inflates many times over; these bound the memory a file can take. Zip
# members are read no further than their stated size (the CRC check catches a lie).
MAX_INFLATED_BYTES = 256 * 1024 * 1024
MAX_ROWS = 1_000_000


def _check_inflated_size(data: bytes, file: str) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as e:
        raise InvalidFormat(f"not a readable XLSX workbook ({e})", file=file) from e
    if inflated > MAX_INFLATED_BYTES:
        raise InvalidFormat(
            f"the workbook inflates to {inflated} bytes, more than "
            f"{MAX_INFLATED_BYTES}; split the file",
            file=file,
        )


def _sheet_rows(data: bytes | str, file: str) -> list[tuple[int, tuple[object, ...]]]:
    if isinstance(data, str) or not data.startswith(b"PK"):
        raise InvalidFormat("not an XLSX workbook (no zip container)", file=file)
    _check_inflated_size(data, file)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            if not workbook.worksheets:
                raise InvalidFormat("the workbook has no sheet", file=file)
            sheet = workbook.worksheets[0]
            rows = []
            for number, cells in enumerate(sheet.iter_rows(values_only=True), 1):
                if number > MAX_ROWS:
                    raise InvalidFormat(
                        f"more than {MAX_ROWS} rows; split the file", file=file
                    )
                rows.append((number, tuple(cells)))
            return rows
        finally:
            workbook.close()
    except InvalidFormat:
        raise
    # openpyxl reports a damaged workbook through many exception types.
    except Exception as e:
        raise InvalidFormat(f"not a readable XLSX workbook ({e!r})", file=file) from e
