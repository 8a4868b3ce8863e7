"""The totals a file states, checked against the EN 16931 calculation rules with
the tolerance the CEN artefacts give BR-CO-17 and BR-S-08."""

import dataclasses
from decimal import Decimal as D

from meterbill.formats.einvoice.model import Totals, VatBreakdown, compute_totals
from meterbill.formats.einvoice.totals_rules import check_stated_totals

from .builder import utility_invoice


def _stated(**changes: object) -> Totals:
    # By hand (builder.py): 9%: 123.17 -> 11.09; 19%: 15.00 -> 2.85; BT-110 13.94.
    return dataclasses.replace(compute_totals(utility_invoice()), **changes)


def _with(totals: Totals):
    return check_stated_totals(utility_invoice(stated_totals=totals))


def test_it_finds_nothing_when_the_file_states_what_the_rules_give():
    assert _with(_stated()) == []


def test_it_accepts_whole_unit_vat_within_the_cen_tolerance_of_br_co_17():
    # 123.17 x 9% = 11.0853 -> 11.09; a file stating 11.00 (whole units, as in
    # forint invoices) is 0.09 off: inside |stated - computed| < 1.
    breakdown = (
        VatBreakdown("S", D("9"), D("123.17"), D("11.00")),
        VatBreakdown("S", D("19"), D("15.00"), D("2.85")),
    )
    totals = _stated(
        vat_breakdown=breakdown,
        vat_total=D("13.85"),
        tax_inclusive=D("152.02"),
        payable=D("152.02"),
    )

    [finding] = _with(totals)

    assert (finding.rule, finding.term) == ("BR-CO-17", "BT-117 of S 9%")
    assert (finding.stated, finding.computed) == (D("11.00"), D("11.09"))
    assert finding.within_tolerance
    assert str(finding) == (
        "[BR-CO-17] BT-117 of S 9%: stated 11.00, computed 11.09 "
        "(within the CEN tolerance of 1)"
    )


def test_it_names_br_s_08_when_a_rate_s_basis_is_not_its_lines():
    # The 19% line (15.00) stated under 9%: 123.17 + 15.00 = 138.17 -> 12.4353 ->
    # 12.44, and no 19% group at all.
    breakdown = (VatBreakdown("S", D("9"), D("138.17"), D("12.44")),)
    totals = _stated(
        vat_breakdown=breakdown,
        vat_total=D("12.44"),
        tax_inclusive=D("150.61"),
        payable=D("150.61"),
    )

    findings = _with(totals)

    assert [str(f) for f in findings] == [
        "[BR-S-08] BT-116 of S 9%: stated 138.17, computed 123.17",
        "[BG-23] S 19%: no VAT breakdown stated; lines and allowances/charges "
        "give 15.00",
    ]
    assert not any(f.within_tolerance for f in findings)


def test_it_checks_each_document_total_against_the_terms_it_sums():
    # BT-110 stated 13.95 while the groups say 11.09 + 2.85 = 13.94 (BR-CO-14);
    # BT-112 and BT-115 follow from the stated 13.95, so they hold.
    totals = _stated(
        vat_total=D("13.95"), tax_inclusive=D("152.12"), payable=D("152.12")
    )

    assert [str(f) for f in _with(totals)] == [
        "[BR-CO-14] BT-110: stated 13.95, computed 13.94"
    ]


def test_a_document_without_stated_totals_has_no_findings():
    assert check_stated_totals(utility_invoice()) == []
