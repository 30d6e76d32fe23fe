"""Quality alerts: opened by failures, closed only with cause, actions, owner, date."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from inspections.choices import AlertStatus, ControlRule, InspectionKind
from inspections.models import ControlPoint, QualityAlert
from inspections.services.alerts import quality_alert_close, quality_alert_update
from inspections.services.planning import control_point_create, control_point_update
from tests.inspections.factories import quantitative, record_inspection

CAPA = {
    "root_cause": "喷药后未满安全间隔期即采收。",
    "corrective_action": "本批下架销毁，追回已售部分。",
    "preventive_action": "建立用药记录，采收前核对安全间隔期。",
    "due_date": datetime.date(2026, 12, 31),
}


def failed(world, **fields):
    return record_inspection(
        batch=world.batch_a,
        user=world.inspector,
        items=[quantitative("2.0", limit="1.0")],
        **fields,
    )


def test_failed_inspection_opens_an_alert(world):
    inspection = failed(world)
    alert = QualityAlert.objects.get(inspection=inspection)
    assert alert.batch == world.batch_a
    assert alert.status == AlertStatus.OPEN
    assert alert.due_date is not None


def test_failed_self_check_opens_an_alert_too(world):
    inspection = failed(world, kind=InspectionKind.SELF_CHECK)
    assert QualityAlert.objects.filter(inspection=inspection).exists()


def test_passing_inspection_opens_no_alert(world):
    record_inspection(batch=world.batch_a, user=world.inspector)
    assert not QualityAlert.objects.exists()


def test_closing_requires_every_capa_field(world):
    alert = QualityAlert.objects.get(inspection=failed(world))
    with pytest.raises(ValidationError) as error:
        quality_alert_close(alert=alert, closed_by=world.inspector)
    assert set(error.value.message_dict) == {
        "root_cause",
        "corrective_action",
        "preventive_action",
        "owner",
    }
    quality_alert_update(
        alert=alert, updated_by=world.operator_a, owner=world.operator_a, **CAPA
    )
    alert = quality_alert_close(alert=alert, closed_by=world.inspector)
    assert alert.status == AlertStatus.CLOSED
    assert alert.closed_by == world.inspector
    assert alert.closed_at is not None


def test_blank_text_does_not_count_as_filled(world):
    alert = QualityAlert.objects.get(inspection=failed(world))
    quality_alert_update(
        alert=alert,
        updated_by=world.admin,
        owner=world.operator_a,
        **{**CAPA, "root_cause": "   "},
    )
    with pytest.raises(ValidationError) as error:
        quality_alert_close(alert=alert, closed_by=world.admin)
    assert set(error.value.message_dict) == {"root_cause"}


def test_operator_fills_but_cannot_close(world):
    alert = QualityAlert.objects.get(inspection=failed(world))
    quality_alert_update(
        alert=alert, updated_by=world.operator_a, owner=world.operator_a, **CAPA
    )
    with pytest.raises(ValidationError):
        quality_alert_close(alert=alert, closed_by=world.operator_a)


def test_closed_alert_does_not_change(world):
    alert = QualityAlert.objects.get(inspection=failed(world))
    quality_alert_update(alert=alert, updated_by=world.admin, owner=world.admin, **CAPA)
    quality_alert_close(alert=alert, closed_by=world.admin)
    with pytest.raises(ValidationError):
        quality_alert_update(alert=alert, updated_by=world.admin, root_cause="改")
    with pytest.raises(ValidationError):
        quality_alert_close(alert=alert, closed_by=world.admin)


def test_out_of_scope_user_cannot_touch_an_alert(world):
    alert = QualityAlert.objects.get(inspection=failed(world))
    with pytest.raises(ValidationError):
        quality_alert_update(alert=alert, updated_by=world.operator_b, root_cause="x")


def test_owner_must_see_the_batch(world):
    alert = QualityAlert.objects.get(inspection=failed(world))
    with pytest.raises(ValidationError) as error:
        quality_alert_update(
            alert=alert, updated_by=world.admin, owner=world.operator_b
        )
    assert "owner" in error.value.message_dict


def test_control_point_rule_needs_its_parameter(world):
    with pytest.raises(ValidationError) as error:
        control_point_create(
            created_by=world.admin,
            name="每 N 批",
            producer=world.producer_a,
            rule=ControlRule.EVERY_NTH,
            inspection_kind=InspectionKind.SPOT_CHECK,
        )
    assert "every_n" in error.value.message_dict


def test_control_point_needs_a_target_and_an_administrator(world):
    fields = {
        "name": "随机",
        "rule": ControlRule.RANDOM_SHARE,
        "share_percent": 10,
        "inspection_kind": InspectionKind.RAPID_TEST,
    }
    with pytest.raises(ValidationError) as error:
        control_point_create(created_by=world.admin, **fields)
    assert "product_line" in error.value.message_dict
    with pytest.raises(ValidationError):
        control_point_create(
            created_by=world.inspector, producer=world.producer_a, **fields
        )


def test_changing_the_rule_clears_the_other_parameters(world):
    point = control_point_create(
        created_by=world.admin,
        name="每 3 批",
        producer=world.producer_a,
        rule=ControlRule.EVERY_NTH,
        every_n=3,
        inspection_kind=InspectionKind.SPOT_CHECK,
    )
    control_point_update(
        control_point=point,
        updated_by=world.admin,
        rule=ControlRule.AFTER_FAILURE,
        pass_streak=2,
    )
    point = ControlPoint.objects.get(pk=point.pk)
    assert (point.every_n, point.pass_streak) == (None, 2)
