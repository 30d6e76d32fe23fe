"""Reads of the trace domain, scoped to what a user may see (trace.access)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access
from trace.choices import BenefitKind, CertificationStatus, ProducerKind
from trace.models import (
    Batch,
    BatchContribution,
    BenefitLink,
    Brand,
    BrandLicense,
    Certification,
    CertificationPolicy,
    CertificationReview,
    Household,
    Outlet,
    Producer,
    ProductLine,
    Region,
    Sale,
    SlowSellingMark,
    TraceEvent,
)

# Regions print their whole path (province to village): fetch it in one join.
REGION_PATH = "parent__parent__parent__parent"


def region_subtree(*, region: Region, field: str = "") -> Q:
    """Return a filter for a region and its descendants (at `field` if given)."""
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}lineage__startswith": region.lineage})


def region_list() -> QuerySet[Region]:
    """Regions are public reference data."""
    return Region.objects.select_related(REGION_PATH)


def brand_list() -> QuerySet[Brand]:
    return Brand.objects.all()


def product_line_list() -> QuerySet[ProductLine]:
    return ProductLine.objects.select_related("brand")


def product_line_list_usable_by(
    *, producer: Producer, on: datetime.date | None = None
) -> QuerySet[ProductLine]:
    """Return the product lines the producer may register batches of.

    The same rule as `product_line_refusal`: unbranded lines it owns or that
    have no owner, and branded lines it holds a valid license for.
    """
    on = on or timezone.localdate()
    licensed = BrandLicense.objects.filter(
        producer=producer,
        valid_from__lte=on,
        valid_until__gte=on,
        revoked_at__isnull=True,
    ).values("product_lines")
    return product_line_list().filter(
        Q(brand__isnull=True, producer__isnull=True)
        | Q(brand__isnull=True, producer=producer)
        | Q(brand__isnull=False, pk__in=licensed)
    )


def outlet_list() -> QuerySet[Outlet]:
    return Outlet.objects.select_related(f"region__{REGION_PATH}")


def producer_list_visible_to(*, user) -> QuerySet[Producer]:
    return Producer.objects.filter(access.producer_scope(user)).select_related(
        f"region__{REGION_PATH}"
    )


def certification_list_visible_to(*, user) -> QuerySet[Certification]:
    return Certification.objects.filter(
        access.producer_scope(user, "producer")
    ).select_related("producer")


def household_list_visible_to(*, user) -> QuerySet[Household]:
    if not access.may_see_households(user):
        return Household.objects.none()
    return Household.objects.select_related(f"village__{REGION_PATH}")


def benefit_link_list_visible_to(*, user) -> QuerySet[BenefitLink]:
    return BenefitLink.objects.filter(
        access.producer_scope(user, "producer")
    ).select_related("producer", f"household__village__{REGION_PATH}")


def brand_license_list_visible_to(*, user) -> QuerySet[BrandLicense]:
    return (
        BrandLicense.objects.filter(access.producer_scope(user, "producer"))
        .select_related("brand", "producer")
        .prefetch_related("product_lines")
    )


def batch_list_visible_to(*, user) -> QuerySet[Batch]:
    return Batch.objects.filter(access.batch_scope(user)).select_related(
        "producer", "product_line__brand", f"origin__{REGION_PATH}"
    )


def trace_event_list_visible_to(*, user) -> QuerySet[TraceEvent]:
    return TraceEvent.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch", "location"
    )


def sale_list_visible_to(*, user) -> QuerySet[Sale]:
    return Sale.objects.filter(access.batch_scope(user, "batch")).select_related(
        "batch__product_line", "seller", "outlet"
    )


def household_reference_list_visible_to(*, user) -> QuerySet[Household]:
    """Households linked to a producer the user sees, for choosing contributors."""
    return Household.objects.filter(
        pk__in=BenefitLink.objects.filter(
            access.producer_scope(user, "producer")
        ).values("household")
    )


def slow_selling_mark_list() -> QuerySet[SlowSellingMark]:
    """滞销 marks are the offices' public notices: anyone signed in reads them."""
    return SlowSellingMark.objects.select_related("product_line", "batch", "region")


def certification_policy_list() -> QuerySet[CertificationPolicy]:
    """认定 policies are the offices' published rules: anyone signed in reads them."""
    return CertificationPolicy.objects.select_related(f"region__{REGION_PATH}")


def certification_review_list_visible_to(*, user) -> QuerySet[CertificationReview]:
    """Return the review queue: it is the administrators' (they decide 认定)."""
    if not access.is_administrator(user):
        return CertificationReview.objects.none()
    return CertificationReview.objects.select_related(
        "certification", "producer", "resolved_by"
    )


def benefit_links_in_force(*, on: datetime.date, field: str = "") -> Q:
    """Return a filter for benefit links in force on the day.

    A link counts from `since` and stops counting on `ended_on` (the day
    it ended is no longer covered).
    """
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}since__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on})
    )


def brand_license_is_valid(
    *, producer: Producer, product_line: ProductLine, on: datetime.date | None = None
) -> bool:
    """Return True if the producer may use the line's brand on the given day.

    Unbranded product lines need no license.
    """
    if product_line.brand_id is None:
        return True
    on = on or timezone.localdate()
    return BrandLicense.objects.filter(
        producer=producer,
        brand_id=product_line.brand_id,
        product_lines=product_line,
        valid_from__lte=on,
        valid_until__gte=on,
        revoked_at__isnull=True,
    ).exists()


def certification_policy_for(*, region: Region) -> CertificationPolicy:
    """Return the 认定 policy of the region or of its nearest ancestor that has one.

    Where no region up the chain has a policy, return an unsaved system default:
    every producer kind and benefit-link kind, one household, and the
    SUYUAN_MIN_HOUSEHOLD_INCOME setting as the yearly minimum.
    """
    ancestor_ids = [int(pk) for pk in region.lineage.strip("/").split("/") if pk]
    policies = {
        policy.region_id: policy
        for policy in CertificationPolicy.objects.filter(
            region_id__in=ancestor_ids
        ).select_related("region")
    }
    for region_id in reversed(ancestor_ids):
        if region_id in policies:
            return policies[region_id]
    return CertificationPolicy(
        region=region,
        eligible_producer_kinds=list(ProducerKind.values),
        qualifying_benefit_kinds=list(BenefitKind.values),
        min_annual_income=Decimal(settings.SUYUAN_MIN_HOUSEHOLD_INCOME),
        min_households=1,
        source_document=str(_("系统默认标准（本地区未设认定政策）")),
    )


@dataclass(frozen=True)
class Eligibility:
    """Whether a producer meets its region's 认定 policy, and why not."""

    policy: CertificationPolicy
    qualifying_households: int
    reasons: tuple[str, ...]

    @property
    def qualifies(self) -> bool:
        return not self.reasons


def producer_eligibility(
    *, producer: Producer, on: datetime.date | None = None
) -> Eligibility:
    """Check the producer against the 认定 policy of its region on a day.

    A household counts when one benefit link of a qualifying kind, in force
    on the day (today if not given), brings it at least the policy's yearly
    minimum: links of different kinds are not summed, since a rule such as
    邵东's names one kind of link (务工). A link that has ended, or has not
    started yet, does not count.
    """
    on = on or timezone.localdate()
    policy = certification_policy_for(region=producer.region)
    reasons = []
    if producer.kind not in policy.eligible_producer_kinds:
        reasons.append(
            _("%(kind)s不在本地区可认定的主体类型之内（%(kinds)s）。")
            % {
                "kind": producer.get_kind_display(),
                "kinds": "、".join(
                    str(ProducerKind(kind).label)
                    for kind in policy.eligible_producer_kinds
                ),
            }
        )
    households = (
        BenefitLink.objects.filter(
            benefit_links_in_force(on=on),
            producer=producer,
            kind__in=policy.qualifying_benefit_kinds,
            annual_income__gte=policy.min_annual_income,
        )
        .values("household")
        .distinct()
        .count()
    )
    if households < policy.min_households:
        reasons.append(
            _(
                "以%(kinds)s方式、每户年收益不低于 %(amount)s 元的贫困户有 %(count)s 户，"
                "少于要求的 %(required)s 户。"
            )
            % {
                "kinds": "、".join(
                    str(BenefitKind(kind).label)
                    for kind in policy.qualifying_benefit_kinds
                ),
                "amount": policy.min_annual_income,
                "count": households,
                "required": policy.min_households,
            }
        )
    return Eligibility(
        policy=policy, qualifying_households=households, reasons=tuple(reasons)
    )


def certification_is_active(
    *, producer: Producer, on: datetime.date | None = None
) -> bool:
    """Return True if the producer holds an active certification valid on the day."""
    on = on or timezone.localdate()
    return Certification.objects.filter(
        producer=producer,
        status=CertificationStatus.ACTIVE,
        valid_from__lte=on,
        valid_until__gte=on,
    ).exists()


def product_line_refusal(
    *, producer: Producer, product_line: ProductLine, on: datetime.date | None = None
) -> str:
    """Return why the producer may not use the product line, or "" if it may.

    A branded line needs a valid license of its brand for that line
    (统一许可授权); an unbranded line that has an owner belongs to that
    owner alone; an unbranded line without an owner is a generic product
    anyone may register.
    """
    if product_line.brand_id is not None:
        if not brand_license_is_valid(
            producer=producer, product_line=product_line, on=on
        ):
            return _("该主体没有此产品线的有效品牌授权（统一许可授权）。")
        return ""
    if product_line.producer_id is not None and product_line.producer_id != producer.pk:
        return _("该产品线属于其他主体，不能使用。")
    return ""


def origin_refusal(*, product_line: ProductLine, origin: Region) -> str:
    """Return why a batch of the line may not come from the origin, or "".

    A geographical-indication product (地理标志产品) is protected for its
    region: a batch of it must originate inside one of the line's protected
    regions or their descendants. A GI line with no protected region on
    record cannot be checked, so it takes no batches until one is recorded.
    """
    if not product_line.geographical_indication:
        return ""
    regions = list(product_line.protected_regions.all())
    if not regions:
        return _("该地理标志产品线尚未登记保护地域，不能登记批次。")
    if any(origin.lineage.startswith(region.lineage) for region in regions):
        return ""
    return _("地理标志产品的产地必须在其保护地域（%(regions)s）之内。") % {
        "regions": "、".join(region.name for region in regions)
    }


def batch_sold_quantity(*, batch: Batch) -> Decimal:
    """Return how much of the batch has left its producer.

    Every sale counts except an outlet's resale of goods it bought in from
    this batch (a sale at an outlet that is a buyer_outlet of the batch):
    those draw on the outlet's stock, already counted when it bought in.
    """
    sales = Sale.objects.filter(batch=batch)
    restocked = sales.filter(buyer_outlet__isnull=False).values("buyer_outlet")
    total = sales.exclude(outlet__in=restocked).aggregate(total=Sum("quantity"))
    return total["total"] or Decimal("0")


def batch_remaining(*, batch: Batch) -> Decimal:
    """Return the quantity of the batch its producer has not sold yet."""
    return batch.quantity - batch_sold_quantity(batch=batch)


def outlet_stock_of(*, batch: Batch, outlet: Outlet) -> Decimal | None:
    """Return what an outlet still holds of a batch it bought in, or None.

    None means the outlet never bought in from the batch: its sales of it
    are the producer's own sales through the outlet.
    """
    sales = Sale.objects.filter(batch=batch)
    bought = sales.filter(buyer_outlet=outlet).aggregate(total=Sum("quantity"))
    if bought["total"] is None:
        return None
    resold = sales.filter(outlet=outlet).aggregate(total=Sum("quantity"))
    return bought["total"] - (resold["total"] or Decimal("0"))


def batch_public_story(*, batch: Batch) -> dict:
    """Return what anyone scanning a label of the batch may see, trace part.

    Only public facts: no internal ids, no household names except the masked
    names of households whose consent is recorded, never an ID number. The
    number of queries is constant whatever the number of households or events.
    """
    product_line = batch.product_line
    producer = batch.producer
    certification = (
        Certification.objects.filter(producer=producer)
        .order_by("-status_changed_at", "-valid_until")
        .first()
    )
    contributions = list(
        BatchContribution.objects.filter(batch=batch).select_related(
            f"household__village__{REGION_PATH}"
        )
    )
    linked_households = (
        BenefitLink.objects.filter(producer=producer)
        .values("household")
        .distinct()
        .count()
    )
    events = TraceEvent.objects.filter(batch=batch).select_related(
        f"location__{REGION_PATH}"
    )
    return {
        "product": {
            "name": product_line.name,
            "brand": product_line.brand.name if product_line.brand_id else "",
            "brand_kind": product_line.brand.get_kind_display()
            if product_line.brand_id
            else "",
            "unified_brand": product_line.brand_id is not None
            and brand_license_is_valid(producer=producer, product_line=product_line),
            "standard": product_line.standard,
            "geographical_indication": product_line.geographical_indication,
            "gtin": product_line.gtin or "",
        },
        "batch": {
            "lot": batch.lot_code,
            "name": batch.name,
            "harvest_date": batch.harvest_date,
            "quantity": batch.quantity,
            "unit": batch.unit,
            "status": batch.status,
            "status_display": batch.get_status_display(),
            "origin": batch.origin.full_name,
        },
        "producer": {
            "name": producer.name,
            "kind": producer.get_kind_display(),
            "region": producer.region.full_name,
            "certification_number": certification.number if certification else "",
            "certification_issuer": certification.issuer if certification else "",
            "certification_status": certification.status if certification else "",
            "certification_status_display": certification.get_status_display()
            if certification
            else "",
            "certification_valid_until": certification.valid_until
            if certification
            else None,
            "certified": certification is not None
            and certification.status == CertificationStatus.ACTIVE
            and certification.valid_from
            <= timezone.localdate()
            <= certification.valid_until,
        },
        "benefit": {
            "batch_households": len(contributions),
            "producer_households": linked_households,
            "villages": sorted(
                {
                    contribution.household.village.full_name
                    for contribution in contributions
                }
            ),
            "amount_paid": sum(
                (contribution.amount_paid for contribution in contributions),
                Decimal("0"),
            ),
            "consented_names": sorted(
                contribution.household.masked_name
                for contribution in contributions
                if contribution.household.has_public_name_consent
            ),
        },
        "events": [
            {
                "kind": event.kind,
                "kind_display": event.get_kind_display(),
                "occurred_at": event.occurred_at,
                "place": event.place
                or (event.location.full_name if event.location_id else ""),
                "actor": event.actor,
                "quantity": event.quantity,
                "unit": event.unit,
            }
            for event in events
        ],
    }
