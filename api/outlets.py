from rest_framework import serializers

from api.base import ServiceViewSet
from api.permissions import RegisterPermission
from trace.models import Outlet
from trace.selectors.registry import outlet_list
from trace.services.registry import outlet_create, outlet_update


class OutletSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.full_name", read_only=True)

    class Meta:
        model = Outlet
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "region_name",
            "operator_name",
            "url",
            "opened_on",
            "authorisation_revoked_on",
            "authorisation_revoked_reason",
        ]
        # Withdrawn only by the annual review of authorised stores.
        read_only_fields = ["authorisation_revoked_on", "authorisation_revoked_reason"]


class OutletViewSet(ServiceViewSet):
    """Sales outlets: 专柜, 专馆, 专区, authorised stores, platforms."""

    serializer_class = OutletSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["kind", "region"]

    def select(self, user):
        return outlet_list()

    def create_object(self, data):
        return outlet_create(created_by=self.request.user, **data)

    def update_object(self, instance, data):
        return outlet_update(outlet=instance, changed_by=self.request.user, **data)
