"""A small utility invoice, its totals worked out by hand in the comments."""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from meterbill.formats.einvoice.model import (
    INVOICE,
    Address,
    Document,
    Line,
    Party,
    PaymentInstructions,
)


def corpus_dir() -> Path:
    """``METERBILL_CORPUS``, else ``../shared/corpus`` beside the repository."""
    configured = os.environ.get("METERBILL_CORPUS")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3].parent / "shared" / "corpus"


needs_corpus = pytest.mark.skipif(
    not (corpus_dir() / "einvoice").is_dir(), reason="corpus not available"
)


SELLER = Party(
    name="Apa Exemplu Distributie SRL",
    trading_name="Apa Exemplu",
    vat_id="RO18547290",
    legal_id="J40/1234/2001",
    endpoint_id="facturare@apa-exemplu.ro",
    endpoint_scheme="EM",
    address=Address(
        street="Strada Lunga 10",
        city="Cluj-Napoca",
        postal_code="400001",
        subdivision="RO-CJ",
        country_code="RO",
    ),
    email="facturare@apa-exemplu.ro",
)

BUYER = Party(
    name="Asociatia de Proprietari Bloc M4",
    endpoint_id="ap.m4@example.ro",
    endpoint_scheme="EM",
    address=Address(
        street="Bulevardul Unirii 22",
        city="Sector 3",
        postal_code="030833",
        subdivision="B",
        country_code="RO",
    ),
)


def utility_lines() -> tuple[Line, ...]:
    return (
        # 12.345 m3 x 7.8321 RON = 96.6872745, rounded 96.69
        Line(
            id="1",
            quantity=D("12.345"),
            unit_code="MTQ",
            net_price=D("7.8321"),
            net_amount=D("96.69"),
            item_name="Apa rece",
            vat_category="S",
            vat_rate=D("9"),
            period_start=date(2025, 3, 1),
            period_end=date(2025, 3, 31),
        ),
        # 12.345 m3 x 2.1450 RON = 26.480025, rounded 26.48
        Line(
            id="2",
            quantity=D("12.345"),
            unit_code="MTQ",
            net_price=D("2.1450"),
            net_amount=D("26.48"),
            item_name="Canalizare",
            vat_category="S",
            vat_rate=D("9"),
        ),
        # 1 x 15.00 RON fixed monthly fee
        Line(
            id="3",
            quantity=D("1"),
            unit_code="C62",
            net_price=D("15.00"),
            net_amount=D("15.00"),
            item_name="Abonament lunar",
            vat_category="S",
            vat_rate=D("19"),
        ),
    )


# BT-106 = 96.69 + 26.48 + 15.00 = 138.17
# VAT 9%: basis 96.69 + 26.48 = 123.17, tax 11.0853 -> 11.09
# VAT 19%: basis 15.00, tax 2.85
# BT-110 = 11.09 + 2.85 = 13.94; BT-112 = BT-115 = 138.17 + 13.94 = 152.11


def utility_invoice(**changes: object) -> Document:
    doc = Document(
        number="APA-2025-000123",
        issue_date=date(2025, 4, 3),
        type_code=INVOICE,
        currency="RON",
        seller=SELLER,
        buyer=BUYER,
        lines=utility_lines(),
        due_date=date(2025, 4, 30),
        buyer_reference="M4-AP12",
        notes=("Consum martie 2025, contor 4417",),
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
        payment=PaymentInstructions(
            means_code="30",
            iban="RO49AAAA1B31007593840000",
            remittance_info="APA-2025-000123",
            terms="Plata in 30 de zile",
        ),
    )
    return dataclasses.replace(doc, **changes)  # type: ignore[arg-type]
