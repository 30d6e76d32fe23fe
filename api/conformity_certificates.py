"""承诺达标合格证 of a batch: GET the latest PDF, POST to issue a new one.

GET only reads: it returns the latest issued certificate's PDF, or 404 while
none is issued. POST issues one, for a released batch only, with the chosen
basis and contact (every basis the inspections support when omitted).
Operators issue for their own batches, administrators for all; inspectors
read.

GET serves the PDF whatever the batch's status, on hold and recalled
included (issue 32). This is the staff's copy of what was issued: a
record kept until `retained_until`, read behind login and scope by the
operator who issued it and the inspectors tracing a hold or a recall, who
need to see what the producer committed to. What reaches a consumer is the
public certificate URL of a label or lot (api/scan/views.py), and that one
answers a held or recalled batch with the warning, not the PDF; no public
page or linkset links this endpoint.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from labels.selectors import print_job_list_visible_to
from reports.certificate_pdf import certificate_pdf
from reports.choices import CertificateBasis
from reports.models import Certificate
from reports.selectors.certificates import certificate_latest, print_job_sheet_notes
from reports.services import certificate_issue
from trace.selectors.batches import batch_list_visible_to
from trace.validators import is_ascii_number

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

    def _print_job(self, request, batch):
        """Return the job named by `?print_job=`, which must be of this batch."""
        value = request.query_params.get("print_job")
        if value is None:
            return None
        if not is_ascii_number(value):
            raise ValidationError({"print_job": [_("打印任务编号必须是整数。")]})
        print_job = (
            print_job_list_visible_to(user=request.user)
            .filter(pk=int(value), batch=batch)
            .first()
        )
        if print_job is None:
            raise ValidationError({"print_job": [_("该批次没有这个打印任务。")]})
        return print_job

    @extend_schema(
        operation_id="batches_certificate_retrieve",
        summary="下载承诺达标合格证",
        parameters=[
            OpenApiParameter("size", str, enum=list(SIZES)),
            OpenApiParameter(
                "print_job",
                int,
                description="打印任务编号：每张标签纸附一张合格证，注明该页标签的序列号。",
            ),
        ],
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def get(self, request, pk: int):
        size = request.query_params.get("size", "a6")
        if size not in SIZES:
            raise ValidationError({"size": [_("尺寸只能是 a6 或 label。")]})
        batch = self._batch(request, pk)
        print_job = self._print_job(request, batch)
        certificate = certificate_latest(batch=batch)
        if certificate is None:
            raise NotFound(_("该批次尚未开具承诺达标合格证。"))
        if print_job is not None:
            notes = print_job_sheet_notes(print_job=print_job)
            content = certificate_pdf(certificate, size=size, sheet_notes=notes)
        else:
            file = certificate.pdf if size == "a6" else certificate.label_pdf
            with file.open("rb") as handle:
                content = handle.read()
        response = HttpResponse(content, content_type="application/pdf")
        name = f"certificate-{certificate.number}-{size}.pdf"
        response["Content-Disposition"] = content_disposition_header(False, name)
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
