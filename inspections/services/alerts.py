"""Quality alerts (CAPA: root cause, corrective and preventive actions)."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from inspections.choices import (
    AlertStatus,
)
from inspections.models import (
    Inspection,
    QualityAlert,
)
from trace import access
from trace.models import Batch
from trace.services.common import validated_save

# Quality alerts (CAPA: root cause, corrective and preventive actions).

ALERT_DEFAULT_DAYS = 30
ALERT_CLOSING_FIELDS = (
    "root_cause",
    "corrective_action",
    "preventive_action",
    "owner",
    "due_date",
)
ALERT_EDITABLE_FIELDS = ALERT_CLOSING_FIELDS


def quality_alert_open(*, inspection: Inspection) -> QualityAlert:
    """Open the quality alert of a failed inspection (once per inspection)."""
    alert, _created = QualityAlert.objects.get_or_create(
        inspection=inspection,
        defaults={
            "batch_id": inspection.batch_id,
            "due_date": timezone.localdate()
            + datetime.timedelta(days=ALERT_DEFAULT_DAYS),
        },
    )
    return alert


def _check_alert_scope(*, alert: QualityAlert, user) -> None:
    if not Batch.objects.filter(access.batch_scope(user), pk=alert.batch_id).exists():
        raise ValidationError({"alert": _("质量预警不存在。")})


@transaction.atomic
def quality_alert_update(
    *, alert: QualityAlert, updated_by, **fields: Any
) -> QualityAlert:
    """Fill in an open alert's cause, actions, owner and due date.

    Operators of the producer, inspectors of the region and administrators
    may; a closed alert is a record and does not change.
    """
    _check_alert_scope(alert=alert, user=updated_by)
    alert = QualityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError({"status": _("质量预警已关闭，不能修改。")})
    unknown = set(fields) - set(ALERT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("该字段不能修改。") for name in unknown})
    owner = fields.get("owner")
    if owner is not None and not (
        Batch.objects.filter(access.batch_scope(owner), pk=alert.batch_id).exists()
    ):
        # The owner must be someone who can see the batch and act on it.
        raise ValidationError({"owner": _("责任人须为能查看该批次的用户。")})
    return validated_save(alert, **fields)


def _alert_field_blank(alert: QualityAlert, name: str) -> bool:
    if name == "owner":
        return alert.owner_id is None
    value = getattr(alert, name)
    return value is None or (isinstance(value, str) and not value.strip())


@transaction.atomic
def quality_alert_close(*, alert: QualityAlert, closed_by) -> QualityAlert:
    """Close an alert once cause, actions, owner and due date are all filled.

    Only inspectors and administrators close, so a producer cannot sign off
    its own corrective actions. Raise ValidationError naming each missing field.
    """
    _check_alert_scope(alert=alert, user=closed_by)
    if not (access.is_administrator(closed_by) or access.is_inspector(closed_by)):
        raise ValidationError({"status": _("只有监督员或管理员可以关闭质量预警。")})
    alert = QualityAlert.objects.select_for_update().get(pk=alert.pk)
    if alert.status == AlertStatus.CLOSED:
        raise ValidationError({"status": _("质量预警已关闭。")})
    missing = {
        name: _("关闭前请填写此项。")
        for name in ALERT_CLOSING_FIELDS
        if _alert_field_blank(alert, name)
    }
    if missing:
        raise ValidationError(missing)
    return validated_save(
        alert,
        status=AlertStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by=closed_by,
    )
