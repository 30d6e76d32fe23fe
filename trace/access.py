"""Who may see and do what: the one place that decides.

Every selector scopes its querysets with the `*_scope` filters below, and every
write checks a `may_*` rule, so the API, the admin helpers and the workbench
all answer the same way. Outside a user's scope an object simply does not
exist for them (404), so its existence does not leak.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from trace.choices import BatchStatus, RegionLevel, Role
from trace.models import Batch, CatalogueEntry, Producer, Region, UserRole

NOTHING = Q(pk__in=[])
EVERYTHING = Q()

# Roles that answer for regions (and everything below them): the 市场监管
# inspector, the 四员 of 邵东 (seed 001, lines 190-205) and the offices.
REGION_ROLES = (
    Role.INSPECTOR,
    Role.INFORMANT,
    Role.SUPERVISOR,
    Role.TECHNICIAN,
    Role.PURCHASE_POINT,
    Role.OFFICE,
)
# Who fills and submits the offices' forms for their region, and who reviews
# those of the level below (a 监督员 those of the township's villages).
SUBMITTING_ROLES = (Role.INFORMANT, Role.SUPERVISOR, Role.OFFICE)
REVIEWING_ROLES = (Role.SUPERVISOR, Role.OFFICE)


class Refused(ValidationError):
    """The user sees the object but may not do this (the API answers 403).

    A ValidationError, so a form shows the message next to its field; an
    object outside the user's scope is refused as "does not exist" instead
    (`require`), with the same words as a 404.
    """


def require(
    allowed: bool,
    *,
    field: str,
    message: str,
    visible: bool | Callable[[], bool] = True,
) -> None:
    """Raise unless `allowed`: "does not exist" if not `visible`, else Refused.

    The one shape of a service's "who may" check (STYLE.md, "Who may, in the
    service"): the refusal of an object the user cannot see reads as a 404,
    so its existence does not leak.
    """
    if allowed:
        return
    if not (visible() if callable(visible) else visible):
        raise ValidationError({field: _("对象不存在。")})
    raise Refused({field: message})


def role_of(user) -> UserRole | None:
    """Return the user's role binding, cached on the user object per request."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_suyuan_role"):
        user._suyuan_role = (
            UserRole.objects.filter(user=user)
            .select_related("producer", "outlet__region")
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
    """Return the regions a region-scoped user answers for (empty otherwise).

    A purchase point answers for the village of its outlet as well.
    """
    binding = role_of(user)
    if binding is None or binding.role not in REGION_ROLES or is_administrator(user):
        return []
    regions = list(binding.regions.all())
    if binding.role == Role.PURCHASE_POINT and binding.outlet_id is not None:
        outlet_region = binding.outlet.region
        if all(region.pk != outlet_region.pk for region in regions):
            regions.append(outlet_region)
    return regions


def _covers(regions: list[Region], region: Region) -> bool:
    """Return True if `region` lies in (or is) one of `regions`."""
    return any(region.lineage.startswith(assigned.lineage) for assigned in regions)


def region_in_scope(user, region: Region) -> bool:
    """Return True if the region lies in the user's regions (all, for admins)."""
    if is_administrator(user):
        return True
    return _covers(assigned_regions(user), region)


def operator_producer(user) -> Producer | None:
    return role_of(user).producer if is_operator(user) else None


def inspector_regions(user) -> list[Region]:
    return list(role_of(user).regions.all()) if is_inspector(user) else []


def region_scope(user, field: str) -> Q:
    """Return a filter for objects whose `field` region lies in the user's regions.

    A region covers its descendants. Administrators see everything; a user
    with no regions (operators included) sees nothing.
    """
    if is_administrator(user):
        return EVERYTHING
    regions = assigned_regions(user)
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
    return region_scope(user, f"{prefix}region")


def batch_scope(user, field: str = "") -> Q:
    """Return a filter for batches (or objects with a batch at `field`).

    Operators see their producer's batches; inspectors, the 四员 and the
    offices the batches whose origin lies in their regions.
    """
    prefix = f"{field}__" if field else ""
    if is_administrator(user):
        return EVERYTHING
    if is_operator(user):
        return Q(**{f"{prefix}producer_id": role_of(user).producer_id})
    return region_scope(user, f"{prefix}origin")


def batch_visible(user, batch: Batch) -> bool:
    """Return True if the batch lies in the user's scope (batch_scope)."""
    return Batch.objects.filter(batch_scope(user), pk=batch.pk).exists()


def producer_visible(user, producer: Producer) -> bool:
    """Return True if the producer lies in the user's scope (producer_scope)."""
    return Producer.objects.filter(producer_scope(user), pk=producer.pk).exists()


def register_regions(user) -> list[Region]:
    """Return the counties whose registers the user keeps (an office of a county).

    DESIGN ("Roles"): a county office keeps the county's registers; a
    市州 or province office reads and sums its counties but keeps none.
    """
    if not has_role(user, Role.OFFICE):
        return []
    return [
        region
        for region in assigned_regions(user)
        if region.level == RegionLevel.COUNTY
    ]


def may_see_households(user) -> bool:
    """Administrators and offices see household personal data (PIPL art. 28).

    Offices see it within their regions (household_scope); what reaches
    them is scoped there.

    The same rule decides who gets the file of a document that names
    households (a 销售凭证 signed by the household): everyone else who sees
    the sale gets the record without the file.
    """
    return is_administrator(user) or has_role(user, Role.OFFICE)


def may_manage_register(user, region: Region | None = None) -> bool:
    """Return True if the user keeps the office's registers of the region.

    DESIGN ("Roles"): the county office keeps the county's registers —
    producers, households, links and evidence, certifications and reviews,
    outlets, 滞销 marks, periods — for its county and below. Without a
    region, the registers that belong to no county (regions, brands,
    product lines, brand licenses, 认定 policies) are the administrators'.
    """
    if is_administrator(user):
        return True
    if region is None:
        return False
    return _covers(register_regions(user), region)


def household_scope(user, field: str = "") -> Q:
    """Return a filter for households (or objects with a household at `field`).

    Household personal data (PIPL art. 28) is seen by the administrators
    and by the offices, within their regions; by nobody else.
    """
    prefix = f"{field}__" if field else ""
    if is_administrator(user):
        return EVERYTHING
    if not has_role(user, Role.OFFICE):
        return NOTHING
    return region_scope(user, f"{prefix}village")


def may_see_id_number(user, household) -> bool:
    """Return True if the user may read the household's ID number whole.

    Only where a form prints it (the 带贫人员名册) and only for the office of
    the household's county (DESIGN, "Roles") or an administrator; every
    screen shows the last four characters (personal_data.mask_id_number).
    """
    return may_manage_register(user, household.village)


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


def may_record_sale(user, batch: Batch) -> bool:
    """Return True if the user may record a sale (and its evidence) of the batch.

    Besides the producer's operator, a village 信息员 reports the sales of
    its village's products (seed 001, lines 203-205: 摸底、上报、促销).
    """
    if may_edit_batch(user, batch):
        return True
    return has_role(user, Role.INFORMANT) and _covers(
        assigned_regions(user), batch.origin
    )


def may_mark_slow_selling(user, region: Region, batch: Batch | None = None) -> bool:
    """Return True if the user may mark goods of the region (or the batch) 滞销.

    The office that keeps the registers, and a village 信息员 for its own
    village: seed 001 lines 202-205 make it "负责本村扶贫产品摸底、上报、
    促销", and lines 51-55 blame the one who does not report: "在扶贫产品
    出现滞销问题不报告、不支持的给予通报批评".
    """
    if may_manage_register(user, region):
        return True
    regions = assigned_regions(user)
    return (
        has_role(user, Role.INFORMANT)
        and _covers(regions, region)
        and (batch is None or _covers(regions, batch.origin))
    )


def may_publish_township_notice(user, township: Region) -> bool:
    """Return True if the user may publish a notice to the township's producers and buyers.

    The township's own 监督员 (seed 001, lines 193-195: "负责辖区内扶贫产品
    认定的监督、信息发布、推广促销等工作"), or an administrator.
    """
    if is_administrator(user):
        return True
    return has_role(user, Role.SUPERVISOR) and any(
        assigned.pk == township.pk for assigned in assigned_regions(user)
    )


def may_import_sales(user) -> bool:
    """Return True if the user may upload a platform's order export.

    An office or a producer (issue 37): the administrator, a producer's
    operator, a county / 市州 / province office.
    """
    return is_administrator(user) or is_operator(user) or has_role(user, Role.OFFICE)


def import_batch_scope(user) -> Q:
    """Return the batches an import of the user may sell from: its own scope."""
    return batch_scope(user) if may_import_sales(user) else NOTHING


def may_record_guidance(user, batch: Batch) -> bool:
    """Return True if the user may record a technical guidance visit on the batch.

    The township 技术指导员 (seed 001, lines 196-199) advises the batches
    grown in the township.
    """
    if is_administrator(user):
        return True
    return has_role(user, Role.TECHNICIAN) and _covers(
        assigned_regions(user), batch.origin
    )


def may_record_household_confirmation(user, household) -> bool:
    """Return True if the user may record a household's confirmation of a payment.

    The village 信息员 visits the households (DESIGN: "the households'
    confirmations"); the county office that keeps the household may record
    one too.
    """
    if may_manage_register(user, household.village):
        return True
    return has_role(user, Role.INFORMANT) and _covers(
        assigned_regions(user), household.village
    )


def may_record_household_payment(user, producer: Producer) -> bool:
    """Return True if the user may record the producer's payment to a household.

    The producer's operator (who pays the wage or the share) or the county
    office that keeps the producer's register.
    """
    if may_manage_register(user, producer.region):
        return True
    return is_operator(user) and role_of(user).producer_id == producer.pk


def household_payment_scope(user) -> Q:
    """Return a filter for the payments the user sees.

    The office all; an operator its producer's; a region-scoped officer
    (信息员, 监督员, county office) those of the households in its regions.
    """
    if is_administrator(user):
        return EVERYTHING
    if is_operator(user):
        return Q(producer_id=role_of(user).producer_id)
    return region_scope(user, "household__village")


def may_watch_benefit(user) -> bool:
    """Return True if the user keeps the 虚假带贫 watch list of its regions.

    The township 监督员 ("负责辖区内扶贫产品认定的监督", seed 001, lines
    197-198) and the offices.
    """
    return is_administrator(user) or has_role(user, Role.SUPERVISOR, Role.OFFICE)


def may_record_purchase(user, batch: Batch) -> bool:
    """Return True if the user, a village purchase point, may record a purchase.

    The purchase point (seed 001, lines 199-203) buys from the households of
    its village, for the batches grown there.
    """
    if is_administrator(user):
        return True
    binding = role_of(user)
    return (
        has_role(user, Role.PURCHASE_POINT)
        and binding.outlet_id is not None
        and _covers(assigned_regions(user), batch.origin)
    )


def submission_scope(user, field: str = "region") -> Q:
    """Return a filter for report submissions the user may see.

    Those who fill, submit or review forms see the submissions of their
    regions and below; nobody else sees any.
    """
    if is_administrator(user):
        return EVERYTHING
    if not has_role(user, *SUBMITTING_ROLES):
        return NOTHING
    return region_scope(user, field)


def may_submit_for(user, region: Region) -> bool:
    """Return True if the user may fill and submit a form for the region.

    A 信息员 for its village, a 监督员 for its township, an office for its
    county, 市州 or province (its own summary to the level above). A 监督员 or
    an office does not fill the forms of the level below: it reviews them.
    """
    if is_administrator(user):
        return True
    regions = assigned_regions(user)
    if has_role(user, Role.INFORMANT):
        return _covers(regions, region)
    if has_role(user, Role.SUPERVISOR, Role.OFFICE):
        return any(assigned.pk == region.pk for assigned in regions)
    return False


def may_review_submissions_to(user, addressee: Region) -> bool:
    """Return True if the user may accept or return the forms sent to `addressee`.

    A form is reviewed by the level it is addressed to (its period's
    region: 古楼乡's form to 洞口县's 县扶贫办 is reviewed by 洞口县's office,
    a village's to its township by the township's 监督员) and by no one
    else: the 市州 and the province above read it but do not decide it.
    """
    if is_administrator(user):
        return True
    return has_role(user, *REVIEWING_ROLES) and any(
        assigned.pk == addressee.pk for assigned in assigned_regions(user)
    )


# The 扶贫产品目录 and its 认定 procedure (seed 001 lines 112-118 and 190-205:
# the 信息员 reports a village's products, the township 监督员 checks, the
# county office decides).


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
    return region_scope(user, f"{prefix}region")


def catalogue_evidence_scope(user, field: str = "entry") -> Q:
    """Return a filter for the application documents (at `field`'s entry) a user reads.

    Only those who work on the application: its applicant (the producer's
    operator, or the village 信息员 who reports the village's products), the
    township 监督员 who checks it and the office that decides it (issue 34:
    a technician, a purchase point or an inspector of the region is not one
    of them, whatever else of the region they see).
    """
    prefix = f"{field}__" if field else ""
    if is_administrator(user):
        return EVERYTHING
    if is_operator(user):
        return Q(**{f"{prefix}producer_id": role_of(user).producer_id})
    if has_role(user, Role.INFORMANT, Role.SUPERVISOR, Role.OFFICE):
        return region_scope(user, f"{prefix}region")
    return NOTHING


def may_apply_catalogue_entry(user, producer: Producer) -> bool:
    """Return True if the user may apply (申报) a product of the producer.

    The producer's operator applies; so does the 信息员 of its village, who
    reports the village's products (seed 001, lines 204-206).
    """
    if is_administrator(user):
        return True
    if is_operator(user):
        return role_of(user).producer_id == producer.pk
    return has_role(user, Role.INFORMANT) and region_in_scope(user, producer.region)


def county_of(region: Region) -> Region:
    """Return the county above (or at) the region, or its top if none is."""
    while region.level != RegionLevel.COUNTY and region.parent_id is not None:
        region = region.parent
    return region


def may_apply_catalogue_entry_in(user, producer: Producer, region: Region) -> bool:
    """Return True if the user may apply a product of the producer from the region.

    The product comes from the producer's county, whose office decides its
    认定; a 信息员 reports the products of its own village only (issue 33: a
    洞口 信息员 saved a draft for 大通湖大闸蟹 under a 洞口 cooperative).
    """
    if is_administrator(user):
        return True
    if not may_apply_catalogue_entry(user, producer):
        return False
    if not region.lineage.startswith(county_of(producer.region).lineage):
        return False
    return not has_role(user, Role.INFORMANT) or region_in_scope(user, region)


def catalogue_entry_visible(user, entry) -> bool:
    """Return True if the entry lies in the user's scope (catalogue_entry_scope)."""
    return CatalogueEntry.objects.filter(
        catalogue_entry_scope(user), pk=entry.pk
    ).exists()


def may_edit_catalogue_entry(user, entry) -> bool:
    """Return True if the user may change the entry's price, delivery or contact."""
    return may_apply_catalogue_entry(user, entry.producer) and (
        not has_role(user, Role.INFORMANT) or region_in_scope(user, entry.region)
    )


def may_check_catalogue_entry(user, entry) -> bool:
    """Return True if the user is the 监督员 of the entry's township (核查)."""
    if is_administrator(user):
        return True
    return has_role(user, Role.SUPERVISOR) and region_in_scope(user, entry.region)


def may_decide_catalogue_entry(user, entry) -> bool:
    """Return True if the user is the office over the entry's region (审定)."""
    if is_administrator(user):
        return True
    return has_role(user, Role.OFFICE) and region_in_scope(user, entry.region)


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
    return has_role(user, Role.INFORMANT) and region_in_scope(user, entry.region)
