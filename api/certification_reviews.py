from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ReadOnlyServiceViewSet
from api.permissions import OfficesAndAdministrators
from api.references import ReasonSerializer
from trace.models import CertificationReview
from trace.selectors.certification import certification_review_list_visible_to
from trace.services.certification import (
    certification_review_dismiss,
    certification_review_revoke,
    certification_review_suspend,
)


class CertificationReviewSerializer(serializers.ModelSerializer):
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    certification_number = serializers.CharField(
        source="certification.number", read_only=True
    )

    class Meta:
        model = CertificationReview
        fields = [
            "id",
            "certification",
            "certification_number",
            "producer",
            "producer_name",
            "trigger",
            "reason",
            "policy_source",
            "status",
            "opened_at",
            "resolved_at",
            "resolution_note",
        ]
        read_only_fields = fields


class CertificationReviewViewSet(ReadOnlyServiceViewSet):
    """认定复核: certifications whose producer no longer meets its policy.

    Opened by the services that change benefit links, validity or policies;
    an administrator keeps (dismiss), suspends or revokes the certification.
    """

    serializer_class = CertificationReviewSerializer
    # The offices and administrators; the queue is scoped by the selector.
    permission_classes = [OfficesAndAdministrators]
    filterset_fields = ["status", "producer", "certification"]

    def select(self, user):
        return certification_review_list_visible_to(user=user)

    def _resolve(self, request, service):
        review = self.get_object()
        reason = ReasonSerializer(data=request.data)
        reason.is_valid(raise_exception=True)
        review = service(
            review=review,
            note=reason.validated_data["reason"],
            resolved_by=request.user,
        )
        return Response(self.get_serializer(review).data)

    @extend_schema(request=ReasonSerializer, responses=CertificationReviewSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        return self._resolve(request, certification_review_dismiss)

    @extend_schema(request=ReasonSerializer, responses=CertificationReviewSerializer)
    @action(detail=True, methods=["post"])
    def suspend(self, request, pk=None):
        return self._resolve(request, certification_review_suspend)

    @extend_schema(request=ReasonSerializer, responses=CertificationReviewSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        return self._resolve(request, certification_review_revoke)
