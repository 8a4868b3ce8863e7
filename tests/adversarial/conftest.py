"""Fixtures of the adversarial tests (T2): logged-in clients for people of the
north branch of the small building in tests/conftest.py."""

from __future__ import annotations

import pytest
from django.test import Client


def make_user(username, branch, *roles):
    from meterbill.orgs.models import User

    user = User(username=username, branch=branch, roles=",".join(roles))
    user.set_password("pw-" + username)
    user.save()
    return user


@pytest.fixture
def client_for():
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def operator(small_building):
    """A billing operator of the north branch (edits rules and provider bills)."""
    return make_user("olga", small_building["residence"].branch, "billing_operator")


@pytest.fixture
def manager(small_building):
    """A branch manager of the north branch (edits tariffs)."""
    return make_user("mara", small_building["residence"].branch, "branch_manager")


@pytest.fixture
def provider(org):
    from meterbill.premises.models import Provider

    return Provider.objects.create(organisation=org, name="Apa Nova SA")


@pytest.fixture
def place(small_building, provider):
    """The form fields naming where a provider bill belongs."""
    return {
        "residence": small_building["residence"].pk,
        "period": small_building["period"].pk,
        "utility": small_building["utility"].pk,
        "provider": provider.pk,
    }
