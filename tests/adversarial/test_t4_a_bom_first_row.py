"""T4 (A, columnar CSV import): a byte order mark at the start of the first data
line ("\\ufeffW1", e.g. a header line put before a file exported with its BOM) is
dropped by pyarrow, which skips a BOM at the start of what it reads, so the row is
stored on meter W1; the row by row reader keeps it in the serial and rejects the
row as an unknown meter. The same line thus gets another outcome depending on
whether any other line of the file (a quoted cell) sends it row by row."""

from datetime import date

from meterbill.formats import csv_readings

TODAY = date(2026, 12, 4)
COLUMNAR = "meter,date,value\n\ufeffW1,2026-11-30,5\nW2,2026-11-30,6\n"
ROW_BY_ROW = COLUMNAR + '"W3",2026-11-30,7\n'  # a quote: read row by row


def _line_2(text):
    result = csv_readings.read_fields(text, filename="bom.csv", today=TODAY)
    rows = [(f.line, f.meter_ref) for f in result.rows if f.line == 2]
    errors = [str(e) for e in result.errors if e.line == 2]
    return rows, errors


# Changed with the fix: this test asserted that COLUMNAR is read as columns; the
# fix leaves a file whose first data line opens with a BOM to the row by row
# reader (the reference), so only the same file without that BOM is.
def test_only_the_file_without_the_bom_is_read_as_columns():
    without_bom = COLUMNAR.replace("\ufeff", "")
    assert csv_readings.read_columns(without_bom, filename="bom.csv", today=TODAY)
    assert csv_readings.read_columns(COLUMNAR, filename="bom.csv", today=TODAY) is None
    assert (
        csv_readings.read_columns(ROW_BY_ROW, filename="bom.csv", today=TODAY) is None
    )


def test_the_first_data_line_reads_the_same_either_way():
    assert _line_2(COLUMNAR) == _line_2(ROW_BY_ROW) == ([(2, "\ufeffW1")], [])
