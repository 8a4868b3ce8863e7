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

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The schema to read: Swagger UI and Redoc, served from our static files.
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path(
        "redoc/",
        SpectacularRedocView.as_view(
            url_name="api:schema", template_name="api/redoc.html"
        ),
        name="redoc",
    ),
    path("", include(router.urls)),
]
