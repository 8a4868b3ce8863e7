"""The payment list page: shown to the residence's branch, a 404 to another's."""

from django.test import Client
from django.urls import reverse


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def page_url(building) -> str:
    return reverse(
        "web:payment_list",
        args=[building["residence"].pk, building["period"].pk],
    )


def test_it_shows_alice_her_residences_list_with_totals(billed_building, alice):
    response = client_for(alice).get(page_url(billed_building))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Heating – by heat cost allocators" in html
    assert "493.96" in html  # the gross total of the three invoices
    assert "Termo Provider SA" in html


def test_it_gives_bob_of_the_other_branch_a_404(billed_building, bob):
    response = client_for(bob).get(page_url(billed_building))

    assert response.status_code == 404


def test_it_links_the_list_from_the_residence_page(billed_building, alice):
    billed_building["period"].refresh_from_db()

    response = client_for(alice).get(
        reverse("web:residence", args=[billed_building["residence"].pk])
    )

    assert page_url(billed_building) in response.content.decode()
