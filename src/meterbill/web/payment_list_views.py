"""The building's payment list as a web page (the same table as the posted PDF)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from meterbill.billing.models import Period
from meterbill.billing.payment_list import build_payment_list, payment_list_context
from meterbill.premises.models import Residence

from .access import get_scoped, requires


@requires("invoices.view")
def payment_list(
    request: HttpRequest, residence_id: int, period_id: int
) -> HttpResponse:
    residence = get_scoped(
        Residence.objects.select_related("branch__organisation"),
        request.user,
        pk=residence_id,
    )
    period = get_scoped(Period.objects.all(), request.user, pk=period_id)
    plist = build_payment_list(residence, period)
    return render(request, "web/payment_list.html", payment_list_context(plist))
