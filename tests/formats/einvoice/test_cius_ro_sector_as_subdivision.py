"""A Bucharest sector given as the county (BT-54 "Sector 5"), as some CIUS-RO
senders write it: the writer binds it as BR-RO-110/111 want (RO-B, SECTOR5)."""

import dataclasses

import pytest
from lxml import etree

from meterbill.formats.einvoice.model import Address
from meterbill.formats.einvoice.read import read_invoice
from meterbill.formats.einvoice.ubl import write_ubl
from meterbill.formats.einvoice.validate import validate_ubl

from .builder import BUYER, needs_corpus, utility_invoice

pytestmark = [pytest.mark.corpus, needs_corpus]

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def _buyer_in_sector_5():
    address = Address(
        street="Bulevardul Unirii 22",
        city="Municipiul Bucuresti",
        postal_code="030833",
        subdivision="Sector 5",
        country_code="RO",
    )
    return dataclasses.replace(BUYER, address=address)


def test_it_writes_the_sector_as_the_city_and_ro_b_as_the_county():
    doc = utility_invoice(buyer=_buyer_in_sector_5())

    xml = write_ubl(doc, "cius-ro")

    root = etree.fromstring(xml)
    buyer = root.find("cac:AccountingCustomerParty/cac:Party/cac:PostalAddress", NS)
    assert buyer.findtext("cbc:CityName", namespaces=NS) == "SECTOR5"
    assert buyer.findtext("cbc:CountrySubentity", namespaces=NS) == "RO-B"
    assert validate_ubl(xml, rules=True) == []


def test_it_reads_back_the_bound_address():
    doc = utility_invoice(buyer=_buyer_in_sector_5())

    again = read_invoice(write_ubl(doc, "cius-ro"))

    assert (again.buyer.address.subdivision, again.buyer.address.city) == (
        "RO-B",
        "SECTOR5",
    )
