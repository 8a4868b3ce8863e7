"""Recording the payment of an invoice that a credit note reduced: the form states
the amount due (gross less credit notes) and names the credit notes, the review
says they are set off, the gross is refused next to the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from invoicing.test_penalties_helpers import make_debtor, make_invoice
from meterbill.invoicing.corrections import credit_lines
from meterbill.invoicing.models import Invoice
from meterbill.invoicing.queries import balance_of

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def credited(branches, alice, out_dir):
    """1,000.00 RON, 400.00 of it credited on 20 October 2026."""
    late = make_invoice(make_debtor(branches["north"]))
    [line] = late.lines.all()
    note = credit_lines(
        late, alice, "meter misread", {line.pk: D(4)}, date(2026, 10, 20)
    )
    return Invoice.objects.get(pk=late.pk), note


def test_the_form_states_what_is_left_and_sets_the_credit_note_off(
    credited, alice, client_for
):
    late, note = credited
    client = client_for(alice)
    url = f"/invoices/{late.pk}/act/pay/"

    form = client.get(url)
    gross = client.post(url, {"paid_on": "2026-11-05", "amount": "1000.00"})
    review = client.post(url, {"paid_on": "2026-11-05", "amount": "600.00"})
    done = client.post(
        url, {"paid_on": "2026-11-05", "amount": "600.00", "confirm": "yes"}
    )

    text = form.content.decode()
    assert f"Amount due: 600.00 RON, after credit notes {note.full_number}" in text
    assert b"the payment must be the amount due, 600.00" in gross.content
    assert (
        f"Credit notes {note.full_number} are set off against it"
        in review.content.decode()
    )
    assert done.status_code == 302
    states = dict(
        Invoice.objects.filter(pk__in=[late.pk, note.pk]).values_list("pk", "state")
    )
    assert states == {late.pk: "paid", note.pk: "paid"}
    assert balance_of(Invoice.objects.filter(customer_id=late.customer_id)) == 0


def test_without_credit_notes_the_form_states_the_gross(branches, alice, client_for):
    inv = make_invoice(make_debtor(branches["north"]))

    form = client_for(alice).get(f"/invoices/{inv.pk}/act/pay/")

    assert "Amount due: 1000.00 RON<" in form.content.decode().replace("\n", "")
