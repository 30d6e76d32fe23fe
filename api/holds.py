"""A batch's hold as the API shows it: its causes, what is outstanding, the lift.

Returned with a recorded inspection (what it did to the hold) and by
`batches/{id}/hold/`, so an inspector's phone says what is still to test.
"""

from rest_framework import serializers

from api.fields import IntegerField
from inspections.models import HoldCause, HoldRelease
from inspections.selectors import batch_hold_state, batch_last_hold_release
from trace.models import Batch


class HoldCauseSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    known = serializers.BooleanField(source="is_known", read_only=True)
    inspection = IntegerField(source="result.inspection_id")
    covered_by_inspection = IntegerField(
        source="covered_by.inspection_id", default=None, allow_null=True
    )

    class Meta:
        model = HoldCause
        fields = [
            "id",
            "label",
            "known",
            "analyte",
            "analyte_class",
            "inspection",
            "result",
            "covered_by",
            "covered_by_inspection",
        ]
        read_only_fields = fields


class HoldReleaseSerializer(serializers.ModelSerializer):
    basis_display = serializers.CharField(source="get_basis_display", read_only=True)
    released_by = serializers.CharField(source="released_by.username", read_only=True)

    class Meta:
        model = HoldRelease
        fields = [
            "id",
            "basis",
            "basis_display",
            "inspection",
            "reason",
            "released_by",
            "released_at",
        ]
        read_only_fields = fields


class BatchHoldSerializer(serializers.Serializer):
    on_hold = serializers.BooleanField(help_text="批次当前是否暂停销售。")
    causes = HoldCauseSerializer(many=True, help_text="当前暂停的原因。")
    outstanding = serializers.ListField(
        child=serializers.CharField(),
        help_text="尚待合格的实验室检测结果排除的原因。",
    )
    needs_signed_release = serializers.BooleanField(
        help_text="原因不明的暂停只能由检测员签字并说明理由后解除。"
    )
    lifted = HoldReleaseSerializer(
        allow_null=True, help_text="最近一次解除暂停的依据（若有）。"
    )


def batch_hold_data(*, batch: Batch, lifted: HoldRelease | None = None) -> dict:
    """Return the batch's hold for the API; `lifted` defaults to the latest lift."""
    state = batch_hold_state(batch=batch)
    if lifted is None and state.hold is None:
        lifted = batch_last_hold_release(batch=batch)
    return BatchHoldSerializer(
        {
            "on_hold": state.hold is not None,
            "causes": state.causes,
            "outstanding": [cause.label for cause in state.outstanding],
            "needs_signed_release": state.unknown,
            "lifted": lifted,
        }
    ).data
