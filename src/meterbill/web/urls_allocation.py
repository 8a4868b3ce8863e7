"""URLs of the allocation screens, included under /allocation/ in the ``web``
namespace (names start with ``allocation_``)."""

from django.urls import path

from . import allocation_views as a

urlpatterns = [
    path("rules/", a.rules, name="allocation_rules"),
    path("rules/new/", a.rule_new, name="allocation_rule_new"),
    path("rules/<int:pk>/", a.rule_edit, name="allocation_rule"),
    path("bills/", a.bills, name="allocation_bills"),
    path("bills/new/", a.bill_new, name="allocation_bill_new"),
    path("bills/upload/", a.bill_upload, name="allocation_bill_upload"),
    path("bills/confirm/", a.bill_confirm, name="allocation_bill_confirm"),
    path("bills/<int:pk>/file/", a.bill_file, name="allocation_bill_file"),
]
