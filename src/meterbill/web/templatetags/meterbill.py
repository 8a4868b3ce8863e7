"""Locale-aware formatting of money and quantities (Babel, from Decimal, never
float), in the active language."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_currency, format_decimal
from django import template
from django.utils import translation

register = template.Library()

# A unit price: 2 decimals at least, up to the 6 a price keeps.
PRICE_FORMAT = "#,##0.00####"


def _locale() -> str:
    return (translation.get_language() or "en").split("-")[0]


@register.filter
def money(value: Any, currency: str = "") -> str:
    """``1234.5`` → ``1,234.50 RON`` (en) or ``1.234,50 RON`` (ro)."""
    if value in (None, ""):
        return "–"
    amount = Decimal(str(value))
    if not currency:
        return format_decimal(amount, format="#,##0.00", locale=_locale())
    return format_currency(
        amount, currency, format="#,##0.00 ¤¤", locale=_locale(), currency_digits=True
    )


@register.filter
def price(value: Any, currency: str = "") -> str:
    """A unit price as stored, not rounded to the cent: at least 2 decimals, up to
    6 (docs/tariffs.md): ``0.495`` → ``0.495``, ``0.0012`` → ``0.0012``, ``5`` →
    ``5.00``; ``1234.5`` → ``1,234.50 RON`` (en) or ``1.234,50 RON`` (ro)."""
    if value in (None, ""):
        return "–"
    amount = Decimal(str(value))
    if not currency:
        return format_decimal(amount, format=PRICE_FORMAT, locale=_locale())
    return format_currency(
        amount,
        currency,
        format=PRICE_FORMAT + " ¤¤",
        locale=_locale(),
        currency_digits=False,
    )


@register.filter
def qty(value: Any) -> str:
    """A quantity or index with its meaningful decimals (at most 3)."""
    if value in (None, ""):
        return "–"
    q = Decimal(str(value)).quantize(Decimal("0.001")).normalize()
    places = max(0, -int(q.as_tuple().exponent))
    return format_decimal(
        q, format="#,##0." + "0" * places if places else "#,##0", locale=_locale()
    )


@register.filter
def plain(value: Any) -> str:
    """An index as typed back into an input: no grouping, "." as separator."""
    if value in (None, ""):
        return ""
    return format(Decimal(str(value)).normalize(), "f")
