"""Once a meter's reading is billed, KQ, KC and the parent meter are read-only, like
its kind, utility, multiplier and installation day: the issued invoices were
computed with them."""

from datetime import date
from types import SimpleNamespace

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.metering.models import Meter
from meterbill.web.premises_forms import MeterExchangeForm, MeterForm


@pytest.mark.django_db
def test_kq_kc_and_parent_are_read_only_after_billing(role_user, small_building):
    user = role_user("administrator")
    meter = Meter.objects.get(serial="W1")
    kinds = [Meter.Kind.APARTMENT]
    before = MeterForm(instance=meter, user=user, kinds=kinds)
    assert not any(before.fields[n].disabled for n in ("kq", "kc", "parent"))

    bill_period(small_building["period"], issue_date=date(2026, 12, 4))
    form = MeterForm(instance=meter, user=user, kinds=kinds)

    # then the seven billed fields are disabled, naming the last billed day
    locked = [n for n, f in form.fields.items() if f.disabled]
    assert sorted(locked) == sorted(
        ["kind", "utility", "multiplier", "installed_on", "kq", "kc", "parent"]
    )
    assert "2026-11-30" in str(form.fields["kq"].help_text)


def test_the_aes_key_cleaners_hide_the_key_from_error_reports():
    # Django marks the variables when the decorated method runs; an error report
    # then shows "key" as stars
    key = "00112233445566778899aabbccddeeff"
    for method, field in (
        (MeterForm.clean_aes_key_new, "aes_key_new"),
        (MeterExchangeForm.clean_aes_key, "aes_key"),
    ):
        assert method(SimpleNamespace(cleaned_data={field: key})) == key.upper()
        assert getattr(method, "sensitive_variables", None) == ("key",)
