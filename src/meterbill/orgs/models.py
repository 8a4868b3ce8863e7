"""Organisations, the branch tree, users and roles.

Branch isolation rests on ``Branch.path``: a materialised path ("/1/4/9/") so that a
user's subtree is one indexed prefix filter, whatever the depth of the tree.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _


class Organisation(models.Model):
    """The legal entity that issues invoices."""

    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    currency = models.CharField(max_length=3, help_text="ISO 4217")
    vat_id = models.CharField(max_length=32, blank=True)
    company_id = models.CharField(max_length=64, blank=True, help_text="trade register")
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    subdivision = models.CharField(max_length=10, blank=True, help_text="ISO 3166-2")
    iban = models.CharField(max_length=34, blank=True)
    bic = models.CharField(max_length=11, blank=True)
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=8, default="en")

    def __str__(self) -> str:
        return self.name


class Branch(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    code = models.CharField(max_length=32)
    name = models.CharField(max_length=200)
    time_zone = models.CharField(max_length=64, default="UTC")
    # "/<root id>/…/<own id>/"; kept by save(); subtree = path__startswith.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="branch_code")
        ]
        verbose_name_plural = "branches"

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def save(self, *args, **kwargs) -> None:
        with transaction.atomic():
            super().save(*args, **kwargs)
            prefix = self.parent.path if self.parent_id and self.parent else "/"
            path = f"{prefix}{self.pk}/"
            if path != self.path:
                self.path = path
                Branch.objects.filter(pk=self.pk).update(path=path)

    def subtree(self) -> models.QuerySet[Branch]:
        return Branch.objects.filter(path__startswith=self.path)

    def lineage(self) -> list[int]:
        """The ids of the branch's ancestors and its own, root first (its path)."""
        return [int(part) for part in self.path.strip("/").split("/") if part]


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Administrator")
    BRANCH_MANAGER = "branch_manager", _("Branch manager")
    BILLING_OPERATOR = "billing_operator", _("Billing operator")
    METER_READER = "meter_reader", _("Meter reader")
    AUDITOR = "auditor", _("Auditor (read-only)")
    CUSTOMER = "customer", _("Customer")


class User(AbstractUser):
    """A login. A user works in one branch and sees that branch's subtree only."""

    branch = models.ForeignKey(Branch, null=True, blank=True, on_delete=models.PROTECT)
    # Comma-separated Role values; a user may hold several roles.
    roles = models.CharField(max_length=200, blank=True, default="")
    language = models.CharField(max_length=8, default="en")

    def role_set(self) -> set[str]:
        return {r for r in self.roles.split(",") if r}

    def has_role(self, role: str) -> bool:
        return role in self.role_set()
