from __future__ import annotations

import pytest

from meterbill.orgs.models import User


@pytest.mark.django_db
def test_it_speaks_romanian_to_a_romanian_user(alice, client_for):
    User.objects.filter(pk=alice.pk).update(language="ro")
    alice.refresh_from_db()

    html = client_for(alice).get("/dashboard/").content.decode()

    assert "Panou" in html
    assert "Ieșire" in html
    assert '<html lang="ro">' in html


def test_it_formats_money_for_the_locale():
    from decimal import Decimal

    from django.utils import translation

    from meterbill.web.templatetags.meterbill import money

    with translation.override("ro"):
        ro = money(Decimal("1234.5"), "RON")
    with translation.override("en"):
        en = money(Decimal("1234.5"), "RON")

    assert (ro, en) == ("1.234,50 RON", "1,234.50 RON")
