"""URLs of a contract's fees and one-off items, included into the ``web``
namespace."""

from django.urls import path

from . import contract_charge_views as views

urlpatterns = [
    path(
        "contracts/<int:contract_id>/charges/new/",
        views.charge_create,
        name="contract_charge_create",
    ),
    path(
        "contract-charges/<int:pk>/edit/",
        views.charge_edit,
        name="contract_charge_edit",
    ),
    path(
        "contract-charges/<int:pk>/end/",
        views.charge_end,
        name="contract_charge_end",
    ),
    path(
        "contract-charges/<int:pk>/withdraw/",
        views.charge_withdraw,
        name="contract_charge_withdraw",
    ),
]
