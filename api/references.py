"""Compact nested representations shared by several resources."""

from rest_framework import serializers

from trace.models import Household


class HouseholdReferenceSerializer(serializers.ModelSerializer):
    """A household as non-administrators see it: masked name and village only."""

    masked_name = serializers.CharField(read_only=True)
    village_name = serializers.CharField(source="village.full_name", read_only=True)

    class Meta:
        model = Household
        fields = ["id", "masked_name", "village", "village_name"]


class ReasonSerializer(serializers.Serializer):
    """The reason a status changes; recorded with who and when."""

    reason = serializers.CharField(max_length=2000)


class OptionalReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )
