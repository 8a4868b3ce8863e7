from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("invoices/<int:pk>/<str:kind>/", views.document, name="document"),
    path("reading/", views.submit_reading, name="reading"),
]
