"""What the invoice page shows around an invoice: the chain of documents linked to
it, and the actions its state and kind allow."""

from __future__ import annotations

from typing import Any

from meterbill.invoicing.corrections import OPEN, invoice_chain
from meterbill.invoicing.models import Invoice

from .access import can, scope

K = Invoice.Kind
S = Invoice.State


def allowed_actions(inv: Invoice) -> list[str]:
    """The invoice actions (url name suffixes) that the invoice's state allows."""
    out = []
    if inv.state == S.ISSUED:
        out.append("send")
    if inv.state in (S.ISSUED, S.SENT):
        out.append("pay")
    if inv.state in OPEN and inv.kind == K.INVOICE:
        out += ["credit", "rebill"] + (["correct"] if inv.period_id else [])
    if inv.state in OPEN and inv.kind == K.ADVANCE and not inv.settled_by_id:
        out.append("credit")
    return out


def invoice_links(inv: Invoice, user: Any) -> dict[str, Any]:
    """The chain (original first, then what corrects it, in issue order), the
    settlement that deducted an advance or the advances a settlement deducted, and
    the actions this user may take on the invoice. Only documents of the user's
    subtree are shown."""
    chain = invoice_chain(inv)
    visible = set(
        scope(Invoice.objects.filter(pk__in=[d.pk for d in chain]), user).values_list(
            "pk", flat=True
        )
    )
    settled = scope(
        Invoice.objects.filter(settled_by=inv).order_by("number"), user
    ).select_related("series")
    settled_by = (
        scope(Invoice.objects.filter(pk=inv.settled_by_id), user).first()
        if inv.settled_by_id
        else None
    )
    return {
        "chain": [d for d in chain if d.pk in visible] if len(chain) > 1 else [],
        "settled_advances": list(settled),
        "settled_by": settled_by,
        "actions": allowed_actions(inv) if can(user, "invoices.act") else [],
    }
