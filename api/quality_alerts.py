"""Quality alerts API: scoped list, fill in cause and actions, close."""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from inspections.models import QualityAlert
from inspections.selectors import quality_alert_list_visible_to
from inspections.services.alerts import quality_alert_close, quality_alert_update


class QualityAlertSerializer(serializers.ModelSerializer):
    owner = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True),
        required=False,
        allow_null=True,
    )
    owner_name = serializers.CharField(source="owner.username", read_only=True)
    batch_lot_code = serializers.CharField(source="batch.lot_code", read_only=True)
    product_line_name = serializers.CharField(
        source="batch.product_line.__str__", read_only=True
    )

    class Meta:
        model = QualityAlert
        fields = [
            "id",
            "inspection",
            "batch",
            "batch_lot_code",
            "product_line_name",
            "status",
            "root_cause",
            "corrective_action",
            "preventive_action",
            "owner",
            "owner_name",
            "due_date",
            "opened_at",
            "closed_at",
            "closed_by",
        ]
        read_only_fields = [
            "inspection",
            "batch",
            "status",
            "opened_at",
            "closed_at",
            "closed_by",
        ]


class QualityAlertViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Alerts opened by failed inspections; closing needs every CAPA field filled."""

    serializer_class = QualityAlertSerializer
    filterset_fields = ["status", "batch"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return quality_alert_list_visible_to(user=self.request.user)

    def update(self, request, *args, **kwargs):
        alert = self.get_object()
        data = self.get_serializer(
            alert, data=request.data, partial=kwargs.get("partial", False)
        )
        data.is_valid(raise_exception=True)
        alert = quality_alert_update(
            alert=alert, updated_by=request.user, **data.validated_data
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)

    @extend_schema(request=None, responses=QualityAlertSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        alert = quality_alert_close(alert=self.get_object(), closed_by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=alert.pk)).data)
