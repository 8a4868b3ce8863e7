"""The late-payment penalty screens: rules edited by branch managers (the
organisation's by administrators), assessed by billing operators, audited, and
nothing of another branch shown, edited or assessed."""

from datetime import date
from decimal import Decimal

import pytest

from invoicing.test_penalties_helpers import (
    REASON,
    make_debtor,
    make_invoice,
    make_rule,
)
from meterbill.audit.models import AuditEvent
from meterbill.invoicing.corrections import mark_paid
from meterbill.invoicing.models import Invoice, PenaltyAssessment, PenaltyRule
from meterbill.invoicing.penalties import assess_penalties

D = Decimal
SOUTH_REASON = "Zzsouthpenalty outside the scope"

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(org, branches):
    """The organisation's rule, and south's own (with a reason only south uses)."""
    return {
        "org": make_rule(org),
        "south": make_rule(org, branches["south"], exemption_reason=SOUTH_REASON),
    }


def _rule_form(**changes):
    data = {
        "branch": "",
        "valid_from": "2026-12-01",
        "grace_days": "3",
        "rate_per_day_percent": "0,05",
        "cap_percent": "50",
        "minimum_amount": "1.00",
        "formula": "",
        "vat_category": "O",
        "exemption_reason": REASON,
        "exemption_code": "",
    }
    return {**data, **changes}


def test_the_page_lists_the_organisations_rule_and_not_another_branchs(
    rules, branches, role_user, client_for
):
    north_rule = make_rule(rules["org"].organisation, branches["north"])

    page = client_for(role_user("branch_manager")).get("/penalties/")
    admin_page = client_for(role_user("administrator")).get("/penalties/")

    # the manager edits north's rule and reads the organisation's; only the
    # administrator edits the organisation's; nobody in north sees south's
    org_link = f'href="/penalties/rules/{rules["org"].pk}/"'.encode()
    assert page.status_code == 200
    assert f'href="/penalties/rules/{north_rule.pk}/"'.encode() in page.content
    assert org_link not in page.content
    assert b"The whole organisation" in page.content
    assert org_link in admin_page.content
    for content in (page.content, admin_page.content):
        assert f"/penalties/rules/{rules['south'].pk}/".encode() not in content
    assert b'href="/penalties/"' in page.content  # the menu link


def test_another_branchs_rule_is_a_404_to_see_edit_or_delete(
    rules, role_user, client_for
):
    client = client_for(role_user("branch_manager"))
    url = f"/penalties/rules/{rules['south'].pk}/"

    assert client.get(url).status_code == 404
    assert client.post(url, _rule_form(grace_days="0")).status_code == 404
    assert client.post(url + "delete/").status_code == 404
    assert PenaltyRule.objects.get(pk=rules["south"].pk).grace_days == 5


def test_a_branch_manager_adds_an_audited_rule_for_the_branch(
    rules, branches, role_user, client_for
):
    manager = role_user("branch_manager")

    response = client_for(manager).post(
        "/penalties/rules/new/", _rule_form(branch=branches["north"].pk)
    )

    assert response.status_code == 302
    rule = PenaltyRule.objects.get(branch=branches["north"])
    assert (rule.grace_days, rule.rate_per_day_percent, rule.cap_percent) == (
        3,
        D("0.05"),
        D(50),
    )
    event = AuditEvent.objects.get(action="penalty_rule.add", user=manager)
    assert (event.branch, event.object_id) == (branches["north"], str(rule.pk))


def test_only_an_administrator_sets_the_organisations_rule(
    branches, role_user, client_for
):
    refused = client_for(role_user("branch_manager")).post(
        "/penalties/rules/new/", _rule_form()
    )
    done = client_for(role_user("administrator")).post(
        "/penalties/rules/new/", _rule_form()
    )

    assert refused.status_code == 422
    assert "Only an administrator" in refused.content.decode()
    assert done.status_code == 302
    assert PenaltyRule.objects.get().branch is None


def test_a_bad_formula_is_refused_on_its_field_with_the_position(
    branches, role_user, client_for
):
    response = client_for(role_user("branch_manager")).post(
        "/penalties/rules/new/",
        _rule_form(branch=branches["north"].pk, formula="days_late * rate"),
    )

    assert response.status_code == 422
    assert 'id="id_formula_error"' in response.content.decode()
    assert "line 1, column 13" in response.content.decode()
    assert not PenaltyRule.objects.exists()


def test_a_billing_operator_may_not_edit_rules(rules, alice, client_for):
    client = client_for(alice)

    assert client.get("/penalties/rules/new/").status_code == 403
    assert client.get(f"/penalties/rules/{rules['org'].pk}/").status_code == 403


def test_a_billing_operator_assesses_the_branch_with_the_button(
    rules, branches, alice, client_for, out_dir
):
    # given N-2026-000001 (1,000.00) paid on 5 November, due 15 October
    late = make_invoice(make_debtor(branches["north"]))
    mark_paid(late, alice, date(2026, 11, 5))
    client = client_for(alice)

    response = client.post(
        "/penalties/assess/",
        {"branch": branches["north"].pk, "on": "2026-11-10"},
        follow=True,
    )

    # then 16 days × 0.1 % = 16.00 on N-2026-000002, listed on the page
    penalty = Invoice.objects.get(penalties_charged__isnull=False)
    assert (penalty.full_number, penalty.total_gross) == ("N-2026-000002", D("16.00"))
    assert "Issued: N-2026-000002." in response.content.decode()
    assert b"N-2026-000001" in response.content
    # and its page and PDF open like any invoice's (the PDF written when asked for)
    assert client.get(f"/invoices/{penalty.pk}/").status_code == 200
    pdf = client.get(f"/invoices/{penalty.pk}/pdf/")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_another_branchs_invoices_cannot_be_assessed(
    rules, branches, alice, client_for, out_dir
):
    south_late = make_invoice(make_debtor(branches["south"], "C9"), key="south")

    client_for(alice).post(
        "/penalties/assess/", {"branch": branches["south"].pk, "on": "2026-11-10"}
    )

    assert not PenaltyAssessment.objects.filter(invoice=south_late).exists()
    assert Invoice.objects.filter(branch=branches["south"]).count() == 1


def test_another_branchs_assessments_are_not_listed(
    rules, branches, org, role_user, client_for, out_dir
):
    # given south assessed its late invoice
    make_invoice(make_debtor(branches["south"], "C9"), key="south")
    assess_penalties(branches["south"], date(2026, 11, 10), None)

    page = client_for(role_user("branch_manager")).get("/penalties/")

    assert PenaltyAssessment.objects.count() == 1
    assert b"S-2026-000001" not in page.content
    assert b"S-2026-000002" not in page.content


def test_an_auditor_sees_the_page_but_cannot_assess(
    rules, branches, role_user, client_for
):
    client = client_for(role_user("auditor"))

    page = client.get("/penalties/")
    refused = client.post(
        "/penalties/assess/", {"branch": branches["north"].pk, "on": "2026-11-10"}
    )

    assert page.status_code == 200
    assert b'id="assess"' not in page.content
    assert refused.status_code == 403


def test_a_branch_user_reads_the_ancestors_rule_in_force_for_it(
    rules, org, branches, role_user, client_for
):
    # given a rule of the head office, north's parent, from 1 March 2026
    hq_rule = make_rule(org, branches["hq"], valid_from=date(2026, 3, 1))
    client = client_for(role_user("branch_manager"))

    page = client.get("/penalties/").content.decode()

    # then north's manager reads it as the rule in force, without an edit link,
    # and cannot open, edit or delete it
    assert "In force today for N: the rule HQ from 2026-03-01." in page
    assert '<tr class="in-force"><td>HQ</td>' in page
    assert f'href="/penalties/rules/{hq_rule.pk}/"' not in page
    assert client.get(f"/penalties/rules/{hq_rule.pk}/").status_code == 404
    assert client.post(f"/penalties/rules/{hq_rule.pk}/delete/").status_code == 404
    assert PenaltyRule.objects.filter(pk=hq_rule.pk).exists()


def test_the_assess_form_refuses_a_day_after_today_naming_the_field(
    rules, branches, alice, client_for, out_dir
):
    make_invoice(make_debtor(branches["north"]))

    response = client_for(alice).post(
        "/penalties/assess/",
        {"branch": branches["north"].pk, "on": "2099-01-01"},
        follow=True,
    )

    assert "Through: 2099-01-01 is after today" in response.content.decode()
    assert not PenaltyAssessment.objects.exists()


def test_the_assess_button_reports_an_invoice_the_formula_fails_on(
    org, branches, alice, client_for, out_dir
):
    # given the formula divides by zero for 1,000.00 and charges 10.00 for 100.00
    make_rule(org, formula="overdue_amount * 90 / (1000 - overdue_amount)")
    make_invoice(make_debtor(branches["north"]))
    make_invoice(make_debtor(branches["north"], "C2"), "1", key="second")

    response = client_for(alice).post(
        "/penalties/assess/",
        {"branch": branches["north"].pk, "on": "2026-11-10"},
        follow=True,
    )

    page = response.content.decode()
    assert "Skipped invoice N-2026-000001, the rule&#x27;s formula failed: " in page
    assert "division by zero" in page
    assert "Issued: N-2026-000003." in page


def test_a_grace_period_over_ten_years_is_refused_on_its_field(
    rules, role_user, client_for
):
    response = client_for(role_user("administrator")).post(
        "/penalties/rules/new/", _rule_form(grace_days="3651")
    )

    assert response.status_code == 422
    assert "must be between 0 and 3650" in response.content.decode()
    assert PenaltyRule.objects.count() == 2
