from rest_framework import serializers

from api.base import ScopedRelationsMixin, ServiceViewSet
from api.evidence import evidence_actions
from trace.models import Sale, SaleEvidence
from trace.selectors.batches import batch_list_visible_to
from trace.selectors.channels import sale_channel_name
from trace.selectors.events import (
    sale_evidence_file_list_visible_to,
    sale_list_visible_to,
)
from trace.selectors.registry import outlet_list
from trace.services.events import sale_evidence_add, sale_record


class SaleEvidenceSerializer(serializers.ModelSerializer):
    """An invoice or receipt; the file itself only through `evidence/{id}/`."""

    class Meta:
        model = SaleEvidence
        fields = ["id", "caption", "content_type", "size", "uploaded_at"]


class SaleSerializer(ScopedRelationsMixin, serializers.ModelSerializer):
    scoped_relations = {
        "batch": batch_list_visible_to,
        "outlet": lambda user: outlet_list(),
        "buyer_outlet": lambda user: outlet_list(),
    }
    seller_name = serializers.CharField(source="seller.name", read_only=True)
    product_name = serializers.CharField(
        source="batch.product_line.__str__", read_only=True
    )
    evidence = SaleEvidenceSerializer(many=True, read_only=True)
    channel_name = serializers.SerializerMethodField(
        help_text="渠道在本县的名称（如洞口的“进车站”、云阳的“进家庭”）。"
    )

    class Meta:
        model = Sale
        fields = [
            "id",
            "batch",
            "product_name",
            "seller",
            "seller_name",
            "buyer",
            "outlet",
            "buyer_outlet",
            "channel",
            "channel_name",
            "channel_reason",
            "logistics_fee",
            "logistics_fee_payer",
            "quantity",
            "unit",
            "amount",
            "sold_at",
            "note",
            "evidence",
            "source",
            "source_key",
            "recorded_at",
        ]
        read_only_fields = ["seller", "recorded_at", "source", "source_key"]

    def get_channel_name(self, sale) -> str:
        return sale_channel_name(sale)


class SaleViewSet(ServiceViewSet):
    """消费扶贫 sales of released batches; append-only.

    A sale never exceeds what is left of the batch (or, for an outlet's
    resale, of what it bought in), and none is recorded while the producer's
    certification is suspended, revoked or expired: 400, nothing written.
    """

    serializer_class = SaleSerializer
    filterset_fields = ["batch", "channel", "outlet", "seller"]
    http_method_names = ["get", "post", "head", "options"]

    def select(self, user):
        return sale_list_visible_to(user=user)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("evidence")

    def create_object(self, data):
        return sale_record(recorded_by=self.request.user, **data)

    evidence, evidence_file = evidence_actions(
        parent="sale",
        add=sale_evidence_add,
        serializer=SaleEvidenceSerializer,
        visible=sale_evidence_file_list_visible_to,
        label="销售凭证",
        upload_summary="上传销售发票或凭证（照片或 PDF，私密保存）",
        download_summary="下载销售凭证（载有贫困户姓名：仅可查看贫困户信息的用户）",
    )
