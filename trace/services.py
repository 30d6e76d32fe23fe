"""Writes of the trace domain: every rule that changes trace rows lives here.

Services take keyword arguments, validate with `full_clean()` (DRF never
calls `Model.clean()`), and raise django.core.exceptions.ValidationError
with a message per field, which the API turns into a 400.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import IO, Any, TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access, rules
from trace.choices import (
    BatchStatus,
    CatalogueContactKind,
    CatalogueStatus,
    CatalogueStepKind,
    CertificationReviewStatus,
    CertificationStatus,
    ObjectionStatus,
    ProducerKind,
    ReferenceDocumentType,
    Role,
    TraceEventKind,
)
from trace.models import (
    Batch,
    BatchContribution,
    BatchStatusChange,
    BenefitLink,
    Brand,
    BrandLicense,
    CatalogueAvailability,
    CatalogueEntry,
    CatalogueEntryStep,
    CatalogueEvidence,
    CatalogueObjection,
    CataloguePhoto,
    Certification,
    CertificationPolicy,
    CertificationReview,
    Household,
    Outlet,
    Producer,
    ProductLine,
    Region,
    Sale,
    SaleEvidence,
    SlowSellingMark,
    TraceEvent,
    UserRole,
)
from trace.personal_data import (
    encrypt_id_number,
    id_number_blind_index,
    id_number_is_current,
    reencrypt_id_number,
)
from trace.public_cache import batch_story_changed, producer_story_changed
from trace.selectors import (  # brand_license_is_valid: labels imports it here
    batch_remaining,
    brand_license_is_valid,  # noqa: F401
    catalogue_entry_status,
    catalogue_listed_q,
    certification_is_active,
    certification_policy_for,
    origin_refusal,
    outlet_stock_of,
    producer_eligibility,
    product_line_refusal,
    region_subtree,
)
from trace.uploads import max_upload_bytes, upload_clean, upload_too_large
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


@transaction.atomic
def product_line_create(
    *, protected_regions: Iterable[Region] = (), **fields: Any
) -> ProductLine:
    """Register a product line; a geographical-indication line names its regions.

    Raise ValidationError for a GI line without a protected region.
    """
    line = validated_save(ProductLine(), **_normalized_product_line_fields(fields))
    _set_protected_regions(line, list(protected_regions))
    return line


@transaction.atomic
def product_line_update(
    *,
    product_line: ProductLine,
    protected_regions: Iterable[Region] | None = None,
    **fields: Any,
) -> ProductLine:
    fields = _normalized_product_line_fields(fields)
    _check_gtin_kept(product_line=product_line, fields=fields)
    batch_story_changed(*product_line.batches.values_list("pk", flat=True))
    line = validated_save(product_line, **fields)
    _set_protected_regions(
        line,
        list(line.protected_regions.all())
        if protected_regions is None
        else list(protected_regions),
    )
    return line


def _check_gtin_kept(*, product_line: ProductLine, fields: dict[str, Any]) -> None:
    """Refuse a new GTIN once a batch of the line has left draft.

    Its labels carry the GTIN in their Digital Links and its EPCIS events in
    their lot identifiers: a new GTIN would make printed codes and exported
    events name something else (issue 32: what was said stays said).
    """
    if "gtin" not in fields:
        return
    stored = (
        ProductLine.objects.filter(pk=product_line.pk)
        .values_list("gtin", flat=True)
        .first()
    )
    if fields["gtin"] == stored:
        return
    if product_line.batches.exclude(status=BatchStatus.DRAFT).exists():
        raise ValidationError(
            {
                "gtin": _(
                    "该产品线已有放行的批次，标签和追溯数据已使用原 GTIN，不能修改；"
                    "如需新 GTIN，请登记新的产品线。"
                )
            }
        )


def _set_protected_regions(line: ProductLine, regions: list[Region]) -> None:
    # A GI product is protected for a named area (地理标志保护地域): without
    # one, no batch origin could be checked, so the line is not accepted.
    if line.geographical_indication and not regions:
        raise ValidationError(
            {"protected_regions": _("地理标志产品线必须登记保护地域。")}
        )
    line.protected_regions.set(regions)


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


@transaction.atomic
def benefit_link_create(**fields: Any) -> BenefitLink:
    link = validated_save(BenefitLink(), **fields)
    producer_story_changed(link.producer_id)
    certification_recheck(producer=link.producer, trigger=_("新增利益联结"))
    return link


@transaction.atomic
def benefit_link_update(*, benefit_link: BenefitLink, **fields: Any) -> BenefitLink:
    """Change a benefit link and re-check its producer's certification.

    A certification rests on the links (its policy counts them), so one
    that no longer holds goes to the administrators' review queue.
    """
    previous_producer_id = (
        BenefitLink.objects.filter(pk=benefit_link.pk)
        .values_list("producer_id", flat=True)
        .first()
    )
    link = validated_save(benefit_link, **fields)
    trigger = (
        _("利益联结结束")
        if fields.get("ended_on") and link.ended_on <= timezone.localdate()
        else _("利益联结变更")
    )
    producer_story_changed(link.producer_id)
    certification_recheck(producer=link.producer, trigger=trigger)
    if previous_producer_id not in (None, link.producer_id):
        producer_story_changed(previous_producer_id)
        certification_recheck(
            producer=Producer.objects.get(pk=previous_producer_id), trigger=trigger
        )
    return link


def benefit_link_end(
    *, benefit_link: BenefitLink, ended_on: datetime.date
) -> BenefitLink:
    """End a benefit link on a day and re-check its producer's certification.

    Raise ValidationError if the link has already ended.
    """
    if benefit_link.ended_on is not None:
        raise ValidationError({"ended_on": _("该利益联结已结束。")})
    return benefit_link_update(benefit_link=benefit_link, ended_on=ended_on)


# Certification (扶贫产品认定).


@transaction.atomic
def certification_policy_set(*, region: Region, **fields: Any) -> CertificationPolicy:
    """Create or replace the 认定 policy of a region (its descendants inherit it).

    Every producer in the region that holds a current certification and
    follows this policy is re-checked against it.
    """
    policy = CertificationPolicy.objects.filter(region=region).first()
    policy = validated_save(policy or CertificationPolicy(region=region), **fields)
    producers = Producer.objects.filter(
        region_subtree(region=region, field="region"),
        certifications__status=CertificationStatus.ACTIVE,
        certifications__valid_until__gte=timezone.localdate(),
    ).distinct()
    for producer in producers.select_related("region"):
        if certification_policy_for(region=producer.region).pk == policy.pk:
            certification_recheck(producer=producer, trigger=_("认定政策变更"))
    return policy


def certification_recheck(
    *, producer: Producer, trigger: str
) -> list[CertificationReview]:
    """Re-check a producer's current certifications against its region's policy.

    For each active certification not yet expired: if the producer no
    longer qualifies, open a review for the administrators (or refresh the
    open one) with the reasons; if it qualifies again, close the open review
    as requalified. Return the reviews left open.
    """
    today = timezone.localdate()
    certifications = list(
        Certification.objects.filter(
            producer=producer,
            status=CertificationStatus.ACTIVE,
            valid_until__gte=today,
        )
    )
    if not certifications:
        return []
    eligibility = producer_eligibility(producer=producer)
    open_reviews = {
        review.certification_id: review
        for review in CertificationReview.objects.select_for_update().filter(
            certification__in=certifications, status=CertificationReviewStatus.OPEN
        )
    }
    opened = []
    for certification in certifications:
        review = open_reviews.get(certification.pk)
        if eligibility.qualifies:
            if review is not None:
                validated_save(
                    review,
                    status=CertificationReviewStatus.REQUALIFIED,
                    resolved_at=timezone.now(),
                    resolution_note=_("%(trigger)s后复核：重新符合认定条件。")
                    % {"trigger": trigger},
                )
            continue
        opened.append(
            validated_save(
                review or CertificationReview(),
                certification=certification,
                producer=producer,
                trigger=trigger,
                reason="".join(eligibility.reasons),
                policy_source=eligibility.policy.source_document,
            )
        )
    return opened


def certifications_recheck_all(*, trigger: str) -> int:
    """Re-check every producer holding a current certification; return how many.

    The services re-check a producer when they change what its certification
    rests on; a link that ends on a later day changes nothing that day, so
    beat runs this daily (trace.tasks.certifications_recheck_task, or the
    `recheck_certifications` command from cron) to catch it then.
    """
    producers = Producer.objects.filter(
        certifications__status=CertificationStatus.ACTIVE,
        certifications__valid_until__gte=timezone.localdate(),
    ).distinct()
    count = 0
    for producer in producers.select_related("region").iterator():
        with transaction.atomic():
            certification_recheck(producer=producer, trigger=trigger)
        count += 1
    return count


@transaction.atomic
def certification_update(
    *, certification: Certification, **fields: Any
) -> Certification:
    """Change a certification's issuer or validity, then re-check its producer.

    Status changes go through suspend / reinstate / revoke; the producer and
    number are fixed once issued. Raise ValidationError for a validity that
    ends before it starts or overlaps another active certification.
    """
    for fixed in ("producer", "number", "status", "status_reason"):
        fields.pop(fixed, None)
    certification = validated_save(certification, **fields)
    overlapping = Certification.objects.filter(
        producer=certification.producer_id,
        status=CertificationStatus.ACTIVE,
        valid_from__lte=certification.valid_until,
        valid_until__gte=certification.valid_from,
    ).exclude(pk=certification.pk)
    if certification.status == CertificationStatus.ACTIVE and overlapping.exists():
        raise ValidationError({"valid_from": _("该主体在此期间已有有效认定。")})
    if "valid_from" in fields or "valid_until" in fields:
        producer_story_changed(certification.producer_id)  # the story names the end
        certification_recheck(
            producer=certification.producer, trigger=_("认定有效期修改")
        )
    return certification


def _review_close(
    review: CertificationReview, *, status: str, note: str, resolved_by
) -> CertificationReview:
    return validated_save(
        review,
        status=status,
        resolved_at=timezone.now(),
        resolved_by=resolved_by,
        resolution_note=note,
    )


def _open_review(review: CertificationReview) -> CertificationReview:
    review = CertificationReview.objects.select_for_update().get(pk=review.pk)
    if review.status != CertificationReviewStatus.OPEN:
        raise ValidationError(
            {
                "status": _("该复核已处理（%(status)s）。")
                % {"status": review.get_status_display()}
            }
        )
    return review


@transaction.atomic
def certification_review_dismiss(
    *, review: CertificationReview, note: str, resolved_by
) -> CertificationReview:
    """Keep the certification: the administrator found it still true."""
    if not note.strip():
        raise ValidationError({"reason": _("请说明维持认定的理由。")})
    review = _open_review(review)
    return _review_close(
        review,
        status=CertificationReviewStatus.DISMISSED,
        note=note,
        resolved_by=resolved_by,
    )


@transaction.atomic
def certification_review_suspend(
    *, review: CertificationReview, note: str, resolved_by
) -> CertificationReview:
    """Suspend the certification under review; this closes the review."""
    review = _open_review(review)
    certification_suspend(
        certification=review.certification, reason=note, changed_by=resolved_by
    )
    review.refresh_from_db()
    return review


@transaction.atomic
def certification_review_revoke(
    *, review: CertificationReview, note: str, resolved_by
) -> CertificationReview:
    """Revoke the certification under review; this closes the review."""
    review = _open_review(review)
    certification_revoke(
        certification=review.certification, reason=note, changed_by=resolved_by
    )
    review.refresh_from_db()
    return review


def eligibility_refusal(eligibility) -> str:
    """Return the refusal a decision screen shows: reasons, then the source cited."""
    policy = eligibility.policy
    source = policy.source_document
    if policy.source_clause:
        source = f"{source}：“{policy.source_clause}”"
    return _("该主体不符合认定条件：%(reasons)s（依据：%(source)s）") % {
        "reasons": "".join(eligibility.reasons),
        "source": source,
    }


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
    eligibility = producer_eligibility(producer=producer)
    if not eligibility.qualifies:
        raise ValidationError({"producer": eligibility_refusal(eligibility)})
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
        certification = validated_save(
            certification,
            status=status,
            status_reason=reason,
            status_changed_at=timezone.now(),
            status_changed_by=changed_by,
        )
        if status != CertificationStatus.ACTIVE:
            # A suspension or revocation answers any open review of it.
            for review in CertificationReview.objects.filter(
                certification=certification, status=CertificationReviewStatus.OPEN
            ):
                _review_close(
                    review,
                    status=status,  # the review statuses share these two codes
                    note=reason,
                    resolved_by=changed_by,
                )
        return certification


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
    link with the producer.
    """
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
    if "product_line" in fields or "origin" in fields:
        _check_product_line_and_origin(
            producer=batch.producer,
            product_line=fields.get("product_line", batch.product_line),
            origin=fields.get("origin", batch.origin),
        )
    validated_save(batch, **fields)
    if contributions is not None:
        batch_set_contributions(batch=batch, contributions=contributions)
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
    batch.contributions.all().delete()
    for contribution in contributions:
        validated_save(BatchContribution(batch=batch), **contribution)
    batch_story_changed(batch.pk)


# Who may move a batch is trace.access's question; whether the move is legal is this one.
def batch_transition(
    *,
    batch: Batch,
    to_status: str,
    changed_by,
    reason: str = "",
    lifting_hold: bool = False,
) -> Batch:
    """Move a batch to a new status and record who did it and why.

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
            changed_by=changed_by,
        )
        # A hold or recall is what the scan page exists to say: at once.
        batch_story_changed(locked.pk)
    # The caller's instance reflects the new status too.
    batch.status, batch.updated_at = locked.status, locked.updated_at
    return batch


def batch_release(
    *, batch: Batch, changed_by, reason: str = "", lifting_hold: bool = False
) -> Batch:
    return batch_transition(
        batch=batch,
        to_status=BatchStatus.RELEASED,
        changed_by=changed_by,
        reason=reason,
        lifting_hold=lifting_hold,
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


@transaction.atomic
def trace_event_record(*, batch: Batch, recorded_by, **fields: Any) -> TraceEvent:
    """Record a critical tracking event of a non-draft batch, in its order.

    Raise ValidationError, writing nothing, if the batch is a draft or the
    event cannot follow the batch's story (trace.rules.trace_event_refusal:
    a 收购 into a recalled batch, a time in the future or before the batch
    existed, a production step after the first 发货), as an error on
    `occurred_at`.
    """
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
    sold), the producer's certification is not active today (suspended,
    revoked or expired), the unit differs from the batch's, or the quantity
    exceeds what is left: of the batch, or, for an outlet reselling goods
    it bought in from the batch (授权店进货), of that outlet's stock.
    """
    batch = (
        Batch.objects.select_for_update()
        .select_related("producer", "product_line")
        .get(pk=batch.pk)
    )
    if batch.status != BatchStatus.RELEASED:
        raise ValidationError({"batch": _("只有已放行的批次可以登记销售。")})
    if not certification_is_active(producer=batch.producer):
        raise ValidationError(
            {"batch": _("该主体的扶贫产品认定已暂停、撤销或过期，不能登记新的销售。")}
        )
    unit = fields.get("unit") or batch.unit
    if unit != batch.unit:
        raise ValidationError(
            {"unit": _("销售单位须与批次单位（%(unit)s）一致。") % {"unit": batch.unit}}
        )
    fields["unit"] = unit
    quantity = Decimal(fields.get("quantity") or 0)
    outlet, buyer_outlet = fields.get("outlet"), fields.get("buyer_outlet")
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


EvidenceRow = TypeVar("EvidenceRow", SaleEvidence, CatalogueEvidence)


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


def _evidence_store(
    evidence: EvidenceRow, *, file: IO[bytes], name: str, refused_message: str
) -> EvidenceRow:
    """Check an uploaded file, store it under a random name and save its row.

    `evidence` is an unsaved row with a `file`, `content_type` and `size`
    (SaleEvidence, CatalogueEvidence). Raise ValidationError, writing
    nothing, if the file is not a real image or PDF within
    SUYUAN_MAX_UPLOAD_BYTES.
    """
    size = getattr(file, "size", None)
    if size is not None and size > max_upload_bytes():
        raise upload_too_large()
    # Never read more than the limit plus one byte, enough to notice the excess.
    upload = upload_clean(
        data=file.read(max_upload_bytes() + 1),
        name=name,
        refused_message=refused_message,
    )
    evidence.content_type = upload.content_type
    evidence.size = len(upload.content)
    evidence.file.save(
        f"evidence{upload.suffix}", ContentFile(upload.content), save=False
    )
    try:
        with transaction.atomic():
            evidence.full_clean()
            evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


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
    return trace_event_record(
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
) -> TraceEvent:
    """Record a village purchase point's purchase from a household into a batch.

    The household's contribution to the batch grows by the quantity and the
    amount paid, so the purchase counts in the benefit ledger; the trace event
    names the purchase point, never the household. Raise ValidationError,
    writing nothing, if the user is not the village's purchase point, the
    household lives elsewhere or has no benefit link with the batch's
    producer, or the purchase cannot follow the batch's story (after its
    first 发货, into a recalled batch, in the future or before the batch
    existed: trace.rules.trace_event_refusal, an error on `purchased_at`).
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
    # Before the contribution grows: a refused purchase must write nothing.
    trace_event_check(
        batch=batch,
        kind=TraceEventKind.PURCHASE,
        occurred_at=purchased_at,
        field="purchased_at",
    )
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
    return trace_event_record(
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


# The 扶贫产品目录 and its 认定 procedure: 申报 → 核查 → 审定 → 公示 → 目录
# (seed 001 lines 112-118: 企业申报、摸底调查 … 开展核查; seed 002 line 43).

# Fields that say what the product is: fixed once the 监督员 has checked it.
CATALOGUE_IDENTITY_FIELDS = {
    "product_line",
    "region",
    "name",
    "category",
    "unit",
    "households",
}
# Fields buyers need and producers update as the market moves (seed 004
# 附件1 备注 1: 至少每月更新一次).
CATALOGUE_COMMERCIAL_FIELDS = {
    "specification",
    "price",
    "delivery_method",
    "season",
    "planned_quantity",
    "planned_period",
    "shop_url",
    "contact_kind",
    "informant",
    "note",
}
CATALOGUE_OPEN_STATUSES = {
    CatalogueStatus.DRAFT,
    CatalogueStatus.APPLIED,
    CatalogueStatus.REJECTED,
    CatalogueStatus.WITHDRAWN,
}


def _catalogue_step(
    *,
    entry: CatalogueEntry,
    kind: str,
    to_status: str,
    actor,
    reason: str = "",
    **facts,
) -> CatalogueEntryStep:
    step = CatalogueEntryStep.objects.create(
        entry=entry,
        kind=kind,
        from_status=entry.status,
        to_status=to_status,
        reason=reason,
        actor=actor,
        **facts,
    )
    entry.status = to_status
    return step


def _catalogue_locked(entry: CatalogueEntry) -> CatalogueEntry:
    return (
        CatalogueEntry.objects.select_for_update()
        .select_related("producer__region", "region")
        .get(pk=entry.pk)
    )


def _catalogue_require(entry: CatalogueEntry, *statuses: str) -> None:
    if entry.status not in statuses:
        raise ValidationError(
            {
                "status": _("目录条目当前为“%(current)s”，不能进行此操作。")
                % {"current": entry.get_status_display()}
            }
        )


def _catalogue_validate(
    entry: CatalogueEntry, households: Iterable[Household] | None
) -> None:
    """Check the rules that span rows: contact, informant, households."""
    producer = entry.producer
    if (
        producer.kind == ProducerKind.HOUSEHOLD
        and entry.contact_kind != CatalogueContactKind.INFORMANT
    ):
        # A household producer's contact would be the household's own phone.
        raise ValidationError(
            {"contact_kind": _("农户的产品请以村信息员为供货联系人，不公开农户信息。")}
        )
    if entry.contact_kind == CatalogueContactKind.INFORMANT:
        binding = UserRole.objects.filter(
            user=entry.informant, role=Role.INFORMANT
        ).first()
        if binding is None or not any(
            entry.region.lineage.startswith(region.lineage)
            for region in binding.regions.all()
        ):
            raise ValidationError({"informant": _("请选择负责该产品所在村的信息员。")})
    else:
        entry.informant = None
        # A family farm's contact may be a registered household's head: then
        # buyers would call a poor household (PIPL art. 28), so refuse.
        linked = Household.objects.filter(benefit_links__producer=producer)
        contact = (
            Q(head_name=producer.contact_person) if producer.contact_person else Q()
        )
        if producer.contact_phone:
            contact |= Q(phone=producer.contact_phone)
        if contact and linked.filter(contact).exists():
            raise ValidationError(
                {
                    "contact_kind": _(
                        "该主体的联系人是建档立卡贫困户本人，请以村信息员为供货联系人。"
                    )
                }
            )
    if households is not None:
        households = list(households)
        linked = set(
            BenefitLink.objects.filter(
                producer=producer, household__in=households
            ).values_list("household_id", flat=True)
        )
        if any(household.pk not in linked for household in households):
            raise ValidationError(
                {"households": _("涉及的贫困户必须与该主体有利益联结。")}
            )


@transaction.atomic
def catalogue_entry_create(
    *,
    producer: Producer,
    created_by,
    households: Iterable[Household] = (),
    region: Region | None = None,
    **fields: Any,
) -> CatalogueEntry:
    """Create a draft catalogue entry of a producer's product.

    Raise ValidationError if the contact would be a household's, the
    informant is not the village's, or a household has no benefit link.
    """
    households = list(households)
    entry = CatalogueEntry(
        producer=producer,
        region=region or producer.region,
        created_by=created_by,
        status=CatalogueStatus.DRAFT,
        **fields,
    )
    entry.full_clean()
    _catalogue_validate(entry, households)
    entry.save()
    entry.households.set(households)
    return entry


@transaction.atomic
def catalogue_entry_update(*, entry: CatalogueEntry, **fields: Any) -> CatalogueEntry:
    """Change an entry: what the product is only before 核查, price and delivery always.

    Raise ValidationError for a withdrawn entry or for identity fields of an
    entry already checked.
    """
    entry = _catalogue_locked(entry)
    fields.pop("producer", None)
    fields.pop("status", None)
    households = fields.pop("households", None)
    changed = set(fields) | ({"households"} if households is not None else set())
    identity = changed & CATALOGUE_IDENTITY_FIELDS
    if identity and entry.status not in CATALOGUE_OPEN_STATUSES:
        raise ValidationError(
            {
                name: _("已核查的条目不能修改产品本身；请移出后重新申报。")
                for name in sorted(identity)
            }
        )
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.full_clean()
    _catalogue_validate(entry, households)
    entry.save()
    if households is not None:
        entry.households.set(households)
    if entry.status in (CatalogueStatus.NOTICE, CatalogueStatus.LISTED):
        producer_story_changed(entry.producer_id)
    return entry


@transaction.atomic
def catalogue_entry_apply(
    *, entry: CatalogueEntry, applied_by, statement: str = ""
) -> CatalogueEntry:
    """Submit (申报) a draft, rejected or withdrawn entry for 核查.

    `statement` is the applicant's account of the benefit to households,
    kept with the step. Raise ValidationError from any other status.
    """
    entry = _catalogue_locked(entry)
    _catalogue_require(
        entry,
        CatalogueStatus.DRAFT,
        CatalogueStatus.REJECTED,
        CatalogueStatus.WITHDRAWN,
    )
    _catalogue_step(
        entry=entry,
        kind=CatalogueStepKind.APPLY,
        to_status=CatalogueStatus.APPLIED,
        actor=applied_by,
        reason=statement,
    )
    entry.notice_starts_on = entry.notice_ends_on = entry.listed_on = None
    entry.save()
    return entry


@transaction.atomic
def catalogue_entry_check(
    *, entry: CatalogueEntry, checked_by, passed: bool, reason: str = ""
) -> CatalogueEntry:
    """Record the 监督员's 核查 of the producer's benefit links.

    The county's policy decides (producer_eligibility); the step keeps the
    policy's source, the qualifying households and what was found. Raise
    ValidationError if a pass is recorded for a producer that does not
    qualify, or a failure without a reason.
    """
    entry = _catalogue_locked(entry)
    _catalogue_require(entry, CatalogueStatus.APPLIED)
    eligibility = producer_eligibility(producer=entry.producer)
    if passed and not eligibility.qualifies:
        raise ValidationError(
            {
                "passed": _("该主体不符合认定条件（%(source)s）：%(reasons)s")
                % {
                    "source": eligibility.policy.source_document,
                    "reasons": "".join(eligibility.reasons),
                }
            }
        )
    if not passed and not reason.strip():
        raise ValidationError({"reason": _("核查未通过须说明原因。")})
    _catalogue_step(
        entry=entry,
        kind=CatalogueStepKind.CHECK_PASSED
        if passed
        else CatalogueStepKind.CHECK_FAILED,
        to_status=CatalogueStatus.CHECKED if passed else CatalogueStatus.REJECTED,
        actor=checked_by,
        reason=reason,
        policy_source=eligibility.policy.source_document[:255],
        qualifying_households=eligibility.qualifying_households,
        findings=list(eligibility.reasons),
    )
    entry.save()
    return entry


@transaction.atomic
def catalogue_entry_decide(
    *,
    entry: CatalogueEntry,
    decided_by,
    approved: bool,
    reason: str = "",
    notice_days: int | None = None,
) -> CatalogueEntry:
    """Record the office's 审定; an approval starts the 公示 today.

    The 公示 lasts `notice_days` days (SUYUAN_CATALOGUE_NOTICE_DAYS by
    default), today included. Raise ValidationError if the producer holds
    no active certification, or for a rejection without a reason.
    """
    entry = _catalogue_locked(entry)
    _catalogue_require(entry, CatalogueStatus.CHECKED)
    if not approved:
        if not reason.strip():
            raise ValidationError({"reason": _("审定不通过须说明原因。")})
        _catalogue_step(
            entry=entry,
            kind=CatalogueStepKind.REJECT,
            to_status=CatalogueStatus.REJECTED,
            actor=decided_by,
            reason=reason,
        )
        entry.save()
        return entry
    if not certification_is_active(producer=entry.producer):
        raise ValidationError(
            {"producer": _("该主体没有有效的扶贫产品认定，产品不能列入目录。")}
        )
    days = notice_days or settings.SUYUAN_CATALOGUE_NOTICE_DAYS
    if not 1 <= days <= 30:
        raise ValidationError({"notice_days": _("公示期应为 1 至 30 天。")})
    today = timezone.localdate()
    entry.notice_starts_on = today
    entry.notice_ends_on = today + datetime.timedelta(days=days - 1)
    _catalogue_step(
        entry=entry,
        kind=CatalogueStepKind.APPROVE,
        to_status=CatalogueStatus.NOTICE,
        actor=decided_by,
        reason=reason,
    )
    entry.save()
    return entry


def catalogue_objection_lodge(
    *, entry: CatalogueEntry, text: str, name: str = "", contact: str = ""
) -> CatalogueObjection:
    """Lodge anyone's objection to an entry in 公示 (name and contact optional).

    Raise ValidationError if the entry is not in 公示 today.
    """
    today = timezone.localdate()
    if not (
        entry.status == CatalogueStatus.NOTICE
        and entry.notice_starts_on <= today <= entry.notice_ends_on
    ):
        raise ValidationError({"entry": _("该产品不在公示期内，不能提出异议。")})
    if not text.strip():
        raise ValidationError({"text": _("请写明异议内容。")})
    return validated_save(
        CatalogueObjection(),
        entry=entry,
        text=text.strip(),
        name=name.strip(),
        contact=contact.strip(),
    )


@transaction.atomic
def catalogue_objection_review(
    *, objection: CatalogueObjection, reviewed_by, upheld: bool, note: str
) -> CatalogueObjection:
    """Record the review of an objection; an upheld one stops the entry.

    Raise ValidationError if the objection was already reviewed or the note
    is empty.
    """
    objection = CatalogueObjection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.PENDING:
        raise ValidationError({"status": _("该异议已核实处理。")})
    if not note.strip():
        raise ValidationError({"note": _("请写明核实意见。")})
    objection = validated_save(
        objection,
        status=ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED,
        review_note=note,
        reviewed_by=reviewed_by,
        reviewed_at=timezone.now(),
    )
    if upheld:
        entry = _catalogue_locked(objection.entry)
        if entry.status in (CatalogueStatus.NOTICE, CatalogueStatus.LISTED):
            _catalogue_step(
                entry=entry,
                kind=CatalogueStepKind.OBJECTION_UPHELD,
                to_status=CatalogueStatus.REJECTED,
                actor=reviewed_by,
                reason=note,
            )
            entry.save()
            producer_story_changed(entry.producer_id)
    return objection


def catalogue_notices_close(*, on: datetime.date | None = None) -> int:
    """Record the entries whose 公示 ended without objection as listed.

    Idempotent (run daily by Celery beat or `catalogue_notices_close`): an
    entry moves once, locked, and is listed from the day after its 公示.
    The public catalogue already treats such entries as listed by date
    (catalogue_listed_q); this writes the step that says so. Return how
    many entries moved.
    """
    on = on or timezone.localdate()
    moved = 0
    due = CatalogueEntry.objects.filter(
        catalogue_listed_q(on=on), status=CatalogueStatus.NOTICE
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            entry = (
                CatalogueEntry.objects.select_for_update()
                .filter(catalogue_listed_q(on=on), pk=pk, status=CatalogueStatus.NOTICE)
                .first()
            )
            if entry is None:  # moved by a concurrent run, or an objection came in
                continue
            entry.listed_on = entry.notice_ends_on + datetime.timedelta(days=1)
            _catalogue_step(
                entry=entry,
                kind=CatalogueStepKind.LIST,
                to_status=CatalogueStatus.LISTED,
                actor=None,
                reason=_("公示期满（%(start)s 至 %(end)s）无异议，列入目录。")
                % {"start": entry.notice_starts_on, "end": entry.notice_ends_on},
            )
            entry.save()
            producer_story_changed(entry.producer_id)
            moved += 1
    return moved


@transaction.atomic
def catalogue_entry_withdraw(
    *, entry: CatalogueEntry, withdrawn_by, reason: str
) -> CatalogueEntry:
    """Take an entry out of the procedure or the 目录 (已移出), with the reason."""
    entry = _catalogue_locked(entry)
    _catalogue_require(
        entry,
        CatalogueStatus.APPLIED,
        CatalogueStatus.CHECKED,
        CatalogueStatus.NOTICE,
        CatalogueStatus.LISTED,
    )
    if not reason.strip():
        raise ValidationError({"reason": _("移出目录须说明原因。")})
    _catalogue_step(
        entry=entry,
        kind=CatalogueStepKind.WITHDRAW,
        to_status=CatalogueStatus.WITHDRAWN,
        actor=withdrawn_by,
        reason=reason,
    )
    entry.save()
    producer_story_changed(entry.producer_id)
    return entry


def catalogue_availability_set(
    *,
    entry: CatalogueEntry,
    month: datetime.date,
    available: bool,
    quantity: Decimal,
    recorded_by,
    note: str = "",
) -> CatalogueAvailability:
    """Keep a listed product's availability and quantity for a month (信息员).

    Raise ValidationError if the entry is not in the 目录.
    """
    if catalogue_entry_status(entry=entry) != CatalogueStatus.LISTED:
        raise ValidationError({"entry": _("只有已入目录的产品登记月度供货情况。")})
    month = month.replace(day=1)
    record = CatalogueAvailability.objects.filter(entry=entry, month=month).first()
    return validated_save(
        record or CatalogueAvailability(entry=entry, month=month),
        available=available,
        quantity=quantity if available else Decimal("0"),
        note=note,
        recorded_by=recorded_by,
    )


# At most this many photos per product: a phone page, not a gallery.
CATALOGUE_MAX_PHOTOS = 6


def catalogue_photo_add(
    *,
    entry: CatalogueEntry,
    content: bytes,
    suffix: str,
    uploaded_by,
    caption: str = "",
) -> CataloguePhoto:
    """Store a cleaned photo (no EXIF: the caller cleans uploads) of an entry."""
    count = entry.photos.count()
    if count >= CATALOGUE_MAX_PHOTOS:
        raise ValidationError(
            {
                "file": _("每个产品最多 %(count)s 张照片。")
                % {"count": CATALOGUE_MAX_PHOTOS}
            }
        )
    photo = CataloguePhoto(
        entry=entry, caption=caption, position=count, uploaded_by=uploaded_by
    )
    photo.image.save(f"entry-{entry.pk}{suffix}", ContentFile(content), save=False)
    photo.full_clean()
    photo.save()
    if entry.status in (CatalogueStatus.NOTICE, CatalogueStatus.LISTED):
        producer_story_changed(entry.producer_id)
    return photo


# An application gathers its documents while it waits for 核查 or is put
# right after a refusal; once checked, what the 监督员 read stays as it was.
CATALOGUE_EVIDENCE_STATUSES = (
    CatalogueStatus.DRAFT,
    CatalogueStatus.APPLIED,
    CatalogueStatus.REJECTED,
)


def catalogue_evidence_add(
    *,
    entry: CatalogueEntry,
    uploaded_by,
    file: IO[bytes],
    name: str = "",
    caption: str = "",
) -> CatalogueEvidence:
    """Attach a document (photo or PDF) to an application, stored privately.

    Raise ValidationError if the user may not apply the entry, the entry is
    past 核查 (only a draft, applied or rejected entry gathers evidence), or
    the file is not a real image or PDF within SUYUAN_MAX_UPLOAD_BYTES.
    """
    if not access.may_edit_catalogue_entry(uploaded_by, entry):
        raise ValidationError(
            {"file": _("只有本主体操作员、本村信息员或管理员可以上传申报材料。")}
        )
    with transaction.atomic():
        entry = _catalogue_locked(entry)  # no upload races the step to 审定
        if entry.status not in CATALOGUE_EVIDENCE_STATUSES:
            raise ValidationError(
                {
                    "file": _(
                        "目录条目当前为“%(current)s”，审定前（草稿、申报中或未通过）"
                        "才能上传申报材料。"
                    )
                    % {"current": entry.get_status_display()}
                }
            )
        evidence = CatalogueEvidence(
            entry=entry, caption=caption, uploaded_by=uploaded_by
        )
        return _evidence_store(
            evidence,
            file=file,
            name=name,
            refused_message=_("请上传申报材料的 JPEG、PNG、WebP 照片或 PDF 扫描件。"),
        )


def _plain(value: Decimal) -> str:
    """Return a quantity without trailing zeros (30, not 30.000)."""
    return format(Decimal(value).normalize(), "f")


# 滞销 marks and authorised stores.


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

    Raise ValidationError unless exactly one of product line and batch is
    given and the period ends on or after it starts.
    """
    if (product_line is None) == (batch is None):
        raise ValidationError({"product_line": _("请选择产品线或批次（二选一）。")})
    if valid_until < valid_from:
        raise ValidationError({"valid_until": _("滞销截止日期不能早于起始日期。")})
    return validated_save(
        SlowSellingMark(),
        region=region,
        product_line=product_line,
        batch=batch,
        valid_from=valid_from,
        valid_until=valid_until,
        reason=reason,
        marked_by=marked_by,
    )


@transaction.atomic
def outlet_authorisation_revoke(
    *, outlet: Outlet, revoked_on: datetime.date, reason: str
) -> Outlet:
    """Withdraw an outlet's authorisation (授权店 → 取消授权), keeping date and reason.

    Raise ValidationError without a reason or if it is already withdrawn.
    """
    outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
    if not reason.strip():
        raise ValidationError({"reason": _("取消授权必须说明原因。")})
    if outlet.authorisation_revoked_on is not None:
        raise ValidationError({"status": _("该网点的授权已取消。")})
    return validated_save(
        outlet, authorisation_revoked_on=revoked_on, authorisation_revoked_reason=reason
    )
