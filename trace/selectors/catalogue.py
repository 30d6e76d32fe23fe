"""Reads of the 扶贫产品目录 (catalogue) and its 公示."""

import datetime
import functools
import operator

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access
from trace.choices import (
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
    CatalogueAvailability,
    CatalogueEntry,
    CatalogueEvidence,
    CatalogueObjection,
    CataloguePhoto,
    Certification,
    Household,
    Producer,
    ProductLine,
    Region,
    TownshipNotice,
)
from trace.selectors.batches import VOUCHING_STATUSES
from trace.selectors.certification import certification_under_review
from trace.selectors.registry import (
    REGION_PATH,
    producer_list_visible_to,
    product_line_list,
    product_line_list_usable_by,
    region_list,
    region_subtree,
)

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

    The applicant (the operator, the village 信息员), the township 监督员 who
    checks, the office that decides and administrators; nobody else (not the
    region's technician, purchase point or inspector), never the public.
    """
    return CatalogueEvidence.objects.filter(
        access.catalogue_evidence_scope(user, "entry")
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
                )
                .annotate(under_review=certification_under_review())
                .order_by("-valid_until"),
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
                )
                .annotate(under_review=certification_under_review())
                .order_by("-valid_until")
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
                # 认定复核中: an open review is public while it lasts.
                "certification_under_review": bool(
                    certification is not None and certification.under_review
                ),
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


def _catalogue_areas(user) -> list[Region] | None:
    """Return the regions the user's products may come from (None: anywhere).

    The counties of the user's producers; a 信息员's own villages
    (trace.access.may_apply_catalogue_entry_in decides the same).
    """
    if access.is_administrator(user):
        return None
    if access.has_role(user, Role.INFORMANT):
        return access.assigned_regions(user)
    regions = Region.objects.filter(
        pk__in=producer_list_for_catalogue(user=user).values("region")
    )
    return list(
        {
            access.county_of(region).pk: access.county_of(region) for region in regions
        }.values()
    )


def region_list_for_catalogue(*, user) -> QuerySet[Region]:
    """Return the towns and villages the user may apply a product from (申报)."""
    regions = region_list().filter(level__in=[RegionLevel.TOWN, RegionLevel.VILLAGE])
    areas = _catalogue_areas(user)
    if areas is None:
        return regions
    return regions.filter(
        functools.reduce(
            operator.or_,
            (region_subtree(region=area) for area in areas),
            Q(pk__in=[]),
        )
    )


def product_line_list_for_catalogue(*, user) -> QuerySet[ProductLine]:
    """Return the product lines the user may apply a product of (申报).

    Those one of the user's producers may use (product_line_list_usable_by);
    a 地理标志 line only where its protected regions meet the user's areas.
    """
    areas = _catalogue_areas(user)
    if areas is None:
        return product_line_list()
    usable: set[int] = set()
    for producer in producer_list_for_catalogue(user=user):
        usable |= set(
            product_line_list_usable_by(producer=producer).values_list("pk", flat=True)
        )
    lines = product_line_list().filter(pk__in=usable)
    outside = [
        line.pk
        for line in lines.filter(geographical_indication=True).prefetch_related(
            "protected_regions"
        )
        if not any(
            area.lineage.startswith(protected.lineage)
            or protected.lineage.startswith(area.lineage)
            for protected in line.protected_regions.all()
            for area in areas
        )
    ]
    return lines.exclude(pk__in=outside)


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


def township_notice_list(*, township: Region | None = None) -> QuerySet[TownshipNotice]:
    """The 监督员's notices, public: newest first, of one township if given."""
    notices = TownshipNotice.objects.select_related("township")
    if township is not None:
        notices = notices.filter(township=township)
    return notices


def catalogue_entry_pricing_batch(*, batch) -> "CatalogueEntry | None":
    """Return the listed catalogue entry that prices the batch's product, if any.

    The producer's own listed entry of the batch's product line, priced in
    the batch's unit (云阳 附件1's "销售价格（元）", seed 004 line 72); the most
    recently listed one when there are several.
    """
    if batch.product_line_id is None:
        return None
    return (
        CatalogueEntry.objects.filter(
            producer_id=batch.producer_id,
            product_line_id=batch.product_line_id,
            unit=batch.unit,
            status=CatalogueStatus.LISTED,
        )
        .order_by("-listed_on", "-id")
        .first()
    )
