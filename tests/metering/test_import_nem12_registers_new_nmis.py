from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.periods import open_period
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, import_readings
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.models import Contract, ContractService, ServicePoint

from .conftest import TODAY, nem12

# E1: 48 × 0.5 = 24 kWh on 1 Nov and 48 × 0.25 = 12 kWh on 2 Nov; B1: 4.8 kWh
# exported; Q1: 48 × 100 VArh = 4.8 kVArh reactive. Only E1 is billed.
FILE = nem12(
    ("NMI0000001", "E1", "kWh", {"20261101": "0.5", "20261102": "0.25"}),
    ("NMI0000001", "B1", "kWh", {"20261101": "0.1"}),
    ("NMI0000001", "Q1", "VArh", {"20261101": "100"}),
)


def test_it_creates_service_point_meter_registers_customer_and_contract(
    branches, power_tariff
):
    north = branches["north"]

    report = import_readings(
        FILE.encode(),
        fmt="nem12",
        branch=north,
        filename="nov.csv",
        options=ImportOptions(
            register_new=True, tariff="ELEC", customer_prefix="AU-", today=TODAY
        ),
    )

    assert (report.rows_read, report.rows_imported, report.rows_rejected) == (4, 4, 0)
    assert report.service_points_created == 1
    point = ServicePoint.objects.get(branch=north, identifier="NMI0000001")
    meter = Meter.objects.get(service_point=point)
    assert (meter.kind, meter.utility_id, meter.serial) == (
        "service_point",
        power_tariff.utility_id,
        "NMI0000001",
    )
    registers = Register.objects.filter(meter=meter).order_by("code")
    assert [(r.code, r.role, r.unit) for r in registers] == [
        ("B1", "export", "kWh"),
        ("E1", "consumption", "kWh"),
        ("Q1", "reactive", "VArh"),
    ]
    contract = Contract.objects.get(service_point=point)
    assert (contract.number, contract.customer.code, contract.valid_from) == (
        "AU-NMI0000001",
        "AU-NMI0000001",
        date(2026, 11, 1),
    )
    assert ContractService.objects.get(contract=contract).tariff == power_tariff
    e1 = Reading.objects.filter(register__code="E1").order_by("read_on")
    assert [(r.read_on, r.kind, r.value) for r in e1] == [
        (date(2026, 11, 1), "consumption", Decimal("24")),
        (date(2026, 11, 2), "consumption", Decimal("12")),
    ]


def test_the_bill_run_bills_the_new_contract_from_its_e_register(
    branches, power_tariff
):
    north = branches["north"]
    import_readings(
        FILE.encode(),
        fmt="nem12",
        branch=north,
        filename="nov.csv",
        options=ImportOptions(register_new=True, tariff="ELEC", today=TODAY),
    )
    period = open_period(north, "AU-2026-11", date(2026, 11, 1), date(2026, 11, 30))

    bill_period(period, issue_date=date(2026, 12, 4))

    invoice = Invoice.objects.get(period=period)
    # 36 kWh × 0.50 = 18.00, plus one month's fixed charge 10.00.
    assert invoice.total_net == Decimal("28.00")


def test_it_rejects_unknown_nmis_without_register_new(branches, power_tariff):
    report = import_readings(
        FILE.encode(),
        fmt="nem12",
        branch=branches["north"],
        filename="nov.csv",
        options=ImportOptions(today=TODAY),
    )

    assert report.rows_imported == 0
    assert [(e.file, e.line, e.field) for e in report.rejected] == [
        ("nov.csv", 3, "meter"),
        ("nov.csv", 4, "meter"),
        ("nov.csv", 6, "meter"),
        ("nov.csv", 8, "meter"),
    ]
    assert not ServicePoint.objects.exists()


def test_it_converts_wh_to_the_registers_kwh(branches, power_tariff):
    wh = nem12(("NMI0000002", "E1", "Wh", {"20261101": "125"}))

    import_readings(
        wh.encode(),
        fmt="nem12",
        branch=branches["north"],
        filename="wh.csv",
        options=ImportOptions(register_new=True, tariff="ELEC", today=TODAY),
    )

    reading = Reading.objects.get()
    assert (reading.register.unit, reading.value) == ("kWh", Decimal("6"))


def test_it_rejects_a_day_in_the_future(branches, power_tariff):
    late = nem12(("NMI0000003", "E1", "kWh", {"20261101": "1", "20261205": "1"}))

    report = import_readings(
        late.encode(),
        fmt="nem12",
        branch=branches["north"],
        filename="late.csv",
        options=ImportOptions(register_new=True, tariff="ELEC", today=TODAY),
    )

    assert report.rows_imported == 1
    assert [str(e) for e in report.rejected] == [
        "late.csv:4: field date: 2026-12-05 is in the future"
    ]
