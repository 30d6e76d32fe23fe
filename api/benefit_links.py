from rest_framework import serializers

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.permissions import RegisterPermission
from api.references import HouseholdReferenceSerializer
from trace.models import BenefitLink
from trace.selectors.households import (
    benefit_link_list_visible_to,
    household_list_visible_to,
)
from trace.selectors.registry import producer_list_visible_to
from trace.services.households import benefit_link_create, benefit_link_update


class BenefitLinkSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {
        "producer": producer_list_visible_to,
        "household": household_list_visible_to,
    }
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    household_detail = HouseholdReferenceSerializer(source="household", read_only=True)

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
        ]


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
