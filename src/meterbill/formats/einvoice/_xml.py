"""Small lxml helpers shared by the UBL and CII writers and readers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree
from lxml.etree import _Element as Element


def text(value: Decimal | str) -> str:
    """A Decimal in plain notation (never 1E+2), or the string itself."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value


def sub(
    parent: Element,
    tag: str,
    value: Decimal | str | None = None,
    **attrs: str,
) -> Element:
    """Append ``tag`` (Clark notation) under ``parent`` with optional text."""
    el = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v})
    if value is not None:
        el.text = text(value)
    return el


def opt(
    parent: Element, tag: str, value: Decimal | str | None, **attrs: str
) -> Element | None:
    """Like ``sub`` but writes nothing for an empty value."""
    if value is None or value == "":
        return None
    return sub(parent, tag, value, **attrs)


def iso(day: date) -> str:
    return day.isoformat()


def serialize(root: Element) -> bytes:
    return bytes(
        etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    )
