"""NEM12/NEM13 conformance: our reader against nemreader on the AEMO sample files.

A valid file passes when our per-channel totals (NMI + suffix) equal the totals of
nemreader's own readings. nemreader yields floats; each reading is converted with
``Decimal(str(x))`` and summed in Decimal, so float summation drift does not count.
A file under ``invalid/`` passes when our reader refuses it with ``InvalidFormat``.

Where the totals differ only by days nemreader leaves out because their 300 record
is wrapped over several lines, the file passes with a finding that quotes the MDFF
clause nemreader's result breaks: nemreader reads the first line alone, finds it
short of its interval values and skips it, skips the continuation lines as unknown
records, and applies any 400 records of that day to the day before.
"""

from __future__ import annotations

import datetime
import io
import logging
import zipfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from nemreader import NEMFile
from nemreader.nem_objects import Reading

from meterbill.conformance import SetResult
from meterbill.formats import nem12
from meterbill.formats.errors import FormatError, InvalidFormat

# What the sample files reach today; raise it when the reader improves.
FLOOR = 140

# MDFF "Meter Data File Format Specification NEM12 & NEM13", interval data record
# (300), field IntervalValue1 . . . IntervalValueN.
MDFF_300_VALUES = (
    "MDFF interval data record (300), IntervalValue1..N: 'The number of values "
    "provided must equal 1440 divided by the IntervalLength'"
)

Totals = dict[tuple[str, str], Decimal]


def run(corpus_dir: Path) -> SetResult:
    """Check every file under ``corpus_dir / "nem12"``."""
    root = corpus_dir / "nem12"
    result = SetResult(name="nem12", floor=FLOOR)
    for path in sorted(p for p in root.rglob("*") if _is_sample(p)):
        name = str(path.relative_to(root))
        result.total += 1
        if path.relative_to(root).parts[0] == "invalid":
            failure = _check_refused(path, name)
        else:
            failure = _check_totals(path, name, result.findings)
        if failure:
            result.failures.append(f"{name}: {failure}")
        else:
            result.passed += 1
    return result


def _is_sample(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in (".zip", ".csv")


def _check_refused(path: Path, name: str) -> str:
    try:
        nem12.read(path.read_bytes(), filename=name)
    except InvalidFormat:
        return ""
    except FormatError as e:
        return f"refused, but not as InvalidFormat: {e}"
    return "read without error, expected a refusal"


def _check_totals(path: Path, name: str, findings: list[str]) -> str:
    data = path.read_bytes()
    try:
        ours = nem12.channel_totals(data, name)
    except FormatError as e:
        return f"refused a valid file: {e}"
    try:
        theirs = _nemreader_totals(data, name)
    except Exception as e:  # any failure of the reference is a finding
        return f"nemreader could not read it: {e!r}"
    if ours == theirs:
        return ""
    keys = sorted(
        k for k in ours.keys() | theirs.keys() if ours.get(k) != theirs.get(k)
    )
    skipped = _wrapped_days_nemreader_skips(data, name)
    unexplained = [
        k
        for k in keys
        if ours.get(k, Decimal(0)) - sum(d.value for d in skipped.get(k, []))
        != theirs.get(k, Decimal(0))
    ]
    if unexplained:
        return "; ".join(
            f"{k}: ours {ours.get(k)}, nemreader {theirs.get(k)}" for k in keys
        )
    for key in keys:
        findings += [f"{name}: {key}: {d.explain()}" for d in skipped[key]]
    return ""


@dataclass(frozen=True)
class _WrappedDay:
    """A day whose 300 record runs over several physical lines of a member."""

    member: str
    day: datetime.date
    value: Decimal
    unit: str
    first_line: int
    last_line: int

    def explain(self) -> str:
        return (
            f"nemreader leaves out {self.day} ({self.value} {self.unit}): its 300 "
            f"record is wrapped over lines {self.first_line}-{self.last_line} of "
            f"{self.member}; nemreader skips line {self.first_line} as short of "
            "its interval values, skips the continuation lines as unknown records "
            "and applies any 400 records of that day to the day before. "
            f"{MDFF_300_VALUES}: the wrapped record holds them all and ours counts it"
        )


def _wrapped_days_nemreader_skips(
    data: bytes, name: str
) -> dict[tuple[str, str], list[_WrappedDay]]:
    """Our days whose 300 record is wrapped and that nemreader does not have."""
    days: dict[tuple[str, str], list[_WrappedDay]] = defaultdict(list)
    for member, text in _named_texts(data, name):
        theirs = _nemreader_days(text, member)
        lines = text.split("\n")
        for row in nem12.read(text, filename=member).rows:
            key = (row.meter_ref, row.register)
            last = _last_continuation_line(lines, row.line)
            if row.kind != "consumption" or last == row.line:
                continue
            if (key, row.read_on) in theirs:
                continue
            days[key].append(
                _WrappedDay(member, row.read_on, row.value, row.unit, row.line, last)
            )
    return days


def _last_continuation_line(lines: list[str], first: int) -> int:
    """The last physical line (1-based) of the record that starts at ``first``."""
    last = first
    for number in range(first + 1, len(lines) + 1):
        text = lines[number - 1].strip()
        if not text:
            continue
        if text.split(",", 1)[0].strip() in nem12.RECORD_INDICATORS:
            break
        last = number
    return last


def _nemreader_days(text: str, name: str) -> set[tuple[tuple[str, str], datetime.date]]:
    return {
        ((nmi, suffix), reading.t_start.date())
        for nmi, suffix, reading in _nemreader_readings(text, name)
    }


def _nemreader_totals(data: bytes, name: str) -> Totals:
    """nemreader's readings per channel, each float as Decimal(str(x)), summed."""
    totals: Totals = defaultdict(Decimal)
    for member, text in _named_texts(data, name):
        for nmi, suffix, reading in _nemreader_readings(text, member):
            totals[(nmi, suffix)] += Decimal(str(reading.read_value))
    return dict(totals)


def _nemreader_readings(text: str, name: str) -> Iterator[tuple[str, str, Reading]]:
    """nemreader's readings that have a value, with their NMI and suffix."""
    previous = logging.getLogger("nemreader").level
    logging.getLogger("nemreader").setLevel(logging.CRITICAL)
    try:
        readings = NEMFile(name).parse_nem_file(text.splitlines(), file_name=name)
    finally:
        logging.getLogger("nemreader").setLevel(previous)
    for nmi, channels in readings.readings.items():
        for suffix, reads in channels.items():
            for reading in reads:
                if reading.read_value is not None:
                    yield nmi, suffix, reading


def _named_texts(data: bytes, name: str) -> list[tuple[str, str]]:
    """The file's text, or each member's of a zip, with the member's name."""
    if not data.startswith(b"PK"):
        return [(name, data.decode("utf-8-sig"))]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            (f"{name}/{info.filename}", archive.read(info).decode("utf-8-sig"))
            for info in archive.infolist()
            if not info.is_dir()
        ]
