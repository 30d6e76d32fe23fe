"""Inspections API: record, list, sign, correct, attach evidence.

Create accepts an Idempotency-Key header so that an inspector's phone can
retry a submission over a weak signal without recording it twice.
"""

import hashlib
import json

from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.response import Response

from api.fields import DateTimeField, DecimalField
from api.holds import batch_hold_data
from api.parsers import FormParser, MultiPartParser
from inspections.choices import AnalyteKind, InspectionKind, QualitativeOutcome
from inspections.models import (
    Analyte,
    Inspection,
    InspectionAttachment,
    InspectionResult,
)
from inspections.selectors import (
    batch_visible_to,
    inspection_attachment_file,
    inspection_attachment_visible_to,
    inspection_list_visible_to,
)
from inspections.services.inspections import (
    IdempotencyKeyReused,
    inspection_attachment_add,
    inspection_create,
    inspection_sign,
    inspection_supersede,
    max_result_items,
)
from trace.files import private_file_response
from trace.models import Outlet, Region
from trace.selectors.batches import batch_list_visible_to
from trace.validators import is_ascii_number, validate_past_date

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_IDEMPOTENCY_KEY_LENGTH = 128
# Decided by the server; a client that sends them is refused, not ignored silently.
SERVER_FIELDS = {
    "verdict",
    "signed_at",
    "signed_by",
    "inspector",
    "created_by",
    "created_at",
    "status_change",
}


class IdempotencyConflict(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("该 Idempotency-Key 已用于另一个不同的请求。")
    default_code = "idempotency_key_reused"


def _refuse_server_fields(data, names=SERVER_FIELDS) -> None:
    if hasattr(data, "keys"):
        sent = names & set(data.keys())
        if sent:
            raise serializers.ValidationError(
                {name: [_("该字段由服务器确定，不能提交。")] for name in sorted(sent)}
            )


class ResultInputSerializer(serializers.Serializer):
    analyte = serializers.PrimaryKeyRelatedField(
        queryset=Analyte.objects.all(), required=False, allow_null=True
    )
    item = serializers.CharField(max_length=128, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=AnalyteKind.choices, required=False)
    method = serializers.CharField(max_length=128, required=False, allow_blank=True)
    limit = DecimalField(
        max_digits=16, decimal_places=6, required=False, allow_null=True
    )
    measured_value = DecimalField(
        max_digits=16, decimal_places=6, required=False, allow_null=True
    )
    unit = serializers.CharField(max_length=32, required=False, allow_blank=True)
    outcome = serializers.ChoiceField(
        choices=QualitativeOutcome.choices, required=False, allow_blank=True
    )

    def to_internal_value(self, data):
        _refuse_server_fields(data, {"verdict"})
        return super().to_internal_value(data)


class InspectionInputSerializer(serializers.Serializer):
    """Shape of a new inspection; scope and rules are checked by the service."""

    batch = serializers.PrimaryKeyRelatedField(queryset=Inspection.objects.none())
    kind = serializers.ChoiceField(choices=InspectionKind.choices)
    sampled_at = DateTimeField(validators=[validate_past_date])
    region = serializers.PrimaryKeyRelatedField(
        queryset=Region.objects.all(), required=False, allow_null=True
    )
    outlet = serializers.PrimaryKeyRelatedField(
        queryset=Outlet.objects.all(), required=False, allow_null=True
    )
    sample_size = DecimalField(
        max_digits=14, decimal_places=3, min_value=0, required=False, allow_null=True
    )
    sample_unit = serializers.CharField(max_length=16, required=False, allow_blank=True)
    notes = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    organisation = serializers.CharField(
        max_length=128, required=False, allow_blank=True
    )
    confirms = serializers.PrimaryKeyRelatedField(
        queryset=Inspection.objects.none(), required=False, allow_null=True
    )
    items = ResultInputSerializer(many=True, allow_empty=False)

    def __init__(self, *args, correction: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)  # None while the schema is generated
        # Only what the user may see can be referred to: others "do not exist".
        self.fields["batch"].queryset = batch_list_visible_to(user=user)
        self.fields["confirms"].queryset = inspection_list_visible_to(user=user)
        if correction:  # a correction keeps the batch and kind of the original
            del self.fields["batch"]
            del self.fields["kind"]

    def to_internal_value(self, data):
        _refuse_server_fields(data)
        # Refused before any item is validated (the service checks it too).
        items = data.get("items") if hasattr(data, "get") else None
        most = max_result_items()
        if isinstance(items, list) and len(items) > most:
            raise serializers.ValidationError(
                {"items": [_("一次检测最多 %(max)s 项结果。") % {"max": most}]}
            )
        return super().to_internal_value(data)


class ResultSerializer(serializers.ModelSerializer):
    # Read-only fields lose allow_blank in DRF; a quantitative item has none.
    outcome = serializers.ChoiceField(
        choices=QualitativeOutcome.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = InspectionResult
        fields = [
            "id",
            "position",
            "analyte",
            "item",
            "kind",
            "method",
            "limit",
            "measured_value",
            "unit",
            "outcome",
            "verdict",
        ]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    uploaded_by = serializers.CharField(source="uploaded_by.username", read_only=True)
    file = serializers.SerializerMethodField(
        help_text="下载地址：经授权的视图提供，范围与检测记录相同。"
    )
    thumbnail = serializers.SerializerMethodField(help_text="缩略图地址（仅照片）。")

    def _url(self, attachment: InspectionAttachment, variant: str) -> str | None:
        if not (attachment.thumbnail if variant == "thumbnail" else attachment.file):
            return None
        url = reverse(
            "inspection-attachment-file",
            args=[attachment.inspection_id, attachment.pk, variant],
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_file(self, attachment: InspectionAttachment) -> str:
        return self._url(attachment, "file")

    def get_thumbnail(self, attachment: InspectionAttachment) -> str | None:
        return self._url(attachment, "thumbnail")

    class Meta:
        model = InspectionAttachment
        fields = [
            "id",
            "kind",
            "file",
            "thumbnail",
            "content_type",
            "size",
            "caption",
            "uploaded_by",
            "uploaded_at",
        ]
        read_only_fields = fields


class InspectionSerializer(serializers.ModelSerializer):
    """An inspection for signed-in users; the inspector as username and organisation."""

    batch_lot_code = serializers.CharField(source="batch.lot_code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    verdict_display = serializers.CharField(
        source="get_verdict_display", read_only=True
    )
    inspector = serializers.CharField(source="inspector.username", read_only=True)
    signed_by = serializers.CharField(
        source="signed_by.username", read_only=True, default=None, allow_null=True
    )
    region_name = serializers.CharField(
        source="region.name", read_only=True, default=None, allow_null=True
    )
    outlet_name = serializers.CharField(
        source="outlet.name", read_only=True, default=None, allow_null=True
    )
    superseded_by = serializers.SerializerMethodField()
    results = ResultSerializer(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "batch",
            "batch_lot_code",
            "kind",
            "kind_display",
            "verdict",
            "verdict_display",
            "inspector",
            "organisation",
            "sampled_at",
            "region",
            "region_name",
            "outlet",
            "outlet_name",
            "sample_size",
            "sample_unit",
            "notes",
            "supersedes",
            "superseded_by",
            "confirms",
            "created_at",
            "signed_at",
            "signed_by",
            "results",
            "attachments",
        ]
        read_only_fields = fields

    def get_superseded_by(self, inspection: Inspection) -> int | None:
        try:
            return inspection.superseded_by.pk
        except Inspection.DoesNotExist:
            return None


class AttachmentInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    caption = serializers.CharField(max_length=255, required=False, allow_blank=True)


class InspectionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Inspections of the batches the user may see; signed ones never change."""

    serializer_class = InspectionSerializer
    filterset_fields = ["kind", "verdict"]
    ordering_fields = ["sampled_at", "created_at", "id"]

    def get_queryset(self):
        queryset = inspection_list_visible_to(user=self.request.user)
        batch_id = self.request.query_params.get("batch")
        if self.action == "list" and batch_id is not None:
            # The inspections of a batch outside one's scope are a 404, like the batch.
            if (
                not is_ascii_number(batch_id)
                or batch_visible_to(user=self.request.user, batch_id=batch_id) is None
            ):
                raise Http404
            queryset = queryset.filter(batch_id=batch_id)
        if self.request.query_params.get("current") in ("1", "true"):
            queryset = queryset.filter(
                superseded_by__isnull=True
            )  # hide corrected ones
        return queryset

    def get_serializer_class(self):
        if self.action == "attachments":
            return AttachmentInputSerializer
        if self.action in ("create", "supersede"):
            return InspectionInputSerializer
        return InspectionSerializer

    def create(self, request, *args, **kwargs):
        data = InspectionInputSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        data.is_valid(raise_exception=True)
        return self._recorded(inspection_create, data.validated_data, scope="create")

    @action(detail=True, methods=["post"])
    def supersede(self, request, pk=None):
        """Record a correction of this inspection; both stay visible."""
        original = self.get_object()
        data = InspectionInputSerializer(
            data=request.data, context=self.get_serializer_context(), correction=True
        )
        data.is_valid(raise_exception=True)
        return self._recorded(
            inspection_supersede,
            {"original": original, **data.validated_data},
            scope=f"supersede:{original.pk}",
        )

    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        inspection = inspection_sign(
            inspection=self.get_object(), signed_by=request.user
        )
        return Response(self._detail(inspection.pk))

    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser, FormParser])
    def attachments(self, request, pk=None):
        """Attach a photo (EXIF removed) or a PDF lab report until signing."""
        inspection = self.get_object()
        data = AttachmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        attachment = inspection_attachment_add(
            inspection=inspection,
            uploaded_by=request.user,
            file=upload,
            name=upload.name or "",
            caption=data.validated_data.get("caption", ""),
        )
        return Response(
            AttachmentSerializer(
                attachment, context=self.get_serializer_context()
            ).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="下载检测附件",
        responses={
            (200, "image/jpeg"): OpenApiTypes.BINARY,
            (200, "image/png"): OpenApiTypes.BINARY,
            (200, "image/webp"): OpenApiTypes.BINARY,
            (200, "application/pdf"): OpenApiTypes.BINARY,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<attachment_pk>[0-9]+)/(?P<variant>file|thumbnail)",
        url_name="attachment-file",
    )
    def attachment_file(self, request, pk=None, attachment_pk=None, variant=None):
        """Send an attachment's file or thumbnail, scoped like the inspection."""
        attachment = inspection_attachment_visible_to(
            user=request.user, inspection_id=int(pk), attachment_id=int(attachment_pk)
        )
        found = attachment and inspection_attachment_file(
            attachment=attachment, variant=variant
        )
        if not found:
            raise Http404
        file, name, content_type = found
        return private_file_response(file, filename=name, content_type=content_type)

    def _recorded(self, service, fields: dict, *, scope: str) -> Response:
        key = self.request.headers.get(IDEMPOTENCY_HEADER, "")
        if len(key) > MAX_IDEMPOTENCY_KEY_LENGTH or not key.isprintable():
            raise serializers.ValidationError(
                {IDEMPOTENCY_HEADER: [_("Idempotency-Key 过长或含有非法字符。")]}
            )
        try:
            inspection, created = service(
                created_by=self.request.user,
                idempotency_key=key,
                request_fingerprint=_fingerprint(scope, self.request.data)
                if key
                else "",
                **fields,
            )
        except IdempotencyKeyReused as error:
            raise IdempotencyConflict() from error
        headers = {} if created else {"Idempotent-Replayed": "true"}
        return Response(
            self._detail(inspection.pk),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers=headers,
        )

    def _detail(self, pk: int) -> dict:
        inspection = inspection_list_visible_to(user=self.request.user).get(pk=pk)
        data = InspectionSerializer(
            inspection, context=self.get_serializer_context()
        ).data
        # What the record did to the batch's hold: what is still to test, or
        # on what evidence it was lifted.
        data["batch_hold"] = batch_hold_data(
            batch=inspection.batch, lifted=inspection.hold_releases.first()
        )
        return data


def _fingerprint(scope: str, data) -> str:
    """Return a hash of what the request asked for, independent of key order."""
    canonical = json.dumps(
        data, sort_keys=True, ensure_ascii=False, default=str, separators=(",", ":")
    )
    return hashlib.sha256(f"{scope}\n{canonical}".encode()).hexdigest()
