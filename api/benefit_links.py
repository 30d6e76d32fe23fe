from rest_framework import serializers

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.evidence import evidence_actions
from api.permissions import RegisterPermission
from api.references import HouseholdReferenceSerializer
from trace import access
from trace.models import BenefitEvidence, BenefitLink
from trace.selectors.households import (
    benefit_evidence_list_visible_to,
    benefit_link_list_visible_to,
    household_list_visible_to,
)
from trace.selectors.registry import producer_list_visible_to
from trace.services.households import benefit_link_create, benefit_link_update
from trace.services.payments import benefit_evidence_add


class BenefitEvidenceSerializer(serializers.ModelSerializer):
    """A contract, record or receipt; the file itself only through `evidence/{id}/`."""

    class Meta:
        model = BenefitEvidence
        fields = ["id", "caption", "content_type", "size", "uploaded_at"]


class BenefitLinkSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {
        "producer": producer_list_visible_to,
        "household": household_list_visible_to,
    }
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    household_detail = HouseholdReferenceSerializer(source="household", read_only=True)
    evidence = serializers.SerializerMethodField()

    class Meta:
        model = BenefitLink
        fields = [
            "id",
            "producer",
            "producer_name",
            "household",
            "household_detail",
            "kind",
            "since",
            "ended_on",
            "annual_income",
            "full_time",
            "evidence",
        ]

    def get_evidence(self, link) -> list[dict]:
        # Private documents: listed only to those who may see households.
        request = self.context.get("request")
        if request is None or not access.may_see_households(request.user):
            return []
        return BenefitEvidenceSerializer(link.evidence.all(), many=True).data


class BenefitLinkViewSet(ServiceViewSet):
    """利益联结 between producers and households, kept by the office.

    Setting `ended_on` ends a link; any change re-checks the producer's
    certification, and one that no longer holds goes to certification-reviews.
    """

    serializer_class = BenefitLinkSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["producer", "household", "kind"]

    def select(self, user):
        return benefit_link_list_visible_to(user=user)

    def create_object(self, data):
        return benefit_link_create(created_by=self.request.user, **data)

    def update_object(self, instance, data):
        return benefit_link_update(
            benefit_link=instance, changed_by=self.request.user, **data
        )

    def get_queryset(self):
        return super().get_queryset().prefetch_related("evidence")

    evidence, evidence_file = evidence_actions(
        parent="benefit_link",
        add=benefit_evidence_add,
        serializer=BenefitEvidenceSerializer,
        visible=benefit_evidence_list_visible_to,
        label="带贫凭证",
        upload_summary="上传利益联结凭证（劳动合同、工资记录、流转合同、入股协议等）",
        download_summary="下载利益联结凭证（仅扶贫办）",
    )
