"""The EN 16931-1 semantic invoice model, restricted to the terms meterbill writes.

Field comments give the business term (BT) or group (BG) of EN 16931-1:2017. The
model is syntax-free: ``ubl`` and ``cii`` bind it to UBL 2.1 and UN/CEFACT CII D16B.
Amounts are ``Decimal`` in the document currency (BT-5); credit notes (BT-3 = 381)
carry positive amounts, the sign lies in the document type.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from meterbill.engine.money import round_money

EN16931_ID = "urn:cen.eu:en16931:2017"  # BT-24 of the plain core

INVOICE = "380"
CREDIT_NOTE = "381"
PREPAYMENT_INVOICE = "386"  # an advance invoice

# BT-151 codes of UNTDID 5305 as EN 16931 restricts them.
VAT_CATEGORIES = frozenset({"S", "Z", "E", "AE", "K", "G", "O", "L", "M"})

ZERO = Decimal(0)
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Address:
    """BG-5 seller / BG-8 buyer postal address."""

    street: str = ""  # BT-35 / BT-50
    additional_street: str = ""  # BT-36 / BT-51
    city: str = ""  # BT-37 / BT-52
    postal_code: str = ""  # BT-38 / BT-53
    subdivision: str = ""  # BT-39 / BT-54, e.g. RO-B under CIUS-RO
    country_code: str = ""  # BT-40 / BT-55, ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Party:
    """BG-4 seller or BG-7 buyer."""

    name: str  # BT-27 / BT-44, the registered name
    address: Address
    trading_name: str = ""  # BT-28 / BT-45
    vat_id: str = ""  # BT-31 / BT-48, with the country prefix (RO12345678)
    legal_id: str = ""  # BT-30 / BT-47
    legal_id_scheme: str = ""  # BT-30-1 / BT-47-1
    endpoint_id: str = ""  # BT-34 / BT-49, the electronic address
    endpoint_scheme: str = ""  # BT-34-1 / BT-49-1 (EAS code)
    contact_name: str = ""  # BT-41 / BT-56
    phone: str = ""  # BT-42 / BT-57
    email: str = ""  # BT-43 / BT-58


@dataclass(frozen=True)
class PaymentInstructions:
    """BG-16 payment instructions plus the payment terms (BT-20)."""

    means_code: str = ""  # BT-81, UNTDID 4461: 30 credit transfer, 58 SEPA, 59 debit
    iban: str = ""  # BT-84, the payment account identifier
    bic: str = ""  # BT-86
    remittance_info: str = ""  # BT-83
    terms: str = ""  # BT-20


@dataclass(frozen=True)
class AllowanceCharge:
    """BG-20/BG-21 on the document, BG-27/BG-28 on a line.

    ``amount`` is always positive; ``is_charge`` gives the direction. Document-level
    ones carry their own VAT category and rate (BT-95/96, BT-102/103); line-level
    ones take the line's.
    """

    is_charge: bool
    amount: Decimal  # BT-92 / BT-99 / BT-136 / BT-141
    reason: str = ""  # BT-97 / BT-104 / BT-139 / BT-144
    reason_code: str = ""  # BT-98 / BT-105 / BT-140 / BT-145
    base_amount: Decimal | None = None  # BT-93 / BT-100 / BT-137 / BT-142
    percent: Decimal | None = None  # BT-94 / BT-101 / BT-138 / BT-143
    vat_category: str = ""  # BT-95 / BT-102, document level only
    vat_rate: Decimal | None = None  # BT-96 / BT-103, document level only


@dataclass(frozen=True)
class Line:
    """BG-25 invoice line."""

    id: str  # BT-126
    quantity: Decimal  # BT-129
    unit_code: str  # BT-130, UN/ECE Rec 20: MTQ m3, KWH, C62 one
    net_price: Decimal  # BT-146, per base quantity
    net_amount: Decimal  # BT-131, see line_net_amount()
    item_name: str  # BT-153
    vat_category: str  # BT-151
    vat_rate: Decimal | None  # BT-152; None only for category O
    base_quantity: Decimal | None = None  # BT-149
    note: str = ""  # BT-127
    description: str = ""  # BT-154
    period_start: date | None = None  # BT-134
    period_end: date | None = None  # BT-135
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-27 / BG-28


@dataclass(frozen=True)
class PrecedingInvoice:
    """BG-3: the invoice a credit note or a corrective invoice refers to."""

    number: str  # BT-25
    issue_date: date | None = None  # BT-26


@dataclass(frozen=True)
class VatExemption:
    """BT-120/BT-121 for one VAT category (E, AE, K, G, O need one)."""

    category: str
    reason: str = ""  # BT-120
    reason_code: str = ""  # BT-121, VATEX code list


@dataclass(frozen=True)
class VatBreakdown:
    """BG-23, one per VAT category and rate."""

    category: str  # BT-118
    rate: Decimal | None  # BT-119
    taxable_amount: Decimal  # BT-116
    tax_amount: Decimal  # BT-117
    exemption_reason: str = ""  # BT-120
    exemption_reason_code: str = ""  # BT-121


@dataclass(frozen=True)
class Totals:
    """BG-22 document totals, with the BG-23 VAT breakdown they rest on."""

    line_net_total: Decimal  # BT-106
    allowance_total: Decimal  # BT-107
    charge_total: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    vat_total: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    payable: Decimal  # BT-115
    vat_breakdown: tuple[VatBreakdown, ...] = ()


@dataclass(frozen=True)
class Document:
    """An invoice (380), credit note (381) or prepayment invoice (386)."""

    number: str  # BT-1
    issue_date: date  # BT-2
    type_code: str  # BT-3
    currency: str  # BT-5
    seller: Party  # BG-4
    buyer: Party  # BG-7
    lines: tuple[Line, ...]  # BG-25
    due_date: date | None = None  # BT-9
    buyer_reference: str = ""  # BT-10
    tax_point_date: date | None = None  # BT-7
    notes: tuple[str, ...] = ()  # BT-22
    period_start: date | None = None  # BT-73
    period_end: date | None = None  # BT-74
    preceding_invoices: tuple[PrecedingInvoice, ...] = ()  # BG-3
    payment: PaymentInstructions | None = None  # BG-16, BT-20
    allowances_charges: tuple[AllowanceCharge, ...] = ()  # BG-20 / BG-21
    vat_exemptions: tuple[VatExemption, ...] = ()  # BT-120/121 per category
    prepaid_amount: Decimal = ZERO  # BT-113
    rounding_amount: Decimal = ZERO  # BT-114
    # The totals a file states, as a reader found them; writers never use them,
    # they always write compute_totals(document).
    stated_totals: Totals | None = None

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE


def line_net_amount(
    quantity: Decimal,
    net_price: Decimal,
    currency: str,
    base_quantity: Decimal | None = None,
    allowances_charges: tuple[AllowanceCharge, ...] = (),
) -> Decimal:
    """BT-131 = BT-129 x BT-146 / BT-149 + line charges - line allowances.

    Rounded once to the currency's precision (EN 16931-1, 6.5.6 and BR-DEC-23).
    """
    per_unit = net_price / base_quantity if base_quantity else net_price
    net = round_money(quantity * per_unit, currency)
    for ac in allowances_charges:
        net += ac.amount if ac.is_charge else -ac.amount
    return round_money(net, currency)


def credit_note_for(
    invoice: Document, number: str, issue_date: date, **changes: object
) -> Document:
    """A credit note that cancels ``invoice`` in full: type 381, positive amounts,
    BG-3 naming the invoice. ``changes`` replace further fields (lines, notes...)."""
    note = dataclasses.replace(
        invoice,
        number=number,
        issue_date=issue_date,
        type_code=CREDIT_NOTE,
        preceding_invoices=(PrecedingInvoice(invoice.number, invoice.issue_date),),
        due_date=None,
        prepaid_amount=ZERO,
        stated_totals=None,
    )
    return dataclasses.replace(note, **changes)  # type: ignore[arg-type]


def _vat_key(category: str, rate: Decimal | None) -> tuple[str, Decimal | None]:
    # 19 and 19.00 are one rate; normalize() keeps the key independent of the scale.
    return category, None if rate is None else rate.normalize()


def compute_totals(doc: Document) -> Totals:
    """The document totals and VAT breakdown by the EN 16931 calculation rules.

    BR-CO-10: BT-106 = sum of BT-131. BR-CO-11/12: BT-107/108 = sum of document
    allowances/charges. BR-CO-13: BT-109 = BT-106 - BT-107 + BT-108. Per category and
    rate (BR-S-08 and its twins): BT-116 = lines + charges - allowances of that
    category and rate; BR-CO-17: BT-117 = BT-116 x BT-119 / 100 rounded to the currency
    precision. BR-CO-14: BT-110 = sum of BT-117. BR-CO-15: BT-112 = BT-109 + BT-110.
    BR-CO-16: BT-115 = BT-112 - BT-113 + BT-114.
    """
    cur = doc.currency
    taxable: dict[tuple[str, Decimal | None], Decimal] = defaultdict(Decimal)
    rates: dict[tuple[str, Decimal | None], Decimal | None] = {}
    for line in doc.lines:
        key = _vat_key(line.vat_category, line.vat_rate)
        taxable[key] += line.net_amount
        rates.setdefault(key, line.vat_rate)
    allowance_total = charge_total = ZERO
    for ac in doc.allowances_charges:
        key = _vat_key(ac.vat_category, ac.vat_rate)
        rates.setdefault(key, ac.vat_rate)
        if ac.is_charge:
            charge_total += ac.amount
            taxable[key] += ac.amount
        else:
            allowance_total += ac.amount
            taxable[key] -= ac.amount

    reasons = {e.category: e for e in doc.vat_exemptions}
    breakdown = []
    for key in sorted(taxable, key=lambda k: (k[0], k[1] or ZERO)):
        category, rate = key
        basis = round_money(taxable[key], cur)
        tax = (
            round_money(basis * rate / HUNDRED, cur) if rate else round_money(ZERO, cur)
        )
        exemption = reasons.get(category, VatExemption(category))
        breakdown.append(
            VatBreakdown(
                category,
                rates[key],
                basis,
                tax,
                exemption.reason,
                exemption.reason_code,
            )
        )

    line_total = round_money(sum((ln.net_amount for ln in doc.lines), ZERO), cur)
    allowance_total = round_money(allowance_total, cur)
    charge_total = round_money(charge_total, cur)
    tax_exclusive = line_total - allowance_total + charge_total
    vat_total = sum((b.tax_amount for b in breakdown), round_money(ZERO, cur))
    tax_inclusive = tax_exclusive + vat_total
    payable = tax_inclusive - doc.prepaid_amount + doc.rounding_amount
    return Totals(
        line_net_total=line_total,
        allowance_total=allowance_total,
        charge_total=charge_total,
        tax_exclusive=tax_exclusive,
        vat_total=vat_total,
        tax_inclusive=tax_inclusive,
        prepaid=doc.prepaid_amount,
        rounding=doc.rounding_amount,
        payable=payable,
        vat_breakdown=tuple(breakdown),
    )
