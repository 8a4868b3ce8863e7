"""The bill run: a period's residences and direct contracts, in resumable chunks.

A run is split into chunks (residences, then direct contracts). A worker claims a chunk
with a conditional UPDATE whose row count it checks, computes it in the engine from
set-based inputs and writes the results in one transaction. Invoices carry idempotency
keys built from record ids, so a repeated or crashed chunk never issues twice and never
skips a number; running the whole bill run again for the same period issues nothing new
unless something was held and has since been resolved.
"""

from __future__ import annotations

import logging
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from meterbill.audit import trail
from meterbill.engine import collector
from meterbill.engine.billing import (
    Charge,
    PeriodIn,
    bill_direct,
    bill_residence,
)
from meterbill.engine.consumption import Consumption
from meterbill.engine.validation import BLOCK, REVIEW, WARN
from meterbill.engine.validation import Finding as EngineFinding
from meterbill.invoicing.issue import IssueContext, issue_charges
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Reading
from meterbill.premises.models import Customer, Residence

from . import inputs
from .models import BillRun, BillRunChunk, Finding, Period
from .tariff_findings import RULES as CONTRACT_RULES
from .tariff_findings import save_contract_findings

log = logging.getLogger(__name__)


def _chunked(ids: Sequence[int], size: int) -> Iterable[list[int]]:
    for i in range(0, len(ids), size):
        yield list(ids[i : i + size])


class BillRunRefused(Exception):
    """The bill run cannot start; the message says why in one line."""


class BillRunBusy(BillRunRefused):
    """Another bill run of the same period is running."""


def start_bill_run(period: Period, user=None) -> BillRun:
    """Create the run and its chunks (residences of the branch subtree, then the
    direct contracts), all pending."""
    branch_ids = list(period.branch.subtree().values_list("pk", flat=True))
    residence_ids = list(
        Residence.objects.filter(branch_id__in=branch_ids)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    contract_ids = inputs.direct_contract_ids(period, branch_ids)
    size = settings.BILLRUN_CHUNK_SIZE
    with transaction.atomic():
        # One bill run of a period at a time: the period row lock serialises starts.
        Period.objects.select_for_update().get(pk=period.pk)
        running = BillRun.objects.filter(period=period, status=BillRun.Status.RUNNING)
        stale = timezone.now() - timedelta(seconds=settings.BILLRUN_CHUNK_TIMEOUT)
        busy = running.filter(started_at__gte=stale).first()
        if busy is not None:
            raise BillRunBusy(
                f"bill run {busy.pk} of period {period.name} is running since "
                f"{busy.started_at:%Y-%m-%d %H:%M:%S} UTC; wait for it to finish"
            )
        # A run that stopped without finishing (its process died) is given up.
        running.update(status=BillRun.Status.FAILED, finished_at=timezone.now())
        run = BillRun.objects.create(period=period, started_by=user)
        chunks = [
            BillRunChunk(bill_run=run, seq=seq, residence_ids=ids)
            for seq, ids in enumerate(_chunked(residence_ids, size))
        ]
        chunks += [
            BillRunChunk(bill_run=run, seq=len(chunks) + seq, contract_ids=ids)
            for seq, ids in enumerate(_chunked(contract_ids, size * 20))
        ]
        BillRunChunk.objects.bulk_create(chunks)
        trail.record(
            "billrun.start",
            user=user,
            branch=period.branch,
            obj=run,
            after={"period": period.name, "chunks": len(chunks)},
        )
    return run


def claim(chunk_id: int) -> bool:
    """Claim a pending (or failed, for a retry) chunk; False if another worker
    has it."""
    claimed = BillRunChunk.objects.filter(
        pk=chunk_id,
        status__in=[BillRunChunk.Status.PENDING, BillRunChunk.Status.FAILED],
    ).update(
        status=BillRunChunk.Status.CLAIMED,
        claimed_at=timezone.now(),
        attempts=F("attempts") + 1,
    )
    return claimed == 1


def process_chunk(chunk_id: int, issue_date: date | None = None) -> dict | None:
    """Compute and write one chunk. Returns its counts, or None if not claimed."""
    if not claim(chunk_id):
        return None
    chunk = BillRunChunk.objects.select_related(
        "bill_run__period__branch__organisation"
    ).get(pk=chunk_id)
    try:
        with transaction.atomic():
            result = _compute_and_write(chunk, issue_date or timezone.localdate())
            BillRunChunk.objects.filter(pk=chunk_id).update(
                status=BillRunChunk.Status.DONE, result=result
            )
    except Exception as exc:
        log.exception("bill run chunk failed", extra={"chunk": chunk_id})
        BillRunChunk.objects.filter(pk=chunk_id).update(
            status=BillRunChunk.Status.FAILED,
            result={"error": f"{type(exc).__name__}: {exc}"[:500]},
        )
        raise
    return result


# The chunk keeps its charges, lines and traces until it writes them: see
# engine.collector for why the cyclic collector only slows that down.
@collector.paused()
def _compute_and_write(chunk: BillRunChunk, issue_date: date) -> dict:
    period = chunk.bill_run.period
    branch = period.branch
    org = branch.organisation
    pin = PeriodIn(period.starts_on, period.ends_on, period.name)
    overrides = inputs.rule_overrides(branch.pk)
    utilities = inputs.utilities_for(org.pk)

    charges: list[Charge] = []
    consumptions: list[Consumption] = []
    residence_findings: list[tuple[int, EngineFinding]] = []
    started = time.perf_counter()
    if chunk.residence_ids:
        residences, contracts = inputs.residences_input(chunk.residence_ids, period)
        loaded = time.perf_counter()
        for res in residences:
            result = bill_residence(res, utilities, pin, overrides)
            charges += result.charges
            consumptions += result.consumptions
            residence_findings += [(res.residence_id, f) for f in result.findings]
    else:
        direct, services, regs = inputs.direct_input(chunk.contract_ids, period)
        fees = inputs.contract_charges_input(direct, period)
        contracts = {c.pk: c for c in direct}
        loaded = time.perf_counter()
        for c in direct:
            charge, seen = bill_direct(
                c.pk,
                services.get(c.pk, {}),
                regs[c.pk],
                utilities,
                pin,
                overrides,
                fees.get(c.pk, ()),
            )
            charges.append(charge)
            consumptions += seen

    computed = time.perf_counter()
    estimates = _save_estimates(consumptions, period)
    resolved = _save_findings(period, consumptions, residence_findings)
    save_contract_findings(period, charges, issue_date)
    # A residence finding may hold its apartments' charges (a blocked split).
    subject_of = {f: f"residence:{res_id}" for res_id, f in residence_findings}
    for charge in charges:
        # An operator's accept or correction releases a blocked charge.
        charge.findings = [
            f
            for f in charge.findings
            if (subject_of.get(f, f"register:{f.register_id}"), f.rule) not in resolved
        ]
    customers = Customer.objects.in_bulk({c.customer_id for c in contracts.values()})
    ctx = IssueContext(branch, org, period.pk, chunk.bill_run_id, issue_date)
    issued = issue_charges(ctx, charges, contracts, customers, f"period:{period.pk}")

    written = time.perf_counter()
    timings = {
        "load": round(loaded - started, 3),
        "engine": round(computed - loaded, 3),
        "write": round(written - computed, 3),
    }
    log.info(
        "bill run chunk done",
        extra={
            "chunk": chunk.pk,
            "contracts": len(charges),
            "issued": len(issued),
            **timings,
        },
    )
    by_utility: dict[str, Decimal] = defaultdict(Decimal)
    for inv_charge in charges:
        for line in inv_charge.lines:
            by_utility[line.utility_code] += line.net_amount
    return {
        "apartments": sum(1 for c in charges if c.apartment_id),
        "contracts": len(charges),
        "issued": len(issued),
        "held": sum(1 for c in charges if c.held and (c.lines or _unrated(c))),
        "estimated": estimates,
        "seconds": timings,
        "net_by_utility": {k: str(v) for k, v in by_utility.items()},
        "findings": dict(
            Counter(f.rule for c in consumptions for f in c.findings)
            + Counter(f.rule for _r, f in residence_findings)
            + Counter(rule for c in charges for rule in _contract_rules(c))
        ),
    }


def _contract_rules(charge: Charge) -> set[str]:
    """The contract findings of a charge (tariff, VAT), once per rule as the
    review queue records them."""
    return {f.rule for f in charge.findings if f.rule in CONTRACT_RULES}


def _unrated(charge: Charge) -> bool:
    """A contract finding held the whole charge before it got any line (a tariff
    that cannot be rated): it waits like a held charge with lines."""
    return any(f.holds_invoice for f in charge.findings if f.rule in CONTRACT_RULES)


def _save_estimates(consumptions: Sequence[Consumption], period: Period) -> int:
    """Store each estimated closing index as a reading, marked with its method."""
    rows = [
        Reading(
            register_id=c.register_id,
            read_on=c.estimate.read_on,
            kind=Reading.Kind.INDEX,
            value=c.estimate.value,
            source=Reading.Source.ESTIMATE,
            status=Reading.Status.ESTIMATED,
            method=c.estimate.method,
            note=c.estimate.basis[:200],
        )
        for c in consumptions
        if c.estimate is not None
    ]
    Reading.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(rows)


def _save_findings(
    period: Period,
    consumptions: Sequence[Consumption],
    residence_findings: Sequence[tuple[int, EngineFinding]],
) -> set[tuple[str, str]]:
    """Record the findings (once per period, subject and rule) and return those an
    operator has already accepted or corrected."""
    rows: dict[tuple[str, str], Finding] = {}
    for c in consumptions:
        for f in c.findings:
            subject = f"register:{c.register_id}"
            rows[(subject, f.rule)] = Finding(
                period=period,
                subject=subject,
                register_id=c.register_id,
                reading_id=f.reading_id,
                rule=f.rule,
                severity=f.severity,
                message=f.message[:300],
                status=Finding.Status.ACCEPTED if f.severity == WARN else "open",
            )
    for res_id, f in residence_findings:
        subject = f"residence:{res_id}"
        row = Finding(
            period=period,
            subject=subject,
            residence_id=res_id,
            # branch_sum names the meter and its closing reading.
            register_id=f.register_id,
            reading_id=f.reading_id,
            rule=f.rule,
            severity=f.severity,
            message=f.message[:300],
            status=Finding.Status.ACCEPTED if f.severity == WARN else "open",
        )
        same = rows.get((subject, f.rule))
        rows[(subject, f.rule)] = row if same is None else _merged(same, row)
    if not rows:
        return set()
    subjects = {s for s, _r in rows}
    existing = Finding.objects.filter(period=period, subject__in=subjects)
    known = {(f.subject, f.rule): f.status for f in existing}
    Finding.objects.bulk_create(
        [f for key, f in rows.items() if key not in known], batch_size=2000
    )
    return {
        key
        for key, status in known.items()
        if status in (Finding.Status.ACCEPTED, Finding.Status.CORRECTED)
        and rows.get(key) is not None
        and rows[key].severity != WARN
    }


def _merged(first: Finding, second: Finding) -> Finding:
    """Two findings of one rule on one residence (two utilities, two meters) are
    stored as one: both messages, the stronger severity, and no single reading."""
    strength = {BLOCK: 2, REVIEW: 1, WARN: 0}
    stronger = max(first, second, key=lambda f: strength.get(f.severity, 0))
    stronger.message = f"{first.message}; {second.message}"[:300]
    stronger.register_id = stronger.reading_id = None
    return stronger


def run_chunks(run: BillRun, issue_date: date | None = None) -> None:
    """Run every pending chunk: on Celery workers when a broker is configured,
    otherwise in this process one after the other. A chunk that fails is rolled
    back and marked failed; the other chunks still run, and ``finish`` counts the
    failed ones so that a later run retries them."""
    ids = list(run.chunks.order_by("seq").values_list("pk", flat=True))
    if settings.CELERY_BROKER_URL:
        from celery.exceptions import TimeoutError as CeleryTimeout

        import meterbill.celery  # noqa: F401  (binds the tasks to the configured app)

        from .tasks import run_chunk

        results = [
            run_chunk.delay(pk, issue_date and issue_date.isoformat()) for pk in ids
        ]
        for r in results:
            # A failed chunk is marked failed by its worker; the others go on. A
            # chunk no worker finished in time stays claimed and counts as failed.
            try:
                r.get(
                    timeout=settings.BILLRUN_CHUNK_TIMEOUT,
                    disable_sync_subtasks=False,
                    propagate=False,
                )
            except CeleryTimeout:
                log.error("bill run chunk timed out", extra={"task": r.id})
    else:
        for pk in ids:
            try:
                process_chunk(pk, issue_date)
            except Exception:
                # process_chunk logged it and marked the chunk failed; go on.
                log.info("bill run goes on after a failed chunk", extra={"chunk": pk})


def finish(run: BillRun, seconds: float) -> dict:
    """Sum the chunks into the run's summary and move the period on."""
    chunks = list(run.chunks.all())
    summary: dict = {
        "apartments": 0,
        "contracts": 0,
        "issued": 0,
        "held": 0,
        "estimated": 0,
        "net_by_utility": {},
        "findings": {},
    }
    net: dict[str, Decimal] = defaultdict(Decimal)
    findings: Counter[str] = Counter()
    for ch in chunks:
        r = ch.result or {}
        for k in ("apartments", "contracts", "issued", "held", "estimated"):
            summary[k] += r.get(k, 0)
        for k, v in r.get("net_by_utility", {}).items():
            net[k] += Decimal(v)
        findings.update(r.get("findings", {}))
    summary["net_by_utility"] = {k: str(v) for k, v in sorted(net.items())}
    # Seconds spent in each step, summed over the chunks (parallel chunks overlap).
    steps: Counter[str] = Counter()
    for ch in chunks:
        steps.update((ch.result or {}).get("seconds", {}))
    summary["step_seconds"] = {k: round(v, 3) for k, v in steps.items()}
    summary["findings"] = dict(sorted(findings.items()))
    summary["failed_chunks"] = sum(1 for c in chunks if c.status != "done")
    summary["errors"] = [
        f"chunk {c.seq}: {(c.result or {}).get('error', c.status)}"
        for c in chunks
        if c.status != "done"
    ]
    summary["seconds"] = round(seconds, 3)
    period = run.period
    summary["invoices_in_period"] = Invoice.objects.filter(period=period).count()
    run.summary = summary
    run.status = BillRun.Status.DONE if not summary["failed_chunks"] else "failed"
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "status", "finished_at"])
    if not summary["failed_chunks"]:
        period.state = (
            Period.State.INVOICED if not summary["held"] else Period.State.CALCULATED
        )
        period.save(update_fields=["state"])
    trail.record(
        "billrun.finish",
        user=run.started_by,
        branch=period.branch,
        obj=run,
        after=summary,
    )
    log.info("bill run finished", extra={"bill_run": run.pk, **summary})
    return summary


def bill_period(period: Period, user=None, issue_date: date | None = None) -> BillRun:
    """The whole bill run for a period: start, run every chunk, finish. A period is
    billed once it has ended: an invoice is issued after what it bills."""
    day = issue_date or timezone.localdate()
    if day < period.ends_on:
        raise BillRunRefused(
            f"period {period.name} ends on {period.ends_on}; it can be billed from "
            f"that day on, not on {day}"
        )
    started = time.perf_counter()
    run = start_bill_run(period, user)
    run_chunks(run, issue_date)
    finish(run, time.perf_counter() - started)
    return run
