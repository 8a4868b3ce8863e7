"""Tester T4, area B (rating by columns): two block limits that are the same once
scaled by the part's months (the multiplication rounds to the 28 digits of the
decimal context) leave the middle block no room. rate_period then makes no line
for it; the columnar path (8 or more apartments of one period) made a zero
line "block 2" for every apartment, so the invoice depended on how many
apartments the residence has. Block limits of stored components are not limited
in decimals (tariffs.compile reads them with ``number`` without ``price``)."""

from datetime import date
from decimal import Decimal as D

from builders import make_contract, make_tariff
from meterbill.engine.components import (
    BlockPrice,
    TariffVersion,
    Usage,
    VatRates,
    rate_period,
)
from meterbill.engine.components_batch import COLUMNS_FROM, prepare_version, rate_many

# 1 + 10^-30: above 1, but 1 × months rounds to 1 at 28 digits
CLOSE = "1.000000000000000000000000000001"


def test_rate_many_makes_no_line_for_a_block_without_room():
    # given blocks 0-1 m3 at 1.20, 1-(1+1e-30) m3 at 9.00, the rest at 1.80 and
    # a full month: limit × 1 month rounds both limits to 1
    version = TariffVersion(
        "W",
        date(2025, 1, 1),
        "EUR",
        (
            BlockPrice(
                "B",
                "Water",
                blocks=((D(1), D("1.20")), (D(CLOSE), D(9)), (None, D("1.80"))),
            ),
        ),
    )
    vat = [VatRates(date(2025, 1, 1), {"S": D(19)})]
    usage = Usage(date(2025, 3, 1), date(2025, 3, 31), D(3))

    # when rated alone and with enough apartments to be rated by columns
    alone = rate_period([version], vat, usage)
    batch = rate_many(prepare_version(version), [usage] * COLUMNS_FROM, vat)

    # then rate_period gives 1 × 1.20 and 2 × 1.80 = 4.80 in two lines, and so
    # must every rating of the batch
    assert [ln.description for ln in alone.lines] == [
        "Water, block 1",
        "Water, block 3",
    ]
    assert alone.totals.tax_exclusive == D("4.80")
    assert [ln.description for ln in batch[0].lines] == [
        "Water, block 1",
        "Water, block 3",
    ]
    assert batch[0] == alone


def _residence(org, branches, apartments):
    from meterbill.billing.models import Period
    from meterbill.metering.models import Meter, Reading, Register
    from meterbill.premises.models import Apartment, ApartmentUtility, Residence
    from meterbill.tariffs.models import TariffComponent

    north = branches["north"]
    cold, tariff = make_tariff(
        org,
        "cold",
        "COLD",
        kind="cold_water",
        unit="m3",
        unit_code="MTQ",
        unit_price="5.00",
        vat="19",
        name="Cold water",
    )
    TariffComponent.objects.create(
        version=tariff.versions.get(),
        position=1,
        kind="block",
        code="B",
        description="Water",
        params={"blocks": [["1", "1.20"], [CLOSE, "9"], [None, "1.80"]]},
    )
    res = Residence.objects.create(
        branch=north, code="R1", name="R1", city="SECTOR1", country="RO"
    )
    period = Period.objects.create(
        branch=north,
        name="2026-11",
        starts_on=date(2026, 11, 1),
        ends_on=date(2026, 11, 30),
    )
    for n in range(apartments):
        apt = Apartment.objects.create(
            residence=res, number=str(n + 1), area_m2=D(50), persons=1
        )
        ApartmentUtility.objects.create(apartment=apt, utility=cold)
        make_contract(north, f"C{n}", f"K{n}", f"Customer {n}", [tariff], apartment=apt)
        meter = Meter.objects.create(
            branch=north, kind="apartment", utility=cold, serial=f"W{n}", apartment=apt
        )
        reg = Register.objects.create(meter=meter, unit="m3")
        for day, value in (
            (date(2026, 9, 30), 97),
            (date(2026, 10, 31), 100),
            (date(2026, 11, 30), 103),
        ):
            Reading.objects.create(
                register=reg, read_on=day, value=D(value), source="manual"
            )
    return period


def test_the_bill_run_words_an_apartment_the_same_in_a_large_residence(org, branches):
    from meterbill.billing.billrun import bill_period
    from meterbill.invoicing.models import Invoice

    # given ten apartments of 3 m3 each in November on that block tariff
    period = _residence(org, branches, 10)

    # when billed
    bill_period(period, issue_date=date(2026, 12, 4))

    # then each invoice is 1 × 1.20 + 2 × 1.80 = 4.80 in two lines, as the same
    # apartment in a residence of fewer than 8 apartments is billed
    for invoice in Invoice.objects.all():
        lines = list(invoice.lines.order_by("position"))
        assert invoice.total_net == D("4.80")
        assert [(ln.quantity, ln.net_amount) for ln in lines] == [
            (D(1), D("1.20")),
            (D(2), D("3.60")),
        ]
