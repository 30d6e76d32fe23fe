from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.permissions import RegisterPermission
from api.references import ReasonSerializer
from trace.models import BrandLicense, ProductLine
from trace.selectors.licences import brand_license_list_visible_to
from trace.selectors.registry import producer_list_visible_to
from trace.services.licences import brand_license_grant, brand_license_revoke


class BrandLicenseSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"producer": producer_list_visible_to}
    product_lines = serializers.PrimaryKeyRelatedField(
        many=True, queryset=ProductLine.objects.all()
    )

    class Meta:
        model = BrandLicense
        fields = [
            "id",
            "brand",
            "producer",
            "product_lines",
            "valid_from",
            "valid_until",
            "revoked_at",
            "revoked_reason",
        ]
        read_only_fields = ["revoked_at", "revoked_reason"]


class BrandLicenseViewSet(ServiceViewSet):
    """统一许可授权: the brand owner licenses a producer for product lines."""

    serializer_class = BrandLicenseSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["brand", "producer"]
    http_method_names = ["get", "post", "head", "options"]

    def select(self, user):
        return brand_license_list_visible_to(user=user)

    def create_object(self, data):
        return brand_license_grant(created_by=self.request.user, **data)

    @extend_schema(request=ReasonSerializer, responses=BrandLicenseSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        license_ = self.get_object()
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        license_ = brand_license_revoke(
            license_=license_,
            reason=reason.validated_data["reason"],
            changed_by=request.user,
        )
        return Response(self.get_serializer(license_).data)
