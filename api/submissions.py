"""Report submissions: fill, submit, return, accept; the frozen form as a file.

`GET submissions/{id}/?format=csv|xlsx|pdf` renders the frozen snapshot (what
was submitted), never today's data; `difference/` shows what changed since.
"""

from pathlib import PurePosixPath

from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from api.base import ScopedRelationsMixin
from api.parsers import FormParser, MultiPartParser
from api.references import ReasonSerializer
from api.reports import REPORT_RENDERERS, XLSX_MEDIA_TYPE, JSONErrorsMixin
from reports import submissions as services
from reports.choices import SubmissionBasis
from reports.exports import evidence_zip
from reports.models import ReportPeriod, Submission, SubmissionTransition
from reports.selectors.submissions import (
    period_list_visible_to,
    submission_difference,
    submission_evidence,
    submission_list_visible_to,
)
from trace.files import private_file_response
from trace.selectors.registry import region_list

ZIP_MEDIA_TYPE = "application/zip"


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username")

    class Meta:
        model = SubmissionTransition
        fields = ["from_status", "to_status", "reason", "actor", "at"]


class SubmissionSerializer(serializers.ModelSerializer):
    period_name = serializers.CharField(source="period.__str__", read_only=True)
    form_key = serializers.CharField(source="period.form_key", read_only=True)
    due_on = serializers.DateField(source="period.due_on", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    has_stamped_scan = serializers.SerializerMethodField()
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta:
        model = Submission
        fields = [
            "id",
            "period",
            "period_name",
            "form_key",
            "due_on",
            "region",
            "region_name",
            "status",
            "basis",
            "summary",
            "has_stamped_scan",
            "unit_name",
            "filler_name",
            "filler_phone",
            "submitted_at",
            "reviewed_at",
            "return_reason",
            "snapshot",
            "transitions",
            "created_at",
        ]
        read_only_fields = [
            "status",
            "unit_name",
            "filler_name",
            "filler_phone",
            "submitted_at",
            "reviewed_at",
            "return_reason",
            "snapshot",
            "created_at",
        ]

    def get_has_stamped_scan(self, submission: Submission) -> bool:
        return bool(submission.stamped_scan)


class SubmissionCreateSerializer(ScopedRelationsMixin, serializers.Serializer):
    scoped_relations = {"period": period_list_visible_to}

    period = serializers.PrimaryKeyRelatedField(queryset=ReportPeriod.objects.none())
    region = serializers.PrimaryKeyRelatedField(queryset=region_list())
    basis = serializers.ChoiceField(
        choices=SubmissionBasis.choices, default=SubmissionBasis.DATA
    )
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class SubmissionUpdateSerializer(serializers.Serializer):
    basis = serializers.ChoiceField(choices=SubmissionBasis.choices, required=False)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ScanSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)


FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv", "xlsx", "pdf"],
    description="csv、xlsx、pdf：上报时冻结的报表（不随之后的数据变化）。",
)


class SubmissionViewSet(
    JSONErrorsMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """报表上报：草稿 → 已上报 → 已退回（附原因）/ 已审核通过。"""

    serializer_class = SubmissionSerializer
    filterset_fields = ["period", "region", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return submission_list_visible_to(user=self.request.user).prefetch_related(
            "transitions__actor"
        )

    def get_renderers(self):
        if getattr(self, "action", None) == "retrieve":
            return [renderer() for renderer in REPORT_RENDERERS]
        return super().get_renderers()

    @extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): SubmissionSerializer,
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, XLSX_MEDIA_TYPE): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
    )
    def retrieve(self, request, *args, **kwargs):
        submission = self.get_object()
        if isinstance(request.accepted_renderer, JSONRenderer):
            return Response(self.get_serializer(submission).data)
        if submission.snapshot is None:
            raise serializers.ValidationError(
                {"format": [_("报表尚未上报，没有冻结的内容可以下载。")]}
            )
        return Response(submission.snapshot)

    @extend_schema(request=SubmissionCreateSerializer, responses=SubmissionSerializer)
    def create(self, request):
        data = SubmissionCreateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        submission = services.submission_create(
            created_by=request.user, **data.validated_data
        )
        return Response(
            self.get_serializer(submission).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=SubmissionUpdateSerializer, responses=SubmissionSerializer)
    def partial_update(self, request, pk=None):
        submission = self.get_object()
        data = SubmissionUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        submission = services.submission_update(
            submission=submission, user=request.user, **data.validated_data
        )
        return Response(self.get_serializer(submission).data)

    def _detail(self, submission: Submission) -> Response:
        return Response(
            self.get_serializer(self.get_queryset().get(pk=submission.pk)).data
        )

    @extend_schema(
        summary="上报（冻结报表内容）", request=None, responses=SubmissionSerializer
    )
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        submission = services.submission_submit(
            submission=self.get_object(), user=request.user
        )
        return self._detail(submission)

    @extend_schema(
        summary="退回（须填写原因）",
        request=ReasonSerializer,
        responses=SubmissionSerializer,
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        submission = services.submission_return(
            submission=self.get_object(),
            user=request.user,
            reason=data.validated_data["reason"],
        )
        return self._detail(submission)

    @extend_schema(summary="审核通过", request=None, responses=SubmissionSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        submission = services.submission_accept(
            submission=self.get_object(), user=request.user
        )
        return self._detail(submission)

    @extend_schema(
        summary="上报后数据的变化（与冻结内容比较）", responses=OpenApiTypes.OBJECT
    )
    @action(detail=True, methods=["get"])
    def difference(self, request, pk=None):
        difference = submission_difference(submission=self.get_object())
        if difference is None:
            raise serializers.ValidationError(
                {"status": [_("报表尚未上报，没有可比较的内容。")]}
            )
        return Response(difference)

    @extend_schema(
        summary="盖章报表的扫描件或照片：POST 上传，GET 下载",
        request={"multipart/form-data": ScanSerializer},
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="stamped-scan",
        parser_classes=[MultiPartParser, FormParser],
    )
    def stamped_scan(self, request, pk=None):
        submission = self.get_object()
        if request.method == "GET":
            if not submission.stamped_scan:
                raise Http404
            suffix = PurePosixPath(submission.stamped_scan.name).suffix
            return private_file_response(
                submission.stamped_scan,
                filename=f"盖章扫描件-{submission.pk}{suffix}",
                content_type=submission.stamped_scan_type,
            )
        data = ScanSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        submission = services.submission_attach_scan(
            submission=submission,
            user=request.user,
            file=upload,
            name=upload.name or "",
        )
        return self._detail(submission)

    @extend_schema(
        summary="下载上报材料（报表 PDF/XLSX、工作小结、盖章扫描件、销售凭证）",
        responses={(200, ZIP_MEDIA_TYPE): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"])
    def evidence(self, request, pk=None):
        submission = self.get_object()
        if submission.snapshot is None:
            raise serializers.ValidationError(
                {"status": [_("报表尚未上报，没有冻结的内容可以下载。")]}
            )
        content = evidence_zip(
            data=submission.snapshot,
            files=submission_evidence(submission=submission, user=request.user),
        )
        response = HttpResponse(content, content_type=ZIP_MEDIA_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{submission.region.name}-{submission.period.name}-上报材料.zip"
        )
        return response
