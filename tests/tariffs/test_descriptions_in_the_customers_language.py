from datetime import date
from decimal import Decimal

from django.utils import translation

from meterbill.billing.billrun import bill_period
from meterbill.invoicing.models import Invoice
from meterbill.premises.models import Customer

D = Decimal


def test_lines_are_worded_in_the_customers_language(small_building, with_components):
    # given a component with a Romanian text, and customer 2 writing Romanian
    with_components(
        {
            "kind": "unit_price",
            "code": "WATER",
            "description": "Cold water",
            "params": {"unit_price": "5.00", "descriptions": {"ro": "Apă rece"}},
        }
    )
    Customer.objects.filter(code="K2").update(language="ro")

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then customer 2's lines use the Romanian name and the catalogue's Romanian
    # words; customer 1's stay English
    with translation.override("ro"):
        own, common = (
            translation.gettext("own meter"),
            translation.gettext("common consumption"),
        )
    ro = Invoice.objects.get(apartment=small_building["apartments"][1])
    assert list(
        ro.lines.order_by("position").values_list("description", flat=True)
    ) == [
        f"Apă rece – {own}",
        f"Apă rece – {common}",
    ]
    en = Invoice.objects.get(apartment=small_building["apartments"][0])
    assert list(
        en.lines.order_by("position").values_list("description", flat=True)
    ) == [
        "Cold water – own meter",
        "Cold water – common consumption",
    ]
