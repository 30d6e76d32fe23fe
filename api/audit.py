"""The audit trail for administrators: who changed what and when (read-only).

`GET /api/v1/audit/?model=household&object=12` lists an object's history,
newest first; without `object`, the whole model's. There is no write route:
history rows are written only by the audited models themselves.
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
)
from rest_framework import mixins, serializers, viewsets

from api.fields import DateTimeField, IntegerField
from api.permissions import AdministratorOnly
from inspections.models import Inspection
from labels.models import Label
from trace.models import Batch, BenefitLink, Certification, Household

AUDITED_MODELS = {
    "certification": Certification,
    "household": Household,
    "benefit-link": BenefitLink,
    "batch": Batch,
    "inspection": Inspection,
    "label": Label,
}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}


class AuditQuerySerializer(serializers.Serializer):
    model = serializers.ChoiceField(choices=sorted(AUDITED_MODELS))
    object = IntegerField(required=False, min_value=1, max_value=2**63 - 1)


class AuditChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(allow_null=True)
    new = serializers.CharField(allow_null=True)


class AuditRecordSerializer(serializers.Serializer):
    history_id = IntegerField()
    object = IntegerField(source="id")
    action = serializers.SerializerMethodField()
    at = DateTimeField(source="history_date")
    user = IntegerField(source="history_user_id", allow_null=True)
    username = serializers.SerializerMethodField()
    reason = serializers.CharField(source="history_change_reason", allow_null=True)
    changes = serializers.SerializerMethodField()

    def get_action(self, record) -> str:
        return ACTIONS.get(record.history_type, record.history_type)

    def get_username(self, record) -> str | None:
        return self.context.get("usernames", {}).get(record.history_user_id)

    @extend_schema_field(AuditChangeSerializer(many=True))
    def get_changes(self, record) -> list[dict]:
        previous = record.prev_record
        if previous is None:
            return [
                {
                    "field": field.attname,
                    "old": None,
                    "new": _text(getattr(record, field.attname)),
                }
                for field in record.instance_type._meta.concrete_fields
                if hasattr(record, field.attname)
            ]
        delta = record.diff_against(previous)
        return [
            {"field": change.field, "old": _text(change.old), "new": _text(change.new)}
            for change in delta.changes
        ]


def _text(value) -> str | None:
    return None if value is None else str(value)


@extend_schema(
    parameters=[
        OpenApiParameter("model", str, enum=sorted(AUDITED_MODELS), required=True),
        OpenApiParameter("object", int, required=False),
    ]
)
class AuditViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """History rows of one audited model or object; administrators only."""

    permission_classes = [AdministratorOnly]
    serializer_class = AuditRecordSerializer
    filter_backends = []

    def get_queryset(self):
        query = AuditQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        model = AUDITED_MODELS[query.validated_data["model"]]
        records = model.history.all()
        if "object" in query.validated_data:
            records = records.filter(id=query.validated_data["object"])
        return records.order_by("-history_date", "-history_id")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["usernames"] = getattr(self, "_usernames", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        ids = {
            record.history_user_id for record in page or () if record.history_user_id
        }
        self._usernames = dict(
            get_user_model()
            .objects.filter(pk__in=ids)
            .values_list("pk", get_user_model().USERNAME_FIELD)
        )
        return page
