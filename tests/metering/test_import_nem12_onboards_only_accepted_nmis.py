"""``--register-new`` onboards only NMIs with at least one accepted row."""

from datetime import date

from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Register
from meterbill.premises.models import Contract, Customer, ServicePoint

from .conftest import TODAY, nem12

OPTIONS = ImportOptions(register_new=True, tariff="ELEC", today=TODAY)


def test_it_creates_nothing_for_an_nmi_whose_every_row_is_rejected(
    branches, power_tariff
):
    # NMI0000002 reads only after TODAY (4 Dec 2026): both its days are in the future.
    data = nem12(
        ("NMI0000001", "E1", "kWh", {"20261101": "0.5"}),
        ("NMI0000002", "E1", "kWh", {"20261205": "0.5", "20261206": "0.5"}),
    )

    report = import_readings(
        data.encode(), fmt="nem12", branch=branches["north"], options=OPTIONS
    )

    assert (report.rows_imported, report.rows_rejected) == (1, 2)
    assert report.service_points_created == 1
    assert list(ServicePoint.objects.values_list("identifier", flat=True)) == [
        "NMI0000001"
    ]
    assert list(Customer.objects.values_list("code", flat=True)) == ["NMI0000001"]
    assert list(Contract.objects.values_list("number", flat=True)) == ["NMI0000001"]


def test_it_creates_no_register_for_a_suffix_whose_every_row_is_rejected(
    branches, power_tariff
):
    # B1 has 48 × 0.0000001 = 0.0000048 kWh: seven places, more than are stored.
    data = nem12(
        ("NMI0000001", "E1", "kWh", {"20261101": "0.5"}),
        ("NMI0000001", "B1", "kWh", {"20261101": "0.0000001"}),
    )

    report = import_readings(
        data.encode(), fmt="nem12", branch=branches["north"], options=OPTIONS
    )

    assert (report.rows_imported, report.rows_rejected) == (1, 1)
    assert list(Register.objects.values_list("code", flat=True)) == ["E1"]


def test_it_starts_the_contract_on_the_first_accepted_day(branches, power_tariff):
    # 31 Oct has 48 × 0.0000001 kWh, more places than are stored; 1 Nov is good.
    data = nem12(
        ("NMI0000001", "E1", "kWh", {"20261031": "0.0000001", "20261101": "0.5"}),
    )

    report = import_readings(
        data.encode(), fmt="nem12", branch=branches["north"], options=OPTIONS
    )

    assert (report.rows_imported, report.rows_rejected) == (1, 1)
    assert Contract.objects.get().valid_from == date(2026, 11, 1)


def test_it_reports_no_new_nmi_when_every_row_is_rejected(branches, power_tariff):
    data = nem12(("NMI0000002", "E1", "kWh", {"20261205": "0.5"}))

    report = import_readings(
        data.encode(), fmt="nem12", branch=branches["north"], options=OPTIONS
    )

    assert (report.rows_imported, report.rows_rejected) == (0, 1)
    assert report.service_points_created == 0
    assert not ServicePoint.objects.exists()
    assert not Customer.objects.exists()
