"""T4 adversarial (E, penalties): the penalty invoice's PDF never says why it
bears no VAT. Its e-invoice carries the rule's exemption reason (BT-120), but the
PDF prints only "VAT 0% (O) on 16.00": no reason, a 0 % rate for category O, which
has none (BR-O-05), and "VAT ID:" with nothing after it. For category E the VAT
Directive (art. 226(11)) wants the invoice to refer to the exemption."""

from __future__ import annotations

from datetime import date

import pypdf
import pytest

from invoicing.test_penalties_helpers import make_debtor, make_invoice, make_rule
from meterbill.invoicing.corrections import mark_paid
from meterbill.invoicing.documents import write_documents
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.penalties import assess_penalties

pytestmark = pytest.mark.django_db
REASONS = {
    "O": "Zzpenalty outside the scope of VAT",
    "E": "Zzexempt under article 292",
}


@pytest.mark.parametrize("category", sorted(REASONS))
def test_the_pdf_states_the_exemption_reason(org, branches, alice, out_dir, category):
    # given 16.00 of penalty in the rule's category
    late = make_invoice(make_debtor(branches["north"]))
    make_rule(org, vat_category=category, exemption_reason=REASONS[category])
    mark_paid(late, alice, date(2026, 11, 5))
    [penalty] = assess_penalties(
        branches["north"], date(2026, 11, 10), alice, date(2026, 11, 10)
    ).invoices

    write_documents(Invoice.objects.filter(pk=penalty.pk))

    pdf = pypdf.PdfReader(Invoice.objects.get(pk=penalty.pk).pdf_file)
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "16.00" in text
    assert REASONS[category] in " ".join(text.split())
