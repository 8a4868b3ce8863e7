"""URLs of the configuration screens, included under /config/ in the ``web``
namespace (names start with ``config_``)."""

from django.urls import path

from . import config_views as c
from . import tariff_views as t

urlpatterns = [
    path("", c.home, name="config"),
    path("utilities/", c.utilities, name="config_utilities"),
    path("utilities/new/", c.utility_edit, name="config_utility_new"),
    path("utilities/<int:utility_id>/", c.utility_edit, name="config_utility"),
    path(
        "utilities/<int:utility_id>/delete/",
        c.utility_delete,
        name="config_utility_delete",
    ),
    path("providers/", c.providers, name="config_providers"),
    path("providers/new/", c.provider_edit, name="config_provider_new"),
    path("providers/<int:provider_id>/", c.provider_edit, name="config_provider"),
    path(
        "providers/<int:provider_id>/delete/",
        c.provider_delete,
        name="config_provider_delete",
    ),
    path("series/", c.series_list, name="config_series"),
    path("series/new/", c.series_edit, name="config_series_new"),
    path("series/<int:series_id>/", c.series_edit, name="config_series_edit"),
    path(
        "series/<int:series_id>/delete/",
        c.series_delete,
        name="config_series_delete",
    ),
    path("severities/", c.severities, name="config_severities"),
    path("severities/<int:branch_id>/", c.severities_of, name="config_severities_of"),
    path("vat/", c.vat_rates, name="config_vat"),
    path("vat/new/", c.vat_rate_edit, name="config_vat_new"),
    path("vat/<int:vat_rate_id>/", c.vat_rate_edit, name="config_vat_edit"),
    path("vat/<int:vat_rate_id>/delete/", c.vat_rate_delete, name="config_vat_delete"),
    path("tariffs/", t.tariffs, name="config_tariffs"),
    path("tariffs/new/", t.tariff_edit, name="config_tariff_new"),
    path("tariffs/<int:tariff_id>/", t.tariff, name="config_tariff"),
    path("tariffs/<int:tariff_id>/edit/", t.tariff_edit, name="config_tariff_edit"),
    path(
        "tariffs/<int:tariff_id>/delete/",
        t.tariff_delete,
        name="config_tariff_delete",
    ),
    path(
        "tariffs/<int:tariff_id>/versions/new/",
        t.version_new,
        name="config_version_new",
    ),
    path("versions/<int:version_id>/", t.version, name="config_version"),
    path("versions/<int:version_id>/edit/", t.version_edit, name="config_version_edit"),
    path(
        "versions/<int:version_id>/delete/",
        t.version_delete,
        name="config_version_delete",
    ),
    path(
        "versions/<int:version_id>/components/new/",
        t.component_new,
        name="config_component_new",
    ),
    path(
        "components/<int:component_id>/",
        t.component_edit,
        name="config_component",
    ),
    path(
        "components/<int:component_id>/delete/",
        t.component_delete,
        name="config_component_delete",
    ),
    path(
        "components/<int:component_id>/move/<str:direction>/",
        t.component_move,
        name="config_component_move",
    ),
    path(
        "versions/<int:version_id>/tables/new/",
        t.table_new,
        name="config_table_new",
    ),
    path("tables/<int:table_id>/", t.table_edit, name="config_table"),
    path(
        "tables/<int:table_id>/delete/",
        t.table_delete,
        name="config_table_delete",
    ),
    path("preview/", t.preview_page, name="config_preview"),
]
