from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import account_views, payment_list_views, views, work_views

app_name = "web"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="web/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", account_views.account, name="account"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("residences/", views.residences, name="residences"),
    path("residences/<int:pk>/", views.residence, name="residence"),
    path("apartments/<int:pk>/", views.apartment, name="apartment"),
    path("readings/", work_views.readings, name="readings"),
    path(
        "readings/<int:residence_id>/<int:period_id>/",
        work_views.reading_grid,
        name="reading_grid",
    ),
    path(
        "readings/save/<int:register_id>/<int:period_id>/",
        work_views.reading_save,
        name="reading_save",
    ),
    path("review/", work_views.review_queue, name="review"),
    path(
        "review/<int:pk>/<str:verb>/",
        work_views.resolve_finding,
        name="resolve_finding",
    ),
    path("periods/<int:period_id>/billrun/", work_views.billrun, name="billrun"),
    path("invoices/", views.invoices, name="invoices"),
    path("invoices/<int:pk>/", views.invoice, name="invoice"),
    path(
        "invoices/<int:pk>/<str:kind>/",
        views.invoice_document,
        name="invoice_document",
    ),
    path("audit/", views.audit, name="audit"),
    path(
        "residences/<int:residence_id>/payment-list/<int:period_id>/",
        payment_list_views.payment_list,
        name="payment_list",
    ),
    path("", include("meterbill.web.urls_premises")),
    path("", include("meterbill.web.urls_contract_charges")),
    path("config/", include("meterbill.web.urls_config")),
    path("", include("meterbill.web.urls_jobs")),
    path("allocation/", include("meterbill.web.urls_allocation")),
    path("", include("meterbill.web.urls_invoices")),
    path("penalties/", include("meterbill.web.urls_penalties")),
]
