"""Cells of the CSV files the product writes never start a spreadsheet formula
(OWASP "CSV injection"), and numbers stay numbers."""

from __future__ import annotations

import pytest

from meterbill.formats import csv_safe


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x","A1")', '\'=HYPERLINK("http://x","A1")'),
        ("+A1-1", "'+A1-1"),
        ("-A1", "'-A1"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("A1-1-CW", "A1-1-CW"),  # a dash inside is no formula
        ("", ""),
    ],
)
def test_it_neutralises_text_that_starts_a_formula(value, written):
    assert csv_safe.cell(value) == written


@pytest.mark.parametrize("number", ["-12.5", "+3", "-0.000001", "-1E+3", "-.5"])
def test_it_leaves_signed_numbers_as_they_are(number):
    # a spreadsheet reads them as numbers, not formulas; a quote would turn an
    # index into text
    assert csv_safe.cell(number) == number


def test_it_leaves_values_that_are_not_text_alone():
    assert csv_safe.row({"a": None, "b": 5, "c": "=1"}) == {
        "a": None,
        "b": 5,
        "c": "'=1",
    }
