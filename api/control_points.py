"""Inspection plan API: administrators define control points; others get 404."""

from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from api.permissions import AdministratorOnly
from inspections.models import ControlPoint
from inspections.selectors import control_point_list_visible_to
from inspections.services.planning import (
    control_point_create,
    control_point_delete,
    control_point_update,
)
from trace.models import Producer
from trace.selectors.registry import product_line_list


class ControlPointSerializer(serializers.ModelSerializer):
    product_line = serializers.PrimaryKeyRelatedField(
        queryset=product_line_list(), required=False, allow_null=True
    )
    producer = serializers.PrimaryKeyRelatedField(
        queryset=Producer.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = ControlPoint
        fields = [
            "id",
            "name",
            "product_line",
            "producer",
            "rule",
            "every_n",
            "share_percent",
            "pass_streak",
            "inspection_kind",
            "active",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class ControlPointViewSet(viewsets.ModelViewSet):
    """Control points of the inspection plan (every Nth, random share, after failure)."""

    serializer_class = ControlPointSerializer
    permission_classes = [AdministratorOnly]
    filterset_fields = ["rule", "active", "product_line", "producer"]

    def get_queryset(self):
        return control_point_list_visible_to(user=self.request.user)

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        control_point = control_point_create(
            created_by=request.user, **data.validated_data
        )
        return Response(
            self.get_serializer(control_point).data, status=status.HTTP_201_CREATED
        )

    def update(self, request, *args, **kwargs):
        control_point = self.get_object()
        data = self.get_serializer(
            control_point, data=request.data, partial=kwargs.get("partial", False)
        )
        data.is_valid(raise_exception=True)
        control_point = control_point_update(
            control_point=control_point,
            updated_by=request.user,
            **data.validated_data,
        )
        return Response(self.get_serializer(control_point).data)

    def destroy(self, request, *args, **kwargs):
        control_point_delete(control_point=self.get_object(), deleted_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
