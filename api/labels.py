"""Labels: list the printed codes one may see, void a list of them."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.fields import IntegerField
from api.parsers import JSONParser
from labels.models import Label
from labels.selectors import label_list_visible_to, suspicious_label_list_visible_to
from labels.services import labels_void

# What a void answers: how many labels changed from active to void.
VOIDED = inline_serializer(
    name="VoidResult",
    fields={"voided": IntegerField(help_text="本次作废的标签数量。")},
)


class LabelSerializer(serializers.ModelSerializer):
    url = serializers.CharField(read_only=True)

    class Meta:
        model = Label
        fields = [
            "serial",
            "url",
            "batch",
            "print_job",
            "sequence",
            "status",
            "voided_at",
            "void_reason",
            "first_scanned_at",
            "first_scanned_city",
            "scan_count",
            "suspicious_since",
            "suspicious_reason",
            "created_at",
        ]
        read_only_fields = fields


class LabelVoidSerializer(serializers.Serializer):
    serials = serializers.ListField(
        child=serializers.CharField(max_length=80), min_length=1, max_length=10_000
    )
    reason = serializers.CharField(max_length=500)


class LabelViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    serializer_class = LabelSerializer
    lookup_field = "serial"
    filterset_fields = ["batch", "print_job", "status"]
    ordering_fields = ["created_at", "sequence"]

    def get_queryset(self):
        return label_list_visible_to(user=self.request.user)

    # A JSON body only: a list of serials has no faithful form encoding, so
    # the schema names the one content type the action parses.
    @extend_schema(request={"application/json": LabelVoidSerializer}, responses=VOIDED)
    @action(
        detail=False,
        methods=["post"],
        serializer_class=LabelVoidSerializer,
        parser_classes=[JSONParser],
    )
    def void(self, request):
        data = LabelVoidSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        voided = labels_void(
            voided_by=request.user,
            serials=data.validated_data["serials"],
            reason=data.validated_data["reason"],
        )
        return Response({"voided": voided})

    @extend_schema(responses=LabelSerializer(many=True))
    @action(detail=False, methods=["get"])
    def suspicious(self, request):
        """List labels flagged as possible clones (many scans, several cities)."""
        queryset = self.filter_queryset(
            suspicious_label_list_visible_to(user=request.user)
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
