"""The spine's acceptance walk on real data: every valid NEM12/NEM13 file of the
corpus is imported into a fresh branch with onboarding, billed over its own days,
and each invoice is checked against the reader's rows, worked out independently."""

from __future__ import annotations

import calendar
import os
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from meterbill.billing.billrun import bill_period
from meterbill.billing.periods import open_period
from meterbill.formats import nem12
from meterbill.invoicing.models import Invoice
from meterbill.metering.imports import ImportOptions, ImportRefused, import_readings
from meterbill.metering.models import ImportBatch, Reading
from meterbill.orgs.models import Branch

REPO = Path(__file__).resolve().parents[2]
CORPUS = Path(os.environ.get("METERBILL_CORPUS", REPO.parent / "shared" / "corpus"))
ROOT = CORPUS / "nem12"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not ROOT.is_dir(), reason="no NEM12 corpus"),
]

UNIT_PRICE = Decimal("0.50")  # the power_tariff fixture: 0.50 per kWh
FIXED = Decimal("10.00")  # per month
KWH = {"Wh": Decimal("0.001"), "kWh": Decimal(1), "MWh": Decimal(1000)}
TODAY = date(2026, 12, 4)


def _files(under: Path) -> list[Path]:
    return sorted(p for p in under.rglob("*") if p.is_file())


def _valid_files() -> list[Path]:
    return [p for p in _files(ROOT) if "invalid" not in p.relative_to(ROOT).parts]


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _months(first: date, last: date) -> Decimal:
    """Calendar months from first to last inclusive, a partial month by its days."""
    total, day = Decimal(0), first
    while day <= last:
        days_in_month = calendar.monthrange(day.year, day.month)[1]
        end = min(last, day.replace(day=days_in_month))
        total += Decimal((end - day).days + 1) / days_in_month
        day = end + timedelta(days=1)
    return total


def _expected(data: bytes, name: str) -> tuple[date, date, dict[str, Decimal]]:
    """The file's first and last day, and each NMI's net amount: its E-registers'
    consumption in kWh (three decimals) × unit price, plus the fixed charge."""
    rows = nem12.read(data, filename=name).rows
    first = min(r.period_start or r.read_on for r in rows)
    last = max(r.read_on for r in rows)
    kwh: dict[str, Decimal] = defaultdict(Decimal)
    for r in rows:
        kwh.setdefault(r.meter_ref, Decimal(0))
        if r.kind == "consumption" and r.register.startswith("E"):
            kwh[r.meter_ref] += r.value * KWH[r.unit]
    fixed = _cents(_months(first, last) * FIXED)
    return (
        first,
        last,
        {
            nmi: _cents(
                q.quantize(Decimal("0.001"), rounding=ROUND_HALF_UP) * UNIT_PRICE
            )
            + fixed
            for nmi, q in kwh.items()
        },
    )


def test_every_valid_file_is_billed_from_its_e_registers(org, power_tariff):
    files = _valid_files()
    assert len(files) > 100
    mismatches = []

    for n, path in enumerate(files):
        data = path.read_bytes()
        branch = Branch.objects.create(organisation=org, code=f"AU{n}", name=path.name)
        report = import_readings(
            data,
            fmt="nem12",
            branch=branch,
            filename=path.name,
            options=ImportOptions(register_new=True, tariff="ELEC", today=TODAY),
        )
        first, last, expected = _expected(data, path.name)
        period = open_period(branch, "AU", first, last)
        bill_period(period, issue_date=TODAY)
        billed = {
            i.contract.service_point.identifier: i.total_net
            for i in Invoice.objects.filter(period=period).select_related(
                "contract__service_point"
            )
        }
        if report.rows_rejected or not billed or billed != expected:
            mismatches.append((path.name, report.rows_rejected, billed, expected))

    assert mismatches == []


@pytest.mark.parametrize("path", _files(ROOT / "invalid"), ids=lambda p: p.name)
def test_every_invalid_file_is_refused_and_leaves_nothing(branches, power_tariff, path):
    with pytest.raises(ImportRefused) as refused:
        import_readings(
            path.read_bytes(),
            fmt="nem12",
            branch=branches["north"],
            filename=path.name,
            options=ImportOptions(register_new=True, tariff="ELEC", today=TODAY),
        )

    assert path.name in str(refused.value)
    assert not ImportBatch.objects.exists()
    assert not Reading.objects.exists()
