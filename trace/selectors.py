"""Reads of the trace domain, scoped to what a user may see (trace.access)."""

import datetime
import functools
import operator
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access
from trace.choices import (
    BatchStatus,
    BenefitKind,
    CatalogueContactKind,
    CatalogueStatus,
    CertificationStatus,
    ObjectionStatus,
    ProducerKind,
    RegionLevel,
    Role,
)
from trace.models import (
    Batch,
    BatchContribution,
    BenefitLink,
    Brand,
    BrandLicense,
    CatalogueAvailability,
    CatalogueEntry,
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


def product_line_by_gtin(*, gtin: str) -> ProductLine | None:
    """Return the product line of a GTIN-14, with its brand, or None."""
    return (
        ProductLine.objects.select_related("brand").filter(gtin=gtin).first()
        if gtin
        else None
    )


# The statuses in which a batch vouches for its produce: a 承诺达标合格证
# may be issued and shown, and a buy link may lead to it. A batch on hold
# or recalled vouches for nothing (DESIGN.md "Batch", issue 32); a draft is
# not on sale yet.
VOUCHING_STATUSES = (BatchStatus.RELEASED,)


def batch_vouches(*, status: str) -> bool:
    """Return whether a batch in `status` vouches for its produce.

    The one test behind every certificate and buy link: the scan page and its
    JSON twin, the public certificate URLs, the GS1 linkset, the catalogue's
    batches and the issuing of a certificate (reports.certificates).
    """
    return status in VOUCHING_STATUSES


def batch_list_public(*, product_line: ProductLine) -> QuerySet[Batch]:
    """Return the lots of a product line that have a public page (not drafts)."""
    return (
        Batch.objects.filter(product_line=product_line)
        .exclude(status=BatchStatus.DRAFT)
        .select_related("producer", "origin")
        .order_by("-harvest_date", "-pk")
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


def household_list_purchasable_by(*, user) -> QuerySet[Household]:
    """Households of the user's villages: those a village purchase point buys from."""
    return (
        Household.objects.filter(access.region_scope(user, "village"))
        .select_related("village")
        .order_by("village__name", "pk")
    )


def lot_codes_taken(*, product_line: ProductLine | None) -> set[str]:
    """Return the lot codes already used on a product line (they are unique there)."""
    if product_line is None:
        return set()
    return set(
        Batch.objects.filter(product_line=product_line).values_list(
            "lot_code", flat=True
        )
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
    certifications = Certification.objects.filter(producer=producer)
    if batch_vouches(status=batch.status):  # never a buy link through a held batch
        # Folded into this query: the story is rebuilt often (bench/scan.py).
        certifications = certifications.annotate(
            catalogue_entry=Subquery(
                catalogue_entries_of_batch(batch=batch).values("pk")[:1]
            )
        )
    certification = certifications.order_by(
        "-status_changed_at", "-valid_until"
    ).first()
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
            "title": product_line.title,
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
            # The product's page in the public 扶贫产品目录, if it is listed.
            # None while the batch is on hold or recalled (batch_vouches).
            "catalogue_entry": getattr(certification, "catalogue_entry", None),
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


def sale_evidence_list_visible_to(*, user) -> QuerySet[SaleEvidence]:
    """Invoices and receipts of the sales the user sees (and nobody else's)."""
    return SaleEvidence.objects.filter(
        access.batch_scope(user, "sale__batch")
    ).select_related("sale__batch")


# The 扶贫产品目录 (catalogue) and its 公示.


def catalogue_listed_q(*, on: datetime.date) -> Q:
    """Return the filter for entries in the 目录 on the day.

    An entry is listed once recorded as listed, or once its 公示 ended (the
    day after `notice_ends_on`) with no objection upheld or still pending:
    the catalogue is right by date even before the daily
    `catalogue_notices_close` has recorded the step.
    """
    open_objections = CatalogueObjection.objects.filter(
        entry=OuterRef("pk"),
        status__in=[ObjectionStatus.PENDING, ObjectionStatus.UPHELD],
    )
    return Q(status=CatalogueStatus.LISTED) | (
        Q(status=CatalogueStatus.NOTICE, notice_ends_on__lt=on)
        & ~Q(Exists(open_objections))
    )


def _certified_q(*, on: datetime.date, field: str = "producer") -> Q:
    return Q(
        Exists(
            Certification.objects.filter(
                producer=OuterRef(field),
                status=CertificationStatus.ACTIVE,
                valid_from__lte=on,
                valid_until__gte=on,
            )
        )
    )


def catalogue_entry_status(*, entry: CatalogueEntry, on: datetime.date | None = None):
    """Return the entry's status as of the day (an ended 公示 counts as listed)."""
    on = on or timezone.localdate()
    if (
        entry.status == CatalogueStatus.NOTICE
        and CatalogueEntry.objects.filter(
            catalogue_listed_q(on=on), pk=entry.pk
        ).exists()
    ):
        return CatalogueStatus.LISTED
    return CatalogueStatus(entry.status)


def catalogue_entry_list_visible_to(*, user) -> QuerySet[CatalogueEntry]:
    """Return the entries a user works on (the procedure's queue and registers)."""
    return (
        CatalogueEntry.objects.filter(access.catalogue_entry_scope(user))
        .select_related(
            "producer__region",
            "product_line__brand",
            f"region__{REGION_PATH}",
            "informant__suyuan_role",
        )
        .prefetch_related("households", "photos", "evidence")
    )


def catalogue_evidence_list_visible_to(*, user) -> QuerySet[CatalogueEvidence]:
    """Return the documents of the applications the user works on.

    The operator, the village 信息员, the township 监督员 who checks, the
    county office and administrators; nobody else, and never the public.
    """
    return CatalogueEvidence.objects.filter(
        access.catalogue_entry_scope(user, "entry")
    ).select_related("entry")


def _catalogue_public(*, on: datetime.date) -> QuerySet[CatalogueEntry]:
    """Entries of producers certified on the day, with what public pages print."""
    return (
        CatalogueEntry.objects.filter(_certified_q(on=on))
        .select_related(
            "producer",
            "product_line",
            f"region__{REGION_PATH}",
            "informant__suyuan_role",
        )
        .prefetch_related(
            "photos",
            Prefetch(
                "producer__certifications",
                Certification.objects.filter(
                    status=CertificationStatus.ACTIVE,
                    valid_from__lte=on,
                    valid_until__gte=on,
                ).order_by("-valid_until"),
                to_attr="public_certifications",
            ),
        )
    )


def catalogue_public_list(
    *, on: datetime.date | None = None
) -> QuerySet[CatalogueEntry]:
    """Return the public catalogue: listed entries of producers certified today.

    A producer whose certification is suspended, revoked or expired drops
    out of the public catalogue at once, and returns if it is reinstated.
    """
    on = on or timezone.localdate()
    return _catalogue_public(on=on).filter(catalogue_listed_q(on=on))


def catalogue_notice_list(
    *, on: datetime.date | None = None
) -> QuerySet[CatalogueEntry]:
    """Return the entries in 公示 today, soonest-ending first.

    A producer that lost its certification meanwhile cannot be listed, so
    its products leave the 公示 too.
    """
    on = on or timezone.localdate()
    return (
        _catalogue_public(on=on)
        .filter(
            status=CatalogueStatus.NOTICE,
            notice_starts_on__lte=on,
            notice_ends_on__gte=on,
        )
        .order_by("notice_ends_on", "id")
    )


def catalogue_filter(
    entries: QuerySet[CatalogueEntry],
    *,
    region: Region | None = None,
    category: str = "",
    season: str = "",
    delivery_method: str = "",
    text: str = "",
) -> QuerySet[CatalogueEntry]:
    """Narrow catalogue entries the way buyers search: region, kind, season, delivery.

    A season filter keeps the all-year products too: they are in season.
    """
    if region is not None:
        entries = entries.filter(region_subtree(region=region, field="region"))
    if category:
        entries = entries.filter(category=category)
    if season:
        entries = entries.filter(season__in=[season, "all_year"])
    if delivery_method:
        entries = entries.filter(delivery_method=delivery_method)
    if text:
        entries = entries.filter(Q(name__icontains=text) | Q(category__icontains=text))
    return entries


def catalogue_search_options(*, on: datetime.date | None = None) -> dict:
    """Return what the public search offers: counties and towns, categories.

    Read as plain values (no model rows): the page is built for every buyer.
    """
    listed = catalogue_public_list(on=on)
    lineages = set(
        listed.order_by().values_list("region__lineage", flat=True).distinct()
    )
    ids = {int(pk) for lineage in lineages for pk in lineage.strip("/").split("/")}
    regions = list(
        Region.objects.filter(
            pk__in=ids, level__in=[RegionLevel.COUNTY, RegionLevel.TOWN]
        ).order_by("lineage")
    )
    categories = sorted(
        set(
            listed.exclude(category="")
            .order_by()
            .values_list("category", flat=True)
            .distinct()
        )
    )
    return {
        "regions": regions,
        "townships": [region for region in regions if region.level == RegionLevel.TOWN],
        "categories": categories,
    }


def catalogue_entry_contact(*, entry: CatalogueEntry) -> tuple[str, str]:
    """Return (name, phone) buyers call: the producer's or the village 信息员's.

    Never a household's: a household producer's entries name the 信息员
    (catalogue_entry_apply insists).
    """
    if entry.contact_kind == CatalogueContactKind.INFORMANT and entry.informant_id:
        binding = getattr(entry.informant, "suyuan_role", None)
        name = (binding.real_name if binding else "") or _("村信息员")
        return name, binding.phone if binding else ""
    producer = entry.producer
    return producer.contact_person, producer.contact_phone


def producer_public_name(*, producer: Producer) -> str:
    """Return the producer's name as public pages print it.

    A household producer's name is its head's name, personal data (PIPL art.
    28): print the kind and village instead.
    """
    if producer.kind == ProducerKind.HOUSEHOLD:
        return _("%(village)s农户") % {"village": producer.region.name}
    return producer.name


def region_township(*, region: Region) -> Region | None:
    """Return the town (乡镇/街道) a region lies in, or None above town level."""
    for ancestor in reversed(region.ancestors_and_self()):
        if ancestor.level == RegionLevel.TOWN:
            return ancestor
    return None


def region_short_name(*, region: Region) -> str:
    """Return the path from the county down, unspaced: 云阳县龙角镇青山村.

    This is how the offices' forms write 地区 (seed 004 附件1).
    """
    path = region.ancestors_and_self()
    start = next(
        (
            index
            for index, ancestor in enumerate(path)
            if ancestor.level == RegionLevel.COUNTY
        ),
        0,
    )
    return "".join(ancestor.name for ancestor in path[start:])


def catalogue_price_display(*, entry: CatalogueEntry) -> str:
    """Return the price as the forms write it: 3元/斤."""
    price = format(entry.price.normalize(), "f")
    return _("%(price)s元/%(unit)s") % {"price": price, "unit": entry.unit}


def catalogue_latest_batches(
    *, entries: list[CatalogueEntry], per_entry: int = 3
) -> dict[int, list[Batch]]:
    """Return the latest vouching batches of each entry's producer and product line.

    A batch on hold or recalled is not offered, though the entry stays listed.
    """
    keyed = {
        (entry.producer_id, entry.product_line_id): entry.pk
        for entry in entries
        if entry.product_line_id
    }
    found: dict[int, list[Batch]] = {entry.pk: [] for entry in entries}
    if not keyed:
        return found
    condition = functools.reduce(
        operator.or_,
        (
            Q(producer_id=producer_id, product_line_id=product_line_id)
            for producer_id, product_line_id in keyed
        ),
    )
    batches = (
        Batch.objects.filter(condition, status__in=VOUCHING_STATUSES)
        .select_related("product_line")
        .order_by("-harvest_date", "-id")
    )
    for batch in batches:
        pk = keyed[(batch.producer_id, batch.product_line_id)]
        if len(found[pk]) < per_entry:
            found[pk].append(batch)
    return found


def catalogue_public_facts(
    *, entries: list[CatalogueEntry], on: datetime.date | None = None
) -> list[dict]:
    """Return what anyone may see of catalogue entries, one dict each.

    Never a household's name, ID number or phone: the contact is the
    producer's or the 信息员's, and a household producer is named by its
    village. Batches carry GTIN and lot for the caller to link their page.
    """
    on = on or timezone.localdate()
    batches = catalogue_latest_batches(entries=entries)
    facts = []
    for entry in entries:
        contact_name, contact_phone = catalogue_entry_contact(entry=entry)
        certifications = getattr(entry.producer, "public_certifications", None)
        if certifications is None:
            certifications = list(
                Certification.objects.filter(
                    producer=entry.producer_id,
                    status=CertificationStatus.ACTIVE,
                    valid_from__lte=on,
                    valid_until__gte=on,
                ).order_by("-valid_until")
            )
        certification = certifications[0] if certifications else None
        status = (
            CatalogueStatus.LISTED
            if entry.status == CatalogueStatus.NOTICE
            and entry.notice_ends_on is not None
            and entry.notice_ends_on < on
            else CatalogueStatus(entry.status)
        )
        township = region_township(region=entry.region)
        facts.append(
            {
                "id": entry.pk,
                "name": entry.name,
                "category": entry.category,
                "specification": entry.specification,
                "unit": entry.unit,
                "price": entry.price,
                "price_display": catalogue_price_display(entry=entry),
                "delivery_method": entry.delivery_method,
                "delivery_method_display": entry.get_delivery_method_display(),
                "season": entry.season,
                "season_display": entry.get_season_display(),
                "planned_quantity": entry.planned_quantity,
                "planned_period_display": entry.get_planned_period_display(),
                "region": entry.region.full_name,
                "township": township.name if township else "",
                "producer": producer_public_name(producer=entry.producer),
                "producer_kind": entry.producer.get_kind_display(),
                "contact_name": contact_name,
                "contact_phone": contact_phone,
                "shop_url": entry.shop_url,
                "status": status,
                "status_display": status.label,
                "notice_starts_on": entry.notice_starts_on,
                "notice_ends_on": entry.notice_ends_on,
                "certified": certification is not None,
                "certification_number": certification.number if certification else "",
                "certification_valid_until": certification.valid_until
                if certification
                else None,
                "photos": [photo.pk for photo in entry.photos.all()],
                "batches": [
                    {
                        "lot": batch.lot_code,
                        "harvest_date": batch.harvest_date,
                        "gtin": batch.product_line.gtin or "",
                    }
                    for batch in batches[entry.pk]
                ],
            }
        )
    return facts


def catalogue_entries_of_batch(
    *, batch: Batch, on: datetime.date | None = None
) -> QuerySet[CatalogueEntry]:
    """Return the public catalogue entries of a batch's product, oldest first."""
    on = on or timezone.localdate()
    return CatalogueEntry.objects.filter(
        catalogue_listed_q(on=on),
        _certified_q(on=on),
        producer_id=batch.producer_id,
        product_line_id=batch.product_line_id,
    ).order_by("id")


def catalogue_entry_for_batch(*, batch: Batch) -> CatalogueEntry | None:
    """Return the public catalogue entry of a batch's product, if it has one."""
    return catalogue_entries_of_batch(batch=batch).first()


def catalogue_photo_public(*, photo_id: int):
    """Return a photo anyone may see (of a listed or in-公示 entry), or None."""
    on = timezone.localdate()
    return (
        CataloguePhoto.objects.filter(
            Q(entry__in=catalogue_public_list(on=on).values("pk"))
            | Q(entry__in=catalogue_notice_list(on=on).values("pk")),
            pk=photo_id,
        )
        .select_related("entry")
        .first()
    )


def catalogue_availability_for(
    *, entries: list[CatalogueEntry], month: datetime.date
) -> dict[int, CatalogueAvailability]:
    """Return each entry's availability record of the month, where the 信息员 kept one."""
    return {
        record.entry_id: record
        for record in CatalogueAvailability.objects.filter(
            entry__in=entries, month=month.replace(day=1)
        )
    }


def catalogue_objection_list_visible_to(*, user) -> QuerySet[CatalogueObjection]:
    """Return the objections a user reviews: those to entries the office decides."""
    if not (access.is_administrator(user) or access.has_role(user, Role.OFFICE)):
        return CatalogueObjection.objects.none()
    return CatalogueObjection.objects.filter(
        access.catalogue_entry_scope(user, "entry")
    ).select_related("entry__producer", "entry__region")


def producer_list_for_catalogue(*, user) -> QuerySet[Producer]:
    """Return the producers whose products the user may apply for (申报)."""
    if access.is_administrator(user) or access.is_operator(user):
        return producer_list_visible_to(user=user)
    if access.has_role(user, Role.INFORMANT):
        return Producer.objects.filter(_assigned_region_q(user, "region"))
    return Producer.objects.none()


def _assigned_region_q(user, field: str) -> Q:
    condition = Q(pk__in=[])
    for region in access.assigned_regions(user):
        condition |= region_subtree(region=region, field=field)
    return condition


def catalogue_listed_visible_to(
    *, user, on: datetime.date | None = None
) -> QuerySet[CatalogueEntry]:
    """Return the listed entries of certified producers within the user's scope.

    The offices' 待销目录 / 供应目录 (seed 004 附件1) start from these: a
    listed product stays until withdrawn, whatever its batches' stock. Only
    what the form prints is fetched: a county lists thousands.
    """
    on = on or timezone.localdate()
    return (
        CatalogueEntry.objects.filter(
            access.catalogue_entry_scope(user),
            catalogue_listed_q(on=on),
            _certified_q(on=on),
        )
        .select_related("producer", f"region__{REGION_PATH}", "informant__suyuan_role")
        .prefetch_related(
            Prefetch("households", Household.objects.only("pk", "head_name"))
        )
        .order_by("region__lineage", "name", "id")
    )
