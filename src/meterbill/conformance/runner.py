"""Run every conformance set over a corpus directory."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from . import (
    SetResult,
    einvoice,
    forecast,
    greenbutton,
    mscons,
    nem12,
    urdb,
    wmbus,
)

SETS: dict[str, Callable[[Path], SetResult]] = {
    "wmbus": wmbus.run,
    "nem12": nem12.run,
    "greenbutton": greenbutton.run,
    "mscons": mscons.run,
    "einvoice": einvoice.run,
    "urdb": urdb.run,
    "forecast": forecast.run,
}


def run_all(
    corpus: Path, only: list[str] | None = None
) -> list[tuple[SetResult, float]]:
    """Each set's result with the seconds it took; a set that crashes counts as
    failed with the exception as its failure."""
    results = []
    for name, run in SETS.items():
        if only and name not in only:
            continue
        started = time.perf_counter()
        try:
            result = run(corpus)
        except Exception as exc:  # a crash must show as a failure, not stop the rest
            result = SetResult(name=name, floor=1, failures=[f"crashed: {exc!r}"])
        results.append((result, time.perf_counter() - started))
    return results
