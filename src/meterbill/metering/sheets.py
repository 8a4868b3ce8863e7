"""Printable reading sheets (STEP 0): one PDF per residence, one page per staircase.

The rows are the stops of the reading route (``routes.build_route``), so the paper
and the device list the same registers in the same walking order. The PDF is
rendered by WeasyPrint from ``metering/sheet.html``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

from meterbill.audit import trail
from meterbill.billing.models import Period
from meterbill.formats.route import RouteStop
from meterbill.orgs.models import Branch
from meterbill.premises.models import Residence

from .routes import DEFAULT_REGISTER, residences_of, route_by_residence

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SheetRow:
    apartment: str
    meter: str  # serial, and the register when it is not the meter's only one
    utility: str
    previous_index: str
    previous_date: str


@dataclass(frozen=True)
class Staircase:
    name: str
    rows: list[SheetRow]


def _index(value: Decimal | None) -> str:
    """An index as the meter shows it: no trailing zeros, never float."""
    if value is None:
        return "–"
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _row(stop: RouteStop) -> SheetRow:
    meter = stop.meter_serial
    if stop.register != DEFAULT_REGISTER:
        meter = f"{meter} / {stop.register}"
    return SheetRow(
        apartment=stop.apartment,
        meter=meter,
        utility=stop.utility,
        previous_index=_index(stop.last_index),
        previous_date=stop.last_read_on.isoformat() if stop.last_read_on else "",
    )


def staircases(stops: list[RouteStop]) -> list[Staircase]:
    """The stops of one residence grouped by staircase, walking order kept."""
    grouped: dict[str, list[SheetRow]] = defaultdict(list)
    for stop in sorted(stops, key=lambda s: s.walking_order):
        grouped[stop.staircase].append(_row(stop))
    return [Staircase(name, rows) for name, rows in grouped.items()]


def render_sheet_html(
    residence: Residence, period: Period, stops: list[RouteStop]
) -> str:
    return render_to_string(
        "metering/sheet.html",
        {
            "residence": residence,
            "period": period,
            "staircases": staircases(stops),
        },
    )


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def write_reading_sheets(
    branch: Branch,
    period: Period,
    out_dir: Path,
    *,
    residence_codes: list[str] | None = None,
    user: Any = None,
) -> list[Path]:
    """Write ``sheet-<residence>-<period>.pdf`` per residence of the branch subtree.

    The route is built once for all residences (a fixed number of queries); a
    residence without any meter to read gets no sheet.
    """
    ids = residences_of(branch, residence_codes or ())
    residences = Residence.objects.in_bulk(ids)
    by_residence = route_by_residence(ids, period)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for pk in ids:
        residence = residences[pk]
        stops = by_residence.get(pk)
        if not stops:
            continue
        path = out_dir / f"sheet-{residence.code}-{period.name}.pdf"
        path.write_bytes(html_to_pdf(render_sheet_html(residence, period, stops)))
        written.append(path)
    trail.record(
        "reading_sheets.write",
        user=user if getattr(user, "pk", None) else None,
        branch=branch,
        obj=period,
        after={"period": period.name, "files": [p.name for p in written]},
    )
    log.info(
        "reading sheets written",
        extra={"branch": branch.code, "period": period.name, "files": len(written)},
    )
    return written
