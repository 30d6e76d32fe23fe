from rest_framework import serializers

from api.base import ServiceViewSet
from api.permissions import RegisterPermission
from trace.models import Brand
from trace.selectors.registry import brand_list
from trace.services.registry import brand_create, brand_update


class BrandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Brand
        fields = ["id", "name", "kind", "owner", "description", "logo"]
        read_only_fields = ["logo"]


class BrandViewSet(ServiceViewSet):
    """Brands of the "1+1+N" system: flagship and regional public brands."""

    serializer_class = BrandSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["kind"]

    def select(self, user):
        return brand_list()

    def create_object(self, data):
        return brand_create(created_by=self.request.user, **data)

    def update_object(self, instance, data):
        return brand_update(brand=instance, changed_by=self.request.user, **data)
