"""Who may see and do what: the one place that decides.

Every selector scopes its querysets with the `*_scope` filters below, and every
write checks a `may_*` rule, so the API, the admin helpers and the workbench
all answer the same way. Outside a user's scope an object simply does not
exist for them (404), so its existence does not leak.
"""

from django.db.models import Q

from trace.choices import BatchStatus, Role
from trace.models import Batch, Producer, Region, UserRole

NOTHING = Q(pk__in=[])
EVERYTHING = Q()


def role_of(user) -> UserRole | None:
    """Return the user's role binding, cached on the user object per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_suyuan_role"):
        user._suyuan_role = (
            UserRole.objects.filter(user=user)
            .select_related("producer")
            .prefetch_related("regions")
            .first()
        )
    return user._suyuan_role


def is_administrator(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    binding = role_of(user)
    return binding is not None and binding.role == Role.ADMINISTRATOR


def is_operator(user) -> bool:
    binding = role_of(user)
    return (
        binding is not None
        and binding.role == Role.OPERATOR
        and not is_administrator(user)
    )


def is_inspector(user) -> bool:
    binding = role_of(user)
    return (
        binding is not None
        and binding.role == Role.INSPECTOR
        and not is_administrator(user)
    )


def has_role(user, *roles: str) -> bool:
    """Return True if the user holds one of `roles` (administrators hold none)."""
    binding = role_of(user)
    return binding is not None and binding.role in roles and not is_administrator(user)


def assigned_regions(user) -> list[Region]:
    """Return the regions a region-scoped user answers for (empty otherwise)."""
    binding = role_of(user)
    if binding is None or binding.role in (Role.OPERATOR, Role.ADMINISTRATOR):
        return []
    return list(binding.regions.all())


def operator_producer(user) -> Producer | None:
    return role_of(user).producer if is_operator(user) else None


def inspector_regions(user) -> list[Region]:
    return list(role_of(user).regions.all()) if is_inspector(user) else []


def region_scope(user, field: str) -> Q:
    """Return a filter for objects whose `field` region lies in the user's regions.

    A region covers its descendants. Administrators see everything; a user
    with no regions sees nothing.
    """
    if is_administrator(user):
        return EVERYTHING
    regions = inspector_regions(user)
    if not regions:
        return NOTHING
    condition = NOTHING
    for region in regions:
        condition |= Q(**{f"{field}__lineage__startswith": region.lineage})
    return condition


def producer_scope(user, field: str = "") -> Q:
    """Return a filter for producers (or objects with a producer at `field`)."""
    prefix = f"{field}__" if field else ""
    if is_administrator(user):
        return EVERYTHING
    if is_operator(user):
        return Q(**{f"{prefix}pk": role_of(user).producer_id})
    if is_inspector(user):
        return region_scope(user, f"{prefix}region")
    return NOTHING


def batch_scope(user, field: str = "") -> Q:
    """Return a filter for batches (or objects with a batch at `field`).

    Operators see their producer's batches; inspectors the batches whose
    origin lies in their regions.
    """
    prefix = f"{field}__" if field else ""
    if is_administrator(user):
        return EVERYTHING
    if is_operator(user):
        return Q(**{f"{prefix}producer_id": role_of(user).producer_id})
    if is_inspector(user):
        return region_scope(user, f"{prefix}origin")
    return NOTHING


def may_manage_register(user) -> bool:
    """Return True if the user keeps the office's registers.

    Producers, certifications, households, benefit links, brands, licenses,
    product lines, regions and outlets are the poverty-alleviation office's.
    """
    return is_administrator(user)


def may_see_households(user) -> bool:
    """Only administrators see household personal data (PIPL art. 28)."""
    return is_administrator(user)


def may_register_batch_for(user, producer: Producer) -> bool:
    if is_administrator(user):
        return True
    return is_operator(user) and role_of(user).producer_id == producer.pk


def may_edit_batch(user, batch: Batch) -> bool:
    """Return True if the user may record events and sales for the batch."""
    return may_register_batch_for(user, batch.producer)


def may_change_batch_status(user, batch: Batch, to_status: str) -> bool:
    """Return True if the user's role allows this transition for this batch.

    Operators release their own drafts and may hold or recall their own
    batches; lifting a hold is for inspectors and administrators, so an
    operator cannot undo a hold an inspector imposed.
    """

    if is_administrator(user):
        return True
    if is_operator(user) and role_of(user).producer_id == batch.producer_id:
        return to_status in (
            BatchStatus.RELEASED,
            BatchStatus.ON_HOLD,
            BatchStatus.RECALLED,
        ) and not (
            to_status == BatchStatus.RELEASED and batch.status == BatchStatus.ON_HOLD
        )
    if is_inspector(user):
        return (
            Batch.objects.filter(region_scope(user, "origin"), pk=batch.pk).exists()
            and to_status
            in (
                BatchStatus.ON_HOLD,
                BatchStatus.RELEASED,
                BatchStatus.RECALLED,
            )
            and batch.status != BatchStatus.DRAFT
        )
    return False


# The 扶贫产品目录 and its 认定 procedure (seed 001 lines 112-118 and 190-205:
# the 信息员 reports a village's products, the township 监督员 checks, the
# county office decides).


def _covers(user, region: Region) -> bool:
    """Return True if one of the user's assigned regions contains `region`."""
    return any(
        region.lineage.startswith(assigned.lineage)
        for assigned in assigned_regions(user)
    )


def _assigned_scope(user, field: str) -> Q:
    condition = NOTHING
    for region in assigned_regions(user):
        condition |= Q(**{f"{field}__lineage__startswith": region.lineage})
    return condition


def catalogue_entry_scope(user, field: str = "") -> Q:
    """Return a filter for the catalogue entries (or objects at `field`) a user works on.

    Operators see their producer's entries; 信息员, 监督员, offices and
    inspectors those whose region lies in their regions.
    """
    prefix = f"{field}__" if field else ""
    if is_administrator(user):
        return EVERYTHING
    if is_operator(user):
        return Q(**{f"{prefix}producer_id": role_of(user).producer_id})
    return _assigned_scope(user, f"{prefix}region")


def may_apply_catalogue_entry(user, producer: Producer) -> bool:
    """Return True if the user may apply (申报) a product of the producer.

    The producer's operator applies; so does the 信息员 of its village, who
    reports the village's products (seed 001, lines 204-206).
    """
    if is_administrator(user):
        return True
    if is_operator(user):
        return role_of(user).producer_id == producer.pk
    return has_role(user, Role.INFORMANT) and _covers(user, producer.region)


def may_edit_catalogue_entry(user, entry) -> bool:
    """Return True if the user may change the entry's price, delivery or contact."""
    return may_apply_catalogue_entry(user, entry.producer) and (
        not has_role(user, Role.INFORMANT) or _covers(user, entry.region)
    )


def may_check_catalogue_entry(user, entry) -> bool:
    """Return True if the user is the 监督员 of the entry's township (核查)."""
    if is_administrator(user):
        return True
    return has_role(user, Role.SUPERVISOR) and _covers(user, entry.region)


def may_decide_catalogue_entry(user, entry) -> bool:
    """Return True if the user is the office over the entry's region (审定)."""
    if is_administrator(user):
        return True
    return has_role(user, Role.OFFICE) and _covers(user, entry.region)


def may_review_catalogue_objection(user, entry) -> bool:
    """Return True if the user reviews objections to the entry's 公示.

    The office that decided reviews what the public says about its decision.
    """
    return may_decide_catalogue_entry(user, entry)


def may_withdraw_catalogue_entry(user, entry) -> bool:
    """Return True if the user may take the entry out of the catalogue.

    The office decides; the producer's operator may withdraw its own product.
    """
    if may_decide_catalogue_entry(user, entry):
        return True
    return is_operator(user) and role_of(user).producer_id == entry.producer_id


def may_record_catalogue_availability(user, entry) -> bool:
    """Return True if the user keeps the entry's monthly availability (信息员)."""
    if is_administrator(user):
        return True
    return has_role(user, Role.INFORMANT) and _covers(user, entry.region)
