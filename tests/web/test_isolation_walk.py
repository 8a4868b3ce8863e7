"""Every URL of the project, filled with the south branch's ids, requested by alice
(north) and by an anonymous visitor: never a 200 that shows south's data, and no
state change in south."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch

from .conftest import SOUTH_MARK

WORDS = {"kind": ["pdf", "xml"], "verb": ["accept", "correct", "reject"]}
# Tariff components move up or down (web/urls_config.py).
WORDS["direction"] = ["up", "down"]


def _patterns(resolvers, prefix=""):
    for p in resolvers:
        if isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _patterns(p.url_patterns, ns)
        elif isinstance(p, URLPattern) and p.name:
            params = list(p.pattern.converters) or list(p.pattern.regex.groupindex)
            yield f"{prefix}{p.name}", params


def _values(param, south):
    if param in WORDS:
        return WORDS[param]
    if param.endswith("_id") and param != "object_id":
        obj = south.get(param[: -len("_id")])
        return [obj.pk] if obj else [south["residence"].pk]
    if param == "app_label":
        return ["premises", "invoicing", "billing", "metering"]
    # pk, object_id, … : every south object's id.
    return sorted({obj.pk for key, obj in south.items() if key != "event"})


def _urls(south):
    for name, params in _patterns(get_resolver().url_patterns):
        combos = [{}]
        for param in params:
            combos = [{**c, param: v} for c in combos for v in _values(param, south)]
        for kwargs in combos:
            try:
                yield reverse(name, kwargs=kwargs)
            except NoReverseMatch:
                continue


@pytest.fixture
def south(south, settings, tmp_path):
    """The conftest's south branch, plus its distribution rule and a provider bill
    read from an e-invoice kept on disk (web/allocation_views.py)."""
    from decimal import Decimal

    from meterbill.billing.models import DistributionRule, ProviderBill
    from meterbill.billing.provider_bills import keep_file
    from meterbill.premises.models import ContractCharge, Provider

    settings.VAR_DIR = tmp_path
    water = south["meter"].utility
    south["distribution_rule"] = DistributionRule.objects.create(
        branch=south["branch"],
        residence=south["residence"],
        utility=water,
        valid_from=south["period"].starts_on,
        splits="cost",
        rule={"type": "key", "key": "area", "note": SOUTH_MARK},
        rule_type="key",
        key="area",
    )
    south["provider_bill"] = ProviderBill.objects.create(
        residence=south["residence"],
        period=south["period"],
        utility=water,
        provider=Provider.objects.create(organisation=water.organisation, name="P"),
        reference=SOUTH_MARK[:64],
        quantity=Decimal(10),
        amount_net=Decimal("50.00"),
        vat_rate_percent=Decimal(11),
        currency="RON",
        source_file=keep_file(f"<x>{SOUTH_MARK}</x>".encode()),
    )
    # A one-off item on south's contract (web/urls_contract_charges.py).
    south["contract_charge"] = ContractCharge.objects.create(
        contract=south["contract"],
        description=f"{SOUTH_MARK} fee",
        unit_price_net=Decimal("3.00"),
        recurrence="once",
        valid_from=south["period"].starts_on,
    )
    # South's late-payment penalty rule (web/urls_penalties.py).
    from meterbill.invoicing.models import PenaltyRule

    south["penalty_rule"] = PenaltyRule.objects.create(
        organisation=water.organisation,
        branch=south["branch"],
        valid_from=south["period"].starts_on,
        rate_per_day_percent=Decimal("0.1"),
        cap_percent=Decimal(100),
        exemption_reason=f"{SOUTH_MARK} reason",
    )
    return south


def _assert_south_allocation_unchanged(south):
    from meterbill.billing.models import DistributionRule, ProviderBill

    rule = DistributionRule.objects.get(pk=south["distribution_rule"].pk)
    assert rule.rule["key"] == "area"
    bill = ProviderBill.objects.get(pk=south["provider_bill"].pk)
    assert bill.amount_net == south["provider_bill"].amount_net
    assert ProviderBill.objects.count() == 1


@pytest.fixture(autouse=True)
def _south_job(south):
    """A failed bill-run job of the south branch (web/urls_jobs.py): its pages are
    walked with the other ids, and it must still be failed, not resumed, after."""
    from meterbill.jobs.models import Job

    south["job"] = Job.objects.create(
        kind="billrun",
        branch=south["branch"],
        period=south["period"],
        state="failed",
        message=f"{SOUTH_MARK} failure",
        result={"summary": {"issued": 1, "errors": [SOUTH_MARK]}},
    )
    yield
    assert Job.objects.get(pk=south["job"].pk).state == "failed"


def _content(response):
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def _walk(client, south):
    seen = 0
    for url in _urls(south):
        if url.endswith("/logout/"):
            continue  # would end the session the walk runs in
        for method in (client.get, client.post):
            response = method(url)

            assert response.status_code in (200, 302, 400, 403, 404, 405), url
            assert SOUTH_MARK.encode() not in _content(response), url
            if response.status_code == 302:
                followed = client.get(response["Location"])
                assert SOUTH_MARK.encode() not in _content(followed), url
        seen += 1
    return seen


@pytest.mark.django_db
def test_it_never_shows_alice_an_object_of_the_south_branch(alice, south, client_for):
    client = client_for(alice)

    seen = _walk(client, south)

    assert seen > 30
    assert client.get("/dashboard/").status_code == 200  # still logged in
    south["finding"].refresh_from_db()
    assert south["finding"].status == "open"
    assert south["reading"].register.readings.count() == 2
    assert south["bill_run"].period.billrun_set.count() == 1
    # The invoice actions (web/urls_invoices.py) changed nothing in south either.
    south["invoice"].refresh_from_db()
    assert (south["invoice"].state, south["invoice"].paid_on) == ("issued", None)
    assert (
        not type(south["invoice"])
        .objects.filter(branch=south["branch"])
        .exclude(pk=south["invoice"].pk)
    )
    _assert_south_premises_unchanged(south)
    _assert_south_allocation_unchanged(south)


def _assert_south_premises_unchanged(south):
    """The premises screens (web/urls_premises.py) changed nothing of south's."""
    from meterbill.audit.models import AuditEvent
    from meterbill.metering.models import Meter
    from meterbill.premises.models import Apartment, Contract, Customer, Residence

    for key, model in [
        ("residence", Residence),
        ("apartment", Apartment),
        ("customer", Customer),
        ("contract", Contract),
        ("meter", Meter),
    ]:
        assert model.objects.filter(pk=south[key].pk).exists(), key
    assert Meter.objects.get(pk=south["meter"].pk).removed_on is None
    charge = type(south["contract_charge"]).objects.get(pk=south["contract_charge"].pk)
    assert (charge.valid_to, charge.unit_price_net) == (None, 3)
    assert Residence.objects.get(pk=south["residence"].pk).code == "S1"
    assert not AuditEvent.objects.filter(
        action__regex=r"^(residence|apartment|meter|customer|contract)\."
    ).exists()


@pytest.mark.django_db
def test_it_sends_an_anonymous_visitor_to_the_login_page(south, client):
    for url in _urls(south):
        if url.endswith(("/login/", "/logout/")):
            continue

        response = client.get(url)

        # Pages redirect to the login; the API answers 401 (tests/api walks it too).
        assert response.status_code in (302, 401, 404, 405), url
        if response.status_code == 401:
            assert url.startswith("/api/"), url
        if response.status_code == 302:
            assert "login" in response["Location"], url
