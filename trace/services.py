"""Writes of the trace domain: every rule that changes trace rows lives here.

Services take keyword arguments, validate with `full_clean()` (DRF never
calls `Model.clean()`), and raise django.core.exceptions.ValidationError
with a message per field, which the API turns into a 400.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trace.choices import BatchStatus, CertificationStatus
from trace.models import (
    Batch,
    BatchContribution,
    BatchStatusChange,
    BenefitLink,
    Brand,
    BrandLicense,
    Certification,
    Household,
    Outlet,
    Producer,
    ProductLine,
    Region,
    Sale,
    TraceEvent,
)
from trace.personal_data import (
    encrypt_id_number,
    id_number_blind_index,
    id_number_is_current,
    reencrypt_id_number,
)
from trace.public_cache import batch_story_changed, producer_story_changed
from trace.selectors import (
    brand_license_is_valid,
    certification_is_active,
    producer_qualifies,
)
from trace.validators import normalize_gtin, normalize_id_number, normalize_uscc

# The one table of legal batch transitions: draft → released → on_hold →
# released or recalled; a released batch may also be recalled directly.
BATCH_TRANSITIONS: dict[str, set[str]] = {
    BatchStatus.DRAFT: {BatchStatus.RELEASED},
    BatchStatus.RELEASED: {BatchStatus.ON_HOLD, BatchStatus.RECALLED},
    BatchStatus.ON_HOLD: {BatchStatus.RELEASED, BatchStatus.RECALLED},
    BatchStatus.RECALLED: set(),
}


def validated_save(instance: models.Model, **fields: Any) -> models.Model:
    """Set fields, validate the whole row (DRF never calls full_clean) and save it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


# Regions, producers, brands, product lines, outlets: the office's registers.


def region_create(
    *, name: str, level: str, parent: Region | None = None, code: str = ""
) -> Region:
    return validated_save(Region(), name=name, level=level, parent=parent, code=code)


def producer_create(**fields: Any) -> Producer:
    return validated_save(Producer(), **_normalized_producer_fields(fields))


def producer_update(*, producer: Producer, **fields: Any) -> Producer:
    producer_story_changed(producer.pk)
    return validated_save(producer, **_normalized_producer_fields(fields))


def _normalized_producer_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("uscc"):
        try:
            fields["uscc"] = normalize_uscc(fields["uscc"])
        except ValidationError as error:
            raise ValidationError({"uscc": error.messages}) from error
    elif "uscc" in fields:
        fields["uscc"] = None
    return fields


def brand_create(**fields: Any) -> Brand:
    return validated_save(Brand(), **fields)


def brand_update(*, brand: Brand, **fields: Any) -> Brand:
    return validated_save(brand, **fields)


def product_line_create(**fields: Any) -> ProductLine:
    return validated_save(ProductLine(), **_normalized_product_line_fields(fields))


def product_line_update(*, product_line: ProductLine, **fields: Any) -> ProductLine:
    batch_story_changed(*product_line.batches.values_list("pk", flat=True))
    return validated_save(product_line, **_normalized_product_line_fields(fields))


def _normalized_product_line_fields(fields: dict[str, Any]) -> dict[str, Any]:
    if fields.get("gtin"):
        try:
            fields["gtin"] = normalize_gtin(fields["gtin"])
        except ValidationError as error:
            raise ValidationError({"gtin": error.messages}) from error
    elif "gtin" in fields:
        fields["gtin"] = None
    return fields


def outlet_create(**fields: Any) -> Outlet:
    return validated_save(Outlet(), **fields)


def outlet_update(*, outlet: Outlet, **fields: Any) -> Outlet:
    return validated_save(outlet, **fields)


# Brand licenses (统一许可授权).


@transaction.atomic
def brand_license_grant(
    *,
    brand: Brand,
    producer: Producer,
    product_lines: Iterable[ProductLine],
    valid_from: datetime.date,
    valid_until: datetime.date,
) -> BrandLicense:
    product_lines = list(product_lines)
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("授权截止日期不能早于起始日期。")})
    if any(line.brand_id != brand.pk for line in product_lines):
        raise ValidationError({"product_lines": _("只能授权该品牌下的产品线。")})
    license_ = validated_save(
        BrandLicense(),
        brand=brand,
        producer=producer,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    license_.product_lines.set(product_lines)
    producer_story_changed(producer.pk)  # the 统一品牌 mark
    return license_


def brand_license_revoke(*, license_: BrandLicense, reason: str) -> BrandLicense:
    if not reason.strip():
        raise ValidationError({"reason": _("撤销授权必须说明原因。")})
    if license_.revoked_at is not None:
        raise ValidationError({"status": _("该授权已撤销。")})
    producer_story_changed(license_.producer_id)
    return validated_save(license_, revoked_at=timezone.now(), revoked_reason=reason)


# Households and benefit links.


def household_create(*, id_number: str, **fields: Any) -> Household:
    """Register a household; the ID number is stored only encrypted.

    Raise ValidationError if the ID number is invalid or already registered.
    """
    household = Household()
    _set_id_number(household, id_number)
    return _save_household(household, **fields)


def household_update(
    *, household: Household, id_number: str | None = None, **fields: Any
) -> Household:
    if id_number:
        _set_id_number(household, id_number)
    return _save_household(household, **fields)


def _set_id_number(household: Household, id_number: str) -> None:
    try:
        number = normalize_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from error
    index = id_number_blind_index(number)
    if (
        Household.objects.filter(id_number_index=index)
        .exclude(pk=household.pk)
        .exists()
    ):
        raise ValidationError({"id_number": _("该身份证号码已登记。")})
    household.id_number_encrypted = encrypt_id_number(number)
    household.id_number_index = index


def household_id_numbers_reencrypt(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every household's ID number under the newest key.

    Run after putting a new key first in SUYUAN_ID_NUMBER_KEYS and before
    removing the old one. Idempotent: rows already under the newest key are
    left alone. Works in batches, each in its own transaction with the rows
    locked. The blind index does not change (it has its own key). Return
    counts: checked, reencrypted.
    """
    checked = reencrypted = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                Household.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "id_number_encrypted")[:batch_size]
            )
            if not rows:
                break
            for pk, token in rows:
                if not id_number_is_current(token):
                    # update(): no audit row, the trail never holds ID numbers.
                    Household.objects.filter(pk=pk).update(
                        id_number_encrypted=reencrypt_id_number(token)
                    )
                    reencrypted += 1
            checked += len(rows)
            last_pk = rows[-1][0]
    return {"checked": checked, "reencrypted": reencrypted}


def _save_household(household: Household, **fields: Any) -> Household:
    try:
        with transaction.atomic():
            # Excluded from full_clean: the unique check would echo nothing
            # useful, and the blind index was checked above.
            for name, value in fields.items():
                setattr(household, name, value)
            household.full_clean(exclude=["id_number_index", "id_number_encrypted"])
            household.save()
    except IntegrityError as error:  # a concurrent registration of the same ID
        raise ValidationError({"id_number": _("该身份证号码已登记。")}) from error
    return household


def household_record_public_name_consent(
    *, household: Household, recorded_by, consented: bool
) -> Household:
    """Record (or withdraw) consent to show the masked name on public pages."""
    for producer_id in household.benefit_links.values_list("producer_id", flat=True):
        producer_story_changed(producer_id)
    if consented:
        return _save_household(
            household,
            public_name_consent_at=timezone.now(),
            public_name_consent_by=recorded_by,
        )
    return _save_household(
        household, public_name_consent_at=None, public_name_consent_by=None
    )


def benefit_link_create(**fields: Any) -> BenefitLink:
    benefit_link = validated_save(BenefitLink(), **fields)
    producer_story_changed(benefit_link.producer_id)
    return benefit_link


def benefit_link_update(*, benefit_link: BenefitLink, **fields: Any) -> BenefitLink:
    benefit_link = validated_save(benefit_link, **fields)
    producer_story_changed(benefit_link.producer_id)
    return benefit_link


# Certification (扶贫产品认定).


@transaction.atomic
def producer_certify(
    *,
    producer: Producer,
    number: str,
    issuer: str,
    valid_from: datetime.date,
    valid_until: datetime.date,
    certified_by,
) -> Certification:
    """Issue an active certification to a producer that qualifies.

    Raise ValidationError if the producer does not meet the qualification
    rule or already holds an active certification for an overlapping period.
    """
    Producer.objects.select_for_update().filter(pk=producer.pk).first()
    if not producer_qualifies(producer=producer):
        raise ValidationError(
            {
                "producer": _(
                    "该主体不符合认定条件：至少带动 1 户贫困户且该户年收益不低于 %(amount)s 元。"
                )
                % {"amount": settings.SUYUAN_MIN_HOUSEHOLD_INCOME}
            }
        )
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("有效期截止日期不能早于起始日期。")})
    overlapping = Certification.objects.filter(
        producer=producer,
        status=CertificationStatus.ACTIVE,
        valid_from__lte=valid_until,
        valid_until__gte=valid_from,
    )
    if overlapping.exists():
        raise ValidationError({"producer": _("该主体在此期间已有有效认定。")})
    producer_story_changed(producer.pk)
    return validated_save(
        Certification(),
        producer=producer,
        number=number,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        status=CertificationStatus.ACTIVE,
        status_changed_at=timezone.now(),
        status_changed_by=certified_by,
    )


def certification_suspend(
    *, certification: Certification, reason: str, changed_by
) -> Certification:
    return _certification_set_status(
        certification=certification,
        status=CertificationStatus.SUSPENDED,
        allowed_from={CertificationStatus.ACTIVE},
        reason=reason,
        changed_by=changed_by,
    )


def certification_reinstate(
    *, certification: Certification, reason: str, changed_by
) -> Certification:
    return _certification_set_status(
        certification=certification,
        status=CertificationStatus.ACTIVE,
        allowed_from={CertificationStatus.SUSPENDED},
        reason=reason,
        changed_by=changed_by,
    )


def certification_revoke(
    *, certification: Certification, reason: str, changed_by
) -> Certification:
    return _certification_set_status(
        certification=certification,
        status=CertificationStatus.REVOKED,
        allowed_from={CertificationStatus.ACTIVE, CertificationStatus.SUSPENDED},
        reason=reason,
        changed_by=changed_by,
    )


def _certification_set_status(
    *,
    certification: Certification,
    status: str,
    allowed_from: set[str],
    reason: str,
    changed_by,
) -> Certification:
    if not reason.strip():
        raise ValidationError({"reason": _("请说明原因。")})
    with transaction.atomic():
        certification = Certification.objects.select_for_update().get(
            pk=certification.pk
        )
        if certification.status not in allowed_from:
            raise ValidationError(
                {
                    "status": _("认定当前为“%(current)s”，不能变更为“%(target)s”。")
                    % {
                        "current": certification.get_status_display(),
                        "target": CertificationStatus(status).label,
                    }
                }
            )
        producer_story_changed(certification.producer_id)
        return validated_save(
            certification,
            status=status,
            status_reason=reason,
            status_changed_at=timezone.now(),
            status_changed_by=changed_by,
        )


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

    Raise ValidationError if the producer has no active certification, lacks
    the brand license of a branded product line, or a contributing household
    has no benefit link with the producer.
    """
    if not certification_is_active(producer=producer):
        raise ValidationError(
            {"producer": _("该主体没有有效的扶贫产品认定，不能登记批次。")}
        )
    if not brand_license_is_valid(producer=producer, product_line=product_line):
        raise ValidationError(
            {"product_line": _("该主体没有此产品线的有效品牌授权（统一许可授权）。")}
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
    contributions: Iterable[dict[str, Any]] | None = None,
    **fields: Any,
) -> Batch:
    """Change a draft batch; released batches are fixed, their labels carry them.

    Raise ValidationError if the batch is no longer a draft.
    """
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
    if "product_line" in fields and not brand_license_is_valid(
        producer=batch.producer, product_line=fields["product_line"]
    ):
        raise ValidationError(
            {"product_line": _("该主体没有此产品线的有效品牌授权（统一许可授权）。")}
        )
    validated_save(batch, **fields)
    if contributions is not None:
        batch_set_contributions(batch=batch, contributions=contributions)
    return batch


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
    batch.contributions.all().delete()
    for contribution in contributions:
        validated_save(BatchContribution(batch=batch), **contribution)
    batch_story_changed(batch.pk)


# Who may move a batch is trace.access's question; whether the move is legal is this one.
def batch_transition(
    *, batch: Batch, to_status: str, changed_by, reason: str = ""
) -> Batch:
    """Move a batch to a new status and record who did it and why.

    Raise ValidationError for a transition not in BATCH_TRANSITIONS, for a
    hold or recall without a reason, and for releasing a batch whose producer
    has no active certification.
    """
    with transaction.atomic():
        locked = (
            Batch.objects.select_for_update()
            .select_related("producer")
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
        locked.status = to_status
        locked.save(update_fields=["status", "updated_at"])
        BatchStatusChange.objects.create(
            batch=locked,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            changed_by=changed_by,
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


# Trace events and sales: append-only records.


def trace_event_record(*, batch: Batch, recorded_by, **fields: Any) -> TraceEvent:
    """Record a critical tracking event of a non-draft batch."""
    if batch.status == BatchStatus.DRAFT:
        raise ValidationError({"batch": _("草稿批次尚未放行，不能记录追溯事件。")})
    event = validated_save(TraceEvent(), batch=batch, recorded_by=recorded_by, **fields)
    batch_story_changed(batch.pk)
    return event


def sale_record(*, batch: Batch, recorded_by, **fields: Any) -> Sale:
    """Record a sale of a released batch; the seller is the batch's producer.

    Raise ValidationError if the batch is not released (a batch on hold or
    recalled must not be sold).
    """
    if batch.status != BatchStatus.RELEASED:
        raise ValidationError({"batch": _("只有已放行的批次可以登记销售。")})
    return validated_save(
        Sale(), batch=batch, seller=batch.producer, recorded_by=recorded_by, **fields
    )
