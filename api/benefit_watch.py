"""The 虚假带贫 watch list for the 监督员 and the offices, and closing a line."""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fields import IntegerField
from api.pagination import StandardPagination
from trace import access
from trace.choices import WatchReason
from trace.selectors.watch import benefit_watch_list
from trace.services.payments import benefit_watch_close


class WatchLineSerializer(serializers.Serializer):
    reason = serializers.CharField()
    reason_label = serializers.CharField()
    why = serializers.CharField()
    record_type = serializers.CharField()
    record_id = IntegerField()
    record_url = serializers.CharField()
    region_name = serializers.CharField(source="region.name")


class WatchCloseSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=WatchReason.choices)
    record_id = IntegerField(min_value=1)
    note = serializers.CharField(max_length=2000)


class BenefitWatchView(APIView):
    """Lines that cannot be vouched for, each with why and the record to open."""

    @extend_schema(
        operation_id="benefit_watch_list",
        summary="虚假带贫关注清单",
        responses=inline_serializer(
            "PaginatedWatchLineList",
            {
                "count": IntegerField(),
                "next": serializers.URLField(allow_null=True),
                "previous": serializers.URLField(allow_null=True),
                "results": WatchLineSerializer(many=True),
            },
        ),
        parameters=[OpenApiParameter("page", int), OpenApiParameter("page_size", int)],
    )
    def get(self, request):
        if not access.may_watch_benefit(request.user):
            raise Http404
        lines = benefit_watch_list(user=request.user)
        paginator = StandardPagination()
        page = paginator.paginate_queryset(lines, request, view=self)
        return paginator.get_paginated_response(
            WatchLineSerializer(page, many=True).data
        )

    @extend_schema(
        operation_id="benefit_watch_close",
        summary="处理（关闭）一条虚假带贫关注",
        request=WatchCloseSerializer,
        responses={204: None},
    )
    def post(self, request):
        if not access.may_watch_benefit(request.user):
            raise Http404
        data = WatchCloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        benefit_watch_close(closed_by=request.user, **data.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)
