"""Conformance of the wireless M-Bus decoder against wmbusmeters' test telegrams
(``wmbus/cases.jsonl`` of the corpus): the billing values must match theirs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from meterbill.conformance import SetResult
from meterbill.formats.errors import FormatError
from meterbill.formats.wmbus import FormatCache, decode_all

# Our billing value name → the field name in the corpus's expected values.
CLAIMED = {
    "total_m3": "total_m3",
    "total_energy_consumption_kwh": "total_energy_consumption_kwh",
    "current_consumption_hca": "current_consumption_hca",
    "consumption_at_set_date_hca": "consumption_at_set_date_hca",
    "set_date": "set_date",
}

# Passed cases CI must keep reaching.
FLOOR = 206


def run(corpus_dir: Path) -> SetResult:
    """Decode every case that expects a claimed field and compare the values.

    Compact frames need the format of a full frame of the same family: as a reader
    of a whole file does, the formats of all full frames are learned first. A case
    whose telegram_hex holds a burst of telegrams of one meter is judged on the
    values of all of them together, as wmbusmeters reports them.
    """
    result = SetResult(name="wmbus", floor=FLOOR)
    cases = list(_cases(corpus_dir / "wmbus" / "cases.jsonl"))
    formats: FormatCache = {}
    for _line, case in cases:
        _learn(case, formats)
    for line, case in cases:
        expected = case.get("expected") or {}
        claimed = {
            ours: theirs for ours, theirs in CLAIMED.items() if theirs in expected
        }
        if not claimed:
            continue
        result.total += 1
        problems = _check(case, claimed, expected, formats)
        if problems:
            driver = case.get("driver", "?")
            result.failures += [f"line {line} driver {driver}: {p}" for p in problems]
        else:
            result.passed += 1
    return result


def _cases(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as lines:
        for number, text in enumerate(lines, 1):
            if text.strip():
                yield number, json.loads(text, parse_float=Decimal, parse_int=Decimal)


def _key(case: dict[str, Any]) -> bytes | None:
    try:
        return bytes.fromhex(case["key"]) if case.get("key") else None
    except ValueError:
        return None


class CorpusDefect(ValueError):
    """The corpus line itself is damaged: no decoder could be blamed for it."""


def _telegram(case: dict[str, Any]) -> bytes:
    digits = case.get("telegram_hex", "")
    if len(digits) % 2:
        # wmbusmeters' own hex reader drops a lone last digit; a byte reader cannot.
        frame_digits = 2 * (int(digits[:2], 16) + 1) if len(digits) >= 2 else 0
        raise CorpusDefect(
            f"corpus line damaged: telegram_hex has {len(digits)} hex digits, an "
            f"odd count; the frame its L-field gives ends after {frame_digits}"
        )
    return bytes.fromhex(digits)


def _learn(case: dict[str, Any], formats: FormatCache) -> None:
    try:
        decode_all(_telegram(case), _key(case), formats=formats)
    except (FormatError, ValueError):
        return


def _check(
    case: dict[str, Any],
    claimed: dict[str, str],
    expected: dict[str, Any],
    formats: FormatCache,
) -> list[str]:
    try:
        frames = decode_all(_telegram(case), _key(case), formats=formats)
    except CorpusDefect as exc:
        return [str(exc)]
    except (FormatError, ValueError) as exc:
        return [f"decode: {exc}"]
    values: dict[str, object] = {}
    for frame in frames:  # a later telegram of the burst adds to the earlier ones
        values.update(frame.billing_values())
    problems = []
    for ours, theirs in claimed.items():
        want = expected[theirs]
        got = values.get(ours)
        if not _equal(got, want):
            problems.append(f"{theirs}: got {got}, want {want}")
    return problems


def _equal(got: object, want: object) -> bool:
    if isinstance(want, Decimal):
        return isinstance(got, Decimal) and got == want
    if isinstance(got, date):
        return got.isoformat() == want
    return got == want
