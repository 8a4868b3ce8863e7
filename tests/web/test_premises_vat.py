"""VAT ids of customers, checked by python-stdnum (premises.identifiers)."""

from __future__ import annotations

import pytest

from meterbill.premises.identifiers import InvalidVatId, check_vat_id


@pytest.mark.parametrize(
    ("typed", "country", "stored"),
    [
        ("RO 1854 7290", "RO", "RO18547290"),  # EU prefix: the EU VIES scheme
        ("18547290", "RO", "18547290"),  # no prefix: Romania's CUI/CIF scheme
        ("DE 136,695,976", "", "DE136695976"),  # the prefix decides, not the country
        ("CHE-116.281.710 MWST", "CH", "CHE116281710MWST"),  # a scheme outside the EU
        ("12-3456789", "US", "12-3456789"),  # no scheme: kept as typed
        ("  ", "RO", ""),
    ],
)
def test_it_stores_a_valid_vat_id_compact(typed, country, stored):
    assert check_vat_id(typed, country) == stored


@pytest.mark.parametrize(
    ("typed", "country", "reason"),
    [
        ("RO18547291", "RO", "checksum"),  # check digit of 1854729 is 0, not 1
        ("DE13669597", "DE", "length"),  # German VAT ids have 9 digits
        ("18547291", "RO", "checksum"),
    ],
)
def test_it_says_why_a_vat_id_is_refused(typed, country, reason):
    with pytest.raises(InvalidVatId) as refused:
        check_vat_id(typed, country)

    assert refused.value.reason == reason
