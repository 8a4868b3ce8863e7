from __future__ import annotations

import pytest

from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading
from meterbill.orgs.models import Branch
from meterbill.web.access import scope, visible_branches


@pytest.mark.django_db
def test_it_gives_alice_the_north_subtree_only(alice, branches):
    codes = set(visible_branches(alice).values_list("code", flat=True))

    assert codes == {"N"}


@pytest.mark.django_db
def test_it_scopes_readings_through_register_meter_and_branch(
    alice, bob, small_building, south
):
    alice_readings = scope(Reading.objects.all(), alice)
    bob_readings = scope(Reading.objects.all(), bob)

    assert alice_readings.count() == 11  # 3 apartments × 3 + main meter × 2
    assert set(bob_readings) == {south["opening"], south["reading"]}


@pytest.mark.django_db
def test_it_gives_a_user_without_branch_nothing(branches, south):
    from meterbill.orgs.models import User

    nobody = User.objects.create(username="nobody", roles="billing_operator")

    assert not scope(Invoice.objects.all(), nobody).exists()
    assert not visible_branches(nobody).exists()


def test_it_refuses_a_model_without_a_branch_lookup():
    from meterbill.audit.models import AuditHead

    with pytest.raises(KeyError):
        scope(AuditHead.objects.all(), None)


@pytest.mark.django_db
def test_it_does_not_mistake_branch_10_for_a_child_of_branch_1(org):
    from meterbill.orgs.models import User

    root = Branch.objects.create(pk=7001, organisation=org, code="R", name="R")
    ten = Branch.objects.create(pk=70010, organisation=org, code="T", name="T")

    user = User.objects.create(username="u", branch=root, roles="auditor")

    assert ten.path == "/70010/"
    assert list(visible_branches(user)) == [root]
