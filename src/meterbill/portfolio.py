"""A generated portfolio for the demo and the benchmarks.

Deterministic (seeded) so that every run of ``make demo`` builds the same buildings,
readings and bills. Everything is inserted with bulk_create, so a portfolio of tens of
thousands of apartments builds in seconds.

The demo portfolio shows the cases a bill run must handle: readings missing at the
period's end (estimated), a misread index (held for review), a register rollover,
heat cost allocators with EN 834 factors, and a building whose main meter measured less
than its apartments (negative common consumption, not distributed).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction

from meterbill.billing.models import Period, ProviderBill
from meterbill.metering.models import Meter, Reading, Register
from meterbill.orgs.models import Branch, Organisation, Role, User
from meterbill.premises.models import (
    Apartment,
    ApartmentUtility,
    Contract,
    ContractService,
    Customer,
    Provider,
    Residence,
    Utility,
)
from meterbill.tariffs.models import Tariff, TariffVersion

# The benchmark only ever flushes a database that holds nothing but its own portfolio.
BENCH_ORGANISATION = "meterbill bench portfolio"
DEMO_PASSWORD = "meterbill-demo"  # noqa: S105 - demo users only, listed in the README
PERIOD_START = date(2026, 11, 1)
PERIOD_END = date(2026, 11, 30)
# Closing indexes of earlier months, for history and the opening index.
HISTORY = [date(2026, 8, 31), date(2026, 9, 30), date(2026, 10, 31)]

FIRST_NAMES = [
    "Ana",
    "Ion",
    "Maria",
    "Mihai",
    "Elena",
    "Andrei",
    "Ioana",
    "Radu",
    "Cristina",
    "Vlad",
    "Alexandra",
    "George",
    "Diana",
    "Paul",
    "Irina",
]
LAST_NAMES = [
    "Popescu",
    "Ionescu",
    "Dumitru",
    "Stan",
    "Stoica",
    "Gheorghe",
    "Rusu",
    "Munteanu",
    "Matei",
    "Constantin",
    "Marin",
    "Tudor",
    "Dobre",
    "Barbu",
]


@dataclass(frozen=True)
class BuildingSpec:
    branch: str
    code: str
    name: str
    street: str
    city: str
    subdivision: str
    apartments: int
    # Main meter cold water as a fraction of the apartments' sum (<1: negative common).
    cold_main_factor: Decimal = Decimal("1.06")
    allocators: bool = True


DEMO_BUILDINGS = [
    BuildingSpec("BUC", "A1", "Bloc A1", "Strada Lujerului 12", "SECTOR6", "RO-B", 48),
    BuildingSpec(
        "BUC",
        "A2",
        "Bloc A2",
        "Strada Lujerului 14",
        "SECTOR6",
        "RO-B",
        24,
        cold_main_factor=Decimal("0.97"),
    ),
    BuildingSpec(
        "CLJ", "C1", "Bloc C1", "Strada Observatorului 3", "Cluj-Napoca", "RO-CJ", 40
    ),
]


@dataclass
class Refs:
    org: Organisation
    branches: dict[str, Branch]
    utilities: dict[str, Utility]
    tariffs: dict[str, Tariff]
    provider: Provider
    periods: dict[str, Period]


def create_organisation() -> Refs:
    org = Organisation.objects.create(
        name="Termo Apa Servicii SRL",
        country="RO",
        currency="RON",
        vat_id="RO18547290",
        company_id="J40/1234/2006",
        street="Bulevardul Unirii 20",
        city="SECTOR3",
        postal_code="030833",
        subdivision="RO-B",
        iban="RO49AAAA1B31007593840000",
        bic="AAAARO22",
        email="facturare@example.ro",
        language="ro",
    )
    hq = Branch.objects.create(
        organisation=org, code="HQ", name="Sediu central", time_zone="Europe/Bucharest"
    )
    branches = {"HQ": hq}
    for code, name in (("BUC", "Bucharest West"), ("CLJ", "Cluj")):
        branches[code] = Branch.objects.create(
            organisation=org,
            parent=hq,
            code=code,
            name=name,
            time_zone="Europe/Bucharest",
        )
    utilities = {
        code: Utility.objects.create(
            organisation=org,
            code=code,
            name=name,
            kind=kind,
            unit=unit,
            unit_code=unit_code,
        )
        for code, name, kind, unit, unit_code in (
            ("cold_water", "Cold water", "cold_water", "m3", "MTQ"),
            ("hot_water", "Hot water", "hot_water", "m3", "MTQ"),
            ("heat", "Heating", "heat", "kWh", "KWH"),
        )
    }
    prices = {
        "cold_water": (Decimal("7.8321"), Decimal("4.50"), Decimal("11")),
        "hot_water": (Decimal("39.1200"), Decimal("0"), Decimal("11")),
        "heat": (Decimal("0.4950"), Decimal("0"), Decimal("21")),
    }
    tariffs = {}
    for code, (unit_price, fixed, vat) in prices.items():
        t = Tariff.objects.create(
            organisation=org,
            code=code.upper().replace("_", "-"),
            name=f"{utilities[code].name} – residential",
            utility=utilities[code],
        )
        TariffVersion.objects.create(
            tariff=t,
            valid_from=date(2026, 1, 1),
            currency="RON",
            fixed_charge_per_month=fixed,
            unit_price_net=unit_price,
            vat_category="S",
            vat_rate_percent=vat,
        )
        tariffs[code] = t
    provider = Provider.objects.create(
        organisation=org, name="Apa Nova București SA", vat_id="RO12276353"
    )
    periods = {
        code: Period.objects.create(
            branch=b, name="2026-11", starts_on=PERIOD_START, ends_on=PERIOD_END
        )
        for code, b in branches.items()
        if code != "HQ"
    }
    return Refs(org, branches, utilities, tariffs, provider, periods)


def create_users(refs: Refs) -> list[tuple[str, str, str]]:
    """One user per role in each branch (and an administrator at the root)."""
    users = [("admin", "HQ", Role.ADMINISTRATOR)]
    for branch in ("BUC", "CLJ"):
        low = branch.lower()
        users += [
            (f"{low}-manager", branch, Role.BRANCH_MANAGER),
            (f"{low}-operator", branch, Role.BILLING_OPERATOR),
            (f"{low}-reader", branch, Role.METER_READER),
            (f"{low}-auditor", branch, Role.AUDITOR),
            (f"{low}-customer", branch, Role.CUSTOMER),
        ]
    for username, branch, role in users:
        u = User(
            username=username,
            branch=refs.branches[branch],
            roles=role,
            is_staff=role == Role.ADMINISTRATOR,
        )
        u.set_password(DEMO_PASSWORD)
        u.save()
    return [(u, b, str(r)) for u, b, r in users]


# The demo portal logins and the customer each one pays for (built with the residences).
PORTAL_CUSTOMERS = {"buc-customer": "A1-1", "clj-customer": "C1-1"}


def link_portal_users(refs: Refs) -> None:
    for username, code in PORTAL_CUSTOMERS.items():
        user = User.objects.get(username=username)
        Customer.objects.filter(branch__organisation=refs.org, code=code).update(
            portal_user=user
        )


class _Builder:
    """Accumulates rows and inserts them in bulk, table by table."""

    def __init__(self, refs: Refs, seed: int) -> None:
        self.refs = refs
        self.rnd = random.Random(seed)  # noqa: S311 - reproducible demo data

    def building(self, spec: BuildingSpec, special_cases: bool) -> None:
        refs, rnd = self.refs, self.rnd
        branch = refs.branches[spec.branch]
        res = Residence.objects.create(
            branch=branch,
            code=spec.code,
            name=spec.name,
            street=spec.street,
            city=spec.city,
            subdivision=spec.subdivision,
            country="RO",
            postal_code="061344",
        )
        apts = [
            Apartment(
                residence=res,
                number=str(i + 1),
                staircase="A" if i < 24 else "B",
                floor=i // 4,
                area_m2=Decimal(rnd.choice([38, 52, 64, 78, 96]))
                + Decimal(rnd.randint(0, 99)) / 100,
                persons=rnd.choice([1, 1, 2, 2, 2, 3, 3, 4, 5]),
                owner_name=f"{rnd.choice(FIRST_NAMES)} {rnd.choice(LAST_NAMES)}",
            )
            for i in range(spec.apartments)
        ]
        Apartment.objects.bulk_create(apts)
        apts = list(Apartment.objects.filter(residence=res).order_by("pk"))
        self._contracts(branch, res, apts)
        self._meters(branch, res, apts, spec, special_cases)

    def _contracts(self, branch: Branch, res: Residence, apts: list[Apartment]) -> None:
        customers = [
            Customer(
                branch=branch,
                code=f"{res.code}-{a.number}",
                name=a.owner_name,
                language="ro",
                street=f"{res.street}, ap. {a.number}",
                city=res.city,
                postal_code=res.postal_code,
                subdivision=res.subdivision,
                country="RO",
                email=f"client.{res.code.lower()}.{a.number}@example.ro",
            )
            for a in apts
        ]
        Customer.objects.bulk_create(customers)
        customers = list(
            Customer.objects.filter(
                branch=branch, code__startswith=f"{res.code}-"
            ).order_by("pk")
        )
        by_code = {c.code: c for c in customers}
        contracts = [
            Contract(
                branch=branch,
                number=f"C-{res.code}-{a.number}",
                customer=by_code[f"{res.code}-{a.number}"],
                apartment=a,
                valid_from=date(2020, 1, 1),
            )
            for a in apts
        ]
        Contract.objects.bulk_create(contracts)
        contracts = list(Contract.objects.filter(apartment__residence=res))
        ContractService.objects.bulk_create(
            ContractService(
                contract=c, utility=self.refs.utilities[u], tariff=self.refs.tariffs[u]
            )
            for c in contracts
            for u in ("cold_water", "hot_water", "heat")
        )
        ApartmentUtility.objects.bulk_create(
            ApartmentUtility(apartment=a, utility=self.refs.utilities[u])
            for a in apts
            for u in ("cold_water", "hot_water", "heat")
        )

    def _meters(
        self,
        branch: Branch,
        res: Residence,
        apts: list[Apartment],
        spec: BuildingSpec,
        special_cases: bool,
    ) -> None:
        rnd, u = self.rnd, self.refs.utilities
        meters: list[Meter] = []
        plan: list[tuple[str, Decimal, Decimal]] = []  # serial, opening, per-month use
        for a in apts:
            for code, per_person in (
                ("cold_water", Decimal("2.4")),
                ("hot_water", Decimal("1.3")),
            ):
                serial = f"{res.code}-{a.number}-{code[0].upper()}W"
                meters.append(
                    Meter(
                        branch=branch,
                        kind=Meter.Kind.APARTMENT,
                        utility=u[code],
                        serial=serial,
                        apartment=a,
                        installed_on=date(2022, 1, 1),
                    )
                )
                use = (
                    per_person * a.persons * Decimal(rnd.randint(80, 120)) / 100
                ).quantize(Decimal("0.001"))
                plan.append((serial, Decimal(rnd.randint(40, 900)), use))
            if spec.allocators:
                for n in range(rnd.randint(2, 4)):
                    serial = f"{res.code}-{a.number}-HCA{n + 1}"
                    meters.append(
                        Meter(
                            branch=branch,
                            kind=Meter.Kind.HCA,
                            utility=u["heat"],
                            serial=serial,
                            apartment=a,
                            installed_on=date(2022, 1, 1),
                            kq=Decimal(rnd.choice(["0.85", "1.10", "1.35", "1.62"])),
                            kc=Decimal(rnd.choice(["1.00", "1.00", "0.95"])),
                            radio_id=f"{rnd.randint(10**7, 10**8 - 1)}",
                        )
                    )
                    plan.append((serial, Decimal(0), Decimal(rnd.randint(60, 240))))
        Meter.objects.bulk_create(meters)
        by_serial = {
            m.serial: m
            for m in Meter.objects.filter(
                residence__isnull=True, apartment__residence=res
            )
        }
        Register.objects.bulk_create(
            Register(
                meter=m,
                code="",
                unit="units" if m.kind == "hca" else "m3",
                digits=5 if m.kind == "hca" else 6,
            )
            for m in by_serial.values()
        )
        reg_of = {
            r.meter.serial: r
            for r in Register.objects.filter(
                meter__apartment__residence=res
            ).select_related("meter")
        }

        readings: list[Reading] = []
        sums: dict[str, Decimal] = {"C": Decimal(0), "H": Decimal(0)}
        for i, (serial, opening, use) in enumerate(plan):
            reg = reg_of[serial]
            hca = by_serial[serial].kind == Meter.Kind.HCA
            # HCAs restart from zero at the heating season's start (1 October).
            values = (
                [Decimal(0), Decimal(0), use]
                if hca
                else [opening, opening + use, opening + 2 * use]
            )
            history = HISTORY[1:] if hca else HISTORY
            for day, value in zip(history, values[-len(history) :], strict=True):
                readings.append(
                    Reading(
                        register=reg,
                        read_on=day,
                        value=value,
                        source=Reading.Source.DEVICE,
                    )
                )
            closing = values[-1] + use
            case = self._special(i, special_cases)
            if not hca:
                sums[serial[-2]] += use
            if case == "missing":
                continue
            if case == "misread":
                closing = values[-1] - Decimal("37.000")
            if case == "rollover":
                reg.digits = 3
                reg.save(update_fields=["digits"])
                # The opening index sits just below the capacity of 1000.
                readings[-1].value = 1000 - use / 2
                closing = use / 2
            readings.append(
                Reading(
                    register=reg,
                    read_on=PERIOD_END,
                    value=closing,
                    source=Reading.Source.DEVICE,
                )
            )
        Reading.objects.bulk_create(readings, batch_size=5000)
        self._mains(branch, res, spec, sums)

    @staticmethod
    def _special(i: int, special_cases: bool) -> str:
        if not special_cases:
            return ""
        return {4: "missing", 9: "misread", 14: "rollover", 21: "missing"}.get(i, "")

    def _mains(
        self,
        branch: Branch,
        res: Residence,
        spec: BuildingSpec,
        sums: dict[str, Decimal],
    ) -> None:
        u, refs = self.refs.utilities, self.refs
        period = refs.periods[spec.branch]
        factors = {"C": spec.cold_main_factor, "H": Decimal("1.04")}
        for letter, code in (("C", "cold_water"), ("H", "hot_water")):
            main = Meter.objects.create(
                branch=branch,
                kind=Meter.Kind.MAIN,
                utility=u[code],
                serial=f"{res.code}-MAIN-{letter}W",
                residence=res,
                installed_on=date(2020, 1, 1),
            )
            reg = Register.objects.create(meter=main, unit="m3", digits=8)
            used = (sums[letter] * factors[letter]).quantize(Decimal("0.001"))
            start = Decimal(50000)
            Reading.objects.bulk_create(
                [
                    Reading(
                        register=reg,
                        read_on=HISTORY[-2],
                        value=start - used,
                        source=Reading.Source.DEVICE,
                    ),
                    Reading(
                        register=reg,
                        read_on=HISTORY[-1],
                        value=start,
                        source=Reading.Source.DEVICE,
                    ),
                    Reading(
                        register=reg,
                        read_on=PERIOD_END,
                        value=start + used,
                        source=Reading.Source.DEVICE,
                    ),
                ]
            )
            ProviderBill.objects.create(
                residence=res,
                period=period,
                utility=u[code],
                provider=refs.provider,
                reference=f"AN-{res.code}-{letter}-2611",
                quantity=used,
                amount_net=(used * Decimal("6.95")).quantize(Decimal("0.01")),
                vat_rate_percent=Decimal("11"),
                currency="RON",
            )
        if spec.allocators:
            heat_kwh = Decimal(spec.apartments * 410)
            ProviderBill.objects.create(
                residence=res,
                period=period,
                utility=u["heat"],
                provider=refs.provider,
                reference=f"TERMO-{res.code}-2611",
                quantity=heat_kwh,
                amount_net=(heat_kwh * Decimal("0.4950")).quantize(Decimal("0.01")),
                vat_rate_percent=Decimal("21"),
                currency="RON",
            )


@transaction.atomic
def build_demo(seed: int = 2026) -> Refs:
    refs = create_organisation()
    create_users(refs)
    builder = _Builder(refs, seed)
    for spec in DEMO_BUILDINGS:
        builder.building(spec, special_cases=spec.code == "A1")
    link_portal_users(refs)
    return refs


@transaction.atomic
def build_bench(apartments: int, per_building: int = 40, seed: int = 7) -> Refs:
    """A portfolio of ``apartments`` apartments in buildings of ``per_building``,
    spread over the two branches, without special cases."""
    refs = create_organisation()
    refs.org.name = BENCH_ORGANISATION
    refs.org.save(update_fields=["name"])
    builder = _Builder(refs, seed)
    buildings = max(1, apartments // per_building)
    for n in range(buildings):
        size = per_building if n < buildings - 1 else apartments - per_building * n
        branch = "BUC" if n % 2 == 0 else "CLJ"
        builder.building(
            BuildingSpec(
                branch,
                f"B{n + 1:05d}",
                f"Bloc {n + 1}",
                "Strada Test 1",
                "SECTOR1",
                "RO-B",
                size,
            ),
            special_cases=False,
        )
    return refs
