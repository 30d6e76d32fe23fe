"""云阳's three parties: couriers' waybills, units' 附件3 lines, the reconciliation."""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.bulletins import BulletinQuerySerializer, county_in_scope
from api.fields import DecimalField, IntegerField
from api.parsers import FormParser, MultiPartParser
from reports.models import LeadUnit
from reports.reconciliation import (
    reconciliation_for,
    unit_purchase_report,
    waybills_import,
)
from trace.models import Region


class LogisticsImportSerializer(serializers.Serializer):
    county = IntegerField(min_value=1)
    courier = serializers.CharField(max_length=32, help_text="如：中国邮政")
    file = serializers.FileField(help_text="快递公司导出的运单 CSV 或 XLSX")
    columns = serializers.CharField(
        help_text="JSON：number、shipped_on、township、pieces、weight_kg → 列名"
    )

    def validate_columns(self, value):
        try:
            columns = json.loads(value)
        except ValueError as error:
            raise serializers.ValidationError(_("列对应须为 JSON 对象。")) from error
        if not isinstance(columns, dict):
            raise serializers.ValidationError(_("列对应须为 JSON 对象。"))
        return {str(k): str(v) for k, v in columns.items()}


class LogisticsImportView(APIView):
    """A courier's waybills (date, township of origin, pieces, weight), once each."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request=LogisticsImportSerializer, responses=dict, summary="导入快递物流运单"
    )
    def post(self, request):
        data = LogisticsImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        result = waybills_import(
            county=county_in_scope(request.user, data.validated_data["county"]),
            courier=data.validated_data["courier"],
            file=upload,
            name=upload.name,
            columns=data.validated_data["columns"],
            imported_by=request.user,
        )
        return Response(result, status=status.HTTP_201_CREATED)


class UnitPurchaseSerializer(serializers.Serializer):
    unit = IntegerField(min_value=1)
    township = IntegerField(min_value=1)
    quarter = serializers.DateField()
    amount = DecimalField(max_digits=14, decimal_places=2, min_value=0)


class UnitPurchaseView(APIView):
    """A 牵头单位's 附件3 line: what its system bought in a township in a quarter."""

    @extend_schema(
        request=UnitPurchaseSerializer,
        responses=dict,
        summary="报送牵头单位采购数据（附件3）",
    )
    def post(self, request):
        data = UnitPurchaseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        unit = LeadUnit.objects.filter(pk=data.validated_data["unit"]).first()
        township = Region.objects.filter(pk=data.validated_data["township"]).first()
        if unit is None or township is None:
            return Response(
                {"detail": _("对象不存在。")}, status=status.HTTP_404_NOT_FOUND
            )
        county_in_scope(request.user, unit.county_id)
        purchase = unit_purchase_report(
            unit=unit,
            township=township,
            quarter_start=data.validated_data["quarter"],
            amount=data.validated_data["amount"],
            reported_by=request.user,
        )
        return Response({"id": purchase.pk}, status=status.HTTP_201_CREATED)


class ReconciliationView(APIView):
    """Per township: 附件2, 附件3 and 物流 of the quarter, and what differs."""

    @extend_schema(
        parameters=[BulletinQuerySerializer], responses=dict, summary="三方数据核对"
    )
    def get(self, request):
        query = BulletinQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        county = county_in_scope(request.user, query.validated_data["county"])
        rows = reconciliation_for(
            county=county,
            quarter_start=query.validated_data["quarter"],
            user=request.user,
        )
        return Response(
            [
                {
                    "township": row.township.name,
                    "sector_sales": str(row.sector_sales),
                    "unit_purchases": str(row.unit_purchases),
                    "sales_count": row.sales_count,
                    "waybills": row.waybills,
                    "pieces": row.pieces,
                    "weight_kg": str(row.weight_kg),
                    "differences": [
                        {
                            "kind": d.kind,
                            "left": str(d.left),
                            "right": str(d.right),
                            "percent": str(d.percent),
                            "sales": d.sale_ids,
                            "unit_purchases": d.purchase_ids,
                            "waybills": d.waybill_ids,
                        }
                        for d in row.differences
                    ],
                }
                for row in rows
            ]
        )
