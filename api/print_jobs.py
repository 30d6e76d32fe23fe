"""Print jobs: queue a label sheet, follow its progress, download or void it."""

from decimal import Decimal

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from api.fields import DecimalField, IntegerField
from api.labels import VOIDED
from labels.choices import PrintJobStatus
from labels.models import OFFSET_BOUNDS, OFFSET_DIGITS, PrintJob
from labels.selectors import (
    print_job_list_printable_by,
    print_job_list_visible_to,
    print_job_sheet_printable,
)
from labels.services import labels_void, print_job_create
from labels.templates import (
    DEFAULT_LINK_FORM,
    DEFAULT_TEMPLATE,
    TEMPLATES,
    link_form_choices,
    template_choices,
)
from trace.files import private_file_response
from trace.selectors.batches import batch_list_visible_to


class PrintJobSerializer(serializers.ModelSerializer):
    lot_code = serializers.CharField(source="batch.lot_code", read_only=True)
    requested_by = serializers.CharField(
        source="requested_by.username", read_only=True, default=None, allow_null=True
    )
    pdf_url = serializers.SerializerMethodField()
    printed_links = serializers.ChoiceField(
        choices=[
            *link_form_choices(),
            ("short", "短链接 /t/序列号（该产品没有 GTIN）"),
        ],
        read_only=True,
        help_text="二维码实际写入的链接：产品没有 GTIN 时为短链接，无论要求哪种形式。",
    )

    class Meta:
        model = PrintJob
        fields = [
            "id",
            "batch",
            "lot_code",
            "template",
            "count",
            "start_position",
            "offset_x_mm",
            "offset_y_mm",
            "crop_marks",
            "link_form",
            "printed_links",
            "status",
            "progress",
            "error_message",
            "pdf_url",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_pdf_url(self, print_job: PrintJob) -> str | None:
        request = self.context.get("request")
        if print_job.status != PrintJobStatus.DONE or (
            request is not None
            and not print_job_sheet_printable(user=request.user, print_job=print_job)
        ):
            return None
        url = reverse("print-job-pdf", args=[print_job.pk])
        return request.build_absolute_uri(url) if request else url


class PrintJobCreateSerializer(serializers.Serializer):
    """Check shape only; released batch, certification and limit are the service's."""

    batch = IntegerField(min_value=1)
    template = serializers.ChoiceField(
        choices=template_choices(), default=DEFAULT_TEMPLATE
    )
    count = IntegerField(min_value=1)
    start_position = IntegerField(min_value=1, default=1)
    offset_x_mm = DecimalField(**OFFSET_DIGITS, **OFFSET_BOUNDS, default=Decimal("0"))
    offset_y_mm = DecimalField(**OFFSET_DIGITS, **OFFSET_BOUNDS, default=Decimal("0"))
    crop_marks = serializers.BooleanField(default=False)
    link_form = serializers.ChoiceField(
        choices=link_form_choices(),
        default=DEFAULT_LINK_FORM,
        help_text="有 GTIN 的产品：二维码写标准或压缩的 GS1 数字链接。",
    )

    def validate(self, attrs):
        per_page = TEMPLATES[attrs["template"]].per_page
        if attrs["start_position"] > per_page:
            raise serializers.ValidationError(
                {
                    "start_position": _("起始位置必须在 1 到 %(max)s 之间。")
                    % {"max": per_page}
                }
            )
        return attrs


class PrintJobVoidSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class PrintJobViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = PrintJobSerializer
    filterset_fields = ["batch", "status"]
    ordering_fields = ["created_at", "id"]

    def get_queryset(self):
        return print_job_list_visible_to(user=self.request.user)

    @extend_schema(
        request=PrintJobCreateSerializer,
        responses={202: PrintJobSerializer},
        summary="申请打印标签（排队生成 PDF，返回 202）",
    )
    def create(self, request, *args, **kwargs):
        data = PrintJobCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        # A batch outside the user's scope does not exist for them.
        batch = get_object_or_404(
            batch_list_visible_to(user=request.user), pk=fields.pop("batch")
        )
        print_job = print_job_create(batch=batch, requested_by=request.user, **fields)
        return Response(
            PrintJobSerializer(print_job, context=self.get_serializer_context()).data,
            status=status.HTTP_202_ACCEPTED,
        )

    @extend_schema(
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            (200, "application/zip"): OpenApiTypes.BINARY,
        }
    )
    @action(detail=True, methods=["get"], url_path="pdf", url_name="pdf")
    def pdf(self, request, pk=None):
        # Sheets of genuine codes: the producer's operators and administrators.
        print_job = get_object_or_404(
            print_job_list_printable_by(user=request.user), pk=pk
        )
        if print_job.status != PrintJobStatus.DONE or not print_job.pdf:
            raise NotFound(_("标签文件尚未生成。"))
        # A large job is a zip of PDFs (SUYUAN_LABEL_PART_SIZE labels each).
        zipped = print_job.pdf.name.endswith(".zip")
        return private_file_response(
            print_job.pdf,
            filename=f"labels-{print_job.pk}.{'zip' if zipped else 'pdf'}",
            content_type="application/zip" if zipped else "application/pdf",
        )

    @extend_schema(request=PrintJobVoidSerializer, responses=VOIDED)
    @action(detail=True, methods=["post"], serializer_class=PrintJobVoidSerializer)
    def void(self, request, pk=None):
        print_job = self.get_object()
        data = PrintJobVoidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        voided = labels_void(
            voided_by=request.user,
            print_job=print_job,
            reason=data.validated_data["reason"],
        )
        return Response({"voided": voided})
