"""Degree-day forecasts against OpenEEmeter's sample meters (``forecast/``).

``metadata.json`` names, per case, the meter file (``start,value``: the value is the
consumption from ``start`` until the next row's ``start``; the last row, ``nan``,
only closes the previous interval), the hourly temperature file (°F) and a blackout:
the baseline ends before it. Each case present in the corpus is fitted on the first
three quarters of its baseline (by days) and scored on the last quarter, with
ASHRAE Guideline 14-2014 CV(RMSE) and NMBE. It passes when CV(RMSE) is within the
Guideline 14 calibration limit for its resolution: 30 % for daily data, 15 % for
monthly (billing) data. Hourly cases are not checked (the model is daily).
"""

from __future__ import annotations

import csv
import gzip
import io
import itertools
import json
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from meterbill.conformance import SetResult
from meterbill.engine.forecast import (
    FAHRENHEIT_GRID,
    ForecastError,
    Usage,
    daily_means,
    fit,
    fitness,
    predict_interval,
)

CV_RMSE_LIMIT = {"daily": 30.0, "billing_monthly": 15.0, "billing_bimonthly": 15.0}
FIT_SHARE = Decimal("0.75")
FLOOR = 2  # the two cases the shared corpus holds (daily and monthly billing)


def run(corpus_dir: Path) -> SetResult:
    result = SetResult(name="forecast", floor=FLOOR)
    folder = corpus_dir / "forecast"
    meta_path = folder / "metadata.json"
    if not meta_path.exists():
        return result
    temperatures: dict[str, dict[date, Decimal]] = {}
    for case in json.loads(meta_path.read_text()).values():
        limit = CV_RMSE_LIMIT.get(case["freq"])
        meter_path = folder / case["meter_data_filename"]
        temp_path = folder / case["temperature_filename"]
        if limit is None or not meter_path.exists() or not temp_path.exists():
            continue
        result.total += 1
        if case["temperature_filename"] not in temperatures:
            temperatures[case["temperature_filename"]] = _temperatures(temp_path)
        temps = temperatures[case["temperature_filename"]]
        try:
            line = check_case(case, _usages(meter_path), temps, limit)
        except ForecastError as exc:
            result.failures.append(f"{case['id']}: {exc}")
            continue
        if line.startswith("pass"):
            result.passed += 1
        else:
            result.failures.append(f"{case['id']}: {line}")
    return result


def check_case(
    case: dict, usages: list[Usage], temps: dict[date, Decimal], limit: float
) -> str:
    """Fit, score, and say ``pass …`` or ``fail …`` with the figures."""
    blackout = date.fromisoformat(case["blackout_start_date"])
    baseline = [u for u in usages if u.ends_on < blackout]
    if not baseline:
        raise ForecastError("no baseline before the blackout")
    first = baseline[0].starts_on
    span = (baseline[-1].ends_on - first).days + 1
    cut = first + timedelta(days=int(span * FIT_SHARE))
    train = [u for u in baseline if u.ends_on < cut]
    test = [u for u in baseline if u.starts_on >= cut]
    model = fit(train, temps, FAHRENHEIT_GRID)
    pairs = [(u, predict_interval(model, temps, u)) for u in test]
    actual = [float(u.quantity) for u, p in pairs if p is not None]
    predicted = [p for _u, p in pairs if p is not None]
    score = fitness(actual, predicted)
    verdict = "pass" if score.cv_rmse <= limit else "fail"
    return (
        f"{verdict}: CV(RMSE) {score.cv_rmse:.1f}% (limit {limit:.0f}%), "
        f"NMBE {score.nmbe:+.1f}%, fitted on {len(train)}, scored on {score.n}; "
        f"balance points HDD {model.heating_balance} CDD {model.cooling_balance} °F"
    )


def _rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(csv.reader(io.StringIO(fh.read())))[1:]


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _usages(path: Path) -> list[Usage]:
    rows = [(datetime.fromisoformat(r[0]).date(), _decimal(r[1])) for r in _rows(path)]
    out = []
    for (start, value), (next_start, _v) in itertools.pairwise(rows):
        if value is not None and next_start > start:
            out.append(Usage(start, next_start - timedelta(days=1), value))
    return out


def _temperatures(path: Path) -> dict[date, Decimal]:
    hourly = []
    for at, value in _rows(path):
        parsed = _decimal(value)
        if parsed is not None:
            hourly.append((datetime.fromisoformat(at), parsed))
    return daily_means(hourly)


def details(corpus_dir: Path) -> list[str]:
    """One line per case with its figures (for reports and the docs)."""
    folder = corpus_dir / "forecast"
    out = []
    for case in json.loads((folder / "metadata.json").read_text()).values():
        limit = CV_RMSE_LIMIT.get(case["freq"])
        meter_path = folder / case["meter_data_filename"]
        if limit is None or not meter_path.exists():
            continue
        temps = _temperatures(folder / case["temperature_filename"])
        out.append(
            f"{case['id']}: {check_case(case, _usages(meter_path), temps, limit)}"
        )
    return out
