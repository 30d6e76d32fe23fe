"""Writes of the inspection plan (administrators): control points."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from inspections.choices import (
    ControlRule,
)
from inspections.models import (
    ControlPoint,
)
from trace import access
from trace.services.common import validated_save

# Inspection planning (administrators).

# The parameter each rule needs, and the message when it is missing.
RULE_PARAMETERS = {
    ControlRule.EVERY_NTH: "every_n",
    ControlRule.RANDOM_SHARE: "share_percent",
    ControlRule.AFTER_FAILURE: "pass_streak",
}


def _check_may_plan(user) -> None:
    if not access.is_administrator(user):
        raise ValidationError(_("只有管理员可以设置抽检控制点。"))


def _control_point_save(control_point: ControlPoint, **fields: Any) -> ControlPoint:
    for name, value in fields.items():
        setattr(control_point, name, value)
    errors = {}
    if control_point.product_line_id is None and control_point.producer_id is None:
        errors["product_line"] = _("请选择产品线或生产经营主体（至少一项）。")
    needed = RULE_PARAMETERS.get(control_point.rule)
    if needed and getattr(control_point, needed) is None:
        errors[needed] = _("该抽检规则需要填写此项。")
    # Parameters of other rules would be silently ignored: clear them.
    for rule, name in RULE_PARAMETERS.items():
        if rule != control_point.rule:
            setattr(control_point, name, None)
    if errors:
        raise ValidationError(errors)
    return validated_save(control_point)


@transaction.atomic
def control_point_create(*, created_by, **fields: Any) -> ControlPoint:
    """Create a control point; raise ValidationError if its rule lacks a parameter."""
    _check_may_plan(created_by)
    return _control_point_save(ControlPoint(created_by=created_by), **fields)


@transaction.atomic
def control_point_update(
    *, control_point: ControlPoint, updated_by, **fields: Any
) -> ControlPoint:
    _check_may_plan(updated_by)
    return _control_point_save(control_point, **fields)


def control_point_delete(*, control_point: ControlPoint, deleted_by) -> None:
    """Delete a control point; it is a plan, not evidence, so nothing refers to it."""
    _check_may_plan(deleted_by)
    control_point.delete()
