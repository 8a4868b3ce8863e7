from decimal import Decimal as D

import pytest

from meterbill.conformance.einvoice import check_file, run
from meterbill.formats.einvoice.model import compute_totals
from meterbill.formats.einvoice.read import read_invoice

from .builder import corpus_dir, needs_corpus

pytestmark = [pytest.mark.corpus, needs_corpus]


def test_it_meets_the_conformance_floor():
    result = run(corpus_dir())

    assert result.total == 37
    assert result.meets_floor, result.failures


def test_it_reads_the_cii_example_4_totals():
    data = (corpus_dir() / "einvoice/cii/CII_example4.xml").read_bytes()

    doc = read_invoice(data, filename="CII_example4.xml")

    # stated in the file: 1500 at 25% -> 375, 2500 at 12% -> 300, due 4675
    assert doc.stated_totals is not None
    assert doc.stated_totals.payable == D("4675")
    assert compute_totals(doc) == doc.stated_totals
    assert doc.seller.vat_id == "DK16356706"


def test_it_reads_a_cius_ro_bucharest_buyer():
    data = (corpus_dir() / "einvoice/cius-ro/ubl_b2g_example1.xml").read_bytes()

    doc = read_invoice(data)

    assert doc.buyer.address.city == "SECTOR5"
    assert doc.buyer.address.subdivision == "RO-B"
    assert check_file(data, "ubl_b2g_example1.xml") == ""


def test_it_reports_a_corpus_file_whose_stated_vat_breakdown_is_wrong():
    # 20% basis stated 1224.8; lines 1273 - 3.96 + 4.96, charge 100, allowance 150
    # give 1224.00, so BT-110 is 272.93, not the stated 273.09.
    data = (corpus_dir() / "einvoice/cius-ro/ubl_b2g_example0.xml").read_bytes()

    problem = check_file(data, "ubl_b2g_example0.xml")

    assert "273.09" in problem and "272.93" in problem
