"""`objections`: anyone's objection to a product in 公示, and its review.

Lodging needs no login and is limited per client (api.catalogue's
ObjectionThrottle, shared with the HTML form). The office over the entry's
region (or an administrator) reviews; an upheld objection stops the entry.
An objector's name and contact are shown to reviewers only.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from api.catalogue import ObjectionThrottle, objection_entry_wait
from api.fields import DateTimeField, IntegerField
from api.throttling import AnonymousThrottle, UserThrottle
from trace.models import CatalogueObjection
from trace.selectors.catalogue import (
    catalogue_notice_list,
    catalogue_objection_list_visible_to,
)
from trace.services.catalogue import (
    catalogue_objection_lodge,
    catalogue_objection_review,
    catalogue_objections_dismiss,
)


class ObjectionLodgeSerializer(serializers.Serializer):
    entry = IntegerField(help_text="公示中的目录条目编号。")
    text = serializers.CharField(max_length=2000, help_text="异议内容。")
    name = serializers.CharField(
        max_length=32,
        required=False,
        allow_blank=True,
        default="",
        help_text="可不填。",
    )
    contact = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="可不填。",
    )


class ObjectionReceiptSerializer(serializers.Serializer):
    """What the objector gets back: no echo of name or contact."""

    id = IntegerField()
    entry = IntegerField(source="entry_id")
    status = serializers.CharField()
    created_at = DateTimeField()


class ObjectionSerializer(serializers.ModelSerializer):
    entry_name = serializers.CharField(source="entry.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CatalogueObjection
        fields = [
            "id",
            "entry",
            "entry_name",
            "text",
            "name",
            "contact",
            "status",
            "status_display",
            "review_note",
            "reviewed_by",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = fields


class ObjectionReviewSerializer(serializers.Serializer):
    upheld = serializers.BooleanField(
        help_text="异议是否成立；成立则该产品不列入目录。"
    )
    note = serializers.CharField(max_length=2000, help_text="核实意见。")


class ObjectionDismissSerializer(serializers.Serializer):
    objections = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=CatalogueObjection.objects.none(),
        help_text="要一并驳回的异议编号（如同一内容的重复异议）。",
    )
    note = serializers.CharField(max_length=2000, help_text="核实意见。")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only objections the user reviews: others "do not exist" (400).
        self.fields[
            "objections"
        ].child_relation.queryset = catalogue_objection_list_visible_to(user=user)


class ObjectionViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """公示异议：任何人可提出（限频）；县级扶贫办或管理员核实。"""

    serializer_class = ObjectionSerializer
    filterset_fields = ["status", "entry"]

    def get_permissions(self):
        if self.action == "create":
            return [AllowAny()]
        return [IsAuthenticated()]

    def get_throttles(self):
        if self.action == "create":
            return [ObjectionThrottle(), AnonymousThrottle(), UserThrottle()]
        return super().get_throttles()

    def get_queryset(self):
        return catalogue_objection_list_visible_to(user=self.request.user)

    @extend_schema(
        request=ObjectionLodgeSerializer, responses={201: ObjectionReceiptSerializer}
    )
    def create(self, request, *args, **kwargs):
        data = ObjectionLodgeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        entry = catalogue_notice_list().filter(pk=fields.pop("entry")).first()
        if entry is None:
            raise serializers.ValidationError({"entry": ["该产品不在公示期内。"]})
        wait = objection_entry_wait(request, entry)
        if wait is not None:
            raise exceptions.Throttled(
                wait=wait, detail=_("该产品收到的异议已达上限，请稍后再提出。")
            )
        objection = catalogue_objection_lodge(entry=entry, **fields)
        return Response(
            ObjectionReceiptSerializer(objection).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=ObjectionReviewSerializer, responses=ObjectionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """核实异议：成立则该产品停止列入目录。"""
        objection = self.get_object()
        data = ObjectionReviewSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        objection = catalogue_objection_review(
            objection=objection, reviewed_by=request.user, **data.validated_data
        )
        return Response(ObjectionSerializer(objection).data)

    @extend_schema(
        request=ObjectionDismissSerializer, responses=ObjectionSerializer(many=True)
    )
    @action(detail=False, methods=["post"])
    def dismiss(self, request):
        """一并驳回多条异议（如重复提交的同一异议），全部成功或全部不变。"""
        data = ObjectionDismissSerializer(data=request.data, user=request.user)
        data.is_valid(raise_exception=True)
        objections = catalogue_objections_dismiss(
            objections=data.validated_data["objections"],
            reviewed_by=request.user,
            note=data.validated_data["note"],
        )
        return Response(ObjectionSerializer(objections, many=True).data)
