"""NEM12/NEM13 conformance: our reader against nemreader on the AEMO sample files.

A valid file passes when our per-channel totals (NMI + suffix) equal the totals of
nemreader's own readings. nemreader yields floats; each reading is converted with
``Decimal(str(x))`` and summed in Decimal, so float summation drift does not count.
A file under ``invalid/`` passes when our reader refuses it with ``InvalidFormat``.
"""

from __future__ import annotations

import io
import logging
import zipfile
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from nemreader import NEMFile

from meterbill.conformance import SetResult
from meterbill.formats import nem12
from meterbill.formats.errors import FormatError, InvalidFormat

# What the sample files reach today; raise it when the reader improves.
FLOOR = 139

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
            failure = _check_totals(path, name)
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


def _check_totals(path: Path, name: str) -> str:
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
    return "; ".join(
        f"{k}: ours {ours.get(k)}, nemreader {theirs.get(k)}" for k in keys
    )


def _nemreader_totals(data: bytes, name: str) -> Totals:
    """nemreader's readings per channel, each float as Decimal(str(x)), summed."""
    totals: Totals = defaultdict(Decimal)
    for text in _texts(data):
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
                        totals[(nmi, suffix)] += Decimal(str(reading.read_value))
    return dict(totals)


def _texts(data: bytes) -> list[str]:
    if not data.startswith(b"PK"):
        return [data.decode("utf-8-sig")]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [
            archive.read(info).decode("utf-8-sig")
            for info in archive.infolist()
            if not info.is_dir()
        ]
