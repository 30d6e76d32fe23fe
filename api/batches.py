from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.holds import BatchHoldSerializer, batch_hold_data
from api.references import (
    HouseholdReferenceSerializer,
    OptionalReasonSerializer,
    ReasonSerializer,
)
from inspections.services.holds import batch_hold_release_sign
from trace import access
from trace.choices import BatchStatus
from trace.models import Batch, BatchContribution, Producer
from trace.selectors.batches import batch_list_visible_to
from trace.selectors.households import household_reference_list_visible_to
from trace.selectors.registry import (
    REGION_PATH,
    producer_list_visible_to,
    product_line_list,
    region_list,
)
from trace.services.batches import batch_create, batch_transition, batch_update


class BatchContributionSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"household": household_reference_list_visible_to}
    household_detail = HouseholdReferenceSerializer(source="household", read_only=True)

    class Meta:
        model = BatchContribution
        fields = ["household", "household_detail", "quantity", "amount_paid"]


class BatchSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {
        "producer": producer_list_visible_to,
        "product_line": lambda user: product_line_list(),
        "origin": lambda user: region_list(),
    }
    producer = serializers.PrimaryKeyRelatedField(
        queryset=Producer.objects.all(),
        required=False,
        help_text="操作员可省略，默认为本主体。",
    )
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    product_line_name = serializers.CharField(
        source="product_line.__str__", read_only=True
    )
    origin_name = serializers.CharField(source="origin.full_name", read_only=True)
    contributions = BatchContributionSerializer(many=True, required=False)

    class Meta:
        model = Batch
        fields = [
            "id",
            "producer",
            "producer_name",
            "product_line",
            "product_line_name",
            "lot_code",
            "name",
            "origin",
            "origin_name",
            "harvest_date",
            "quantity",
            "unit",
            "status",
            "contributions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        # Uniqueness is checked by the service, with the message users read.
        validators = []


class BatchViewSet(ServiceViewSet):
    """Batches (lots): operators register their own; the status moves by actions."""

    serializer_class = BatchSerializer
    filterset_fields = ["producer", "product_line", "status", "origin", "lot_code"]
    ordering_fields = ["harvest_date", "created_at"]

    def select(self, user):
        return batch_list_visible_to(user=user).prefetch_related(
            Prefetch(
                "contributions",
                BatchContribution.objects.select_related(
                    f"household__village__{REGION_PATH}"
                ),
            )
        )

    def create_object(self, data):
        user = self.request.user
        producer = data.pop("producer", None) or access.operator_producer(user)
        if producer is None:
            raise serializers.ValidationError({"producer": ["请选择生产经营主体。"]})
        return batch_create(producer=producer, created_by=user, **data)

    def update_object(self, instance, data):
        data.pop("producer", None)
        return batch_update(batch=instance, changed_by=self.request.user, **data)

    def _transition(self, request, to_status: str, reason_serializer):
        batch = self.get_object()
        reason = reason_serializer(data=request.data)
        reason.is_valid(raise_exception=True)
        # Who may is the services' question (a refusal answers 403).
        if to_status == BatchStatus.RELEASED and batch.status == BatchStatus.ON_HOLD:
            batch_hold_release_sign(
                batch=batch,
                released_by=request.user,
                reason=reason.validated_data["reason"],
            )
        else:
            batch = batch_transition(
                batch=batch,
                to_status=to_status,
                changed_by=request.user,
                reason=reason.validated_data["reason"],
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=batch.pk)).data)

    @extend_schema(request=OptionalReasonSerializer, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release a draft; lift a hold by an inspector's signed reason.

        A hold whose causes are known is lifted by lab results covering them
        (recorded as inspections); a signature lifts only what no lab result
        can answer, and needs a reason.
        """
        return self._transition(request, BatchStatus.RELEASED, OptionalReasonSerializer)

    @extend_schema(methods=["GET"], responses=BatchHoldSerializer)
    @extend_schema(
        methods=["POST"], request=ReasonSerializer, responses=BatchSerializer
    )
    @action(detail=True, methods=["get", "post"])
    def hold(self, request, pk=None):
        """GET: what the hold is for, what is outstanding, how it was lifted.

        POST: put the batch on hold by hand, with a reason (a hold of unknown
        cause: only an inspector's signed release lifts it).
        """
        if request.method == "GET":
            return Response(batch_hold_data(batch=self.get_object()))
        return self._transition(request, BatchStatus.ON_HOLD, ReasonSerializer)

    @extend_schema(request=ReasonSerializer, responses=BatchSerializer)
    @action(detail=True, methods=["post"])
    def recall(self, request, pk=None):
        return self._transition(request, BatchStatus.RECALLED, ReasonSerializer)
