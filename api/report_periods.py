"""Reporting periods: when each office form is due, set by administrators."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ServiceViewSet
from api.fields import IntegerField
from api.permissions import RegisterPermission
from api.reports import REPORT_RENDERERS, JSONErrorsMixin
from reports import submissions as services
from reports.choices import PeriodFrequency
from reports.models import ReportPeriod
from reports.selectors.submissions import (
    period_expected,
    period_list_visible_to,
    submission_rollup,
)
from trace import access
from trace.choices import RegionLevel
from trace.selectors.registry import region_list


class ReportPeriodSerializer(serializers.ModelSerializer):
    form_title = serializers.CharField(read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)

    class Meta:
        model = ReportPeriod
        fields = [
            "id",
            "form_key",
            "form_title",
            "region",
            "region_name",
            "submitter_level",
            "frequency",
            "name",
            "starts_on",
            "ends_on",
            "due_on",
            "recipient",
            "source",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class ScheduleSerializer(serializers.Serializer):
    form_key = serializers.ChoiceField(
        choices=ReportPeriod._meta.get_field("form_key").choices
    )
    region = serializers.PrimaryKeyRelatedField(queryset=region_list())
    submitter_level = serializers.ChoiceField(choices=RegionLevel.choices)
    frequency = serializers.ChoiceField(
        choices=[
            (choice.value, choice.label)
            for choice in (PeriodFrequency.MONTHLY, PeriodFrequency.QUARTERLY)
        ]
    )
    year = IntegerField(min_value=2000, max_value=2100)
    due_day = IntegerField(min_value=1, max_value=31)
    recipient = serializers.CharField(max_length=128, required=False, allow_blank=True)
    source = serializers.CharField(max_length=255, required=False, allow_blank=True)


class ExpectedSerializer(serializers.Serializer):
    region = IntegerField(source="region.pk")
    region_name = serializers.CharField(source="region.full_name")
    submission = IntegerField(source="submission.pk", allow_null=True)
    state = serializers.CharField()
    overdue = serializers.BooleanField()
    late = serializers.BooleanField()


class PeriodCountsSerializer(serializers.Serializer):
    expected = IntegerField()
    missing = IntegerField()
    overdue = IntegerField()
    accepted = IntegerField()


class PeriodStatusSerializer(serializers.Serializer):
    # What `status/` returns: the counts, then each region expected.

    counts = PeriodCountsSerializer()
    regions = ExpectedSerializer(many=True)


class ReportPeriodViewSet(JSONErrorsMixin, ServiceViewSet):
    """报表周期：各级报表的统计期和上报截止日期（管理员设置）。"""

    serializer_class = ReportPeriodSerializer
    permission_classes = [RegisterPermission]
    filterset_fields = ["form_key", "region", "frequency"]

    def select(self, user):
        return period_list_visible_to(user=user)

    def get_renderers(self):
        if getattr(self, "action", None) == "rollup":
            return [renderer() for renderer in REPORT_RENDERERS]
        return super().get_renderers()

    def create_object(self, data):
        return services.report_period_create(created_by=self.request.user, **data)

    def update_object(self, instance, data):
        return services.report_period_update(
            period=instance, changed_by=self.request.user, **data
        )

    @extend_schema(
        summary="按年批量设置月报或季报周期",
        request=ScheduleSerializer,
        responses=ReportPeriodSerializer(many=True),
    )
    @action(detail=False, methods=["post"])
    def schedule(self, request):
        data = ScheduleSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        periods = services.report_periods_schedule(
            created_by=request.user, **data.validated_data
        )
        return Response(ReportPeriodSerializer(periods, many=True).data, status=201)

    @extend_schema(
        summary="本周期应报地区、已报、缺报和逾期",
        responses=PeriodStatusSerializer,
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def status(self, request, pk=None):
        period = self.get_object()
        expected = [
            item
            for item in period_expected(period=period)
            if access.region_in_scope(request.user, item.region)
            or access.region_in_scope(request.user, period.region)
        ]
        return Response(
            {
                "counts": {
                    "expected": len(expected),
                    "missing": sum(item.state == "missing" for item in expected),
                    "overdue": sum(item.overdue for item in expected),
                    "accepted": sum(item.state == "accepted" for item in expected),
                },
                "regions": ExpectedSerializer(expected, many=True).data,
            }
        )

    @extend_schema(
        summary="汇总表：下级已审核通过的报表之和",
        parameters=[
            OpenApiParameter(
                "region", int, description=_("汇总的地区，默认为本周期的汇总地区。")
            ),
            OpenApiParameter("format", str, enum=["json", "csv", "xlsx", "pdf"]),
        ],
        responses={(200, "application/json"): OpenApiTypes.OBJECT},
    )
    @action(detail=True, methods=["get"])
    def rollup(self, request, pk=None):
        period = self.get_object()
        region = period.region
        if "region" in request.query_params:
            try:
                region_id = int(request.query_params["region"])
            except ValueError:
                raise serializers.ValidationError(
                    {"region": [_("地区 id 应为整数。")]}
                ) from None
            region = get_object_or_404(region_list(), pk=region_id)
        if not access.region_in_scope(request.user, region):
            raise Http404
        result = submission_rollup(period=period, region=region)
        data = result.data | {
            "missing": [child.full_name for child in result.missing],
            "accepted": [submission.pk for submission in result.accepted],
        }
        return Response(data)
