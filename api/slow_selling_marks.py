from rest_framework import serializers

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.permissions import RegisterPermission
from trace.models import SlowSellingMark
from trace.selectors.batches import batch_list_visible_to, slow_selling_mark_list
from trace.services.batches import slow_selling_mark


class SlowSellingMarkSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"batch": batch_list_visible_to}

    class Meta:
        model = SlowSellingMark
        fields = [
            "id",
            "product_line",
            "batch",
            "region",
            "valid_from",
            "valid_until",
            "reason",
            "marked_at",
        ]
        read_only_fields = ["marked_at"]


class SlowSellingMarkViewSet(ServiceViewSet):
    """滞销标记: an office marks a product line or a batch 滞销 for a period."""

    serializer_class = SlowSellingMarkSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["product_line", "batch", "region"]
    http_method_names = ["get", "post", "head", "options"]

    def select(self, user):
        return slow_selling_mark_list()

    def create_object(self, data):
        return slow_selling_mark(marked_by=self.request.user, **data)
