"""A consumption history bar chart as inline SVG, drawn on the server (no script), for
the invoice PDF: one bar per period, oldest on the left, the invoiced period last.

Units of the drawing are millimetres (``viewBox`` = the printed size). Heights are
exact Decimals: bar height = quantity / largest quantity × ``PLOT_HEIGHT_MM``,
rounded half-up to 0.1 mm; a negative or zero quantity (a period credited in full)
draws no bar. Estimated periods are drawn hatched and marked ``*``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from html import escape

WIDTH_MM = Decimal(86)
HEIGHT_MM = Decimal(38)
PLOT_HEIGHT_MM = Decimal(22)
BASELINE_MM = Decimal(31)  # y of the bars' foot; labels below, values above
LEFT_MM = Decimal(2)
SLOTS = 12
SLOT_MM = (WIDTH_MM - 2 * LEFT_MM) / SLOTS
BAR_MM = Decimal("4.6")
TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Bar:
    label: str  # the period, e.g. "11/26"
    quantity: Decimal
    value_text: str  # the quantity formatted for the reader's language
    estimated: bool = False
    current: bool = False  # the invoiced period


def bar_heights(quantities: Sequence[Decimal]) -> list[Decimal]:
    """Each bar's height in mm, the largest quantity drawn ``PLOT_HEIGHT_MM`` high."""
    top = max((q for q in quantities if q > 0), default=Decimal(0))
    if not top:
        return [Decimal("0.0") for _ in quantities]
    return [
        (max(q, Decimal(0)) * PLOT_HEIGHT_MM / top).quantize(TENTH, ROUND_HALF_UP)
        for q in quantities
    ]


def _mm(value: Decimal) -> str:
    return str(value.quantize(TENTH, ROUND_HALF_UP))


def svg(
    title: str, bars: Sequence[Bar], estimated_note: str = "", chart_id: str = "h"
) -> str:
    """The chart of at most the last ``SLOTS`` bars, ``title`` on top; ``chart_id``
    tells the hatch patterns of several charts in one document apart."""
    bars = list(bars)[-SLOTS:]
    heights = bar_heights([b.quantity for b in bars])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="history" '
        f'width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" '
        f'viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}">',
        f'<defs><pattern id="est-{escape(chart_id)}" width="1.2" height="1.2" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="1.2" height="1.2" fill="#fff"/>'
        '<rect width="0.6" height="1.2" fill="#a05a00"/></pattern></defs>',
        f'<text x="{LEFT_MM}" y="3.2" font-size="3" font-weight="bold">'
        f"{escape(title)}</text>",
        f'<line x1="{LEFT_MM}" y1="{BASELINE_MM}" x2="{WIDTH_MM - LEFT_MM}" '
        f'y2="{BASELINE_MM}" stroke="#888" stroke-width="0.2"/>',
    ]
    for i, (bar, height) in enumerate(zip(bars, heights, strict=True)):
        centre = LEFT_MM + SLOT_MM * i + SLOT_MM / 2
        x = centre - BAR_MM / 2
        fill = (
            f"url(#est-{escape(chart_id)})"
            if bar.estimated
            else "#1f5f99"
            if bar.current
            else "#8fb3d9"
        )
        mark = "*" if bar.estimated else ""
        weight = ' font-weight="bold"' if bar.current else ""
        parts.append(
            f'<rect class="bar" data-period="{escape(bar.label)}" x="{_mm(x)}" '
            f'y="{_mm(BASELINE_MM - height)}" width="{BAR_MM}" height="{height}" '
            f'fill="{fill}" stroke="#1f5f99" stroke-width="0.15"/>'
        )
        parts.append(
            f'<text x="{_mm(centre)}" y="{_mm(BASELINE_MM - height - Decimal(1))}" '
            f'font-size="2" text-anchor="middle">{escape(bar.value_text)}{mark}</text>'
        )
        parts.append(
            f'<text x="{_mm(centre)}" y="{_mm(BASELINE_MM + Decimal(3))}" '
            f'font-size="1.9" text-anchor="middle"{weight}>{escape(bar.label)}</text>'
        )
    if estimated_note and any(b.estimated for b in bars):
        parts.append(
            f'<text x="{LEFT_MM}" y="{_mm(HEIGHT_MM - Decimal("0.8"))}" '
            f'font-size="2">* {escape(estimated_note)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
