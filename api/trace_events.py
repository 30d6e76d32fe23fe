from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from api.base import ScopedRelationsMixin, ServiceViewSet
from trace import access, services
from trace.models import TraceEvent
from trace.selectors import (
    batch_list_visible_to,
    region_list,
    trace_event_list_visible_to,
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


class TraceEventViewSet(ServiceViewSet):
    """Critical tracking events; append-only, so no update."""

    serializer_class = TraceEventSerializer
    filterset_fields = ["batch", "kind"]
    http_method_names = ["get", "post", "head", "options"]

    def select(self, user):
        return trace_event_list_visible_to(user=user)

    def create_object(self, data):
        if not access.may_edit_batch(self.request.user, data["batch"]):
            raise PermissionDenied("只有本主体的操作员或管理员可以记录追溯事件。")
        return services.trace_event_record(recorded_by=self.request.user, **data)
