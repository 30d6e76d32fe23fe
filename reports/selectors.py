"""Scoped reads across the domains: benefit ledger, report rows, recall trace.

Scope always comes from trace.access (through trace.selectors where a selector
exists): operators see their producer's rows, inspectors their regions,
administrators everything. Region filters include every descendant region.
"""

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from inspections.choices import InspectionKind, Verdict
from inspections.models import Inspection
from inspections.selectors import inspection_list_visible_to
from labels.selectors import (
    batch_label_summary,
    print_job_labels,
    suspicious_label_list_visible_to,
)
from labels.templates import layout, template_get
from reports.certificates import InspectionFact
from reports.models import Certificate, SalesEvent
from trace import access
from trace.choices import OutletKind, RegionLevel, Role
from trace.models import (
    Batch,
    BatchContribution,
    BenefitLink,
    Household,
    Outlet,
    Producer,
    Region,
    Sale,
)
from trace.selectors import (
    REGION_PATH,
    batch_list_visible_to,
    region_subtree,
    sale_list_visible_to,
)

ZERO = Decimal("0")


@dataclass(frozen=True)
class ReportFilters:
    """The filters every export and the dashboard accept (region, period, year)."""

    region: Region | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    year: int | None = None


def _in_region(filters: ReportFilters, field: str) -> Q:
    if filters.region is None:
        return Q()
    return region_subtree(region=filters.region, field=field)


def _in_period(filters: ReportFilters, field: str) -> Q:
    condition = Q()
    if filters.date_from is not None:
        condition &= Q(**{f"{field}__gte": filters.date_from})
    if filters.date_to is not None:
        condition &= Q(**{f"{field}__lte": filters.date_to})
    return condition


# Sales, batches, contributions and benefit links within a user's scope and the filters.


def sale_list_for_report(*, user, filters: ReportFilters) -> QuerySet[Sale]:
    """Sales of visible batches originating in the region, sold in the period."""
    return (
        sale_list_visible_to(user=user)
        .filter(
            _in_region(filters, "batch__origin"), _in_period(filters, "sold_at__date")
        )
        .select_related(
            "batch__product_line__brand",
            "batch__producer",
            f"batch__origin__{REGION_PATH}",
            "outlet",
        )
        .prefetch_related("batch__contributions__household")
        .order_by("sold_at", "id")
    )


def batch_list_for_report(*, user, filters: ReportFilters) -> QuerySet[Batch]:
    """Batches the user sees, originating in the region, harvested in the period."""
    return (
        batch_list_visible_to(user=user)
        .filter(_in_region(filters, "origin"), _in_period(filters, "harvest_date"))
        .prefetch_related("contributions__household", "sales__outlet")
        .order_by("harvest_date", "id")
    )


def contribution_list_for_report(
    *, user, filters: ReportFilters
) -> QuerySet[BatchContribution]:
    """Contributions to batches the user sees, of households in the region.

    A contribution belongs to the period of its batch's harvest (or production)
    date: that is when the household supplied and was paid.
    """
    return BatchContribution.objects.filter(
        access.batch_scope(user, "batch"),
        _in_region(filters, "household__village"),
        _in_period(filters, "batch__harvest_date"),
    )


def benefit_link_list_for_report(
    *, user, filters: ReportFilters
) -> QuerySet[BenefitLink]:
    """Visible benefit links of households in the region, in force by the end."""
    links = BenefitLink.objects.filter(
        access.producer_scope(user, "producer"),
        _in_region(filters, "household__village"),
    )
    if filters.date_to is not None:
        links = links.filter(since__lte=filters.date_to)
    return links


# The benefit ledger.


@dataclass
class LedgerEntry:
    """What one household received in the period.

    `paid` is money actually paid: the sum of its batch contributions'
    amount_paid in the period. `declared_annual_income` is the yearly figure
    declared on its benefit links in force; it is reported beside `paid`, never
    added to it or pro-rated, because it is a promise rather than a payment.
    """

    household: Household
    paid: Decimal = ZERO
    declared_annual_income: Decimal = ZERO
    producer_ids: set[int] = field(default_factory=set)


def benefit_ledger(*, user, filters: ReportFilters) -> list[LedgerEntry]:
    """Return an entry per household with contributions or links, by village then id."""
    entries: dict[int, LedgerEntry] = {}
    paid_rows = (
        contribution_list_for_report(user=user, filters=filters)
        .values("household_id", "batch__producer_id")
        .annotate(paid=Sum("amount_paid"))
    )
    declared_rows = (
        benefit_link_list_for_report(user=user, filters=filters)
        .values("household_id", "producer_id")
        .annotate(income=Sum("annual_income"))
    )
    households = Household.objects.select_related(f"village__{REGION_PATH}").in_bulk(
        {row["household_id"] for row in paid_rows}
        | {row["household_id"] for row in declared_rows}
    )
    for row in paid_rows:
        entry = entries.setdefault(
            row["household_id"], LedgerEntry(households[row["household_id"]])
        )
        entry.paid += row["paid"] or ZERO
        entry.producer_ids.add(row["batch__producer_id"])
    for row in declared_rows:
        entry = entries.setdefault(
            row["household_id"], LedgerEntry(households[row["household_id"]])
        )
        entry.declared_annual_income += row["income"] or ZERO
        entry.producer_ids.add(row["producer_id"])
    return sorted(
        entries.values(),
        key=lambda entry: (entry.household.village.lineage, entry.household.pk),
    )


def region_at_level(region: Region, level: str) -> Region | None:
    """Return the ancestor (or the region itself) at a level, e.g. a county."""
    for ancestor in region.ancestors_and_self():
        if ancestor.level == level:
            return ancestor
    return None


@dataclass
class LedgerTotal:
    """Ledger sums over a group of households (a region or a producer)."""

    paid: Decimal = ZERO
    declared_annual_income: Decimal = ZERO
    households: int = 0
    persons: int = 0

    def add(self, entry: LedgerEntry) -> None:
        self.paid += entry.paid
        self.declared_annual_income += entry.declared_annual_income
        self.households += 1
        self.persons += entry.household.members


def benefit_ledger_by_region(
    *, entries: Iterable[LedgerEntry], level: str
) -> dict[Region, LedgerTotal]:
    """Sum the ledger per region at a level (RegionLevel.VILLAGE, TOWN, COUNTY...)."""
    totals: dict[Region, LedgerTotal] = defaultdict(LedgerTotal)
    for entry in entries:
        region = region_at_level(entry.household.village, level)
        if region is not None:
            totals[region].add(entry)
    return dict(totals)


def benefit_ledger_by_producer(
    *, user, filters: ReportFilters
) -> dict[Producer, LedgerTotal]:
    """Sum per producer: what it paid in the period and what it declared yearly."""
    totals: dict[int, LedgerTotal] = defaultdict(LedgerTotal)
    households: dict[int, set[int]] = defaultdict(set)
    for row in (
        contribution_list_for_report(user=user, filters=filters)
        .values("batch__producer_id", "household_id")
        .annotate(paid=Sum("amount_paid"))
    ):
        totals[row["batch__producer_id"]].paid += row["paid"] or ZERO
        households[row["batch__producer_id"]].add(row["household_id"])
    for row in (
        benefit_link_list_for_report(user=user, filters=filters)
        .values("producer_id", "household_id")
        .annotate(income=Sum("annual_income"))
    ):
        totals[row["producer_id"]].declared_annual_income += row["income"] or ZERO
        households[row["producer_id"]].add(row["household_id"])
    members = dict(
        Household.objects.filter(pk__in=set().union(*households.values())).values_list(
            "pk", "members"
        )
    )
    for producer_id, household_ids in households.items():
        totals[producer_id].households = len(household_ids)
        totals[producer_id].persons = sum(members[pk] for pk in household_ids)
    producers = Producer.objects.in_bulk(totals.keys())
    return {producers[pk]: total for pk, total in totals.items()}


# The 统计表: counts per region, rolled up by lineage (a region's lineage prefixes
# its descendants').


def _roll_up(values: dict[str, Decimal | int], region: Region) -> Decimal | int:
    return sum(
        (
            value
            for lineage, value in values.items()
            if lineage.startswith(region.lineage)
        ),
        0,
    )


@dataclass
class CampaignFigures:
    """One row of the 统计表 before formatting."""

    online_zones: int = 0
    offline_zones: int = 0
    pavilions: int = 0
    smart_cabinets: int = 0
    livestream_bases: int = 0
    events: int = 0
    sales: Decimal = ZERO
    persons_covered: int = 0


CAMPAIGN_OUTLET_KINDS = {
    OutletKind.ONLINE_ZONE: "online_zones",
    OutletKind.OFFLINE_ZONE: "offline_zones",
    OutletKind.PAVILION: "pavilions",
    OutletKind.SMART_CABINET: "smart_cabinets",
    OutletKind.LIVESTREAM_BASE: "livestream_bases",
}


def campaign_regions(*, filters: ReportFilters) -> list[tuple[Region, list[Region]]]:
    """Return the 市州 of the table, each with its 市县区, within the region filter."""
    root = filters.region
    cities = Region.objects.filter(level=RegionLevel.CITY)
    if root is not None:
        city = region_at_level(root, RegionLevel.CITY)
        cities = (
            cities.filter(pk=city.pk)
            if city is not None
            else cities.filter(region_subtree(region=root))
        )
    result = []
    for city in cities.order_by("code", "lineage"):
        counties = Region.objects.filter(
            region_subtree(region=city), level=RegionLevel.COUNTY
        )
        if root is not None and root.level in (
            RegionLevel.COUNTY,
            RegionLevel.TOWN,
            RegionLevel.VILLAGE,
        ):
            county = region_at_level(root, RegionLevel.COUNTY)
            counties = counties.filter(pk=county.pk if county else None)
        result.append((city, list(counties.order_by("code", "lineage"))))
    return result


def campaign_figures(
    *, user, filters: ReportFilters, regions: Iterable[Region]
) -> dict[Region | None, CampaignFigures]:
    """Return the 统计表's figures per region, and under None the filter's total.

    Outlets and events are public registers counted in full (they have no
    owner to scope by); sales and covered households follow the user's scope.
    Sales are counted where the product comes from (the batch's origin).
    Outlets have no opening date, so every outlet on the register counts;
    events count when held within the period.
    """
    outlets: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (
        Outlet.objects.filter(
            _in_region(filters, "region"), kind__in=list(CAMPAIGN_OUTLET_KINDS)
        )
        .values("region__lineage", "kind")
        .annotate(count=Count("id"))
    ):
        outlets[CAMPAIGN_OUTLET_KINDS[row["kind"]]][row["region__lineage"]] = row[
            "count"
        ]
    events = {
        row["region__lineage"]: row["count"]
        for row in SalesEvent.objects.filter(
            _in_region(filters, "region"), _in_period(filters, "held_on")
        )
        .values("region__lineage")
        .annotate(count=Count("id"))
    }
    sales = {
        row["batch__origin__lineage"]: row["amount"]
        for row in sale_list_visible_to(user=user)
        .filter(
            _in_region(filters, "batch__origin"), _in_period(filters, "sold_at__date")
        )
        .order_by()
        .values("batch__origin__lineage")
        .annotate(amount=Sum("amount"))
    }
    persons: dict[str, int] = defaultdict(int)
    for entry in benefit_ledger(user=user, filters=filters):
        persons[entry.household.village.lineage] += entry.household.members

    def figures(region: Region | None) -> CampaignFigures:
        scope = region or Region(lineage="/")
        row = CampaignFigures(
            events=_roll_up(events, scope),
            sales=Decimal(_roll_up(sales, scope)),
            persons_covered=_roll_up(persons, scope),
        )
        for name in CAMPAIGN_OUTLET_KINDS.values():
            setattr(row, name, _roll_up(outlets[name], scope))
        return row

    result = {region: figures(region) for region in regions}
    result[None] = figures(filters.region)
    return result


# The 邵东 rule applied to authorised stores.


def authorised_store_sales(
    *, user, filters: ReportFilters, year: int
) -> list[tuple[Outlet, Decimal]]:
    """Return each authorised store the user sees with its sales in the year.

    The verdict is about the store, so all its sales count, whoever's batch
    they were; administrators see every store, inspectors those in their regions.
    """
    stores = Outlet.objects.filter(
        access.region_scope(user, "region"),
        _in_region(filters, "region"),
        kind=OutletKind.AUTHORISED_STORE,
    ).select_related(f"region__{REGION_PATH}")
    start = timezone.make_aware(datetime.datetime(year, 1, 1))
    end = timezone.make_aware(datetime.datetime(year + 1, 1, 1))
    amounts = dict(
        Sale.objects.filter(outlet__in=stores, sold_at__gte=start, sold_at__lt=end)
        .order_by()
        .values("outlet_id")
        .annotate(amount=Sum("amount"))
        .values_list("outlet_id", "amount")
    )
    return [
        (store, amounts.get(store.pk, ZERO))
        for store in stores.order_by("region__lineage", "name")
    ]


# The recall trace: the batch, its status changes, events and sales, and nothing else.


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _quantity(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def _local(moment: datetime.datetime | None) -> str | None:
    return None if moment is None else timezone.localtime(moment).isoformat()


def recall_trace_trace_part(*, batch: Batch) -> dict:
    """Return the trace domain's part of a batch's recall trace.

    Everything is read through the batch's own relations, so nothing from
    another batch can appear. Households are shown masked: a recall names
    products and buyers, not the people who grew them.
    """
    contributions = batch.contributions.select_related(
        f"household__village__{REGION_PATH}"
    )
    sales = batch.sales.select_related(
        "seller", f"outlet__region__{REGION_PATH}"
    ).order_by("sold_at", "id")
    events = batch.trace_events.select_related(f"location__{REGION_PATH}").order_by(
        "occurred_at", "id"
    )
    changes = batch.status_changes.select_related("changed_by").order_by(
        "changed_at", "id"
    )
    sold = sales.aggregate(
        quantity=Sum("quantity"), amount=Sum("amount"), count=Count("id")
    )
    return {
        "batch": {
            "id": batch.pk,
            "lot_code": batch.lot_code,
            "name": batch.name,
            "product": str(batch.product_line),
            "gtin": batch.product_line.gtin,
            "producer": batch.producer.name,
            "origin": batch.origin.full_name,
            "harvest_date": batch.harvest_date.isoformat(),
            "quantity": _quantity(batch.quantity),
            "unit": batch.unit,
            "status": batch.status,
            "status_display": batch.get_status_display(),
        },
        "status_changes": [
            {
                "from_status": change.from_status,
                "to_status": change.to_status,
                "to_status_display": change.get_to_status_display(),
                "reason": change.reason,
                "changed_by": change.changed_by.get_username()
                if change.changed_by
                else "",
                "changed_at": _local(change.changed_at),
            }
            for change in changes
        ],
        "trace_events": [
            {
                "id": event.pk,
                "kind": event.kind,
                "kind_display": event.get_kind_display(),
                "occurred_at": _local(event.occurred_at),
                "location": event.location.full_name if event.location else "",
                "place": event.place,
                "actor": event.actor,
                "quantity": _quantity(event.quantity),
                "unit": event.unit,
                "reference_document_type": event.reference_document_type,
                "reference_document_number": event.reference_document_number,
            }
            for event in events
        ],
        "sales": [
            {
                "id": sale.pk,
                "sold_at": _local(sale.sold_at),
                "seller": sale.seller.name,
                "buyer": sale.buyer,
                "channel": sale.channel,
                "channel_display": sale.get_channel_display(),
                "outlet": (
                    {
                        "id": sale.outlet.pk,
                        "name": sale.outlet.name,
                        "kind": sale.outlet.kind,
                        "region": sale.outlet.region.full_name,
                    }
                    if sale.outlet
                    else None
                ),
                "quantity": _quantity(sale.quantity),
                "unit": sale.unit,
                "amount": _money(sale.amount),
                "note": sale.note,
            }
            for sale in sales
        ],
        "contributions": [
            {
                "household": contribution.household.masked_name,
                "village": contribution.household.village.full_name,
                "quantity": _quantity(contribution.quantity),
                "amount_paid": _money(contribution.amount_paid),
            }
            for contribution in contributions
        ],
        "totals": {
            "sales": sold["count"],
            "sold_quantity": _quantity(sold["quantity"] or ZERO),
            "sold_amount": _money(sold["amount"] or ZERO),
        },
    }


def recall_trace_labels_part(*, batch: Batch) -> dict:
    """Return the labels printed for the batch, voids, and scans per city."""
    summary = batch_label_summary(batch=batch)
    for job in summary["print_jobs"]:
        job["created_at"] = _local(job["created_at"])
    return summary


def recall_trace_inspections_part(*, batch: Batch) -> dict:
    """Return every inspection of the batch with its result items.

    Corrected (superseded) records stay listed, marked, as evidence.
    """
    inspections = (
        Inspection.objects.filter(batch=batch)
        .select_related("superseded_by")
        .prefetch_related("results")
        .order_by("sampled_at", "id")
    )
    return {
        "inspections": [
            {
                "id": inspection.pk,
                "kind_display": inspection.get_kind_display(),
                "sampled_at": _local(inspection.sampled_at),
                "organisation": inspection.organisation,
                "verdict": inspection.verdict,
                "verdict_display": inspection.get_verdict_display(),
                "signed": inspection.signed_at is not None,
                "superseded": hasattr(inspection, "superseded_by"),
                "items": "；".join(
                    f"{result.item} {result.measured_value if result.measured_value is not None else ''}"
                    f"{result.unit} {result.get_verdict_display()}".replace("  ", " ")
                    for result in inspection.results.all()
                ),
            }
            for inspection in inspections
        ]
    }


RECALL_TRACE_PARTS: tuple[Callable[..., dict], ...] = (
    recall_trace_trace_part,
    recall_trace_labels_part,
    recall_trace_inspections_part,
)


def recall_trace(*, batch: Batch) -> dict:
    """Return everything known about one batch for a recall, part by part."""
    result: dict = {}
    for part in RECALL_TRACE_PARTS:
        result.update(part(batch=batch))
    return result


# The dashboard.


@dataclass
class DashboardPanel:
    """A dashboard panel another package fills later (a hook)."""

    key: str
    title: str
    items: list[tuple[str, Decimal | int]] = field(default_factory=list)
    pending: bool = True


def dashboard_extension_panels(*, user, filters: ReportFilters) -> list[DashboardPanel]:
    """Return the inspections and labels panels for the same filters."""
    inspections = inspection_list_visible_to(user=user).filter(
        _in_region(filters, "batch__origin"),
        _in_period(filters, "sampled_at__date"),
        signed_at__isnull=False,
    )
    verdicts = dict(
        inspections.order_by().values_list("verdict").annotate(count=Count("id"))
    )
    suspicious = suspicious_label_list_visible_to(user=user).filter(
        _in_region(filters, "batch__origin")
    )
    return [
        DashboardPanel(
            key="inspections",
            title="检测合格 / 不合格",
            items=[
                (Verdict(value).label, verdicts.get(value, 0))
                for value in Verdict.values
            ],
            pending=False,
        ),
        DashboardPanel(
            key="suspicious_labels",
            title="可疑标签（疑似仿冒）",
            items=[("可疑标签", suspicious.count())],
            pending=False,
        ),
    ]


def dashboard_data(*, user, filters: ReportFilters) -> dict:
    """Return sales per month and per county, and the households covered."""
    sales = sale_list_visible_to(user=user).filter(
        _in_region(filters, "batch__origin"), _in_period(filters, "sold_at__date")
    )
    per_month = [
        (
            timezone.localtime(row["month"]).strftime("%Y-%m")
            if timezone.is_aware(row["month"])
            else row["month"].strftime("%Y-%m"),
            row["amount"],
        )
        for row in sales.order_by()
        .annotate(month=TruncMonth("sold_at"))
        .values("month")
        .annotate(amount=Sum("amount"))
        .order_by("month")
    ]
    per_origin = (
        sales.order_by()
        .values("batch__origin")
        .annotate(amount=Sum("amount"))
        .values_list("batch__origin", "amount")
    )
    origins = Region.objects.select_related(REGION_PATH).in_bulk(
        [pk for pk, _ in per_origin]
    )
    per_region: dict[str, Decimal] = defaultdict(Decimal)
    for pk, amount in per_origin:
        county = region_at_level(origins[pk], RegionLevel.COUNTY) or origins[pk]
        per_region[county.name] += amount
    entries = benefit_ledger(user=user, filters=filters)
    return {
        "sales_per_month": per_month,
        "sales_per_region": sorted(per_region.items(), key=lambda item: -item[1]),
        "sales_total": sum((amount for _, amount in per_month), ZERO),
        "households_covered": len(entries),
        "persons_covered": sum(entry.household.members for entry in entries),
        "benefit_paid": sum((entry.paid for entry in entries), ZERO),
        "panels": dashboard_extension_panels(user=user, filters=filters),
    }


# 承诺达标合格证.


def certificate_inspection_facts(*, batch: Batch) -> list[InspectionFact]:
    """Return the facts of the batch's signed, current inspections for the basis rules.

    An inspection counts as the producer's own when it is a self check, was
    recorded by one of the producer's operators, or names the producer as
    its organisation.
    """
    rows = Inspection.objects.filter(
        batch=batch, signed_at__isnull=False, superseded_by__isnull=True
    ).values_list(
        "kind",
        "verdict",
        "organisation",
        "inspector__suyuan_role__role",
        "inspector__suyuan_role__producer_id",
    )
    producer_name = batch.producer.name
    return [
        InspectionFact(
            kind=kind,
            verdict=verdict,
            by_producer=kind == InspectionKind.SELF_CHECK
            or (role == Role.OPERATOR and producer_id == batch.producer_id)
            or organisation.strip() == producer_name,
        )
        for kind, verdict, organisation, role, producer_id in rows
    ]


def certificate_latest(*, batch: Batch) -> Certificate | None:
    return Certificate.objects.filter(batch=batch).order_by("-issued_at", "-id").first()


def print_job_sheet_notes(*, print_job) -> list[str]:
    """Return, per printed sheet of a job, a line naming its labels' serials."""
    template = template_get(print_job.template)
    serials = list(
        print_job_labels(print_job=print_job).values_list("serial", flat=True)
    )
    sheets: dict[int, list[str]] = defaultdict(list)
    cells = layout(
        template, count=len(serials), start_position=print_job.start_position
    )
    for serial, (page, _slot, _rect) in zip(serials, cells, strict=True):
        sheets[page].append(serial)
    return [
        f"随附标签：打印任务 {print_job.pk} 第 {page + 1} 页，{len(items)} 枚，"
        f"序列号 {items[0]} 至 {items[-1]}"
        for page, items in sorted(sheets.items())
    ]
