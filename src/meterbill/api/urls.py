from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerView,
)
from rest_framework.routers import SimpleRouter

from . import views

app_name = "api"

router = SimpleRouter()
router.register("residences", views.ResidenceViewSet, basename="residence")
router.register("apartments", views.ApartmentViewSet, basename="apartment")
router.register("meters", views.MeterViewSet, basename="meter")
router.register("readings", views.ReadingViewSet, basename="reading")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("findings", views.FindingViewSet, basename="finding")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("contracts", views.ContractViewSet, basename="contract")
router.register("invoices", views.InvoiceViewSet, basename="invoice")

# The schema pages load nothing from another host (docs/web.md: no CDN). Their
# scripts and styles are our static files, but Redoc's bundle always draws
# Redocly's logo from cdn.redoc.ly: this policy tells the browser not to fetch
# it (the bundle then leaves the logo out). Inline: the pages' start-up scripts;
# blob: Redoc's search worker; data: images and fonts inside the bundles.
OWN_SOURCES_ONLY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "worker-src 'self' blob:",
        "connect-src 'self'",
    )
)


def own_sources_only(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Content-Security-Policy"] = OWN_SOURCES_ONLY
        return response

    return wrapped


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The schema to read: Swagger UI and Redoc, served from our static files.
    path(
        "docs/",
        own_sources_only(SpectacularSwaggerView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        own_sources_only(
            SpectacularRedocView.as_view(
                url_name="api:schema", template_name="api/redoc.html"
            )
        ),
        name="redoc",
    ),
    path("", include(router.urls)),
]
