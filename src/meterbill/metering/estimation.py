"""Estimation settings, temperature series and late actual readings: saving them,
and loading them set-based for a bill run (``billing.inputs``)."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction

from meterbill.audit.trail import record
from meterbill.engine.consumption import ReadingIn
from meterbill.engine.estimation import DEFAULT_METHODS, METHODS, method_errors
from meterbill.formats import temperatures
from meterbill.orgs.models import Branch
from meterbill.premises.models import Utility

from .models import EstimationSetting, LateReading, TemperatureDay

log = logging.getLogger(__name__)

# TemperatureDay.station's length.
STATION_LENGTH = 32


@dataclass(frozen=True)
class Plan:
    """How a utility's missing closing indexes are estimated in a branch."""

    methods: tuple[str, ...] = DEFAULT_METHODS
    temperatures: dict[date, Decimal] | None = None


def save_estimation_setting(
    branch: Branch,
    utility: Utility,
    methods: Sequence[str],
    *,
    station: str = "",
    user: Any = None,
) -> EstimationSetting:
    """Create or replace the branch's methods for ``utility``, recorded in the audit
    trail; ValueError naming the first bad method."""
    methods = [m.strip() for m in methods]
    errors = method_errors(methods) or (
        ["at least one estimation method is needed"] if not methods else []
    )
    if len(station) > STATION_LENGTH:
        errors.append(f"station names have at most {STATION_LENGTH} characters")
    if errors:
        raise ValueError(errors[0])
    with transaction.atomic():
        before = EstimationSetting.objects.filter(
            branch=branch, utility=utility
        ).first()
        saved, _ = EstimationSetting.objects.update_or_create(
            branch=branch,
            utility=utility,
            defaults={"methods": ",".join(methods), "station": station},
        )
        record(
            "estimation_setting.save",
            user=user,
            branch=branch,
            obj=saved,
            before=_setting_dict(before),
            after=_setting_dict(saved),
        )
    return saved


def _setting_dict(setting: EstimationSetting | None) -> dict[str, str] | None:
    if setting is None:
        return None
    return {
        "utility": setting.utility.code,
        "methods": setting.methods,
        "station": setting.station,
    }


def estimation_plans(
    branch_id: int, utility_codes: Collection[str], since: date, until: date
) -> dict[str, Plan]:
    """utility code → its plan, with the temperatures ``since``..``until`` of the
    stations the degree-day method reads (two queries at most)."""
    settings = list(
        EstimationSetting.objects.filter(
            branch_id=branch_id, utility__code__in=set(utility_codes)
        ).values_list("utility__code", "methods", "station")
    )
    stations = {
        s for _c, m, s in settings if "degree_day" in (c.strip() for c in m.split(","))
    }
    series: dict[str, dict[date, Decimal]] = defaultdict(dict)
    if stations:
        for station, day, mean_c in TemperatureDay.objects.filter(
            branch_id=branch_id, station__in=stations, day__gte=since, day__lte=until
        ).values_list("station", "day", "mean_c"):
            series[station][day] = mean_c
    return {
        code: Plan(
            _known_methods(branch_id, code, methods),
            series.get(station) if station in stations else None,
        )
        for code, methods, station in settings
    }


def _known_methods(branch_id: int, utility_code: str, stored: str) -> tuple[str, ...]:
    """The method codes of a stored setting, spaces trimmed. A code the engine does
    not know (the row was written past ``save_estimation_setting``) is left out and
    logged; none left: the default methods, so the bill run still estimates."""
    codes = tuple(m.strip() for m in stored.split(",") if m.strip())
    known = tuple(dict.fromkeys(m for m in codes if m in METHODS))
    unknown = [m for m in codes if m not in METHODS]
    if unknown:
        log.warning(
            "unknown estimation methods left out",
            extra={
                "branch": branch_id,
                "utility": utility_code,
                "unknown": unknown,
                "used": list(known or DEFAULT_METHODS),
            },
        )
    return known or DEFAULT_METHODS


def late_actuals(
    register_ids: Collection[int], since: date, until: date
) -> dict[int, list[ReadingIn]]:
    """register id → its late actual readings ``since``..``until``, by day, with
    their device status words (so a faulty one is seen when it settles)."""
    out: dict[int, list[ReadingIn]] = defaultdict(list)
    rows = (
        LateReading.objects.filter(
            register_id__in=register_ids, read_on__gte=since, read_on__lte=until
        )
        .order_by("register_id", "read_on", "pk")
        .values_list("register_id", "pk", "read_on", "value", "source", "flags")
    )
    for reg_id, pk, read_on, value, source, flags in rows:
        words = frozenset(flags.split(",")) if flags else frozenset()
        out[reg_id].append(ReadingIn(pk, read_on, value, source=source, flags=words))
    return out


def import_temperatures(
    path: str | Path, branch: Branch, *, station: str = "", user: Any = None
) -> tuple[int, int]:
    """Store a temperature file's daily means (``formats.temperatures``: columns
    ``date`` and ``temperature_c``) for ``branch`` and ``station``: new days are
    added, a day given again replaces the stored mean. All or nothing: any bad row
    refuses the file with the first error (file, line, field) and the count.
    Returns (added, replaced); the import is recorded in the audit trail."""
    path = Path(path)
    if len(station) > STATION_LENGTH:
        raise ValueError(f"station names have at most {STATION_LENGTH} characters")
    result = temperatures.read(path.read_text(encoding="utf-8-sig"), path.name)
    if result.errors:
        first = result.errors[0]
        if len(result.errors) > 1:
            first.message += f" (and {len(result.errors) - 1} more bad rows)"
        raise first
    rows = [(station, day, mean_c) for day, mean_c in result.rows]
    with transaction.atomic():
        stored = {
            (s, d): (pk, t)
            for pk, s, d, t in TemperatureDay.objects.filter(
                branch=branch,
                station__in={s for s, _d, _t in rows},
                day__in={d for _s, d, _t in rows},
            ).values_list("pk", "station", "day", "mean_c")
        }
        new = [
            TemperatureDay(branch=branch, station=s, day=d, mean_c=t)
            for s, d, t in rows
            if (s, d) not in stored
        ]
        changed = [
            TemperatureDay(pk=stored[(s, d)][0], mean_c=t)
            for s, d, t in rows
            if (s, d) in stored and stored[(s, d)][1] != t
        ]
        TemperatureDay.objects.bulk_create(new, batch_size=2000)
        TemperatureDay.objects.bulk_update(changed, ["mean_c"], batch_size=2000)
        record(
            "temperatures.import",
            user=user,
            branch=branch,
            object_type="metering.temperatureday",
            object_id=path.name[:64],
            after={"file": path.name, "added": len(new), "replaced": len(changed)},
        )
    return len(new), len(changed)
