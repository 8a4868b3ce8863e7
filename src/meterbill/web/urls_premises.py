"""URLs of the premises screens, included into the ``web`` namespace."""

from django.urls import path

from . import customer_views, meter_views, premises_views

urlpatterns = [
    path(
        "residences/new/",
        premises_views.residence_create,
        name="residence_create",
    ),
    path(
        "residences/<int:pk>/edit/",
        premises_views.residence_edit,
        name="residence_edit",
    ),
    path(
        "residences/<int:pk>/delete/",
        premises_views.residence_delete,
        name="residence_delete",
    ),
    path(
        "residences/<int:residence_id>/apartments/new/",
        premises_views.apartment_create,
        name="apartment_create",
    ),
    path(
        "apartments/<int:pk>/edit/",
        premises_views.apartment_edit,
        name="apartment_edit",
    ),
    path(
        "apartments/<int:pk>/delete/",
        premises_views.apartment_delete,
        name="apartment_delete",
    ),
    path("meters/", meter_views.meters, name="meters"),
    path("meters/<int:pk>/", meter_views.meter, name="meter"),
    path(
        "residences/<int:residence_id>/meters/new/",
        meter_views.meter_create_residence,
        name="meter_create_residence",
    ),
    path(
        "apartments/<int:apartment_id>/meters/new/",
        meter_views.meter_create_apartment,
        name="meter_create_apartment",
    ),
    path("meters/<int:pk>/edit/", meter_views.meter_edit, name="meter_edit"),
    path("meters/<int:pk>/delete/", meter_views.meter_delete, name="meter_delete"),
    path(
        "meters/<int:pk>/exchange/",
        meter_views.meter_exchange,
        name="meter_exchange",
    ),
    path("customers/", customer_views.customers, name="customers"),
    path("customers/new/", customer_views.customer_create, name="customer_create"),
    path("customers/<int:pk>/", customer_views.customer_page, name="customer"),
    path(
        "customers/<int:pk>/delete/",
        customer_views.customer_delete,
        name="customer_delete",
    ),
    path("contracts/", customer_views.contracts, name="contracts"),
    path("contracts/new/", customer_views.contract_create, name="contract_create"),
    path("contracts/<int:pk>/", customer_views.contract_page, name="contract"),
    path(
        "contracts/<int:pk>/delete/",
        customer_views.contract_delete,
        name="contract_delete",
    ),
]
