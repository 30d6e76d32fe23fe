"""Platform order imports: upload and map, read the dry run, commit."""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.parsers import FormParser, MultiPartParser
from trace.choices import ImportRowStatus
from trace.models import SalesImport, SalesImportRow
from trace.selectors.imports import (
    sales_import_list_visible_to,
    sales_import_rows,
    sales_import_summary,
)
from trace.services.imports import (
    IMPORT_FIELDS,
    platform_columns,
    sales_import_commit_request,
    sales_import_create,
)


class SalesImportSerializer(serializers.ModelSerializer):
    summary = serializers.SerializerMethodField()

    class Meta:
        model = SalesImport
        fields = [
            "id",
            "platform",
            "file_name",
            "columns",
            "status",
            "total_rows",
            "processed_rows",
            "summary",
            "error",
            "uploaded_at",
            "committed_at",
        ]
        read_only_fields = fields

    def get_summary(self, sales_import) -> dict[str, int]:
        return sales_import_summary(sales_import=sales_import)


class SalesImportUploadSerializer(serializers.Serializer):
    platform = serializers.CharField(max_length=32, help_text="如：扶贫832")
    file = serializers.FileField(help_text="平台导出的订单 CSV 或 XLSX")
    columns = serializers.CharField(
        required=False,
        help_text='JSON：字段 → 列名，如 {"order_number": "订单编号"}；不填则用该平台上次保存的对应。',
    )

    def validate_columns(self, value):
        try:
            columns = json.loads(value)
        except ValueError as error:
            raise serializers.ValidationError(_("列对应须为 JSON 对象。")) from error
        if not isinstance(columns, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in columns.items()
        ):
            raise serializers.ValidationError(_("列对应须为 JSON 对象。"))
        return columns


class SalesImportRowSerializer(serializers.ModelSerializer):
    product = serializers.CharField(
        source="product_line.title", read_only=True, default=None, allow_null=True
    )
    lot_code = serializers.CharField(
        source="batch.lot_code", read_only=True, default=None, allow_null=True
    )
    producer_name = serializers.CharField(
        source="producer.name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = SalesImportRow
        fields = [
            "number",
            "order_number",
            "status",
            "message",
            "values",
            "product",
            "batch",
            "lot_code",
            "producer",
            "producer_name",
            "households",
            "sale",
        ]
        read_only_fields = fields


class SalesImportViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A platform's order export: upload (columns mapped once per platform),
    the dry run's every row with its match or its error, then commit.

    Importing the same orders again adds nothing: a sale keeps the platform's
    order number. Rows that match nothing stay listed for the clerk.
    """

    serializer_class = SalesImportSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self):
        return sales_import_list_visible_to(user=self.request.user)

    @extend_schema(request=SalesImportUploadSerializer, responses=SalesImportSerializer)
    def create(self, request):
        data = SalesImportUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        sales_import = sales_import_create(
            platform=data.validated_data["platform"],
            file=upload,
            name=upload.name,
            columns=data.validated_data.get("columns"),
            uploaded_by=request.user,
        )
        sales_import.refresh_from_db()
        return Response(
            SalesImportSerializer(sales_import).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(responses=SalesImportRowSerializer(many=True))
    @action(detail=True, methods=["get"])
    def rows(self, request, pk=None):
        """Every row with its match or error; `?status=unmatched` for the clerk."""
        rows = sales_import_rows(sales_import=self.get_object())
        if request.query_params.get("status") in ImportRowStatus.values:
            rows = rows.filter(status=request.query_params["status"])
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(
            SalesImportRowSerializer(page, many=True).data
        )

    @extend_schema(request=None, responses=SalesImportSerializer)
    @action(detail=True, methods=["post"])
    def commit(self, request, pk=None):
        sales_import = sales_import_commit_request(
            sales_import=self.get_object(), committed_by=request.user
        )
        sales_import.refresh_from_db()
        return Response(
            SalesImportSerializer(sales_import).data, status=status.HTTP_202_ACCEPTED
        )

    @extend_schema(request=None, responses=dict)
    @action(detail=False, methods=["get"])
    def mapping(self, request):
        """The fields to map and the platform's saved columns (`?platform=`)."""
        return Response(
            {
                "fields": IMPORT_FIELDS,
                "columns": platform_columns(
                    platform=request.query_params.get("platform", "")
                ),
            }
        )
