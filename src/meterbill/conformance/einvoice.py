"""Conformance of the EN 16931 reader and writers on the corpus's example invoices.

A file passes when it reads, when every business term we model survives a round trip
(read, write in the same syntax and profile, read again: an equal model), and when
``compute_totals`` gives exactly the totals and VAT breakdown the file states.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from meterbill.conformance import SetResult
from meterbill.formats.einvoice.cii import write_cii
from meterbill.formats.einvoice.model import Document, compute_totals
from meterbill.formats.einvoice.read import read_invoice, specification_id
from meterbill.formats.einvoice.ubl import PROFILES, write_ubl
from meterbill.formats.errors import FormatError

SETS = ("ubl", "cii", "cius-ro")
FLOOR = 34


def run(corpus_dir: Path | str) -> SetResult:
    result = SetResult(name="einvoice", floor=FLOOR)
    base = Path(corpus_dir) / "einvoice"
    for set_name in SETS:
        for path in sorted((base / set_name).glob("*")):
            if path.suffix.lower() != ".xml":
                continue
            result.total += 1
            problem = check_file(path.read_bytes(), f"{set_name}/{path.name}")
            if problem:
                result.failures.append(problem)
            else:
                result.passed += 1
    return result


def check_file(data: bytes, name: str) -> str:
    """An empty string when the file passes, else why it fails."""
    try:
        doc = read_invoice(data, filename=name)
    except FormatError as exc:
        return f"{name}: unreadable: {exc}"

    stated = doc.stated_totals
    computed = compute_totals(doc)
    if stated is not None and stated != computed:
        return f"{name}: totals differ: {_diff(stated, computed)}"

    again = _round_trip(data, doc, name)
    if _terms(again) != _terms(doc):
        return f"{name}: round trip changed {_diff(_terms(doc), _terms(again))}"
    return ""


def _round_trip(data: bytes, doc: Document, name: str) -> Document:
    if b"CrossIndustryInvoice" in data[:2000]:
        return read_invoice(write_cii(doc), filename=f"{name} (rewritten)")
    spec = specification_id(data)
    profile = next((p for p, (cid, _) in PROFILES.items() if cid == spec), "en16931")
    return read_invoice(write_ubl(doc, profile), filename=f"{name} (rewritten)")


def _terms(doc: Document) -> Document:
    return dataclasses.replace(doc, stated_totals=None)


def _diff(expected: object, actual: object) -> str:
    """The first differing fields of two equal-typed dataclasses, recursively."""
    if not dataclasses.is_dataclass(expected) or type(expected) is not type(actual):
        if isinstance(expected, tuple) and isinstance(actual, tuple):
            if len(expected) != len(actual):
                return f"{len(expected)} items vs {len(actual)}"
            for i, (a, b) in enumerate(zip(expected, actual, strict=True)):
                if a != b:
                    return f"[{i}] {_diff(a, b)}"
        return f"{expected!r} vs {actual!r}"
    for f in dataclasses.fields(expected):
        a, b = getattr(expected, f.name), getattr(actual, f.name)
        if a != b:
            return f"{f.name}: {_diff(a, b)}"
    return "nothing"
