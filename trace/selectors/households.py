"""Reads of households and their benefit links."""

import datetime

from django.db.models import Q, QuerySet

from trace import access
from trace.models import (
    BenefitEvidence,
    BenefitLink,
    Household,
    HouseholdPayment,
)
from trace.selectors.registry import REGION_PATH


def household_list_visible_to(*, user) -> QuerySet[Household]:
    """Households of the user's regions: administrators and offices (PIPL art. 28)."""
    return Household.objects.filter(access.household_scope(user)).select_related(
        f"village__{REGION_PATH}"
    )


def benefit_link_list_visible_to(*, user) -> QuerySet[BenefitLink]:
    return BenefitLink.objects.filter(
        access.producer_scope(user, "producer")
    ).select_related("producer", f"household__village__{REGION_PATH}")


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


def benefit_links_in_force(*, on: datetime.date, field: str = "") -> Q:
    """Return a filter for benefit links in force on the day.

    A link counts from `since` and stops counting on `ended_on` (the day
    it ended is no longer covered).
    """
    prefix = f"{field}__" if field else ""
    return Q(**{f"{prefix}since__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gt": on})
    )


def benefit_evidence_list_visible_to(*, user) -> QuerySet[BenefitEvidence]:
    """The documents behind links and payments: the office's (PIPL art. 28).

    A household's contracts and slips name it, so only those who see
    households see them.
    """
    if not access.may_see_households(user):
        return BenefitEvidence.objects.none()
    return BenefitEvidence.objects.select_related("benefit_link", "payment")


def household_payment_list_visible_to(*, user) -> QuerySet[HouseholdPayment]:
    """Payments the user sees (trace.access.household_payment_scope)."""
    return (
        HouseholdPayment.objects.filter(access.household_payment_scope(user))
        .select_related("producer", "household__village")
        .prefetch_related("evidence")
    )
