"""A stored rule and a scenario file of the same building give the same shares."""

from datetime import date
from decimal import Decimal

from meterbill.billing.billrun import bill_period
from meterbill.billing.distribution import set_distribution_rule
from meterbill.engine.scenario import run_scenario
from meterbill.invoicing.models import InvoiceLine
from meterbill.premises.models import Apartment, Utility

D = Decimal
RULE = {
    "type": "mixed",
    "percent_by_consumption": "60",
    "base_key": "area",
    "estimated_area_limit_percent": "25",
}


def test_the_bill_run_gives_the_scenarios_amounts_to_the_cent(heated_building):
    # given the heated building with areas 47.5 / 61.25 / 88 m2 and its heat bill
    # split 60 % by allocator units and 40 % by area, stored for the residence
    areas = (D("47.5"), D("61.25"), D("88"))
    for apt, area in zip(heated_building["apartments"], areas, strict=True):
        Apartment.objects.filter(pk=apt.pk).update(area_m2=area)
    res = heated_building["residence"]
    heat = Utility.objects.get(code="heat")
    set_distribution_rule(
        branch=res.branch,
        residence=res,
        utility=heat,
        valid_from=date(2026, 11, 1),
        splits="cost",
        rule=RULE,
    )
    # and the same building as a scenario file (conftest: units and factors)
    scenario = {
        "currency": "RON",
        "period": {"start": "2026-11-01", "end": "2026-11-30"},
        "apartments": [
            {
                "id": str(n),
                "area_m2": str(area),
                "persons": 1,
                "allocators": [{"id": f"HCA{n}", "units": units, "kq": kq, "kc": kc}],
            }
            for n, area, (units, kq, kc) in zip(
                (1, 2, 3),
                areas,
                [(100, "1.10", "1.00"), (200, "0.85", "0.95"), (150, "1.35", "1.00")],
                strict=True,
            )
        ],
        "costs": [
            {
                "id": "heat",
                "utility": "heat",
                "amount": "1000.00",
                "quantity": "48000",
                "rule": RULE,
            }
        ],
    }

    bill_period(heated_building["period"], issue_date=date(2026, 12, 4))
    expected = run_scenario(scenario)

    # then each apartment's heat line is the scenario's amount, to the cent, and
    # the same explanation (the rule and its parts)
    by_apartment = {a["id"]: a["shares"][0] for a in expected["apartments"]}
    lines = InvoiceLine.objects.filter(utility=heat).select_related(
        "invoice__apartment"
    )
    assert len(lines) == 3
    for line in lines:
        share = by_apartment[line.invoice.apartment.number]
        assert line.net_amount == D(share["amount"])
        assert line.trace["share"]["rule"] == share["explanation"]["rule"]
        assert line.trace["share"]["parts"] == share["explanation"]["parts"]
    assert sum(line.net_amount for line in lines) == D("1000.00")
