from rest_framework import serializers

from api.base import ServiceViewSet
from api.permissions import RegisterPermission
from trace.models import Region
from trace.selectors.registry import region_list
from trace.services.registry import region_create


class RegionSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Region
        fields = ["id", "name", "level", "code", "parent", "full_name"]


class RegionViewSet(ServiceViewSet):
    """Administrative regions, province to village (public reference data)."""

    serializer_class = RegionSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["level", "parent", "code"]
    http_method_names = ["get", "post", "head", "options"]

    def select(self, user):
        return region_list()

    def create_object(self, data):
        return region_create(created_by=self.request.user, **data)
