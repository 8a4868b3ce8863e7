"""A contract charge whose VAT rate is unknown holds its invoice with a stored
``contract_charge_vat`` finding: shown in the review queue, resolvable there, and
seen by no user of another branch."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from meterbill.audit.models import AuditEvent
from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.invoicing.models import Invoice
from meterbill.premises.models import Contract, ContractCharge

from .conftest import make_user

D = Decimal


@pytest.fixture
def held_run(small_building):
    """C1 gets a meter rent in category S with no rate of its own, and the
    organisation has no VatRate for S: November's run cannot price the rent."""
    contract = Contract.objects.get(number="C1")
    ContractCharge.objects.create(
        contract=contract,
        code="RENT",
        description="Meter rent",
        unit_price_net=D("3.50"),
        vat_category="S",
        valid_from=date(2026, 1, 1),
    )
    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    return contract, run


def test_the_held_contract_has_a_stored_finding(held_run, small_building):
    contract, run = held_run

    # C1 is held, C2 and C3 are issued; the finding is recorded once
    assert (run.summary["issued"], run.summary["held"]) == (2, 1)
    assert not Invoice.objects.filter(contract=contract).exists()
    finding = Finding.objects.get(rule="contract_charge_vat")
    assert finding.subject == f"contract:{contract.pk}"
    assert finding.severity == "block"
    assert finding.message.startswith(f"contract {contract.pk}: charge ")

    # a second run finds it again and does not record it twice
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    assert Finding.objects.filter(rule="contract_charge_vat").count() == 1


def test_the_review_queue_shows_and_resolves_it(held_run, alice, client_for):
    finding = Finding.objects.get(rule="contract_charge_vat")
    client = client_for(alice)

    page = client.get("/review/")

    assert page.status_code == 200
    assert f'id="finding-{finding.pk}"' in page.text
    assert "contract_charge_vat" in page.text

    response = client.post(
        f"/review/{finding.pk}/accept/", {"reason": "rate asked from the tax office"}
    )

    assert response.status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.ACCEPTED
    assert AuditEvent.objects.filter(action="finding.accept").count() == 1


def test_a_user_of_another_branch_does_not_see_it(held_run, bob, client_for):
    finding = Finding.objects.get(rule="contract_charge_vat")

    page = client_for(bob).get("/review/")
    refused = client_for(bob).post(f"/review/{finding.pk}/accept/", {"reason": "x"})

    assert f'id="finding-{finding.pk}"' not in page.text
    assert refused.status_code == 404


def test_an_auditor_reads_it_but_cannot_resolve_it(held_run, branches, client_for):
    auditor = make_user("audra", branches["north"], "auditor")
    finding = Finding.objects.get(rule="contract_charge_vat")

    refused = client_for(auditor).post(f"/review/{finding.pk}/accept/", {"reason": ""})

    assert refused.status_code == 403
    finding.refresh_from_db()
    assert finding.status == Finding.Status.OPEN
