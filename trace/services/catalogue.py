"""Writes of the 扶贫产品目录 and its 认定 procedure."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access
from trace.choices import (
    CatalogueContactKind,
    CatalogueStatus,
    CatalogueStepKind,
    ObjectionStatus,
    ProducerKind,
    RegionLevel,
    Role,
)
from trace.models import (
    BenefitLink,
    CatalogueAvailability,
    CatalogueEntry,
    CatalogueEntryStep,
    CatalogueObjection,
    Household,
    Producer,
    Region,
    TownshipNotice,
    UserRole,
)
from trace.public_cache import producer_story_changed
from trace.selectors.batches import origin_refusal, product_line_refusal
from trace.selectors.catalogue import catalogue_entry_status, catalogue_listed_q
from trace.selectors.certification import certification_is_active, producer_eligibility
from trace.services.common import validated_save

# The 扶贫产品目录 and its 认定 procedure: 申报 → 核查 → 审定 → 公示 → 目录
# (seed 001 lines 112-118: 企业申报、摸底调查 … 开展核查; seed 002 line 43).

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


def _catalogue_may(allowed: bool, *, user, entry: CatalogueEntry, message: str):
    """Refuse unless `allowed` ("does not exist" outside the user's scope)."""
    access.require(
        allowed,
        field="status",
        message=message,
        visible=lambda: access.catalogue_entry_visible(user, entry),
    )


def _catalogue_check_origin(*, user, entry: CatalogueEntry) -> None:
    """Refuse a region or product line the user may not apply for (申报).

    The product comes from the producer's county, and a 信息员's from its
    village (trace.access.may_apply_catalogue_entry_in); a product line must
    be one the producer may use, from its protected regions if a 地理标志.
    """
    if not access.may_apply_catalogue_entry_in(user, entry.producer, entry.region):
        raise ValidationError(
            {"region": _("产品所在地须在本主体所在县内；信息员只申报本村的产品。")}
        )
    if entry.product_line_id is None:
        return
    if refusal := product_line_refusal(
        producer=entry.producer, product_line=entry.product_line
    ):
        raise ValidationError({"product_line": refusal})
    if refusal := origin_refusal(product_line=entry.product_line, origin=entry.region):
        raise ValidationError({"region": refusal})


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
        # A household selling its own produce is its own beneficiary (云阳,
        # seed 004 line 24: "贫困户可销售的农特产品").
        linked.add(producer.household_id)
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

    Raise ValidationError if the user may not apply for the producer
    (trace.access.may_apply_catalogue_entry) or for this region and product
    line (`_catalogue_check_origin`), the contact would be a household's,
    the informant is not the village's, or a household has no benefit link.
    """
    access.require(
        access.may_apply_catalogue_entry(created_by, producer),
        field="producer",
        message=_("只有本主体的操作员、本村信息员或管理员可以申报。"),
        visible=lambda: access.producer_visible(created_by, producer),
    )
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
    _catalogue_check_origin(user=created_by, entry=entry)
    entry.save()
    entry.households.set(households)
    return entry


@transaction.atomic
def catalogue_entry_update(
    *, entry: CatalogueEntry, changed_by, **fields: Any
) -> CatalogueEntry:
    """Change an entry: what the product is only before 核查, price and delivery always.

    Raise ValidationError if the user may not edit the entry
    (trace.access.may_edit_catalogue_entry), for a withdrawn entry or for
    identity fields of an entry already checked.
    """
    _catalogue_may(
        access.may_edit_catalogue_entry(changed_by, entry),
        user=changed_by,
        entry=entry,
        message=_("您无权修改此目录条目。"),
    )
    entry = _catalogue_locked(entry)
    fields.pop("producer", None)
    fields.pop("status", None)
    households = fields.pop("households", None)
    changed = set(fields) | ({"households"} if households is not None else set())
    identity = changed & CatalogueEntry.IDENTITY_FIELDS
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
    if {"region", "product_line"} & set(fields):
        _catalogue_check_origin(user=changed_by, entry=entry)
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
    kept with the step. Raise ValidationError if the user may not apply the
    entry (trace.access.may_edit_catalogue_entry), or from any other status.
    """
    _catalogue_may(
        access.may_edit_catalogue_entry(applied_by, entry),
        user=applied_by,
        entry=entry,
        message=_("只有本主体的操作员、本村信息员或管理员可以申报。"),
    )
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
    ValidationError if the user is not the township's 监督员
    (trace.access.may_check_catalogue_entry), a pass is recorded for a
    producer that does not qualify, or a failure without a reason.
    """
    _catalogue_may(
        access.may_check_catalogue_entry(checked_by, entry),
        user=checked_by,
        entry=entry,
        message=_("核查由产品所在乡镇的监督员进行。"),
    )
    entry = _catalogue_locked(entry)
    _catalogue_require(entry, CatalogueStatus.APPLIED)
    eligibility = producer_eligibility(producer=entry.producer)
    if passed and not eligibility.qualifies:
        raise ValidationError(
            {
                "passed": _("该主体不符合认定条件（%(source)s）：%(reasons)s")
                % {
                    "source": eligibility.policy.source_title,
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
        policy_source=eligibility.policy.source_title[:255],
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
    default), today included. Raise ValidationError if the user is not the
    office over the entry (trace.access.may_decide_catalogue_entry), the
    producer holds no active certification, or for a rejection without a
    reason.
    """
    _catalogue_may(
        access.may_decide_catalogue_entry(decided_by, entry),
        user=decided_by,
        entry=entry,
        message=_("审定由县级扶贫办或管理员进行。"),
    )
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

    Raise ValidationError if the user does not review the entry's objections
    (trace.access.may_review_catalogue_objection), the objection was already
    reviewed or the note is empty.
    """
    _catalogue_may(
        access.may_review_catalogue_objection(reviewed_by, objection.entry),
        user=reviewed_by,
        entry=objection.entry,
        message=_("异议由县级扶贫办或管理员核实。"),
    )
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


@transaction.atomic
def catalogue_objections_dismiss(
    *, objections: list[CatalogueObjection], reviewed_by, note: str
) -> list[CatalogueObjection]:
    """Dismiss several pending objections with one note, all or none.

    A flood of copies of one objection (issue 34: 100 from 20 addresses)
    keeps a product out of the 目录 until each is reviewed; the office
    dismisses them in one action. Each goes through catalogue_objection_review,
    so who may and what is still pending are checked for every one; raise
    ValidationError (and dismiss none) if any is refused.
    """
    if not objections:
        raise ValidationError({"objections": _("请选择要驳回的异议。")})
    return [
        catalogue_objection_review(
            objection=objection, reviewed_by=reviewed_by, upheld=False, note=note
        )
        for objection in objections
    ]


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
    """Take an entry out of the procedure or the 目录 (已移出), with the reason.

    Raise ValidationError if the user may not withdraw it
    (trace.access.may_withdraw_catalogue_entry).
    """
    _catalogue_may(
        access.may_withdraw_catalogue_entry(withdrawn_by, entry),
        user=withdrawn_by,
        entry=entry,
        message=_("您无权移出此产品。"),
    )
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

    Raise ValidationError if the user is not the village's 信息员
    (trace.access.may_record_catalogue_availability) or the entry is not in
    the 目录.
    """
    _catalogue_may(
        access.may_record_catalogue_availability(recorded_by, entry),
        user=recorded_by,
        entry=entry,
        message=_("月度供货情况由本村信息员登记。"),
    )
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


def township_notice_publish(
    *, township: Region, title: str, body: str, published_by
) -> TownshipNotice:
    """Publish a 监督员's 信息发布 on the public catalogue of its township.

    Raise ValidationError if the user is not the township's 监督员
    (trace.access.may_publish_township_notice) or the region is not a town.
    """
    access.require(
        access.may_publish_township_notice(published_by, township),
        field="township",
        message=_("信息发布由本乡镇的监督员发布。"),
    )
    if township.level != RegionLevel.TOWN:
        raise ValidationError({"township": _("只能向乡镇（街道）发布信息。")})
    return validated_save(
        TownshipNotice(),
        township=township,
        title=(title or "").strip(),
        body=(body or "").strip(),
        published_by=published_by,
    )
