"""智能专柜 push: a device's signed batch of sales (labels/cabinets.py)."""

import json

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from api.fields import DateTimeField, DecimalField, IntegerField
from labels.cabinets import (
    MAX_TRANSACTIONS,
    CabinetRefused,
    cabinet_request_verify,
    cabinet_sales_push,
)


class CabinetTransactionSerializer(serializers.Serializer):
    id = serializers.CharField(max_length=64, help_text="设备的交易号（幂等键）")
    serial = serializers.CharField(
        max_length=64, required=False, help_text="专柜扫到的标签序列号"
    )
    batch = IntegerField(min_value=1, required=False)
    quantity = DecimalField(max_digits=14, decimal_places=3, min_value=0)
    amount = DecimalField(max_digits=14, decimal_places=2, min_value=0)
    sold_at = DateTimeField()


class CabinetBatchSerializer(serializers.Serializer):
    transactions = CabinetTransactionSerializer(
        many=True, allow_empty=False, max_length=MAX_TRANSACTIONS
    )


HEADERS = [
    OpenApiParameter("X-Suyuan-Device", str, OpenApiParameter.HEADER, required=True),
    OpenApiParameter("X-Suyuan-Timestamp", str, OpenApiParameter.HEADER, required=True),
    OpenApiParameter(
        "X-Suyuan-Signature",
        str,
        OpenApiParameter.HEADER,
        required=True,
        description="hex HMAC-SHA256(密钥, 时间戳\\n方法\\n路径\\nSHA-256(请求体))",
    ),
]


class CabinetSalesView(APIView):
    """A cabinet's sales, also those kept while offline, in one signed request.

    No login: the device's signature is the credential (401 when it is wrong
    or the timestamp lies outside the replay window). Each transaction id is
    recorded once; the answer lists, per transaction, created / duplicate /
    refused.
    """

    authentication_classes = []
    permission_classes = [AllowAny]  # the signature is checked in post()

    @extend_schema(
        request=CabinetBatchSerializer,
        responses={
            200: dict,
            401: OpenApiResponse(
                description="设备未登记或已停用、签名不正确，或时间戳超出允许范围。"
            ),
        },
        parameters=HEADERS,
        summary="智能专柜上传一批销售（签名请求，按交易号去重）",
    )
    def post(self, request):
        body = request.body
        try:
            device = cabinet_request_verify(
                key_id=request.headers.get("X-Suyuan-Device", ""),
                timestamp=request.headers.get("X-Suyuan-Timestamp", ""),
                signature=request.headers.get("X-Suyuan-Signature", ""),
                method=request.method,
                path=request.path,
                body=body,
            )
        except CabinetRefused as refusal:
            return Response(
                {"detail": str(refusal)}, status=status.HTTP_401_UNAUTHORIZED
            )
        try:
            payload = json.loads(body or b"null")
        except ValueError:
            return Response(
                {"detail": _("请求体须为 JSON。")}, status=status.HTTP_400_BAD_REQUEST
            )
        data = CabinetBatchSerializer(data=payload)
        data.is_valid(raise_exception=True)
        results = cabinet_sales_push(
            device=device, transactions=data.validated_data["transactions"]
        )
        return Response({"results": results})
