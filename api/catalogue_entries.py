"""`catalogue-entries`: the 扶贫产品目录's entries and their 认定 procedure.

申报 (`apply`, the producer's operator or the village 信息员) → 核查 (`check`,
the township 监督员) → 审定 (`approve` / `reject`, the county office) → 公示
→ 目录; `withdraw` takes an entry out. Each action is one service call; who
may take it is trace.access's answer (outside one's scope an entry is a 404,
inside it a step that is not one's own is a 403).
"""

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.evidence import evidence_actions
from api.fields import DateTimeField, IntegerField
from api.references import (
    HouseholdReferenceSerializer,
    OptionalReasonSerializer,
    ReasonSerializer,
)
from inspections.choices import AttachmentKind
from inspections.uploads import max_upload_bytes, upload_clean, upload_too_large
from trace import access
from trace.choices import Role
from trace.models import (
    CatalogueAvailability,
    CatalogueEntry,
    CatalogueEntryStep,
    CatalogueEvidence,
    Producer,
)
from trace.selectors.catalogue import (
    catalogue_entry_contact,
    catalogue_entry_list_visible_to,
    catalogue_evidence_list_visible_to,
    producer_list_for_catalogue,
)
from trace.selectors.certification import producer_eligibility
from trace.selectors.households import household_reference_list_visible_to
from trace.selectors.registry import product_line_list, region_list
from trace.services.catalogue import (
    catalogue_availability_set,
    catalogue_entry_apply,
    catalogue_entry_check,
    catalogue_entry_create,
    catalogue_entry_decide,
    catalogue_entry_update,
    catalogue_entry_withdraw,
)
from trace.services.catalogue_files import catalogue_evidence_add, catalogue_photo_add


def informant_list(*, user):
    return get_user_model().objects.filter(suyuan_role__role=Role.INFORMANT)


class CatalogueEntryStepSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor_name = serializers.SerializerMethodField()
    # The model says `at` (trace.models.Transition); clients read occurred_at.
    occurred_at = DateTimeField(source="at", read_only=True)

    class Meta:
        model = CatalogueEntryStep
        fields = [
            "kind",
            "kind_display",
            "from_status",
            "to_status",
            "reason",
            "policy_source",
            "qualifying_households",
            "findings",
            "actor",
            "actor_name",
            "occurred_at",
        ]

    def get_actor_name(self, step) -> str:
        if step.actor is None:
            return "系统（按公示期自动处理）"
        binding = getattr(step.actor, "suyuan_role", None)
        return (binding.real_name if binding else "") or step.actor.get_username()


class CatalogueEvidenceSerializer(serializers.ModelSerializer):
    """A document of the application; the file itself only through `url`."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = CatalogueEvidence
        fields = ["id", "caption", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, evidence) -> str:
        return reverse(
            "catalogue-entry-evidence-file",
            kwargs={"pk": evidence.entry_id, "evidence_id": evidence.pk},
        )


class CatalogueEntrySerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {
        "producer": producer_list_for_catalogue,
        "product_line": lambda user: product_line_list(),
        "region": lambda user: region_list(),
        "households": household_reference_list_visible_to,
        "informant": informant_list,
    }
    producer = serializers.PrimaryKeyRelatedField(
        queryset=Producer.objects.all(),
        required=False,
        help_text="操作员可省略，默认为本主体。",
    )
    region = serializers.PrimaryKeyRelatedField(
        queryset=region_list(),
        required=False,
        help_text="产品所在的村或乡镇；省略时为生产经营主体所在地。",
    )
    producer_name = serializers.CharField(source="producer.name", read_only=True)
    region_name = serializers.CharField(source="region.full_name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    contact = serializers.SerializerMethodField()
    households_detail = HouseholdReferenceSerializer(
        source="households", many=True, read_only=True
    )
    photos = serializers.SerializerMethodField()
    evidence = CatalogueEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = CatalogueEntry
        fields = [
            "id",
            *CatalogueEntry.APPLICATION_FIELDS,
            "producer_name",
            "region_name",
            "contact",
            "households_detail",
            "photos",
            "evidence",
            "status",
            "status_display",
            "notice_starts_on",
            "notice_ends_on",
            "listed_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "status",
            "notice_starts_on",
            "notice_ends_on",
            "listed_on",
            "created_at",
            "updated_at",
        ]

    def get_contact(self, entry) -> dict:
        name, phone = catalogue_entry_contact(entry=entry)
        return {"name": name, "phone": phone}

    def get_photos(self, entry) -> list[int]:
        return [photo.pk for photo in entry.photos.all()]


class CheckSerializer(serializers.Serializer):
    passed = serializers.BooleanField(help_text="核查是否通过。")
    reason = serializers.CharField(
        max_length=2000, required=False, allow_blank=True, default=""
    )


class ApproveSerializer(OptionalReasonSerializer):
    notice_days = IntegerField(
        min_value=1,
        max_value=30,
        required=False,
        allow_null=True,
        default=None,
        help_text="公示天数（含当天）；省略时用系统设置。",
    )


class ApplySerializer(serializers.Serializer):
    statement = serializers.CharField(
        max_length=4000,
        required=False,
        allow_blank=True,
        default="",
        help_text="申报说明：带贫方式、涉及户数、供货能力等。",
    )


class AvailabilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = CatalogueAvailability
        fields = ["month", "available", "quantity", "note", "recorded_at"]
        read_only_fields = ["recorded_at"]
        validators = []  # one row per month: the service updates it
        # The model's default made `available` optional, and the service
        # needs it: a record without it is a 400, not a 500.
        extra_kwargs = {"available": {"required": True}}


class PhotoUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="JPEG、PNG 或 WebP 照片。")
    caption = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default=""
    )


class EligibilitySerializer(serializers.Serializer):
    qualifies = serializers.BooleanField()
    qualifying_households = IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())
    policy_source = serializers.CharField()
    policy_clause = serializers.CharField(allow_blank=True)
    policy_region = serializers.CharField()


class CatalogueEntryViewSet(ServiceViewSet):
    """扶贫产品目录条目：申报、核查、审定、公示、移出。"""

    serializer_class = CatalogueEntrySerializer
    filterset_fields = [
        "producer",
        "status",
        "region",
        "category",
        "season",
        "delivery_method",
    ]
    search_fields = ["name", "category"]
    ordering_fields = ["created_at", "price", "notice_ends_on"]

    def select(self, user):
        return catalogue_entry_list_visible_to(user=user)

    def create_object(self, data):
        user = self.request.user
        producer = data.pop("producer", None) or access.operator_producer(user)
        if producer is None:
            raise serializers.ValidationError({"producer": ["请选择生产经营主体。"]})
        return catalogue_entry_create(producer=producer, created_by=user, **data)

    def update_object(self, instance, data):
        return catalogue_entry_update(
            entry=instance, changed_by=self.request.user, **data
        )

    def _respond(self, entry):
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(self.get_serializer(entry).data)

    @extend_schema(request=ApplySerializer, responses=CatalogueEntrySerializer)
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """申报：提交（或被退回、移出后重新提交）核查。"""
        entry = self.get_object()
        data = ApplySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = catalogue_entry_apply(
            entry=entry,
            applied_by=request.user,
            statement=data.validated_data["statement"],
        )
        return self._respond(entry)

    @extend_schema(request=CheckSerializer, responses=CatalogueEntrySerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """核查：乡镇监督员按本县认定政策核查利益联结。"""
        entry = self.get_object()
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = catalogue_entry_check(
            entry=entry, checked_by=request.user, **data.validated_data
        )
        return self._respond(entry)

    @extend_schema(request=ApproveSerializer, responses=CatalogueEntrySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """审定通过：开始公示。"""
        entry = self.get_object()
        data = ApproveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = catalogue_entry_decide(
            entry=entry,
            decided_by=request.user,
            approved=True,
            reason=data.validated_data["reason"],
            notice_days=data.validated_data["notice_days"],
        )
        return self._respond(entry)

    @extend_schema(request=ReasonSerializer, responses=CatalogueEntrySerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """审定不通过，须说明原因。"""
        entry = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = catalogue_entry_decide(
            entry=entry,
            decided_by=request.user,
            approved=False,
            reason=data.validated_data["reason"],
        )
        return self._respond(entry)

    @extend_schema(request=ReasonSerializer, responses=CatalogueEntrySerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        """移出目录（或撤回申报），须说明原因。"""
        entry = self.get_object()
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = catalogue_entry_withdraw(
            entry=entry,
            withdrawn_by=request.user,
            reason=data.validated_data["reason"],
        )
        return self._respond(entry)

    @extend_schema(responses=CatalogueEntryStepSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None)  # a plain list
    def steps(self, request, pk=None):
        """认定过程：每一步的操作人、时间和理由。"""
        entry = self.get_object()
        steps = entry.steps.select_related("actor__suyuan_role")
        return Response(CatalogueEntryStepSerializer(steps, many=True).data)

    @extend_schema(responses=EligibilitySerializer)
    @action(detail=True, methods=["get"])
    def eligibility(self, request, pk=None):
        """按本地区认定政策核对的结果，供核查和审定时参考。"""
        entry = self.get_object()
        eligibility = producer_eligibility(producer=entry.producer)
        return Response(
            EligibilitySerializer(
                {
                    "qualifies": eligibility.qualifies,
                    "qualifying_households": eligibility.qualifying_households,
                    "reasons": list(eligibility.reasons),
                    "policy_source": eligibility.policy.source_title,
                    "policy_clause": eligibility.policy.source_clause,
                    "policy_region": eligibility.policy.region.name,
                }
            ).data
        )

    @extend_schema(
        methods=["get"], request=None, responses=AvailabilitySerializer(many=True)
    )
    @extend_schema(
        methods=["post"],
        request=AvailabilitySerializer,
        responses=AvailabilitySerializer,
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def availability(self, request, pk=None):
        """月度供货情况：村信息员每月登记是否有货及可供数量。"""
        entry = self.get_object()
        if request.method == "GET":
            return Response(
                AvailabilitySerializer(entry.availability.all(), many=True).data
            )
        data = AvailabilitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = catalogue_availability_set(
            entry=entry, recorded_by=request.user, **data.validated_data
        )
        return Response(AvailabilitySerializer(record).data)

    @extend_schema(request=PhotoUploadSerializer, responses=CatalogueEntrySerializer)
    @action(detail=True, methods=["post"])
    def photos(self, request, pk=None):
        """上传产品照片（去除 EXIF 等元数据后保存）。"""
        entry = self.get_object()
        data = PhotoUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        if upload.size > max_upload_bytes():
            raise upload_too_large()
        clean = upload_clean(data=upload.read(), name=upload.name)
        if clean.kind != AttachmentKind.PHOTO:
            raise serializers.ValidationError({"file": ["请上传照片。"]})
        catalogue_photo_add(
            entry=entry,
            content=clean.content,
            suffix=clean.suffix,
            caption=data.validated_data["caption"],
            uploaded_by=request.user,
        )
        response = self._respond(entry)
        response.status_code = status.HTTP_201_CREATED
        return response

    evidence, evidence_file = evidence_actions(
        parent="entry",
        add=catalogue_evidence_add,
        serializer=CatalogueEvidenceSerializer,
        visible=catalogue_evidence_list_visible_to,
        label="申报材料",
        upload_summary="上传申报材料（照片或 PDF，私密保存）",
        download_summary="下载申报材料（仅经办该申报的用户）",
    )
