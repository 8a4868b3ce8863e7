"""T5: the organisation's penalty rule is shown to people as "*".

The Penalties page says "In force today for N: the rule * from 2026-01-01." and
`assess-penalties` prints "(rule * from 2020-01-01)": PenaltyRule.__str__ writes
"*" for the organisation's rule, while the rules table on the same page says
"The whole organisation" and set-penalty-rule prints "organisation of T". A user
cannot tell what "*" means (docs/penalties.md never says)."""

from __future__ import annotations

import pytest

from adversarial.conftest import make_user
from invoicing.test_penalties_helpers import make_rule

pytestmark = pytest.mark.django_db


def test_the_rule_in_force_is_named_in_words(org, branches, client_for):
    make_rule(org)
    manager = make_user("mara5", branches["north"], "branch_manager")

    page = client_for(manager).get("/penalties/").content.decode()

    assert "In force today for N:" in page
    assert "the rule * from" not in page
    assert f"the rule {org.name} (whole organisation) from" in page
