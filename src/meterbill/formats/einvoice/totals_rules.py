"""The EN 16931 calculation rules, checked on the totals an invoice file states.

A reader keeps the totals a file states (``Document.stated_totals``) as they are;
this module says where they break a rule of EN 16931-1 (BR-CO-10 to BR-CO-17 and
the VAT breakdown rules BR-S-08 and its twins), the way the CEN validation
artefacts (the EN 16931 schematron, v1.3) test them:

- BR-CO-17 (BT-117 = BT-116 x BT-119 / 100, rounded to two decimals) and BR-S-08
  (BT-116 of a standard rate = its lines + charges - allowances) accept a stated
  amount less than one currency unit away from the computed one. That leaves room
  for VAT computed per line and summed, as CIUS-RO invoices often do, and for
  whole-unit amounts such as forint.
- The other rules are exact once the sums are rounded to the currency precision.

A finding inside the tolerance is kept too (the file is valid, but its amounts are
not the ones ``compute_totals`` gives): it explains why our writers would state
other totals for the same lines.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from meterbill.engine.money import round_money

from .model import HUNDRED, ZERO, Document, Totals, VatBreakdown

# The CEN schematron's allowance on BR-CO-17 and BR-S-08: |stated - computed| < 1.
CEN_TOLERANCE = Decimal(1)

# BR-x-08 per VAT category code (BT-118): the taxable amount rule.
_TAXABLE_RULES = {
    "S": "BR-S-08",
    "Z": "BR-Z-08",
    "E": "BR-E-08",
    "AE": "BR-AE-08",
    "K": "BR-IC-08",
    "G": "BR-G-08",
    "O": "BR-O-08",
    "L": "BR-IG-08",
    "M": "BR-IP-08",
}


@dataclass(frozen=True)
class RuleFinding:
    """A stated amount that is not what an EN 16931 rule computes."""

    rule: str  # "BR-CO-14", or "BG-23" for a VAT category and rate with no breakdown
    term: str  # "BT-110", "BT-116 of S 20%"
    stated: Decimal | None  # None: the file states no such amount
    computed: Decimal
    tolerance: Decimal = ZERO

    @property
    def within_tolerance(self) -> bool:
        """The CEN artefacts accept the stated amount: the file is valid."""
        if self.stated is None:
            return False
        return abs(self.stated - self.computed) < self.tolerance

    def __str__(self) -> str:
        if self.stated is None:
            return (
                f"[{self.rule}] {self.term}: no VAT breakdown stated; lines and "
                f"allowances/charges give {self.computed}"
            )
        text = (
            f"[{self.rule}] {self.term}: stated {self.stated}, computed {self.computed}"
        )
        if self.within_tolerance:
            text += f" (within the CEN tolerance of {self.tolerance})"
        return text


def check_stated_totals(doc: Document) -> list[RuleFinding]:
    """Every rule the document's stated totals (BG-22, BG-23) do not meet exactly;
    empty when the file states no totals or all of them agree."""
    stated = doc.stated_totals
    if stated is None:
        return []
    return (
        _document_totals(doc, stated)
        + _taxable_amounts(doc, stated.vat_breakdown)
        + _tax_amounts(doc, stated.vat_breakdown)
    )


def _document_totals(doc: Document, t: Totals) -> list[RuleFinding]:
    """BR-CO-10 to BR-CO-16: each BG-22 amount from the terms it sums."""
    cur = doc.currency
    allowances = [ac.amount for ac in doc.allowances_charges if not ac.is_charge]
    charges = [ac.amount for ac in doc.allowances_charges if ac.is_charge]
    expected = (
        (
            "BR-CO-10",
            "BT-106",
            t.line_net_total,
            sum(ln.net_amount for ln in doc.lines),
        ),
        ("BR-CO-11", "BT-107", t.allowance_total, sum(allowances, ZERO)),
        ("BR-CO-12", "BT-108", t.charge_total, sum(charges, ZERO)),
        (
            "BR-CO-13",
            "BT-109",
            t.tax_exclusive,
            t.line_net_total - t.allowance_total + t.charge_total,
        ),
        ("BR-CO-14", "BT-110", t.vat_total, sum(b.tax_amount for b in t.vat_breakdown)),
        ("BR-CO-15", "BT-112", t.tax_inclusive, t.tax_exclusive + t.vat_total),
        ("BR-CO-16", "BT-115", t.payable, t.tax_inclusive - t.prepaid + t.rounding),
    )
    findings = []
    for rule, term, amount, exact in expected:
        if rule == "BR-CO-14" and not t.vat_breakdown:
            continue  # BR-CO-14 sums the BG-23 groups; BR-CO-18 wants one
        computed = round_money(Decimal(exact), cur)
        if amount != computed:
            findings.append(RuleFinding(rule, term, amount, computed))
    return findings


def _taxable_amounts(
    doc: Document, breakdown: tuple[VatBreakdown, ...]
) -> list[RuleFinding]:
    """BR-S-08 per standard rate (with the CEN tolerance), its twins per category;
    a standard rate that lines or allowances/charges use but no BG-23 states."""
    cur = doc.currency
    by_rate: dict[tuple[str, Decimal | None], Decimal] = defaultdict(Decimal)
    for line in doc.lines:
        by_rate[_key(line.vat_category, line.vat_rate)] += line.net_amount
    for ac in doc.allowances_charges:
        sign = 1 if ac.is_charge else -1
        by_rate[_key(ac.vat_category, ac.vat_rate)] += sign * ac.amount

    findings = []
    stated_keys = {_key(b.category, b.rate) for b in breakdown}
    for b in breakdown:
        rule = _TAXABLE_RULES.get(b.category)
        if rule is None:
            continue
        if b.category == "S":
            computed = by_rate.get(_key("S", b.rate), ZERO)
            stated_amount, tolerance = b.taxable_amount, CEN_TOLERANCE
        else:  # the twins sum the whole category, whatever the rate
            computed = _category_sum(by_rate, b.category)
            stated_amount = sum(
                (s.taxable_amount for s in breakdown if s.category == b.category), ZERO
            )
            tolerance = ZERO
        computed = round_money(computed, cur)
        finding = RuleFinding(
            rule, f"BT-116 of {_label(b)}", stated_amount, computed, tolerance
        )
        if stated_amount != computed and finding not in findings:
            findings.append(finding)
    for key, amount in sorted(by_rate.items(), key=lambda kv: _sort_key(kv[0])):
        if key[0] == "S" and key not in stated_keys:
            findings.append(
                RuleFinding("BG-23", f"S {key[1]:f}%", None, round_money(amount, cur))
            )
    return findings


def _tax_amounts(
    doc: Document, breakdown: tuple[VatBreakdown, ...]
) -> list[RuleFinding]:
    """BR-CO-17 on each VAT breakdown, with the CEN tolerance."""
    findings = []
    for b in breakdown:
        rate = b.rate or ZERO
        computed = round_money(b.taxable_amount * rate / HUNDRED, doc.currency)
        if b.tax_amount != computed:
            findings.append(
                RuleFinding(
                    "BR-CO-17",
                    f"BT-117 of {_label(b)}",
                    b.tax_amount,
                    computed,
                    CEN_TOLERANCE if rate else ZERO,
                )
            )
    return findings


def _key(category: str, rate: Decimal | None) -> tuple[str, Decimal | None]:
    return category, None if rate is None else rate.normalize()


def _sort_key(key: tuple[str, Decimal | None]) -> tuple[str, Decimal]:
    return key[0], key[1] or ZERO


def _category_sum(
    by_rate: dict[tuple[str, Decimal | None], Decimal], category: str
) -> Decimal:
    return sum((v for (c, _r), v in by_rate.items() if c == category), ZERO)


def _label(b: VatBreakdown) -> str:
    return b.category if b.rate is None else f"{b.category} {b.rate.normalize():f}%"
