from rest_framework import serializers

from api.base import ServiceViewSet
from api.permissions import RegisterPermission
from trace.models import Producer
from trace.selectors.registry import producer_list_visible_to
from trace.services.registry import producer_create, producer_update


class ProducerSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    uscc = serializers.CharField(
        max_length=18, required=False, allow_blank=True, allow_null=True
    )

    class Meta:
        model = Producer
        fields = [
            "id",
            "name",
            "kind",
            "uscc",
            "region",
            "region_name",
            "address",
            "contact_person",
            "contact_phone",
            "household",
            "created_at",
        ]


class ProducerViewSet(ServiceViewSet):
    """Producers: the office registers them; operators see their own."""

    serializer_class = ProducerSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["kind", "region"]
    search_fields = ["name", "uscc"]

    def select(self, user):
        return producer_list_visible_to(user=user)

    def create_object(self, data):
        return producer_create(created_by=self.request.user, **data)

    def update_object(self, instance, data):
        return producer_update(producer=instance, changed_by=self.request.user, **data)
