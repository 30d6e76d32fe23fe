from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.permissions import RegisterPermission
from api.references import ReasonSerializer
from trace.models import Certification
from trace.selectors.certification import certification_list_visible_to
from trace.selectors.registry import producer_list_visible_to
from trace.services.certification import (
    certification_reinstate,
    certification_revoke,
    certification_suspend,
    producer_certify,
)


class CertificationSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {"producer": producer_list_visible_to}
    producer_name = serializers.CharField(source="producer.name", read_only=True)

    class Meta:
        model = Certification
        fields = [
            "id",
            "producer",
            "producer_name",
            "number",
            "issuer",
            "valid_from",
            "valid_until",
            "status",
            "status_reason",
            "status_changed_at",
            "rests_on",
        ]
        read_only_fields = [
            "status",
            "status_reason",
            "status_changed_at",
            "rests_on",
        ]


class CertificationViewSet(ServiceViewSet):
    """扶贫产品认定: issued by administrators to producers that qualify."""

    serializer_class = CertificationSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["producer", "status"]
    http_method_names = ["get", "post", "head", "options"]

    def select(self, user):
        return certification_list_visible_to(user=user)

    def create_object(self, data):
        return producer_certify(certified_by=self.request.user, **data)

    def _change_status(self, request, service):
        certification = self.get_object()
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        certification = service(
            certification=certification,
            reason=reason.validated_data["reason"],
            changed_by=request.user,
        )
        return Response(
            CertificationSerializer(
                certification, context=self.get_serializer_context()
            ).data
        )

    @extend_schema(request=ReasonSerializer, responses=CertificationSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._change_status(request, certification_suspend)

    @extend_schema(request=ReasonSerializer, responses=CertificationSerializer)
    @action(detail=True, methods=["post"])
    def reinstate(self, request, pk=None):
        return self._change_status(request, certification_reinstate)

    @extend_schema(request=ReasonSerializer, responses=CertificationSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._change_status(request, certification_revoke)
