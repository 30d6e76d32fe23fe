"""承诺达标合格证 of a batch: GET the PDF, POST to issue a new one.

GET returns the latest certificate's PDF (issuing the first one, with every
basis the inspections support, if the user may issue); POST issues a new one
with the chosen basis and contact. Operators issue for their own batches,
administrators for all; inspectors read (404 while none is issued).
"""

from urllib.parse import quote

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.choices import CertificateBasis
from reports.models import Certificate
from reports.services import certificate_issue, certificate_latest_or_issue
from trace.selectors import batch_list_visible_to

SIZES = ("a6", "label")


class CertificateIssueSerializer(serializers.Serializer):
    basis = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="承诺依据，可多选："
        + "、".join(f"{value}（{label}）" for value, label in CertificateBasis.choices)
        + "；省略时按检测记录自动选择。",
    )
    contact = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="联系方式。"
    )


class CertificateSerializer(serializers.ModelSerializer):
    basis_display = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id",
            "batch",
            "number",
            "basis",
            "basis_display",
            "product_name",
            "quantity",
            "unit",
            "origin",
            "issuing_entity",
            "contact",
            "qr_url",
            "issued_at",
            "retained_until",
        ]

    def get_basis_display(self, certificate: Certificate) -> list[str]:
        labels = dict(CertificateBasis.choices)
        return [str(labels.get(value, value)) for value in certificate.basis]


class BatchCertificateView(APIView):
    """The batch's 承诺达标合格证 (A6 or 70 x 50 mm label PDF)."""

    def _batch(self, request, pk: int):
        return get_object_or_404(batch_list_visible_to(user=request.user), pk=pk)

    @extend_schema(
        operation_id="batches_certificate_retrieve",
        summary="下载承诺达标合格证",
        parameters=[OpenApiParameter("size", str, enum=list(SIZES))],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int):
        size = request.query_params.get("size", "a6")
        if size not in SIZES:
            raise ValidationError({"size": [_("尺寸只能是 a6 或 label。")]})
        certificate = certificate_latest_or_issue(
            batch=self._batch(request, pk), user=request.user
        )
        if certificate is None:  # an inspector, and nothing issued yet
            raise Http404
        file = certificate.pdf if size == "a6" else certificate.label_pdf
        with file.open("rb") as handle:
            content = handle.read()
        response = HttpResponse(content, content_type="application/pdf")
        name = f"certificate-{certificate.number}-{size}.pdf"
        response["Content-Disposition"] = (
            f"inline; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
        )
        return response

    @extend_schema(
        operation_id="batches_certificate_create",
        summary="开具承诺达标合格证",
        request=CertificateIssueSerializer,
        responses={201: CertificateSerializer},
    )
    def post(self, request, pk: int):
        batch = self._batch(request, pk)
        data = CertificateIssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = certificate_issue(
            batch=batch, issued_by=request.user, **data.validated_data
        )
        return Response(
            CertificateSerializer(certificate).data, status=status.HTTP_201_CREATED
        )
