"""The batches due for inspection under the plan, for inspectors and administrators."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.views import APIView

from api.fields import IntegerField
from api.pagination import StandardPagination
from inspections.selectors import batches_due_for_inspection
from trace import access


class DueBatchSerializer(serializers.Serializer):
    batch = IntegerField(source="batch.pk")
    lot_code = serializers.CharField(source="batch.lot_code")
    product_line_name = serializers.CharField(source="batch.product_line.__str__")
    producer_name = serializers.CharField(source="batch.producer.name")
    origin_name = serializers.CharField(source="batch.origin.name")
    status = serializers.CharField(source="batch.status")
    control_point = IntegerField(source="control_point.pk")
    control_point_name = serializers.CharField(source="control_point.name")
    inspection_kind = serializers.CharField(source="control_point.inspection_kind")
    reason = serializers.CharField()


class DueInspectionsView(APIView):
    """Batches the control points select that still lack their inspection."""

    @extend_schema(
        operation_id="inspections_due",
        summary="待抽检批次",
        # An APIView: spectacular cannot see the pagination, so spell it out.
        responses=inline_serializer(
            "PaginatedDueBatchList",
            {
                "count": IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": DueBatchSerializer(many=True),
            },
        ),
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("page_size", int),
        ],
    )
    def get(self, request):
        user = request.user
        if not (access.is_administrator(user) or access.is_inspector(user)):
            raise Http404
        due = batches_due_for_inspection(user=user)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(due, request, view=self)
        return paginator.get_paginated_response(
            DueBatchSerializer(page, many=True).data
        )
