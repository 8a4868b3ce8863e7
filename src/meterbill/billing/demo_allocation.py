"""The demo's distribution rules, set the way an operator would (audited):

- Bloc A1 (BUC): heat split 60 % by allocator units, 40 % by area;
- Bloc A2 (BUC): its main cold-water meter reads 3 % below its apartments: the
  rule reduces the apartments' consumptions proportionally and the finding
  ``negative_common`` waits in the review queue;
- Bloc C1 (CLJ): the lift and cleaning company's bill split by quota of ownership
  (each apartment's quota: its area over the building's, to six decimals).
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from django.db import transaction

from meterbill.orgs.models import Organisation
from meterbill.premises.models import (
    Apartment,
    Contract,
    ContractService,
    Provider,
    Residence,
    Utility,
)
from meterbill.tariffs.models import Tariff, TariffVersion

from .distribution import set_distribution_rule
from .models import Period
from .provider_bills import save_provider_bill

VALID_FROM = date(2026, 1, 1)
QUOTA_STEP = Decimal("0.000001")
LIFT_BILL_NET = Decimal("1234.56")


@transaction.atomic
def add_demo_allocation(org: Organisation) -> None:
    residences = {
        r.code: r
        for r in Residence.objects.filter(branch__organisation=org).select_related(
            "branch"
        )
    }
    utilities = {u.code: u for u in Utility.objects.filter(organisation=org)}
    set_distribution_rule(
        branch=residences["A1"].branch,
        residence=residences["A1"],
        utility=utilities["heat"],
        valid_from=VALID_FROM,
        splits="cost",
        rule={
            "type": "mixed",
            "percent_by_consumption": "60",
            "consumption_key": "allocator_units",
            "base_key": "area",
        },
    )
    set_distribution_rule(
        branch=residences["A2"].branch,
        residence=residences["A2"],
        utility=utilities["cold_water"],
        valid_from=VALID_FROM,
        splits="quantity",
        rule={
            "type": "consumption",
            "common_key": "persons",
            "negative_policy": "reduce_proportionally",
        },
    )
    _lift_by_quota(org, residences["C1"])


def _lift_by_quota(org: Organisation, res: Residence) -> None:
    """A lift and cleaning service on C1's contracts, its provider's bill for
    November and the rule that splits it by quota."""
    lift = Utility.objects.create(
        organisation=org,
        code="lift",
        name="Lift and cleaning",
        kind=Utility.Kind.FEE,
        unit="month",
        unit_code="MON",
    )
    tariff = Tariff.objects.create(
        organisation=org, code="LIFT", name="Lift and cleaning – cost", utility=lift
    )
    TariffVersion.objects.create(
        tariff=tariff,
        valid_from=VALID_FROM,
        currency=org.currency,
        fixed_charge_per_month=Decimal(0),
        unit_price_net=Decimal(0),
        vat_rate_percent=Decimal(21),
    )
    apartments = list(Apartment.objects.filter(residence=res).order_by("pk"))
    total_area = sum((a.area_m2 for a in apartments), Decimal(0))
    for a in apartments:
        a.quota = (a.area_m2 / total_area).quantize(QUOTA_STEP, rounding=ROUND_DOWN)
    Apartment.objects.bulk_update(apartments, ["quota"])
    ContractService.objects.bulk_create(
        ContractService(contract=c, utility=lift, tariff=tariff)
        for c in Contract.objects.filter(apartment__residence=res)
    )
    provider = Provider.objects.create(
        organisation=org, name="Lift Service Cluj SRL", vat_id="RO30123456"
    )
    save_provider_bill(
        residence=res,
        period=Period.objects.get(branch=res.branch, name="2026-11"),
        utility=lift,
        provider=provider,
        quantity=Decimal(1),
        amount_net=LIFT_BILL_NET,
        vat_rate_percent=Decimal(21),
        currency=org.currency,
        reference=f"LIFT-{res.code}-2611",
    )
    set_distribution_rule(
        branch=res.branch,
        residence=res,
        utility=lift,
        valid_from=VALID_FROM,
        splits="cost",
        rule={"type": "key", "key": "quota"},
    )
