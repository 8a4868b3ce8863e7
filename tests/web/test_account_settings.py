"""A user chooses the interface language and changes the password on /account/."""

import pytest

from meterbill.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_it_switches_the_interface_to_romanian(alice, client_for):
    client = client_for(alice)

    response = client.post("/account/", {"form": "language", "language": "ro"})

    # then the choice is stored, audited, and the next page speaks Romanian
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.language == "ro"
    event = AuditEvent.objects.get(action="user.language")
    assert (event.before, event.after) == ({"language": "en"}, {"language": "ro"})
    page = client.get("/account/").content.decode()
    assert "Setările tale" in page and "Your settings" not in page


def test_it_refuses_a_language_the_product_does_not_speak(alice, client_for):
    response = client_for(alice).post(
        "/account/", {"form": "language", "language": "xx"}
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    alice.refresh_from_db()
    assert alice.language == "en"


def test_it_changes_the_password_only_with_the_old_one(alice, client_for):
    client = client_for(alice)
    new = {"new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"}

    wrong = client.post("/account/", {"form": "password", "old_password": "no", **new})
    right = client.post(
        "/account/", {"form": "password", "old_password": "pw-alice", **new}
    )

    assert wrong.status_code == 200
    assert right.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password("a-Long-new-pass-42")
    assert AuditEvent.objects.filter(action="user.password_changed").count() == 1
    # the session survives its own password change
    assert client.get("/account/").status_code == 200


def test_it_sends_an_anonymous_visitor_to_the_login_page(client):
    response = client.get("/account/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
