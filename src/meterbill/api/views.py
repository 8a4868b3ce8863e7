"""API endpoints. Thin, like the web views: every queryset goes through
``web.access.scope`` (an object outside the caller's branch subtree is a 404), the
roles' actions come from ``web.access.ROLE_PERMISSIONS`` and the one state change, a
submitted reading, calls the service the keyboard grid calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Model, QuerySet
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from meterbill.billing.models import Finding, Period
from meterbill.invoicing.models import Invoice
from meterbill.metering.models import Meter, Reading, Register
from meterbill.premises.models import Apartment, Contract, Customer, Residence
from meterbill.web.access import get_scoped, scope
from meterbill.web.services import enter_reading
from meterbill.web.views import document_response
from meterbill.web.work_views import error_texts

from . import serializers as s
from .pagination import Pagination
from .permissions import RoleAction


def _integer(text: str) -> int:
    value = int(text)
    if not 0 < value < 2**63:
        raise ValueError(f"{text} is not an id")
    return value


# Query parameter → (ORM lookup, parser of its text, type shown in the schema).
Filters = dict[str, tuple[str, Callable[[str], Any], Any]]
ID = (_integer, OpenApiTypes.INT)
DATE = (date.fromisoformat, OpenApiTypes.DATE)
TEXT = (str, OpenApiTypes.STR)


def _filters(**spec: tuple[str, tuple[Callable[[str], Any], Any]]) -> Filters:
    return {name: (lookup, *kind) for name, (lookup, kind) in spec.items()}


class ScopedViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of one model, narrowed to the caller's branch subtree.

    ``queryset`` is only the starting point; ``get_queryset`` always scopes it.
    """

    permission_classes = [RoleAction]
    pagination_class = Pagination
    required_actions: dict[str, str] = {}
    filters: Filters = {}
    ordering: tuple[str, ...] = ("pk",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Describe the subclass's filters in the OpenAPI schema of its list."""
        super().__init_subclass__(**kwargs)
        parameters = [
            OpenApiParameter(name, kind, description=f"filter: {lookup}")
            for name, (lookup, _parse, kind) in cls.filters.items()
        ]
        extend_schema_view(list=extend_schema(parameters=parameters))(cls)

    def get_queryset(self) -> QuerySet[Model]:
        queryset = scope(super().get_queryset(), self.request.user)
        if self.action == "list":
            queryset = queryset.filter(**self._filter_lookups())
        return queryset.order_by(*self.ordering)

    def _filter_lookups(self) -> dict[str, Any]:
        lookups: dict[str, Any] = {}
        errors: dict[str, str] = {}
        for name, (lookup, parse, _kind) in self.filters.items():
            text = self.request.query_params.get(name, "").strip()
            if not text:
                continue
            try:
                lookups[lookup] = parse(text)
            except ValueError:
                errors[name] = f"not a valid value: {text!r}"
        if errors:
            raise ValidationError(errors)
        return lookups


PREMISES = {"GET": "premises.view"}


class ResidenceViewSet(ScopedViewSet):
    queryset = Residence.objects.select_related("branch")
    serializer_class = s.ResidenceSerializer
    required_actions = PREMISES
    filters = _filters(code=("code__iexact", TEXT), city=("city__icontains", TEXT))
    ordering = ("branch__code", "code")


class ApartmentViewSet(ScopedViewSet):
    queryset = Apartment.objects.select_related("residence")
    serializer_class = s.ApartmentSerializer
    required_actions = PREMISES
    filters = _filters(residence=("residence_id", ID), number=("number__iexact", TEXT))
    ordering = ("residence_id", "staircase", "pk")


class MeterViewSet(ScopedViewSet):
    queryset = Meter.objects.select_related("branch", "utility").prefetch_related(
        "registers"
    )
    serializer_class = s.MeterSerializer
    required_actions = PREMISES
    filters = _filters(
        residence=("residence_id", ID),
        apartment=("apartment_id", ID),
        kind=("kind", TEXT),
        serial=("serial__iexact", TEXT),
    )
    ordering = ("utility__code", "serial")


class ReadingViewSet(ScopedViewSet):
    queryset = Reading.objects.select_related("register", "entered_by")
    serializer_class = s.ReadingSerializer
    required_actions = {"GET": "readings.view", "POST": "readings.enter"}
    filters = _filters(
        register=("register_id", ID),
        meter=("register__meter_id", ID),
        date_from=("read_on__gte", DATE),
        date_to=("read_on__lte", DATE),
        source=("source", TEXT),
        status=("status", TEXT),
    )
    ordering = ("register_id", "read_on", "kind")

    @extend_schema(
        request=s.ReadingEntrySerializer,
        responses={201: s.ReadingSerializer, 400: OpenApiTypes.OBJECT},
    )
    def create(self, request: Request) -> Response:
        """Save one index, as the keyboard grid does (``web.services.enter_reading``):
        source ``manual``, ``entered_by`` the caller; a second index for the same day
        replaces the first. Refused (400, by field): a value that is not a number, an
        index below the previous one, a date outside the period, a period that is
        not open."""
        entry = s.ReadingEntrySerializer(data=request.data)
        entry.is_valid(raise_exception=True)
        data = entry.validated_data
        register = get_scoped(
            Register.objects.select_related("meter__branch"),
            request.user,
            pk=data["register"],
        )
        period = get_scoped(
            Period.objects.select_related("branch"), request.user, pk=data["period"]
        )
        if not register.meter.branch.path.startswith(period.branch.path):
            raise Http404  # a period of another branch of the caller's subtree
        if period.state != Period.State.OPEN:
            raise ValidationError({"period": [f"period {period.name} is not open"]})

        result = enter_reading(
            register, period, data["read_on"], data["value"], user=request.user
        )

        if result.reading is None:
            body = {k: [v] for k, v in error_texts(result.errors).items()}
            return Response(
                {**body, "codes": {e.field: e.code for e in result.errors}},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            s.ReadingSerializer(result.reading).data, status=status.HTTP_201_CREATED
        )


class PeriodViewSet(ScopedViewSet):
    queryset = Period.objects.select_related("branch")
    serializer_class = s.PeriodSerializer
    required_actions = {"GET": "dashboard"}
    filters = _filters(
        state=("state", TEXT), name=("name", TEXT), date=("starts_on__lte", DATE)
    )
    ordering = ("-starts_on", "branch__code")


class FindingViewSet(ScopedViewSet):
    queryset = Finding.objects.select_related("resolved_by")
    serializer_class = s.FindingSerializer
    required_actions = {"GET": "findings.view"}
    filters = _filters(
        period=("period_id", ID),
        status=("status", TEXT),
        severity=("severity", TEXT),
        rule=("rule", TEXT),
    )
    ordering = ("period_id", "pk")


# Customers' personal data and contracts are for the roles that see invoices.
BILLING = {"GET": "invoices.view"}


class CustomerViewSet(ScopedViewSet):
    queryset = Customer.objects.select_related("branch")
    serializer_class = s.CustomerSerializer
    required_actions = BILLING
    filters = _filters(code=("code__iexact", TEXT), name=("name__icontains", TEXT))
    ordering = ("branch__code", "code")


class ContractViewSet(ScopedViewSet):
    queryset = Contract.objects.select_related("branch").prefetch_related(
        "services__utility", "services__tariff"
    )
    serializer_class = s.ContractSerializer
    required_actions = BILLING
    filters = _filters(
        customer=("customer_id", ID),
        apartment=("apartment_id", ID),
        number=("number__iexact", TEXT),
    )
    ordering = ("branch__code", "number")


class DocumentRenderer(BaseRenderer):
    """Lets a client ask for ``application/pdf`` or ``application/xml``: the
    document itself is a file response and is not rendered; an error is JSON."""

    media_type = "*/*"
    format = "document"

    def render(self, data: Any, accepted_media_type: Any = None, renderer_context=None):
        return JSONRenderer().render(data)


def _document_schema(media_type: str) -> Any:
    return extend_schema(
        responses={(200, media_type): OpenApiTypes.BINARY, 404: OpenApiTypes.OBJECT}
    )


class InvoiceViewSet(ScopedViewSet):
    queryset = Invoice.objects.select_related("branch", "period")
    serializer_class = s.InvoiceSerializer
    required_actions = BILLING
    filters = _filters(
        period=("period_id", ID),
        state=("state", TEXT),
        kind=("kind", TEXT),
        customer=("customer_id", ID),
        number=("full_number__iexact", TEXT),
        issued_from=("issue_date__gte", DATE),
        issued_to=("issue_date__lte", DATE),
    )
    ordering = ("-issue_date", "-number", "-pk")

    def get_queryset(self) -> QuerySet[Model]:
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("lines__utility")
        return queryset

    def get_serializer_class(self) -> type:
        if self.action == "retrieve":
            return s.InvoiceDetailSerializer
        return s.InvoiceSerializer

    @_document_schema("application/pdf")
    @action(detail=True, renderer_classes=[JSONRenderer, DocumentRenderer])
    def pdf(self, request: Request, pk: str) -> Any:
        """The invoice's stored PDF (written first if it is missing)."""
        return document_response(self.get_object(), "pdf")

    @_document_schema("application/xml")
    @action(detail=True, renderer_classes=[JSONRenderer, DocumentRenderer])
    def xml(self, request: Request, pk: str) -> Any:
        """The invoice's stored EN 16931 XML (written first if it is missing)."""
        return document_response(self.get_object(), "xml")
