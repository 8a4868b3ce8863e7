"""T7 adversarial (TOU/demand): a month's demand is charged once, "in the part that
holds the month's last day in the period, at that part's version"
(docs/formulas.md). When the version from 16 November has no demand charge (a
customer moved off a demand tariff mid-month), the first fifteen days, rated with a
version that charges 5 a kW, carry no demand at all: the invoice is issued with
energy and fixed charges only, no demand line, no finding. Issue 4 promises the
cut month day-weighted, each part rated with its version; nothing is said of a
demand charge that the last part's version does not have.

Since fixed: each part is charged its days' share of the month's demand at its own
version (docs/formulas.md), so a version without demand charges none for its days
and the others keep theirs."""

from __future__ import annotations

from decimal import Decimal

from adversarial.test_t4_c_tou_split_month import (  # noqa: F401
    FIRST,
    billed,
    rate,
    tou,
)
from intervals_world import import_urdb

D = Decimal


def test_demand_of_the_first_part_is_not_dropped_silently(tou, tmp_path):  # noqa: F811
    # given TOU (0.10 / 0.25, 5 a kW) from 1 January and, from 16 November, a
    # version with the same energy prices and no demand charge
    no_demand = rate(0.10, 0.25)
    del no_demand["flatdemandstructure"], no_demand["flatdemandmonths"]
    import_urdb(tmp_path, no_demand, "2026-11-16")

    invoice, lines, rules = billed(tou)

    # then 1-15 November, under the version charging 5 a kW, bear their days'
    # share of the month's demand: every hour is 1 kW, 1 kW × 5 × 15/30 = 2.50,
    # on one line dated with their days; 16-30 November none
    demand = [ln for ln in lines if ln[0].startswith("Demand")]
    assert demand == [
        (
            "Demand, November, 01.11 – 15.11.2026",
            D(1),
            D("2.5"),
            D("2.50"),
            D(19),
            *FIRST,
        )
    ]
    assert (invoice.state, rules) == ("issued", [])
