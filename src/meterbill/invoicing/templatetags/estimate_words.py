"""The estimated readings of an invoice in words, for the invoice page and the PDF:
which method estimated each closing index and on what data (the line traces'
``estimate``), so the customer need not read the raw trace."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import translation
from django.utils.translation import gettext_lazy as _

register = template.Library()

# The estimation methods (docs/validation.md, "Estimating a missing index").
METHODS = {
    "average_daily": _(
        "average daily use of the past readings, times the days of the period"
    ),
    "interpolation": _(
        "straight line between the previous index and a later actual index"
    ),
    "same_period_last_year": _("the use of the same days one year earlier"),
    "degree_day": _("heating use forecast from the outdoor temperatures"),
    "building_average_m2": _(
        "the building's measured use per m², times the apartment's area"
    ),
}


def _words(register_trace: dict[str, Any], description: str) -> dict[str, str]:
    est = register_trace["estimate"]
    method = est.get("method", "")
    return {
        "utility": description.split(" – ")[0],
        "register": register_trace.get("meter") or f"#{register_trace['register']}",
        "read_on": est.get("read_on", ""),
        "value": est.get("value") or est.get("quantity", ""),
        "method": str(METHODS.get(method, method)),
        "basis": est.get("basis", ""),
    }


@register.filter
def estimates(lines: Any, lang: str = "") -> list[dict[str, str]]:
    """One row per estimated register of ``lines`` (invoice lines, or an invoice:
    its lines), worded in ``lang`` (default: the active language)."""
    if hasattr(lines, "lines"):
        lines = sorted(lines.lines.all(), key=lambda ln: ln.position)
    with translation.override(lang or translation.get_language()):
        return [
            _words(c, line.description)
            for line in lines
            for c in line.trace.get("consumption", [])
            + line.trace.get("allocators", [])
            if c.get("estimate")
        ]
