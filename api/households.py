from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ServiceViewSet
from api.permissions import OfficesAndAdministrators
from trace import access
from trace.models import Household
from trace.personal_data import mask_id_number
from trace.selectors.households import household_list_visible_to
from trace.services.households import (
    household_create,
    household_record_public_name_consent,
    household_update,
)


class HouseholdSerializer(serializers.ModelSerializer):
    """A household for the offices and administrators.

    The ID number is write-only; responses carry only its last four characters.
    """

    id_number = serializers.CharField(write_only=True, max_length=18, min_length=15)
    id_number_masked = serializers.SerializerMethodField()
    village_name = serializers.CharField(source="village.full_name", read_only=True)
    public_name_consent = serializers.BooleanField(
        source="has_public_name_consent", read_only=True
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "village_name",
            "head_name",
            "id_number",
            "id_number_masked",
            "phone",
            "members",
            "registered_year",
            "public_name_consent",
            "public_name_consent_at",
        ]
        read_only_fields = ["public_name_consent_at"]

    def get_id_number_masked(self, household: Household) -> str:
        return mask_id_number(household.id_number())

    def to_representation(self, household: Household) -> dict:
        """Mask name and phone for an office that reads but does not keep it.

        A 市州 or province office sums its counties; the county's office
        keeps its households (trace.access.may_manage_register).
        """
        data = super().to_representation(household)
        request = self.context.get("request")
        if request is not None and not access.may_manage_register(
            request.user, household.village
        ):
            data["head_name"] = household.masked_name
            data["phone"] = ""
        return data

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:
            fields["id_number"].required = False
        return fields


class ConsentSerializer(serializers.Serializer):
    consented = serializers.BooleanField()


class HouseholdViewSet(ServiceViewSet):
    """建档立卡贫困户: administrators and offices (their regions); for others it does not exist."""

    serializer_class = HouseholdSerializer
    permission_classes = [OfficesAndAdministrators]
    filterset_fields = ["village"]

    def select(self, user):
        return household_list_visible_to(user=user)

    def create_object(self, data):
        return household_create(created_by=self.request.user, **data)

    def update_object(self, instance, data):
        return household_update(
            household=instance, changed_by=self.request.user, **data
        )

    @extend_schema(request=ConsentSerializer, responses=HouseholdSerializer)
    @action(detail=True, methods=["post"])
    def consent(self, request, pk=None):
        """Record or withdraw consent to show the masked name publicly."""
        household = self.get_object()
        consent = ConsentSerializer(data=request.data)
        consent.is_valid(raise_exception=True)
        household = household_record_public_name_consent(
            household=household,
            recorded_by=request.user,
            consented=consent.validated_data["consented"],
        )
        return Response(self.get_serializer(household).data)
