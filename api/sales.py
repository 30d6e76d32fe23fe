from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from api.base import ScopedRelationsMixin, ServiceViewSet
from trace import access, services
from trace.models import Sale
from trace.selectors import batch_list_visible_to, outlet_list, sale_list_visible_to


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
            "quantity",
            "unit",
            "amount",
            "sold_at",
            "note",
            "recorded_at",
        ]
        read_only_fields = ["seller", "recorded_at"]


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

    def create_object(self, data):
        if not access.may_edit_batch(self.request.user, data["batch"]):
            raise PermissionDenied("只有本主体的操作员或管理员可以登记销售。")
        return services.sale_record(recorded_by=self.request.user, **data)
