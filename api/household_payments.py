"""到户收益: payments to households, and the households' confirmations.

The slip's one-time code is shown once, in the answer that records the
payment, to be printed on the household's 到户收益确认单.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.parsers import FormParser, JSONParser, MultiPartParser
from trace.models import HouseholdPayment
from trace.selectors.households import (
    benefit_link_list_visible_to,
    household_list_purchasable_by,
    household_payment_list_visible_to,
    household_reference_list_visible_to,
)
from trace.selectors.registry import producer_list_visible_to
from trace.services.payments import (
    household_payment_confirm_on_visit,
    household_payment_confirm_with_code,
    household_payment_record,
)


def _households_for(user):
    # The office and operators pick among linked households; a 信息员 its village's.
    return household_reference_list_visible_to(
        user=user
    ) | household_list_purchasable_by(user=user)


class HouseholdPaymentSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {
        "producer": producer_list_visible_to,
        "household": _households_for,
        "benefit_link": benefit_link_list_visible_to,
    }
    producer_name = serializers.CharField(source="producer.name", read_only=True)

    class Meta:
        model = HouseholdPayment
        fields = [
            "id",
            "household",
            "producer",
            "producer_name",
            "benefit_link",
            "batch",
            "kind",
            "amount",
            "paid_on",
            "recorded_at",
            "confirmation",
            "confirmed_at",
            "price_reason",
        ]
        read_only_fields = [
            "batch",
            "recorded_at",
            "confirmation",
            "confirmed_at",
            "price_reason",
        ]


class VisitConfirmationSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000)
    agreed = serializers.BooleanField(default=True)
    photo = serializers.FileField(required=False, allow_empty_file=False)


class CodeConfirmationSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=16)


class HouseholdPaymentViewSet(ServiceViewSet):
    """Wages, purchases and shares paid to households, dated when paid."""

    serializer_class = HouseholdPaymentSerializer
    filterset_fields = ["household", "producer", "kind", "confirmation"]
    http_method_names = ["get", "post", "head", "options"]

    def select(self, user):
        return household_payment_list_visible_to(user=user)

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment, code = household_payment_record(
            recorded_by=request.user, **data.validated_data
        )
        body = self.get_serializer(payment).data
        body["confirmation_code"] = code  # once: for the household's slip
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="信息员入户记录本户确认（或异议），附确认单照片",
        request={"multipart/form-data": VisitConfirmationSerializer},
        responses=HouseholdPaymentSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def confirm(self, request, pk=None):
        data = VisitConfirmationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        photo = data.validated_data.get("photo")
        payment = household_payment_confirm_on_visit(
            payment=self.get_object(),
            confirmed_by=request.user,
            note=data.validated_data["note"],
            agreed=data.validated_data["agreed"],
            photo=photo,
            photo_name=getattr(photo, "name", "") or "",
        )
        return Response(self.get_serializer(payment).data)

    @extend_schema(
        summary="本户凭确认单上的一次性确认码确认",
        request=CodeConfirmationSerializer,
        responses=HouseholdPaymentSerializer,
    )
    @action(detail=True, methods=["post"], url_path="confirm-code")
    def confirm_code(self, request, pk=None):
        data = CodeConfirmationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        payment = household_payment_confirm_with_code(
            payment=self.get_object(), code=data.validated_data["code"]
        )
        return Response(self.get_serializer(payment).data)
