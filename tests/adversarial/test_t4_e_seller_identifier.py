"""T4 adversarial (E, penalties): a penalty invoice in category O drops the seller's
VAT identifier (BR-O-02) and keeps its legal registration id (BT-30) as the only
seller identifier. An organisation without a trade-register number
(``Organisation.company_id`` may be blank) issues valid consumption invoices, but
its penalty invoices then carry no seller identifier at all and fail EN 16931
BR-CO-26 in UBL and CII. Nothing refuses the assessment or says so."""

from __future__ import annotations

from datetime import date

import pytest

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.formats.einvoice.validate import ubl_xsd_dir, validate_cii, validate_ubl
from meterbill.invoicing.corrections import mark_paid
from meterbill.invoicing.einvoice import invoice_cii, invoice_xml
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.penalties import PenaltyError, assess_penalties

pytestmark = [pytest.mark.django_db, pytest.mark.corpus]


def test_a_seller_without_a_trade_register_number_gets_valid_penalty_invoices(
    org, branches, alice, out_dir
):
    if not (ubl_xsd_dir() / "maindoc").is_dir():
        pytest.skip(f"UBL 2.1 XSD not found under {ubl_xsd_dir()}")
    # given a seller with a VAT identifier and no trade-register number, whose
    # consumption invoice N-2026-000001 validates
    org.company_id = ""
    org.save()
    late = make_invoice(make_debtor(branches["north"]))
    assert validate_ubl(invoice_xml(Invoice.objects.get(pk=late.pk)), rules=True) == []
    make_rule(org)
    mark_paid(late, alice, date(2026, 11, 5))

    # when its late payment is assessed in category O
    try:
        run = assess_penalties(
            branches["north"], date(2026, 11, 10), alice, date(2026, 11, 10)
        )
    except PenaltyError:
        return  # refusing, naming the missing identifier, is a fix too

    # then the penalty invoice is a valid e-invoice
    [penalty] = [Invoice.objects.get(pk=i.pk) for i in run.invoices]
    assert validate_ubl(invoice_xml(penalty), rules=True) == []
    assert validate_cii(invoice_cii(penalty)) == []
