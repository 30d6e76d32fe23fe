"""Writes of batches: creation, contributions, transitions and 滞销 marks."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trace import access
from trace.choices import (
    BatchStatus,
)
from trace.models import (
    Batch,
    BatchContribution,
    BatchStatusChange,
    BenefitLink,
    Producer,
    ProductLine,
    Region,
    SlowSellingMark,
)
from trace.public_cache import batch_story_changed
from trace.selectors.batches import origin_refusal, product_line_refusal
from trace.selectors.certification import certification_is_active
from trace.services.common import (
    audit_as,
    audited_save,
    require_register_keeper,
    validated_save,
)
from trace.services.events import contributions_exceeding_batch_refusal

# The one table of legal batch transitions: draft → released → on_hold →
# released or recalled; a released batch may also be recalled directly.
BATCH_TRANSITIONS: dict[str, set[str]] = {
    BatchStatus.DRAFT: {BatchStatus.RELEASED},
    BatchStatus.RELEASED: {BatchStatus.ON_HOLD, BatchStatus.RECALLED},
    BatchStatus.ON_HOLD: {BatchStatus.RELEASED, BatchStatus.RECALLED},
    BatchStatus.RECALLED: set(),
}


# Batches.


@transaction.atomic
def batch_create(
    *,
    producer: Producer,
    product_line: ProductLine,
    lot_code: str,
    origin: Region,
    harvest_date: datetime.date,
    quantity: Decimal,
    unit: str,
    created_by,
    name: str = "",
    contributions: Iterable[dict[str, Any]] = (),
) -> Batch:
    """Register a draft batch of a certified producer, with household contributions.

    Raise ValidationError if the producer has no active certification, may
    not use the product line (another producer's, or a brand it holds no
    valid license for), the origin lies outside a geographical-indication
    line's protected regions, or a contributing household has no benefit
    link with the producer; refuse a user who may not register batches
    of the producer (trace.access.may_register_batch_for).
    """
    access.require(
        access.may_register_batch_for(created_by, producer),
        field="producer",
        message=_("只有本主体的操作员或管理员可以登记批次。"),
        visible=lambda: access.producer_visible(created_by, producer),
    )
    if not certification_is_active(producer=producer):
        raise ValidationError(
            {"producer": _("该主体没有有效的扶贫产品认定，不能登记批次。")}
        )
    _check_product_line_and_origin(
        producer=producer, product_line=product_line, origin=origin
    )
    if Batch.objects.filter(product_line=product_line, lot_code=lot_code).exists():
        raise ValidationError({"lot_code": _("该产品线已有相同批次号的批次。")})
    batch = validated_save(
        Batch(),
        producer=producer,
        product_line=product_line,
        lot_code=lot_code,
        name=name,
        origin=origin,
        harvest_date=harvest_date,
        quantity=quantity,
        unit=unit,
        status=BatchStatus.DRAFT,
        created_by=created_by,
    )
    batch_set_contributions(batch=batch, contributions=contributions)
    return batch


@transaction.atomic
def batch_update(
    *,
    batch: Batch,
    changed_by,
    contributions: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Batch:
    """Change a draft batch; released batches are fixed, their labels carry them.

    Raise ValidationError if the user may not edit the batch
    (trace.access.may_edit_batch) or the batch is no longer a draft.
    """
    access.require(
        access.may_edit_batch(changed_by, batch),
        field="batch",
        message=_("只有本主体的操作员或管理员可以修改批次。"),
        visible=lambda: access.batch_visible(changed_by, batch),
    )
    if batch.status != BatchStatus.DRAFT:
        raise ValidationError({"status": _("只有草稿状态的批次可以修改。")})
    for locked in ("producer", "status"):
        fields.pop(locked, None)
    if "lot_code" in fields or "product_line" in fields:
        duplicate = Batch.objects.filter(
            product_line=fields.get("product_line", batch.product_line),
            lot_code=fields.get("lot_code", batch.lot_code),
        ).exclude(pk=batch.pk)
        if duplicate.exists():
            raise ValidationError({"lot_code": _("该产品线已有相同批次号的批次。")})
    if "product_line" in fields or "origin" in fields:
        _check_product_line_and_origin(
            producer=batch.producer,
            product_line=fields.get("product_line", batch.product_line),
            origin=fields.get("origin", batch.origin),
        )
    validated_save(batch, **fields)
    if contributions is not None:
        batch_set_contributions(batch=batch, contributions=contributions)
    elif "quantity" in fields:
        # A smaller batch must still hold what households already supplied.
        contributions_exceeding_batch_refusal(batch=batch, adding=Decimal(0))
    return batch


def _check_product_line_and_origin(
    *, producer: Producer, product_line: ProductLine, origin: Region
) -> None:
    """Raise ValidationError unless the producer may make this line there."""
    if refusal := product_line_refusal(producer=producer, product_line=product_line):
        raise ValidationError({"product_line": refusal})
    if refusal := origin_refusal(product_line=product_line, origin=origin):
        raise ValidationError({"origin": refusal})


def batch_set_contributions(
    *, batch: Batch, contributions: Iterable[dict[str, Any]]
) -> None:
    """Replace the households' contributions to a batch.

    Each contribution is {"household", "quantity", "amount_paid"}; the household
    must have a benefit link with the producer.
    """
    contributions = list(contributions)
    households = [contribution["household"] for contribution in contributions]
    if len({household.pk for household in households}) != len(households):
        raise ValidationError({"contributions": _("同一贫困户只能出现一次。")})
    linked = set(
        BenefitLink.objects.filter(
            producer=batch.producer, household__in=households
        ).values_list("household_id", flat=True)
    )
    if any(household.pk not in linked for household in households):
        raise ValidationError(
            {"contributions": _("贡献的贫困户必须与该主体有利益联结。")}
        )
    contributions_exceeding_batch_refusal(
        batch=batch,
        adding=sum(
            (Decimal(item.get("quantity") or 0) for item in contributions), Decimal(0)
        ),
        replacing=True,
        field="contributions",
    )
    batch.contributions.all().delete()
    for contribution in contributions:
        validated_save(BatchContribution(batch=batch), **contribution)
    batch_story_changed(batch.pk)


def batch_transition(
    *,
    batch: Batch,
    to_status: str,
    changed_by,
    reason: str = "",
) -> Batch:
    """Move a batch to a new status for a user, and record who did it and why.

    Refuse a user whose role does not allow the move
    (trace.access.may_change_batch_status), then as
    `batch_transition_as_consequence`. A user never lifts a hold here: that
    is inspections.services.batch_hold_release_sign, or a lab result.
    """
    access.require(
        access.may_change_batch_status(changed_by, batch, to_status),
        field="status",
        message=_("您无权变更此批次的状态。"),
        visible=lambda: access.batch_visible(changed_by, batch),
    )
    return batch_transition_as_consequence(
        batch=batch, to_status=to_status, changed_by=changed_by, reason=reason
    )


def batch_transition_as_consequence(
    *,
    batch: Batch,
    to_status: str,
    changed_by,
    reason: str = "",
    lifting_hold: bool = False,
) -> Batch:
    """Move a batch as the consequence of a write another service authorised.

    For inspections.services only: a recorded check holds, recalls or
    releases the batch, and a signed release lifts a hold; that service has
    decided who may record or sign (an operator's failed self-check holds
    its batch, though an operator may not lift a hold by hand). Faces call
    `batch_transition`, which asks trace.access first.

    Raise ValidationError for a transition not in BATCH_TRANSITIONS, for a
    hold or recall without a reason, for releasing a batch whose producer
    has no active certification, and for releasing a batch on hold unless
    `lifting_hold`: a hold is lifted only by evidence about its cause or an
    inspector's signed release, which inspections.services decides (issue
    32: an unrelated lab test must not lift a pesticide hold).
    """
    with transaction.atomic():
        locked = (
            Batch.objects.select_for_update()
            .select_related("producer", "product_line", "origin")
            .get(pk=batch.pk)
        )
        from_status = locked.status
        if to_status not in BATCH_TRANSITIONS[from_status]:
            raise ValidationError(
                {
                    "status": _("批次不能从“%(current)s”变为“%(target)s”。")
                    % {
                        "current": BatchStatus(from_status).label,
                        "target": BatchStatus(to_status).label,
                    }
                }
            )
        if (
            from_status == BatchStatus.ON_HOLD
            and to_status == BatchStatus.RELEASED
            and not lifting_hold
        ):
            raise ValidationError(
                {
                    "status": _(
                        "暂停销售的批次只能由覆盖暂停原因的实验室检测结果解除，"
                        "或由检测员签字并说明理由后解除。"
                    )
                }
            )
        if (
            to_status in (BatchStatus.ON_HOLD, BatchStatus.RECALLED)
            and not reason.strip()
        ):
            raise ValidationError({"reason": _("暂停销售或召回必须说明原因。")})
        if to_status == BatchStatus.RELEASED and not certification_is_active(
            producer=locked.producer
        ):
            raise ValidationError(
                {"producer": _("该主体没有有效的扶贫产品认定，批次不能放行。")}
            )
        if to_status == BatchStatus.RELEASED:
            # A draft registered before these checks, or a license that has
            # lapsed since, must not reach the shelves under the line's name.
            _check_product_line_and_origin(
                producer=locked.producer,
                product_line=locked.product_line,
                origin=locked.origin,
            )
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        BatchStatusChange.objects.create(
            batch=locked,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            actor=changed_by,
        )
        # A hold or recall is what the scan page exists to say: at once.
        batch_story_changed(locked.pk)
    # The caller's instance reflects the new status too.
    batch.status, batch.updated_at = locked.status, locked.updated_at
    return batch


def batch_release(*, batch: Batch, changed_by, reason: str = "") -> Batch:
    return batch_transition(
        batch=batch,
        to_status=BatchStatus.RELEASED,
        changed_by=changed_by,
        reason=reason,
    )


def batch_hold(*, batch: Batch, changed_by, reason: str) -> Batch:
    return batch_transition(
        batch=batch, to_status=BatchStatus.ON_HOLD, changed_by=changed_by, reason=reason
    )


def batch_recall(*, batch: Batch, changed_by, reason: str) -> Batch:
    return batch_transition(
        batch=batch,
        to_status=BatchStatus.RECALLED,
        changed_by=changed_by,
        reason=reason,
    )


# 滞销 marks.


def slow_selling_mark(
    *,
    region: Region,
    valid_from: datetime.date,
    valid_until: datetime.date,
    marked_by,
    product_line: ProductLine | None = None,
    batch: Batch | None = None,
    reason: str = "",
) -> SlowSellingMark:
    """Mark a product line or a batch 滞销 in a region for a period.

    Raise ValidationError unless the user may mark the region's goods
    (trace.access.may_mark_slow_selling: the county office within its
    county, or the village's 信息员), exactly one of product line and batch is given and the period
    ends on or after it starts.
    """
    access.require(
        access.may_mark_slow_selling(marked_by, region, batch),
        field="region",
        message=_("滞销标记由本县扶贫办或本村信息员登记。"),
    )
    if (product_line is None) == (batch is None):
        raise ValidationError({"product_line": _("请选择产品线或批次（二选一）。")})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("滞销截止日期不能早于起始日期。")})
    mark = SlowSellingMark()
    # `reason` is the mark's own 说明; the audit row keeps its start.
    audit_as(mark, actor=marked_by, reason=reason[:100])
    return validated_save(
        mark,
        region=region,
        product_line=product_line,
        batch=batch,
        valid_from=valid_from,
        valid_until=valid_until,
        reason=reason,
        marked_by=marked_by,
    )


SLOW_SELLING_ONLY = _("滞销标记由本县扶贫办（或管理员）登记。")


@transaction.atomic
def slow_selling_mark_clear(
    *, mark: SlowSellingMark, ended_on: datetime.date, reason: str, cleared_by
) -> SlowSellingMark:
    """End a 滞销 mark on a day (the goods sell again): its period stops there.

    The mark stays, as the reward counts the sales made while it held;
    the audit row keeps who ended it, when and why. Raise ValidationError
    without a reason, for a day before the mark starts or not before its
    end, or if the user does not keep the mark's region.
    """
    require_register_keeper(
        cleared_by, mark.region, field="region", message=SLOW_SELLING_ONLY
    )
    mark = SlowSellingMark.objects.select_for_update().get(pk=mark.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明解除滞销的原因。")})
    if ended_on < mark.valid_from:
        raise ValidationError(
            {
                "ended_on": _("解除日期不能早于滞销起始日期（%(date)s）。")
                % {"date": mark.valid_from.isoformat()}
            }
        )
    if ended_on >= mark.valid_until:
        raise ValidationError(
            {
                "ended_on": _("该标记在 %(date)s 已到期，无需解除。")
                % {"date": mark.valid_until.isoformat()}
            }
        )
    return audited_save(mark, actor=cleared_by, reason=reason, valid_until=ended_on)
