"""A URDB v7 export (one rate object) becomes a Tariff with exact decimals."""

import json
from decimal import Decimal

from meterbill.engine.tariff import ChargeUnit, UsageUnit
from meterbill.formats.urdb import read_tariff

WEEKDAY = [[0] * 17 + [1] * 4 + [0] * 3 for _ in range(12)]
WEEKEND = [[0] * 24 for _ in range(12)]

V7_EXPORT = json.dumps(
    {
        "name": "Small general service",
        "energyratestructure": [
            [
                {"max": 100.0, "rate": 0.07076899707317352, "unit": "kWh"},
                {
                    "max": 9.9999996802856925e37,
                    "rate": 0.08294899761676788,
                    "adj": 0.01,
                },
            ],
            [{"max": 100.0, "rate": 0.2, "unit": "kWh"}, {"rate": 0.3}],
        ],
        "energyweekdayschedule": WEEKDAY,
        "energyweekendschedule": WEEKEND,
        "demandratestructure": [
            [{"rate": 2}],
            [{"max": 100, "rate": 19.5}, {"rate": 13}],
        ],
        "demandweekdayschedule": WEEKDAY,
        "demandweekendschedule": WEEKEND,
        "flatdemandstructure": [[{"max": 1e38, "rate": 6.46}], [{"rate": 13.87}]],
        "flatdemandmonths": [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0],
        "fixedmonthlycharge": 35.28,
        "minmonthlycharge": 1.0,
        "annualmincharge": 12.0,
        "dgrules": "Net Metering",
    }
)


def test_it_reads_rates_tiers_and_limits_as_exact_decimals():
    # given the export above

    # when
    tariff = read_tariff(V7_EXPORT, filename="rate.json")

    # then
    first, second = tariff.energy_periods[0]
    assert first.rate == Decimal("0.07076899707317352")
    assert first.max_usage == Decimal("100.0")
    assert first.unit is UsageUnit.KWH_PER_MONTH
    assert second.max_usage is None  # 1e38 is URDB's "no limit"
    assert second.price == Decimal("0.09294899761676788")  # rate + adj
    assert tariff.demand_periods[1][0].max_kw == Decimal(100)
    assert tariff.flat_demand_periods[0][0].max_kw is None
    assert tariff.name == "Small general service"


def test_it_reads_schedules_and_month_charges():
    # given the export above

    # when
    tariff = read_tariff(V7_EXPORT.encode())

    # then
    assert tariff.energy_weekday[6][17] == 1
    assert tariff.energy_weekday[6][16] == 0
    assert tariff.demand_weekend is not None
    assert tariff.demand_weekend[0] == (0,) * 24
    assert tariff.flat_demand_months == (0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0)
    assert tariff.fixed_charge == Decimal("35.28")
    assert tariff.fixed_charge_unit is ChargeUnit.PER_MONTH
    assert tariff.min_charge == Decimal("1.0")
    assert tariff.annual_min_charge == Decimal("12.0")
