"""Conformance of the EN 16931 reader and writers on the corpus's example invoices.

A file passes when it reads, when every business term we model survives a round trip
(read, write in the same syntax and profile, read again: an equal model), and when
the totals and VAT breakdown the file states are those ``compute_totals`` gives or
differ from them only where the file breaks an EN 16931 calculation rule
(``totals_rules``). Each such rule is a finding of the set, with its number and
whether the CEN artefacts' tolerance accepts it: the reader keeps the stated
totals, so a recomputation that differs is the file's matter, not a read failure.
A difference no rule explains is ours, and fails.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from meterbill.conformance import SetResult
from meterbill.formats.einvoice.cii import write_cii
from meterbill.formats.einvoice.model import Document, compute_totals
from meterbill.formats.einvoice.read import read_invoice, specification_id
from meterbill.formats.einvoice.totals_rules import check_stated_totals
from meterbill.formats.einvoice.ubl import PROFILES, ro_address, write_ubl
from meterbill.formats.errors import FormatError

SETS = ("ubl", "cii", "cius-ro")
FLOOR = 37


def run(corpus_dir: Path | str) -> SetResult:
    result = SetResult(name="einvoice", floor=FLOOR)
    base = Path(corpus_dir) / "einvoice"
    for set_name in SETS:
        for path in sorted((base / set_name).glob("*")):
            if path.suffix.lower() != ".xml":
                continue
            result.total += 1
            name = f"{set_name}/{path.name}"
            problem = check_file(path.read_bytes(), name, result.findings)
            if problem:
                result.failures.append(problem)
            else:
                result.passed += 1
    return result


def check_file(data: bytes, name: str, findings: list[str] | None = None) -> str:
    """An empty string when the file passes, else why it fails. The rules the
    file's stated totals break are added to ``findings``."""
    try:
        doc = read_invoice(data, filename=name)
    except FormatError as exc:
        return f"{name}: unreadable: {exc}"

    stated = doc.stated_totals
    computed = compute_totals(doc)
    broken = check_stated_totals(doc)
    if findings is not None:
        findings += [f"{name}: {rule}" for rule in broken]
    ours = check_stated_totals(dataclasses.replace(doc, stated_totals=computed))
    if ours:  # our own calculation must meet every rule exactly
        return f"{name}: compute_totals breaks {ours[0]}"
    if stated is not None and stated != computed and not broken:
        return (
            f"{name}: totals differ and no EN 16931 rule explains it: "
            f"{_diff(stated, computed)}"
        )

    profile = _profile(data)
    try:
        expected = _as_bound(doc, profile, name, findings)
        again = _round_trip(doc, profile, name)
    except ValueError as exc:  # a CIUS-RO address the writer cannot bind
        return f"{name}: not rewritten: {exc}"
    if _terms(again) != _terms(expected):
        return f"{name}: round trip changed {_diff(_terms(expected), _terms(again))}"
    return ""


def _profile(data: bytes) -> str:
    """The profile to rewrite with: cii, or the UBL profile whose specification
    identifier (BT-24) the file has."""
    if b"CrossIndustryInvoice" in data[:2000]:
        return "cii"
    spec = specification_id(data)
    return next((p for p, (cid, _) in PROFILES.items() if cid == spec), "en16931")


def _as_bound(
    doc: Document, profile: str, name: str, findings: list[str] | None
) -> Document:
    """The document as its profile's writer binds it: CIUS-RO writes Romanian
    addresses in the form BR-RO-110/111 want (``ubl.ro_address``); an address of
    the file that is not in that form is a finding."""
    if profile != "cius-ro":
        return doc
    bound = dataclasses.replace(
        doc, seller=ro_address(doc.seller), buyer=ro_address(doc.buyer)
    )
    for role, before, after in (
        ("seller", doc.seller.address, bound.seller.address),
        ("buyer", doc.buyer.address, bound.buyer.address),
    ):
        if before != after and findings is not None:
            findings.append(
                f"{name}: [BR-RO-110/111] {role} address (BT-39/54 "
                f"{before.subdivision!r}, BT-37/52 {before.city!r}) is not in "
                f"CIUS-RO form; written as {after.subdivision!r}, {after.city!r}"
            )
    return bound


def _round_trip(doc: Document, profile: str, name: str) -> Document:
    if profile == "cii":
        return read_invoice(write_cii(doc), filename=f"{name} (rewritten)")
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
