"""Writes of trace events and sales: append-only records."""

import datetime
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access, rules
from trace.channels import channel_outlet_agrees
from trace.choices import (
    BatchStatus,
    LogisticsFeePayer,
    PaymentKind,
    ReferenceDocumentType,
    TraceEventKind,
)
from trace.models import (
    Batch,
    BatchContribution,
    BenefitLink,
    Household,
    Sale,
    SaleEvidence,
    TraceEvent,
)
from trace.public_cache import batch_story_changed
from trace.selectors.catalogue import catalogue_entry_pricing_batch
from trace.selectors.certification import (
    certification_held_at,
    certification_policy_for,
)
from trace.selectors.channels import region_channel
from trace.selectors.events import batch_remaining, outlet_stock_of
from trace.services.common import _evidence_store, _plain, validated_save
from trace.services.payments import household_payment_add

# Trace events and sales: append-only records.


def trace_event_record(*, batch: Batch, recorded_by, **fields: Any) -> TraceEvent:
    """Record a critical tracking event of a non-draft batch, in its order.

    Raise ValidationError, writing nothing, if the user may not edit the
    batch (trace.access.may_edit_batch), the batch is a draft or the event
    cannot follow the batch's story (trace.rules.trace_event_refusal: a 收购
    into a recalled batch, a time in the future or before the batch existed,
    a production step after the first 发货), as an error on `occurred_at`.
    """
    access.require(
        access.may_edit_batch(recorded_by, batch),
        field="batch",
        message=_("只有本主体的操作员或管理员可以记录追溯事件。"),
        visible=lambda: access.batch_visible(recorded_by, batch),
    )
    return _trace_event_save(batch=batch, recorded_by=recorded_by, **fields)


@transaction.atomic
def _trace_event_save(*, batch: Batch, recorded_by, **fields: Any) -> TraceEvent:
    # The guidance visit and the purchase check their own "who may" first.
    trace_event_check(
        batch=batch,
        kind=fields.get("kind"),
        occurred_at=fields.get("occurred_at"),
        field="occurred_at",
    )
    event = validated_save(TraceEvent(), batch=batch, recorded_by=recorded_by, **fields)
    batch_story_changed(batch.pk)
    return event


def trace_event_check(
    *, batch: Batch, kind: str | None, occurred_at: Any, field: str
) -> None:
    """Raise ValidationError unless an event of `kind` may join the batch now.

    Lock the batch row (in the caller's transaction) so that a 发货 and a
    收购 recorded at once are placed in turn, and read its status afresh.
    The refusal is an error on `field`; a missing or malformed kind or time
    is left to the model's own validation.
    """
    locked = (
        Batch.objects.select_for_update()
        .filter(pk=batch.pk)
        .values("status", "harvest_date", "created_at")
        .get()
    )
    if locked["status"] == BatchStatus.DRAFT:
        raise ValidationError({"batch": _("草稿批次尚未放行，不能记录追溯事件。")})
    occurred_at = _event_moment(occurred_at)
    if kind not in TraceEventKind.values or occurred_at is None:
        return
    events = TraceEvent.objects.filter(batch_id=batch.pk)
    first_shipped_at = (
        events.filter(kind=TraceEventKind.SHIP)
        .order_by("occurred_at")
        .values_list("occurred_at", flat=True)
        .first()
    )
    last_production = (
        events.filter(kind__in=rules.PRODUCTION_KINDS)
        .order_by("-occurred_at")
        .values_list("kind", "occurred_at")
        .first()
        if kind == TraceEventKind.SHIP
        else None
    )
    refusal = rules.trace_event_refusal(
        kind=kind,
        occurred_at=occurred_at,
        timeline=rules.BatchTimeline(
            status=locked["status"],
            harvest_date=locked["harvest_date"],
            created_at=locked["created_at"],
            first_shipped_at=first_shipped_at,
            last_production=last_production,
        ),
        now=timezone.now(),
    )
    if refusal:
        raise ValidationError({field: refusal})


def _event_moment(value: Any) -> datetime.datetime | None:
    """Return the event time as an aware datetime, or None if it is not one."""
    try:
        value = TraceEvent._meta.get_field("occurred_at").to_python(value)
    except ValidationError:
        return None
    if value is None:
        return None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


@transaction.atomic
def sale_record(*, batch: Batch, recorded_by, **fields: Any) -> Sale:
    """Record a sale of a released batch; the seller is the batch's producer.

    The batch row is locked, so two sales recorded at once cannot together
    sell more than the batch holds. Raise ValidationError, writing nothing,
    if the batch is not released (on hold or recalled goods must not be
    sold), the producer's certification did not hold when the sale was made
    (its `sold_at`, which may be entered later: certification_held_at), the unit differs from the batch's, or the quantity
    exceeds what is left: of the batch, or, for an outlet reselling goods
    it bought in from the batch (授权店进货), of that outlet's stock.

    Refuse first a user who may not record sales of the batch
    (trace.access.may_record_sale: its operator, its village's 信息员).
    """
    access.require(
        access.may_record_sale(recorded_by, batch),
        field="batch",
        message=_("只有本主体的操作员、本村信息员或管理员可以登记销售。"),
        visible=lambda: access.batch_visible(recorded_by, batch),
    )
    return sale_save(batch=batch, recorded_by=recorded_by, **fields)


@transaction.atomic
def sale_save(*, batch: Batch, recorded_by, **fields: Any) -> Sale:
    """Check and save a sale for a caller that has already asked who may.

    sale_record (a person), the platform import and the cabinet push each
    check their own "who may" and share every rule of sale_record below it.
    """
    batch = (
        Batch.objects.select_for_update()
        .select_related("producer", "product_line")
        .get(pk=batch.pk)
    )
    if batch.status != BatchStatus.RELEASED:
        raise ValidationError({"batch": _("只有已放行的批次可以登记销售。")})
    # The sale's own date decides (it may be entered later; recorded_at keeps
    # the entry time): a sale made while the certification held counts.
    sold_at = _event_moment(fields.get("sold_at"))
    if sold_at is not None and not certification_held_at(
        producer=batch.producer, at=sold_at
    ):
        raise ValidationError(
            {
                "sold_at": _(
                    "交易时该主体的扶贫产品认定不在有效期内或已暂停、撤销，不能登记为消费扶贫销售。"
                )
            }
        )
    unit = fields.get("unit") or batch.unit
    if unit != batch.unit:
        raise ValidationError(
            {"unit": _("销售单位须与批次单位（%(unit)s）一致。") % {"unit": batch.unit}}
        )
    fields["unit"] = unit
    sale_logistics_fee_check(
        fee=fields.get("logistics_fee") or 0, payer=fields.get("logistics_fee_payer")
    )
    outlet, buyer_outlet = fields.get("outlet"), fields.get("buyer_outlet")
    sale_channel_check(
        batch=batch,
        channel=fields.get("channel") or "",
        outlet=outlet,
        reason=fields.get("channel_reason") or "",
    )
    quantity = Decimal(fields.get("quantity") or 0)
    if outlet is not None and buyer_outlet is not None and outlet == buyer_outlet:
        raise ValidationError({"buyer_outlet": _("进货网点不能与销售网点相同。")})
    stock = outlet_stock_of(batch=batch, outlet=outlet) if outlet is not None else None
    if stock is not None:
        if quantity > stock:
            raise ValidationError(
                {
                    "quantity": _(
                        "超出该网点此批次的库存：进货剩余 %(left)s%(unit)s，"
                        "本次 %(quantity)s%(unit)s。"
                    )
                    % {
                        "left": _plain(stock),
                        "quantity": _plain(quantity),
                        "unit": unit,
                    }
                }
            )
    elif quantity > (left := batch_remaining(batch=batch)):
        raise ValidationError(
            {
                "quantity": _(
                    "超出该批次剩余数量：剩余 %(left)s%(unit)s，本次 %(quantity)s%(unit)s。"
                )
                % {"left": _plain(left), "quantity": _plain(quantity), "unit": unit}
            }
        )
    return validated_save(
        Sale(), batch=batch, seller=batch.producer, recorded_by=recorded_by, **fields
    )


def sale_logistics_fee_check(*, fee, payer: str | None) -> None:
    """Raise ValidationError if a logistics fee is taken from a household's share.

    云阳 (seed 004, line 31): "购买贫困户农特产品所产生的物流费用，由各采购单位（个人）
    自行承担，不得向贫困户另行收取。" Any fee above 0 yuan charged to the
    household is refused; none is.
    """
    if payer == LogisticsFeePayer.HOUSEHOLD and Decimal(fee) > 0:
        raise ValidationError(
            {
                "logistics_fee_payer": _(
                    "物流费用由采购单位（个人）自行承担，不得向贫困户另行收取。"
                )
            }
        )


def sale_channel_check(*, batch: Batch, channel: str, outlet, reason: str = "") -> None:
    """Raise ValidationError unless the channel is one of the batch's county's.

    Channels are the county's own words (trace.channels): 洞口's 进车站 (seed
    000, line 155) and 云阳's 进家庭 (seed 004, line 40) are channels of those
    counties only. A sale through an outlet whose kind the channel does not
    pass through (a 进学校 sale through a 专馆) needs `reason`.
    """
    spec = region_channel(region=batch.origin, code=channel)
    if spec is None:
        raise ValidationError(
            {"channel": _("“%(channel)s”不是本县的销售渠道。") % {"channel": channel}}
        )
    if outlet is not None and not channel_outlet_agrees(spec, outlet.kind):
        if not reason.strip():
            raise ValidationError(
                {
                    "channel_reason": _(
                        "渠道“%(channel)s”一般不经由%(kind)s销售，请说明原因。"
                    )
                    % {"channel": spec.name, "kind": outlet.get_kind_display()}
                }
            )


def sale_evidence_add(
    *, sale: Sale, uploaded_by, file: IO[bytes], name: str = "", caption: str = ""
) -> SaleEvidence:
    """Attach an invoice or receipt (photo or PDF) to a sale, stored privately.

    Raise ValidationError if the user may not record the sale's batch, or the
    file is not a real image or PDF within SUYUAN_MAX_UPLOAD_BYTES.
    """
    if not access.may_record_sale(uploaded_by, sale.batch):
        raise ValidationError(
            {"file": _("只有本主体操作员、本村信息员或管理员可以上传销售凭证。")}
        )
    evidence = SaleEvidence(sale=sale, caption=caption, uploaded_by=uploaded_by)
    return _evidence_store(
        evidence,
        file=file,
        name=name,
        refused_message=_("请上传发票或凭证的 JPEG、PNG、WebP 照片或 PDF 扫描件。"),
    )


def purchase_price_refusal(
    *, batch: Batch, quantity: Decimal, amount_paid: Decimal
) -> str:
    """Return why a purchase's price per unit needs a reason, or "".

    "价格公道" (seed 002, line 71); 云阳: "销售产品价格要遵循市场价格规律"
    (seed 004, line 114). The band around the catalogue price is the
    county's setting (CertificationPolicy.purchase_price_band_percent; no
    seed names one, so none applies until the county sets it).
    """
    band = certification_policy_for(region=batch.origin).purchase_price_band_percent
    entry = catalogue_entry_pricing_batch(batch=batch)
    if band is None or entry is None or quantity <= 0:
        return ""
    unit_price = amount_paid / quantity
    if abs(unit_price - entry.price) <= entry.price * band / 100:
        return ""
    return _(
        "收购单价 %(price)s 元/%(unit)s 偏离目录价 %(listed)s 元/%(unit)s 超过县定幅度 "
        "%(band)s%%，请说明原因。"
    ) % {
        "price": _plain(unit_price.quantize(Decimal("0.01"))),
        "listed": _plain(entry.price),
        "unit": batch.unit,
        "band": _plain(band),
    }


def contributions_exceeding_batch_refusal(
    *, batch: Batch, adding: Decimal, replacing: bool = False, field: str = "quantity"
) -> None:
    """Raise ValidationError if households' contributions would exceed the batch.

    What households supplied to a batch (purchases included) is part of it:
    "确保扶贫产品……带贫真实" (seed 002, line 71) — the contributions cannot add
    up to more than the batch holds, as sales cannot exceed what is left.
    `replacing` compares `adding` alone (the whole new set of contributions).
    """
    batch_quantity = Batch.objects.values_list("quantity", flat=True).get(pk=batch.pk)
    already = (
        Decimal(0)
        if replacing
        else BatchContribution.objects.filter(batch=batch).aggregate(
            total=Sum("quantity")
        )["total"]
        or Decimal(0)
    )
    if already + adding > batch_quantity:
        raise ValidationError(
            {
                field: _(
                    "贫困户供货合计不能超过批次数量：批次 %(batch)s%(unit)s，"
                    "已登记 %(already)s%(unit)s，本次 %(adding)s%(unit)s。"
                )
                % {
                    "batch": _plain(batch_quantity),
                    "already": _plain(already),
                    "adding": _plain(adding),
                    "unit": batch.unit,
                }
            }
        )


def guidance_visit_record(
    *,
    batch: Batch,
    recorded_by,
    occurred_at: datetime.datetime,
    topic: str,
    organisation: str = "",
    reference_document_number: str = "",
) -> TraceEvent:
    """Record a 技术指导员's guidance visit as a trace event of the batch.

    Raise ValidationError if the user is not the township's 技术指导员 (or an
    administrator) or the batch is still a draft.
    """
    if not access.may_record_guidance(recorded_by, batch):
        raise ValidationError({"batch": _("只有本乡镇的技术指导员可以记录技术指导。")})
    if not topic.strip():
        raise ValidationError({"topic": _("请填写指导内容。")})
    return _trace_event_save(
        batch=batch,
        recorded_by=recorded_by,
        kind=TraceEventKind.GUIDANCE,
        occurred_at=occurred_at,
        location=batch.origin,
        place=topic.strip()[:128],
        actor=organisation[:128],
        reference_document_type=ReferenceDocumentType.OTHER
        if reference_document_number
        else "",
        reference_document_number=reference_document_number,
    )


@transaction.atomic
def purchase_record(
    *,
    batch: Batch,
    household: Household,
    quantity: Decimal,
    amount_paid: Decimal,
    purchased_at: datetime.datetime,
    recorded_by,
    reference_document_number: str = "",
    price_reason: str = "",
) -> TraceEvent:
    """Record a village purchase point's purchase from a household into a batch.

    The household's contribution to the batch grows by the quantity and the
    amount paid, so the purchase counts in the benefit ledger; the trace event
    names the purchase point, never the household. Raise ValidationError,
    writing nothing, if the user is not the village's purchase point, the
    household lives elsewhere or has no benefit link with the batch's
    producer, or the purchase cannot follow the batch's story (after its
    first 发货, into a recalled batch, in the future or before the batch
    existed: trace.rules.trace_event_refusal, an error on `purchased_at`),
    the households' contributions would exceed the batch, or the price per
    unit lies outside the county's band around the catalogue price
    (`purchase_price_refusal`) without a `price_reason`.
    """
    if not access.may_record_purchase(recorded_by, batch):
        raise ValidationError({"batch": _("只有本村的收购点可以登记收购。")})
    outlet = (
        access.role_of(recorded_by).outlet
        if not access.is_administrator(recorded_by)
        else None
    )
    if quantity <= 0:
        raise ValidationError({"quantity": _("收购数量必须大于 0。")})
    if amount_paid < 0:
        raise ValidationError({"amount_paid": _("收购金额不能为负数。")})
    if outlet is not None and not household.village.lineage.startswith(
        outlet.region.lineage
    ):
        raise ValidationError({"household": _("只能收购本村贫困户的产品。")})
    if not BenefitLink.objects.filter(
        producer=batch.producer, household=household
    ).exists():
        raise ValidationError(
            {"household": _("该贫困户与批次的主体没有利益联结，请先登记利益联结。")}
        )
    if refusal := purchase_price_refusal(
        batch=batch, quantity=quantity, amount_paid=amount_paid
    ):
        if not price_reason.strip():
            raise ValidationError({"price_reason": refusal})
    # Before the contribution grows: a refused purchase must write nothing.
    trace_event_check(
        batch=batch,
        kind=TraceEventKind.PURCHASE,
        occurred_at=purchased_at,
        field="purchased_at",
    )
    # trace_event_check locked the batch row: purchases recorded at once
    # are added up in turn.
    contributions_exceeding_batch_refusal(batch=batch, adding=quantity)
    contribution = (
        BatchContribution.objects.select_for_update()
        .filter(batch=batch, household=household)
        .first()
    )
    if contribution is None:
        contribution = BatchContribution(
            batch=batch, household=household, quantity=0, amount_paid=0
        )
    validated_save(
        contribution,
        quantity=contribution.quantity + quantity,
        amount_paid=contribution.amount_paid + amount_paid,
    )
    # The money is dated by the purchase, not by the batch's harvest, and
    # waits for the household's confirmation.
    household_payment_add(
        household=household,
        producer=batch.producer,
        kind=PaymentKind.PURCHASE,
        amount=amount_paid,
        paid_on=timezone.localdate(_event_moment(purchased_at)),
        recorded_by=recorded_by,
        batch=batch,
        price_reason=price_reason.strip(),
    )
    return _trace_event_save(
        batch=batch,
        recorded_by=recorded_by,
        kind=TraceEventKind.PURCHASE,
        occurred_at=purchased_at,
        location=outlet.region if outlet else household.village,
        place=outlet.name if outlet else "",
        actor=(outlet.operator_name or outlet.name) if outlet else "",
        quantity=quantity,
        unit=batch.unit,
        reference_document_type=ReferenceDocumentType.PURCHASE_ORDER
        if reference_document_number
        else "",
        reference_document_number=reference_document_number,
    )
