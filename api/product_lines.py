from rest_framework import serializers

from api.base import ServiceViewSet
from api.permissions import RegisterPermission
from trace.models import ProductLine
from trace.selectors.registry import product_line_list
from trace.services.registry import product_line_create, product_line_update


class ProductLineSerializer(serializers.ModelSerializer):
    brand_name = serializers.CharField(
        allow_null=True, source="brand.name", read_only=True, default=None
    )
    gtin = serializers.CharField(
        max_length=14, required=False, allow_blank=True, allow_null=True
    )

    class Meta:
        model = ProductLine
        fields = [
            "id",
            "brand",
            "brand_name",
            "name",
            "category",
            "standard",
            "processed",
            "geographical_indication",
            "protected_regions",
            "producer",
            "gtin",
            "unit",
        ]
        extra_kwargs = {"protected_regions": {"required": False}}


class ProductLineViewSet(ServiceViewSet):
    """Product lines under brands; the GTIN is stored as 14 digits.

    A geographical-indication line names its protected regions (its batches
    must originate there); an unbranded line may name the producer it
    belongs to.
    """

    serializer_class = ProductLineSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["brand", "category", "gtin"]

    def select(self, user):
        return product_line_list()

    def create_object(self, data):
        return product_line_create(created_by=self.request.user, **data)

    def update_object(self, instance, data):
        return product_line_update(
            product_line=instance, changed_by=self.request.user, **data
        )
