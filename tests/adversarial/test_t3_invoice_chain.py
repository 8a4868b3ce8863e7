"""T3 adversarial: the chain of documents of one invoice bills or credits more than
the period's data give.

- A partial credit note, then a full credit (cancel) or a cancel-and-rebill of the
  same invoice: the full credit note repeats the lines already credited, so the
  credit notes correcting the invoice exceed it (demo,
  BUC-2026-000002, gross 552.35: credit note of line 1, 60.54, then the whole
  invoice, 552.35; 612.89 credited in all).
- A correction's additional invoice is itself an open invoice: "Correct the period"
  on it compares the current data with that additional invoice alone and bills the
  whole period again (demo, BUC-2026-000003, net 424.04: after a partial credit and
  a correction, correcting BUC-2026-000078 issued BUC-2026-000079 for 263.42 more;
  687.46 billed in all for a period whose data give 424.04).

Fixed by F4: a cancel (and the cancel of a rebill) credits what the invoice's
credit notes left; a correction compares the current data with the whole chain;
a credit note of 0.00 and an advance for a billed period are refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.invoicing import corrections as c
from meterbill.invoicing.models import Invoice

D = Decimal
DAY = date(2026, 12, 8)


@pytest.fixture
def billed(small_building):
    """The small building billed for 2026-11 on 4 December 2026 (as in
    tests/invoicing/test_corrections_helpers.py): apartment 2's invoice is net
    112.00, VAT 12.32, gross 124.32."""
    from meterbill.billing.billrun import bill_period

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    by_apartment = {inv.apartment_id: inv for inv in Invoice.objects.all()}
    return {"invoices": [by_apartment[a.pk] for a in small_building["apartments"]]}


def _net_billed(inv: Invoice) -> Decimal:
    """Net of every document of the chain still in force: invoices add, credit
    notes subtract (the cancelled original is cancelled by its own credit note,
    which stays in force, so it counts too)."""
    total = D(0)
    for doc in c.invoice_chain(inv):
        doc.refresh_from_db()
        sign = -1 if doc.kind == Invoice.Kind.CREDIT_NOTE else 1
        if doc.state != Invoice.State.CANCELLED or doc.pk == inv.pk:
            total += sign * doc.total_net
    return total


def test_a_cancel_after_a_partial_credit_credits_only_what_is_left(billed, alice):
    inv = billed["invoices"][1]  # net 112.00
    first = inv.lines.order_by("position").first()
    partial = c.credit_lines(inv, alice, "meter misread", {first.pk: first.quantity})

    note = c.cancel_invoice(inv, alice, "wrong customer", DAY)

    # then the two credit notes together give back the invoice's 112.00 net and no
    # more: the full one credits 112.00 − what the partial one credited already
    assert partial.total_net + note.total_net == D("112.00")


def test_correcting_an_additional_invoice_does_not_bill_the_period_again(billed, alice):
    inv = billed["invoices"][1]  # net 112.00; current data also 112.00
    first = inv.lines.order_by("position").first()
    c.credit_lines(inv, alice, "goodwill", {first.pk: first.quantity})
    done = c.correct_past_period(inv, alice, "undo the goodwill", DAY)
    more = done.additional_invoice
    assert more is not None  # re-bills what the goodwill credit took off

    again = c.correct_past_period(more, alice, "again", DAY)

    # then nothing is issued: the chain (112.00 − credit + re-bill) already bills
    # what the current data give, 112.00 net
    assert (again.credit_note, again.additional_invoice) == (None, None)
    assert _net_billed(inv) == D("112.00")


def test_a_credit_note_that_rounds_to_nothing_is_refused(billed, alice):
    inv = billed["invoices"][1]
    first = inv.lines.order_by("position").first()
    assert first.unit_price_net == D("5.00")  # own water at 5.00 RON/m3 net

    # 0.0001 m3 × 5.00 = 0.0005 RON, 0.00 to the cent: the credit note would be a
    # numbered document of 0.00 (demo: BUC-2026-000082, 0.000001 m3 credited on
    # BUC-2026-000007 from the browser), taking a number of the gapless series
    with pytest.raises(c.InvoiceStateError):
        c.credit_lines(inv, alice, "tiny", {first.pk: D("0.0001")}, DAY)


def test_a_period_billed_already_offers_no_contract_an_advance(billed):
    from meterbill.invoicing.period_actions import advance_candidates

    period = billed["invoices"][0].period

    # every contract of the small building has its November invoice (3 of them);
    # an advance now bills the period a second time and cannot be settled ("period
    # 2026-11 is already billed by invoice …; cancel it before settling"). Demo:
    # /periods/<CLJ 2026-11>/advances/ offered all 40 invoiced contracts and issued
    # CLJ-2026-000042 (77.24) to C-C1-1, billed already by CLJ-2026-000003.
    assert list(advance_candidates(period)) == []


def test_a_cancel_is_refused_when_credit_notes_credited_everything(billed, alice):
    inv = billed["invoices"][1]  # lines 100.00 + 10.00 + 2.00 net
    lines = inv.lines.order_by("position")
    c.credit_lines(inv, alice, "all of it", {ln.pk: ln.quantity for ln in lines}, DAY)

    # then a cancel would be a credit note of 0.00 taking a number: refused
    with pytest.raises(c.InvoiceStateError, match="nothing is left"):
        c.cancel_invoice(inv, alice, "wrong customer", DAY)
    inv.refresh_from_db()
    assert inv.state == Invoice.State.ISSUED


def test_a_rebill_after_a_partial_credit_credits_only_what_is_left(billed, alice):
    inv = billed["invoices"][1]  # net 112.00; the current data give 112.00 too
    first = inv.lines.order_by("position").first()  # 20 m3 × 5.00 = 100.00
    partial = c.credit_lines(inv, alice, "meter misread", {first.pk: D("4")}, DAY)

    note, new = c.rebill(inv, alice, "new owner", DAY)

    # then 4 m3 × 5.00 = 20.00 credited first, 112.00 − 20.00 = 92.00 by the
    # cancel, and the new invoice bills the period's 112.00: 112.00 in force
    assert (partial.total_net, note.total_net, new.total_net) == (
        D("20.00"),
        D("92.00"),
        D("112.00"),
    )
    assert _net_billed(inv) == D("112.00")


def test_a_rebill_is_refused_while_a_correction_invoice_is_in_force(billed, alice):
    inv = billed["invoices"][1]
    first = inv.lines.order_by("position").first()
    c.credit_lines(inv, alice, "goodwill", {first.pk: first.quantity}, DAY)
    more = c.correct_past_period(inv, alice, "undo", DAY).additional_invoice
    assert more is not None and more.total_net == D("100.00")  # 20 m3 × 5.00

    # then rebilling the original would bill 112.00 next to the 100.00 in force
    with pytest.raises(c.InvoiceStateError, match="correct the period"):
        c.rebill(inv, alice, "again", DAY)


def test_correcting_the_original_after_its_correction_issues_nothing(billed, alice):
    inv = billed["invoices"][1]
    first = inv.lines.order_by("position").first()
    c.credit_lines(inv, alice, "goodwill", {first.pk: first.quantity}, DAY)
    c.correct_past_period(inv, alice, "undo the goodwill", DAY)

    again = c.correct_past_period(inv, alice, "again", DAY)

    # 112.00 − 100.00 + 100.00 = 112.00 = the current data: nothing to issue
    assert (again.credit_note, again.additional_invoice) == (None, None)
    assert _net_billed(inv) == D("112.00")


def test_an_advance_for_a_billed_period_is_refused(billed, alice):
    from meterbill.invoicing.advances import AdvanceError, issue_advance

    inv = billed["invoices"][0]

    with pytest.raises(AdvanceError, match="already billed by invoice"):
        issue_advance(inv.contract, inv.period, alice, {}, DAY)
    assert not Invoice.objects.filter(kind=Invoice.Kind.ADVANCE).exists()


def test_a_cancelled_contract_invoice_lists_the_contract_for_an_advance(billed, alice):
    from meterbill.invoicing.period_actions import advance_candidates

    inv = billed["invoices"][0]
    c.cancel_invoice(inv, alice, "wrong customer", DAY)

    # the other two contracts keep their November invoices in force
    assert [x.pk for x in advance_candidates(inv.period)] == [inv.contract_id]
