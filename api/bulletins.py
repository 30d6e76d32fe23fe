"""The quarterly 通报: preview, issue (frozen), and its PDF or XLSX."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fields import IntegerField
from api.reports import ReportJSONRenderer, ReportPDFRenderer, ReportXLSXRenderer
from reports.bulletin import bulletin_data, bulletin_issue
from reports.models import QuarterlyBulletin
from trace import access
from trace.models import Region


class BulletinQuerySerializer(serializers.Serializer):
    county = IntegerField(min_value=1)
    quarter = serializers.DateField(help_text="季度内任一日，如 2026-07-01")


def county_in_scope(user, county_id: int) -> Region:
    county = Region.objects.filter(pk=county_id).first()
    if county is None or not (
        access.is_administrator(user) or access.region_in_scope(user, county)
    ):
        raise NotFound
    return county


class BulletinPreviewView(APIView):
    """The 通报 of a quarter as it stands now (not yet frozen)."""

    @extend_schema(
        parameters=[BulletinQuerySerializer], responses=dict, summary="预览季度通报"
    )
    def get(self, request):
        query = BulletinQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        county = county_in_scope(request.user, query.validated_data["county"])
        return Response(
            bulletin_data(
                county=county,
                quarter_start=query.validated_data["quarter"],
                user=request.user,
            )
        )

    @extend_schema(
        request=BulletinQuerySerializer, responses=dict, summary="签发季度通报（冻结）"
    )
    def post(self, request):
        query = BulletinQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        county = county_in_scope(request.user, query.validated_data["county"])
        bulletin = bulletin_issue(
            county=county,
            quarter_start=query.validated_data["quarter"],
            issued_by=request.user,
        )
        return Response({"id": bulletin.pk, **bulletin.data}, status=201)


class BulletinFileView(APIView):
    """An issued 通报 from its frozen data: JSON, `?format=pdf` (A4) or `xlsx`."""

    renderer_classes = [ReportJSONRenderer, ReportXLSXRenderer, ReportPDFRenderer]

    @extend_schema(responses=dict, summary="已签发的季度通报（JSON、PDF 或 XLSX）")
    def get(self, request, pk: int, format=None):
        bulletin = get_object_or_404(QuarterlyBulletin, pk=pk)
        if not (
            bulletin.public
            or access.is_administrator(request.user)
            or access.region_in_scope(request.user, bulletin.county)
        ):
            raise NotFound
        return Response(bulletin.data)
