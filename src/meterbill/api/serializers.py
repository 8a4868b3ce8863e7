"""How API resources look. Read-only except ``ReadingEntrySerializer``, which only
checks the shape of a submitted index; the rules are those of ``engine.entry``."""

from __future__ import annotations

from rest_framework import serializers

from meterbill.billing.models import Finding, Period
from meterbill.invoicing.models import Invoice, InvoiceLine
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.models import (
    Apartment,
    Contract,
    ContractService,
    Customer,
    Residence,
)


class ResidenceSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.code", read_only=True)

    class Meta:
        model = Residence
        fields = [
            "id",
            "branch",
            "code",
            "name",
            "street",
            "city",
            "postal_code",
            "subdivision",
            "country",
        ]


class ApartmentSerializer(serializers.ModelSerializer):
    residence_code = serializers.CharField(source="residence.code", read_only=True)

    class Meta:
        model = Apartment
        fields = [
            "id",
            "residence",
            "residence_code",
            "number",
            "staircase",
            "floor",
            "area_m2",
            "persons",
            "quota",
            "owner_name",
        ]


class RegisterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Register
        fields = ["id", "code", "unit", "digits", "role"]


class MeterSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.code", read_only=True)
    utility = serializers.CharField(source="utility.code", read_only=True)
    registers = RegisterSerializer(many=True, read_only=True)

    class Meta:
        model = Meter
        # aes_key is a secret of the radio meter: never sent out.
        fields = [
            "id",
            "branch",
            "kind",
            "utility",
            "serial",
            "radio_id",
            "multiplier",
            "installed_on",
            "removed_on",
            "residence",
            "apartment",
            "service_point",
            "parent",
            "kq",
            "kc",
            "registers",
        ]


class ReadingSerializer(serializers.ModelSerializer):
    meter = serializers.IntegerField(source="register.meter_id", read_only=True)
    entered_by = serializers.CharField(
        source="entered_by.username", read_only=True, default=None
    )

    class Meta:
        model = Reading
        fields = [
            "id",
            "register",
            "meter",
            "read_on",
            "period_start",
            "kind",
            "value",
            "source",
            "status",
            "method",
            "quality",
            "entered_by",
            "entered_at",
            "note",
        ]


class ReadingEntrySerializer(serializers.Serializer):
    """One index to save, as the keyboard grid takes it: the value is text ("112,5"
    is accepted) and is checked by ``engine.entry.check_index``."""

    register = serializers.IntegerField()
    period = serializers.IntegerField()
    read_on = serializers.DateField()
    value = serializers.CharField(max_length=40, trim_whitespace=True)


class PeriodSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.code", read_only=True)

    class Meta:
        model = Period
        fields = ["id", "branch", "name", "starts_on", "ends_on", "state"]


class FindingSerializer(serializers.ModelSerializer):
    resolved_by = serializers.CharField(
        source="resolved_by.username", read_only=True, default=None
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "period",
            "subject",
            "register",
            "residence",
            "reading",
            "rule",
            "severity",
            "message",
            "status",
            "resolved_by",
            "resolved_at",
            "reason",
        ]


class CustomerSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.code", read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "branch",
            "code",
            "kind",
            "name",
            "vat_id",
            "company_id",
            "email",
            "language",
            "street",
            "city",
            "postal_code",
            "subdivision",
            "country",
        ]


class ContractServiceSerializer(serializers.ModelSerializer):
    utility = serializers.CharField(source="utility.code", read_only=True)
    tariff = serializers.CharField(source="tariff.code", read_only=True)

    class Meta:
        model = ContractService
        fields = ["utility", "tariff"]


class ContractSerializer(serializers.ModelSerializer):
    branch = serializers.CharField(source="branch.code", read_only=True)
    services = ContractServiceSerializer(many=True, read_only=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "branch",
            "number",
            "customer",
            "apartment",
            "service_point",
            "valid_from",
            "valid_to",
            "services",
        ]


class InvoiceLineSerializer(serializers.ModelSerializer):
    utility = serializers.CharField(source="utility.code", read_only=True, default="")

    class Meta:
        model = InvoiceLine
        fields = [
            "position",
            "utility",
            "description",
            "quantity",
            "unit",
            "unit_code",
            "unit_price_net",
            "net_amount",
            "vat_category",
            "vat_rate_percent",
            "trace",
        ]


class InvoiceSerializer(serializers.ModelSerializer):
    """An invoice in a list: header and totals, without lines."""

    branch = serializers.CharField(source="branch.code", read_only=True)
    period_name = serializers.CharField(
        source="period.name", read_only=True, default=None
    )

    class Meta:
        model = Invoice
        fields = [
            "id",
            "branch",
            "kind",
            "state",
            "full_number",
            "customer",
            "contract",
            "apartment",
            "period",
            "period_name",
            "corrects",
            "reason",
            "issue_date",
            "due_date",
            "paid_on",
            "currency",
            "total_net",
            "total_vat",
            "total_gross",
        ]


class InvoiceDetailSerializer(InvoiceSerializer):
    """One invoice with its lines; each line's ``trace`` says how it was computed
    (readings, estimates, shares, tariff version)."""

    lines = InvoiceLineSerializer(many=True, read_only=True)

    class Meta(InvoiceSerializer.Meta):
        fields = [*InvoiceSerializer.Meta.fields, "lines"]
