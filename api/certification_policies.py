from rest_framework import serializers

from api.base import ServiceViewSet
from api.permissions import RegisterPermission
from trace.choices import BenefitKind, ProducerKind
from trace.models import CertificationPolicy
from trace.selectors.certification import certification_policy_list
from trace.services.certification import certification_policy_set


class CertificationPolicySerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    eligible_producer_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=ProducerKind.choices),
        allow_empty=False,
        max_length=len(ProducerKind.choices),
    )
    qualifying_benefit_kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=BenefitKind.choices),
        allow_empty=False,
        max_length=len(BenefitKind.choices),
    )

    class Meta:
        model = CertificationPolicy
        fields = [
            "id",
            "region",
            "region_name",
            "eligible_producer_kinds",
            "qualifying_benefit_kinds",
            "min_annual_income",
            "min_households",
            "purchase_price_band_percent",
            "watch_links_per_household",
            "confirmation_deadline_days",
            "review_suspend_after_days",
            "source_document",
            "source_clause",
            "note",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def validate_region(self, region):
        if self.instance is not None and region != self.instance.region:
            raise serializers.ValidationError("政策所属地区不能修改。")
        if (
            self.instance is None
            and CertificationPolicy.objects.filter(region=region).exists()
        ):
            raise serializers.ValidationError("该地区已有认定政策，请修改原政策。")
        return region


class CertificationPolicyViewSet(ServiceViewSet):
    """扶贫产品认定政策: each region's rule, inherited by the regions below it.

    Everyone signed in reads them (they are the offices' published rules);
    administrators write them.
    """

    serializer_class = CertificationPolicySerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["region"]

    def select(self, user):
        return certification_policy_list()

    def create_object(self, data):
        return certification_policy_set(changed_by=self.request.user, **data)

    def update_object(self, instance, data):
        data.pop("region", None)
        return certification_policy_set(
            region=instance.region, changed_by=self.request.user, **data
        )
