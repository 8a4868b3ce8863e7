"""Numbers in e-invoices and URDB load files: only ASCII digits are numbers
(``Decimal("٩٦.٦٩")`` would be 96.69), and what xsd:decimal allows (".5") is read."""

from decimal import Decimal

import pytest

from meterbill.formats.einvoice.read import read_invoice
from meterbill.formats.einvoice.ubl import write_ubl
from meterbill.formats.errors import InvalidFormat
from meterbill.formats.urdb import read_load_csv

from .einvoice.builder import utility_invoice


@pytest.mark.parametrize("amount", ["٩٦.٦٩".encode(), "９６.６９".encode(), b"9.669E1"])
def test_an_e_invoice_amount_in_other_digits_is_refused_naming_the_field(amount):
    xml = write_ubl(utility_invoice()).replace(b">96.69<", b">" + amount + b"<")

    with pytest.raises(InvalidFormat) as caught:
        read_invoice(xml, filename="f.xml")

    assert caught.value.file == "f.xml"
    assert caught.value.field == "cbc:LineExtensionAmount"
    assert "is not a number" in caught.value.message


def test_a_load_value_in_other_digits_is_refused_naming_the_line():
    # line 1 is the header, line 3 holds fullwidth 1.5
    with pytest.raises(InvalidFormat) as caught:
        read_load_csv("kW\n1.25\n１.５\n".encode(), filename="load.csv")

    assert (caught.value.file, caught.value.line, caught.value.field) == (
        "load.csv",
        3,
        "kW",
    )


def test_a_load_value_with_a_lone_point_is_read():
    assert read_load_csv(b"kW\n.5\n2.\n", filename="load.csv") == [
        Decimal("0.5"),
        Decimal("2"),
    ]
