"""Invoice actions (web/invoice_actions.py), in the ``web`` namespace. Each action
path has three segments after ``invoices/`` so that it never meets
``invoices/<pk>/<kind>/`` (the document downloads)."""

from django.urls import path

from . import invoice_actions as a

urlpatterns = [
    path("invoices/<int:pk>/act/send/", a.mark_sent, name="invoice_send"),
    path("invoices/<int:pk>/act/pay/", a.mark_paid, name="invoice_pay"),
    path("invoices/<int:pk>/act/credit/", a.credit, name="invoice_credit"),
    path("invoices/<int:pk>/act/rebill/", a.rebill, name="invoice_rebill"),
    path("invoices/<int:pk>/act/correct/", a.correct, name="invoice_correct"),
    path("periods/<int:period_id>/advances/", a.advances, name="period_advances"),
    path("periods/<int:period_id>/settle/", a.settle, name="period_settle"),
]
