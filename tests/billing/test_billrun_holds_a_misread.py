from datetime import date

from meterbill.billing.billrun import bill_period
from meterbill.billing.models import Finding
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading


def misread_apartment_2(small_building):
    # apartment 2 reads 200 on 31 Oct and (misread) 190 on 30 Nov
    apt2 = small_building["apartments"][1]
    Reading.objects.filter(
        register__meter__apartment=apt2, read_on=date(2026, 11, 30)
    ).update(value=190)
    return apt2


def test_it_holds_exactly_the_misread_apartments_invoice(small_building):
    apt2 = misread_apartment_2(small_building)

    run = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then apartments 1 and 3 are issued with numbers 1 and 2; apartment 2 is held
    assert (run.summary["issued"], run.summary["held"]) == (2, 1)
    assert not Invoice.objects.filter(apartment=apt2).exists()
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2]
    finding = Finding.objects.get(rule="register_decrease")
    assert (finding.severity, finding.status) == ("block", "open")
    assert finding.register.meter.apartment_id == apt2.pk
    # and the period waits for review instead of being invoiced
    small_building["period"].refresh_from_db()
    assert small_building["period"].state == "calculated"


def test_it_issues_the_held_invoice_with_the_next_number_once_accepted(small_building):
    apt2 = misread_apartment_2(small_building)
    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    Finding.objects.filter(rule="register_decrease").update(status="accepted")

    again = bill_period(small_building["period"], issue_date=date(2026, 12, 4))

    # then only apartment 2 is issued now, as number 3; nothing is held any more
    assert (again.summary["issued"], again.summary["held"]) == (1, 0)
    assert Invoice.objects.get(apartment=apt2).number == 3
    assert sorted(Invoice.objects.values_list("number", flat=True)) == [1, 2, 3]
    small_building["period"].refresh_from_db()
    assert small_building["period"].state == "invoiced"
