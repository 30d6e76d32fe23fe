"""The benefit ledger: what each household received, per region and producer."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from reports.selectors.common import (
    ZERO,
    ReportFilters,
    benefit_link_list_for_report,
    contribution_list_for_report,
    payment_list_for_report,
)
from trace.choices import PaymentConfirmation
from trace.models import (
    Household,
    HouseholdPayment,
    Producer,
    Region,
)
from trace.selectors.registry import REGION_PATH

# The benefit ledger.


@dataclass
class LedgerEntry:
    """What one household received in the period.

    `paid` is money actually paid in the period, by the day it was paid
    (paid_in_period), never by the batch's harvest; `unconfirmed` is the part
    of it the household has not confirmed, shown apart on the forms.
    `declared_annual_income` is the yearly figure declared on its benefit
    links in force; it is reported beside `paid`, never added to it or
    pro-rated, because it is a promise rather than a payment.
    """

    household: Household
    paid: Decimal = ZERO
    unconfirmed: Decimal = ZERO
    declared_annual_income: Decimal = ZERO
    producer_ids: set[int] = field(default_factory=set)


def paid_in_period(*, user, filters: ReportFilters) -> list[dict]:
    """Return money paid to households in the period, by the day it was paid.

    One row per household and producer: {household_id, producer_id, members,
    lineage (of its village), paid, unconfirmed}. A payment
    (HouseholdPayment: a wage, a purchase, a share) counts on its `paid_on`;
    a December purchase into an October batch is December's money. What a
    contribution says was paid beyond its recorded payments (a contribution
    entered with its batch) was paid when the household supplied the batch,
    its harvest, and is unconfirmed. Two queries, whatever the rows.
    """
    totals: dict[tuple[int, int], dict] = {}

    def add(row: dict, producer_id: int, amount: Decimal, confirmed: bool) -> None:
        entry = totals.setdefault(
            (row["household_id"], producer_id),
            {
                "household_id": row["household_id"],
                "producer_id": producer_id,
                "members": row["household__members"],
                "lineage": row["household__village__lineage"],
                "paid": ZERO,
                "unconfirmed": ZERO,
            },
        )
        entry["paid"] += amount
        if not confirmed:
            entry["unconfirmed"] += amount

    household_fields = (
        "household_id",
        "household__members",
        "household__village__lineage",
    )
    for row in (
        payment_list_for_report(user=user, filters=filters)
        .values(*household_fields, "producer_id", "confirmation")
        .annotate(amount=Sum("amount"))
        .order_by()
    ):
        add(
            row,
            row["producer_id"],
            row["amount"] or ZERO,
            row["confirmation"] == PaymentConfirmation.CONFIRMED,
        )
    recorded = (
        HouseholdPayment.objects.filter(
            batch=OuterRef("batch"), household=OuterRef("household")
        )
        .order_by()
        .values("batch")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    for row in (
        contribution_list_for_report(user=user, filters=filters)
        .annotate(
            recorded=Coalesce(
                Subquery(recorded), Value(ZERO), output_field=DecimalField()
            )
        )
        .values(*household_fields, "batch__producer_id", "amount_paid", "recorded")
    ):
        rest = row["amount_paid"] - row["recorded"]
        if rest > 0:
            add(row, row["batch__producer_id"], rest, False)
    return list(totals.values())


def benefit_ledger(*, user, filters: ReportFilters) -> list[LedgerEntry]:
    """Return an entry per household with contributions or links, by village then id."""
    entries: dict[int, LedgerEntry] = {}
    paid_rows = paid_in_period(user=user, filters=filters)
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
        entry.paid += row["paid"]
        entry.unconfirmed += row["unconfirmed"]
        entry.producer_ids.add(row["producer_id"])
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
    for row in paid_in_period(user=user, filters=filters):
        totals[row["producer_id"]].paid += row["paid"]
        households[row["producer_id"]].add(row["household_id"])
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
