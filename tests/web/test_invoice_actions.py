"""Invoice actions in the browser: form, confirmation, action; reason required;
audited; operators and branch managers act, auditors only read."""

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.invoicing.models import Invoice

D = Decimal


@pytest.fixture
def billed(small_building, out_dir):
    """The small building billed on 4 Dec 2026; apartment 2's invoice N-2026-000002:
    20 m3 own × 5.00 = 100.00, 2 m3 common = 10.00, fixed 2.00; net 112.00, VAT 11 %
    12.32, gross 124.32 RON."""
    from meterbill.billing.billrun import bill_period

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    return Invoice.objects.get(apartment=small_building["apartments"][1])


def _line(invoice, position):
    return invoice.lines.get(position=position)


def test_it_credits_a_chosen_quantity_after_a_confirmation(billed, alice, client_for):
    client = client_for(alice)
    url = f"/invoices/{billed.pk}/act/credit/"
    own = _line(billed, 1)
    data = {"mode": "lines", f"line_{own.pk}": "4", "reason": "meter misread"}

    form = client.get(url)
    review = client.post(url, data)

    # then the form lists the lines, the review asks to confirm and issues nothing
    assert form.status_code == 200 and b"Quantity to credit" in form.content
    assert review.status_code == 200 and b'id="confirm"' in review.content
    assert not Invoice.objects.filter(kind="credit_note").exists()

    done = client.post(url, {**data, "confirm": "yes"})

    # then 4 m3 × 5.00 = 20.00 net, VAT 11 % = 2.20, gross 22.20; the invoice stays
    # issued, the credit note corrects it and its PDF is written
    note = Invoice.objects.get(kind="credit_note")
    assert done.status_code == 302 and done["Location"] == f"/invoices/{note.pk}/"
    assert (note.corrects_id, note.reason) == (billed.pk, "meter misread")
    assert (note.total_net, note.total_vat, note.total_gross) == (
        D("20.00"),
        D("2.20"),
        D("22.20"),
    )
    assert [(ln.quantity, ln.net_amount) for ln in note.lines.all()] == [
        (D(4), D("20.00"))
    ]
    assert note.pdf_file
    billed.refresh_from_db()
    assert billed.state == "issued"
    event = AuditEvent.objects.get(action="invoice.credited")
    assert (event.user_id, event.after["reason"]) == (alice.pk, "meter misread")
    assert AuditEvent.objects.filter(action="invoice.credit_note_issued").count() == 1


def test_it_limits_a_credit_to_what_is_left(billed, alice, client_for):
    client = client_for(alice)
    url = f"/invoices/{billed.pk}/act/credit/"
    own = _line(billed, 1)
    client.post(
        url,
        {"mode": "lines", f"line_{own.pk}": "15", "reason": "a", "confirm": "yes"},
    )

    # when 6 m3 more are asked of the 20 - 15 = 5 left
    response = client.post(
        url, {"mode": "lines", f"line_{own.pk}": "6", "reason": "b", "confirm": "yes"}
    )

    # then the field says so and nothing more is issued
    assert response.status_code == 200
    assert b"less than or equal to 5" in response.content
    assert Invoice.objects.filter(kind="credit_note").count() == 1


def test_it_cancels_by_a_full_credit_note(billed, alice, client_for):
    client = client_for(alice)

    client.post(
        f"/invoices/{billed.pk}/act/credit/",
        {"mode": "full", "reason": "wrong customer", "confirm": "yes"},
    )

    # then the credit note carries the whole 124.32 and the invoice is cancelled
    billed.refresh_from_db()
    note = Invoice.objects.get(kind="credit_note")
    assert billed.state == "cancelled"
    assert note.total_gross == D("124.32")


def test_it_refuses_an_action_without_a_reason(billed, alice, client_for):
    client = client_for(alice)

    response = client.post(
        f"/invoices/{billed.pk}/act/rebill/", {"reason": "  ", "confirm": "yes"}
    )

    assert response.status_code == 200
    assert b"Give a reason." in response.content
    assert Invoice.objects.count() == 3


def test_it_rebills_and_shows_the_chain(billed, alice, client_for):
    client = client_for(alice)

    review = client.post(f"/invoices/{billed.pk}/act/rebill/", {"reason": "persons"})
    done = client.post(
        f"/invoices/{billed.pk}/act/rebill/", {"reason": "persons", "confirm": "yes"}
    )

    # then the review shows the current data's net (unchanged: 112.00); the chain
    # original → credit note → new invoice is on the original's page
    assert b"112.00" in review.content
    new = Invoice.objects.get(corrects=billed, kind="invoice")
    assert done["Location"] == f"/invoices/{new.pk}/"
    page = client.get(f"/invoices/{billed.pk}/").content.decode()
    note = Invoice.objects.get(corrects=billed, kind="credit_note")
    assert 'id="chain"' in page
    assert page.index(billed.full_number) < page.index(note.full_number)
    assert page.index(note.full_number) < page.index(new.full_number)
    assert "corrects this invoice" in page


def test_it_corrects_a_past_period_by_the_difference(billed, alice, client_for):
    from meterbill.metering.models import Reading

    # given apartment 2's closing index corrected 220 → 225 (docs/invoices.md)
    Reading.objects.filter(register__meter__serial="W2", value=220).update(value=225)
    client = client_for(alice)
    url = f"/invoices/{billed.pk}/act/correct/"

    review = client.post(url, {"reason": "index misread"})
    client.post(url, {"reason": "index misread", "confirm": "yes"})

    # then an additional invoice of 5 m3 × 5.00 = 25.00 net and a credit note of
    # 1.667 m3 common, 10.00 − 1.67 = 8.33 net
    assert b"25.00" in review.content and b"8.33" in review.content
    more = Invoice.objects.get(corrects=billed, kind="invoice")
    note = Invoice.objects.get(corrects=billed, kind="credit_note")
    assert (more.total_net, note.total_net) == (D("25.00"), D("8.33"))


def test_it_says_when_a_correction_has_nothing_to_issue(billed, alice, client_for):
    response = client_for(alice).post(
        f"/invoices/{billed.pk}/act/correct/", {"reason": "check"}
    )

    assert b"nothing will be issued" in response.content


def test_it_marks_an_invoice_sent_then_paid(billed, alice, client_for):
    client = client_for(alice)
    client.post(f"/invoices/{billed.pk}/act/send/", {"confirm": "yes"})
    url = f"/invoices/{billed.pk}/act/pay/"

    wrong = client.post(
        url, {"paid_on": "2026-12-04", "amount": "100.00", "confirm": "yes"}
    )
    right = client.post(
        url, {"paid_on": "2026-12-04", "amount": "124.32", "confirm": "yes"}
    )

    # then a part payment is refused next to the field, the full one recorded
    assert b"Part payments are not recorded" in wrong.content
    assert right.status_code == 302
    billed.refresh_from_db()
    assert (billed.state, billed.paid_on) == ("paid", date(2026, 12, 4))
    event = AuditEvent.objects.get(action="invoice.paid")
    assert event.after == {"state": "paid", "paid_on": "2026-12-04", "amount": "124.32"}


def test_an_auditor_reads_the_invoice_but_cannot_act(billed, role_user, client_for):
    client = client_for(role_user("auditor"))

    page = client.get(f"/invoices/{billed.pk}/")
    action = client.post(
        f"/invoices/{billed.pk}/act/credit/",
        {"mode": "full", "reason": "x", "confirm": "yes"},
    )

    assert page.status_code == 200 and b'id="invoice-actions"' not in page.content
    assert action.status_code == 403
    assert not Invoice.objects.filter(kind="credit_note").exists()


@pytest.mark.parametrize("role", ["branch_manager", "billing_operator"])
def test_managers_and_operators_act(billed, role_user, client_for, role):
    client = client_for(role_user(role))

    page = client.get(f"/invoices/{billed.pk}/")
    response = client.post(f"/invoices/{billed.pk}/act/send/", {"confirm": "yes"})

    assert b'id="act-credit"' in page.content
    assert response.status_code == 302


def test_a_meter_reader_cannot_act(billed, role_user, client_for):
    response = client_for(role_user("meter_reader")).get(
        f"/invoices/{billed.pk}/act/send/"
    )

    assert response.status_code == 403


def test_another_branch_gets_a_404_and_nothing_changes(billed, bob, client_for):
    response = client_for(bob).post(
        f"/invoices/{billed.pk}/act/credit/",
        {"mode": "full", "reason": "x", "confirm": "yes"},
    )

    assert response.status_code == 404
    billed.refresh_from_db()
    assert billed.state == "issued"
