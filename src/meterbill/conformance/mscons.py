"""MSCONS conformance: our reader against an independent segment split.

The reference cuts the interchange on the segment terminator and the element and
component separators by hand (honouring the ``?`` release character), and sums every
``QTY`` quantity under its ``LOC+172`` metering location and ``PIA+5`` register. It
shares no code with the reader (which uses pydifact). A case is one channel of one
file; it passes when our ``channel_totals`` equals the reference exactly.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from meterbill.conformance import SetResult
from meterbill.formats import mscons
from meterbill.formats.errors import FormatError

# What the sample files reach today; raise it when the reader improves.
FLOOR = 2

Totals = dict[tuple[str, str], Decimal]


def run(corpus_dir: Path) -> SetResult:
    """Check every file under ``corpus_dir / "mscons"``."""
    root = corpus_dir / "mscons"
    result = SetResult(name="mscons", floor=FLOOR)
    for path in sorted(p for p in root.rglob("*") if p.is_file() and p.suffix != ".md"):
        name = str(path.relative_to(root))
        data = path.read_bytes()
        theirs = reference_totals(data.decode("latin-1"))
        try:
            ours = mscons.channel_totals(data, name)
        except FormatError as e:
            ours = {}
            result.failures.append(f"{name}: refused a valid file: {e}")
        for key in sorted(theirs.keys() | ours.keys()):
            result.total += 1
            if ours.get(key) == theirs.get(key):
                result.passed += 1
            else:
                result.failures.append(
                    f"{name} {key}: ours {ours.get(key)}, reference {theirs.get(key)}"
                )
    return result


def split(text: str, separator: str, release: str = "?") -> list[str]:
    """Split on ``separator`` unless released; release characters are kept."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += char
            escaped = False
        elif char == release:
            current += char
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return parts


def reference_totals(text: str) -> Totals:
    """Sum of QTY quantities per (LOC+172 location, PIA+5 register)."""
    text = text.strip()
    if text.startswith("UNA"):
        text = text[9:]
    totals: Totals = defaultdict(Decimal)
    location = register = ""
    for segment in split(text, "'"):
        elements = split(segment.strip(), "+")
        tag = elements[0]
        if tag == "LOC" and elements[1] == "172":
            location, register = elements[2].split(":")[0], ""
        elif tag == "PIA" and elements[1] == "5":
            register = split(elements[2], ":")[0].replace("?", "")
        elif tag == "QTY":
            quantity = split(elements[1], ":")[1]
            totals[(location, register)] += Decimal(quantity)
    return dict(totals)
