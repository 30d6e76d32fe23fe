from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.fields import DateTimeField, DecimalField
from trace.models import Batch, Household, TraceEvent
from trace.selectors.batches import batch_list_visible_to
from trace.selectors.events import trace_event_list_visible_to
from trace.selectors.households import household_list_purchasable_by
from trace.selectors.registry import region_list
from trace.services.events import (
    guidance_visit_record,
    purchase_record,
    trace_event_record,
)


class TraceEventSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {
        "batch": batch_list_visible_to,
        "location": lambda user: region_list(),
    }

    class Meta:
        model = TraceEvent
        fields = [
            "id",
            "batch",
            "kind",
            "occurred_at",
            "location",
            "place",
            "actor",
            "quantity",
            "unit",
            "reference_document_type",
            "reference_document_number",
            "recorded_at",
        ]
        read_only_fields = ["recorded_at"]


class GuidanceVisitSerializer(ScopedRelationsMixin, serializers.Serializer):
    scoped_relations = {"batch": batch_list_visible_to}

    batch = serializers.PrimaryKeyRelatedField(queryset=Batch.objects.none())
    occurred_at = DateTimeField()
    topic = serializers.CharField(max_length=128)
    organisation = serializers.CharField(
        max_length=128, required=False, allow_blank=True
    )
    reference_document_number = serializers.CharField(
        max_length=64, required=False, allow_blank=True
    )


class PurchaseSerializer(ScopedRelationsMixin, serializers.Serializer):
    scoped_relations = {
        "batch": batch_list_visible_to,
        # A purchase point buys from the households of its own village.
        "household": lambda user: household_list_purchasable_by(user=user),
    }

    batch = serializers.PrimaryKeyRelatedField(queryset=Batch.objects.none())
    household = serializers.PrimaryKeyRelatedField(queryset=Household.objects.none())
    quantity = DecimalField(max_digits=14, decimal_places=3)
    amount_paid = DecimalField(max_digits=14, decimal_places=2)
    purchased_at = DateTimeField()
    reference_document_number = serializers.CharField(
        max_length=64, required=False, allow_blank=True
    )
    price_reason = serializers.CharField(
        max_length=255, required=False, allow_blank=True
    )


class TraceEventViewSet(ServiceViewSet):
    """Critical tracking events; append-only, so no update."""

    serializer_class = TraceEventSerializer
    filterset_fields = ["batch", "kind"]
    http_method_names = ["get", "post", "head", "options"]

    def select(self, user):
        return trace_event_list_visible_to(user=user)

    def create_object(self, data):
        return trace_event_record(recorded_by=self.request.user, **data)

    @extend_schema(
        summary="技术指导员记录技术指导（作为批次的追溯事件）",
        request=GuidanceVisitSerializer,
        responses=TraceEventSerializer,
    )
    @action(detail=False, methods=["post"])
    def guidance(self, request):
        data = GuidanceVisitSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        event = guidance_visit_record(recorded_by=request.user, **data.validated_data)
        return Response(
            TraceEventSerializer(event, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="村级收购点登记向贫困户收购（计入带贫台账）",
        request=PurchaseSerializer,
        responses=TraceEventSerializer,
    )
    @action(detail=False, methods=["post"])
    def purchase(self, request):
        data = PurchaseSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        event = purchase_record(recorded_by=request.user, **data.validated_data)
        return Response(
            TraceEventSerializer(event, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
