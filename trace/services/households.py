"""Writes of households and their benefit links."""

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trace.choices import BenefitKind
from trace.models import (
    BenefitLink,
    Household,
    HouseholdMember,
    Producer,
    Region,
)
from trace.personal_data import (
    encrypt_id_number,
    id_number_blind_index,
    id_number_is_current,
    reencrypt_id_number,
)
from trace.public_cache import producer_story_changed
from trace.services.certification import certification_recheck
from trace.services.common import (
    audit_as,
    audited_save,
    require_register_keeper,
)
from trace.validators import area_code_in_gb2260, normalize_id_number

# Households and benefit links: the county office's registers, within its
# county (households are personal data, PIPL art. 28). Each write raises
# ValidationError (trace.access.Refused) for a user who does not keep them
# (trace.access.may_manage_register).


def _require_register_keeper(user, *regions: Region | None) -> None:
    require_register_keeper(
        user,
        *regions,
        message=_("贫困户和利益联结由本县扶贫办（或管理员）登记。"),
    )


def household_create(
    *, id_number: str, created_by, reason: str = "", **fields: Any
) -> Household:
    """Register a household of a village the user keeps; the ID is stored encrypted.

    Raise ValidationError if the ID number is invalid or already registered.
    """
    village = fields.get("village")
    _require_register_keeper(
        created_by, village if isinstance(village, Region) else None
    )
    household = Household()
    _set_id_number(household, id_number)
    return _save_household(household, actor=created_by, reason=reason, **fields)


def household_update(
    *,
    household: Household,
    changed_by,
    id_number: str | None = None,
    reason: str = "",
    **fields: Any,
) -> Household:
    """Change a household; its village and a new one must be the user's."""
    village = fields.get("village")
    moved = (
        [village]
        if isinstance(village, Region) and village.pk != household.village_id
        else []
    )
    _require_register_keeper(changed_by, household.village, *moved)
    if id_number:
        _set_id_number(household, id_number)
    return _save_household(household, actor=changed_by, reason=reason, **fields)


def _area_code_exists(code: str) -> bool:
    """Return True if the area code is in GB/T 2260 (any year) or the register.

    python-stdnum's table lacks codes the statistics bureau gave to
    管理区 such as 大通湖区 (430971); a region the offices registered under a
    code vouches for that code.
    """
    return area_code_in_gb2260(code) or Region.objects.filter(code=code).exists()


def _set_id_number(person: Household | HouseholdMember, id_number: str) -> None:
    """Encrypt and index a head's or member's ID number, refusing a registered one.

    One person is registered once: as a head or as a member, not both.
    """
    try:
        number = normalize_id_number(id_number, area_code_exists=_area_code_exists)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from error
    index = id_number_blind_index(number)
    heads = Household.objects.filter(id_number_index=index)
    members = HouseholdMember.objects.filter(id_number_index=index)
    if isinstance(person, Household):
        heads = heads.exclude(pk=person.pk)
    else:
        members = members.exclude(pk=person.pk)
    if heads.exists() or members.exists():
        raise ValidationError({"id_number": _("该身份证号码已登记。")})
    person.id_number_encrypted = encrypt_id_number(number)
    person.id_number_index = index


def household_id_numbers_reencrypt(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every head's and member's ID number under the newest key.

    Run after putting a new key first in SUYUAN_ID_NUMBER_KEYS and before
    removing the old one. Idempotent: rows already under the newest key are
    left alone. Works in batches, each in its own transaction with the rows
    locked. The blind index does not change (it has its own key). Return
    counts: checked, reencrypted.
    """
    counts = {"checked": 0, "reencrypted": 0}
    for model in (Household, HouseholdMember):
        for name, count in _reencrypt(model, batch_size=batch_size).items():
            counts[name] += count
    return counts


def _reencrypt(model, *, batch_size: int) -> dict[str, int]:
    checked = reencrypted = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                model.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "id_number_encrypted")[:batch_size]
            )
            if not rows:
                break
            for pk, token in rows:
                if not id_number_is_current(token):
                    # update(): no audit row, the trail never holds ID numbers.
                    model.objects.filter(pk=pk).update(
                        id_number_encrypted=reencrypt_id_number(token)
                    )
                    reencrypted += 1
            checked += len(rows)
            last_pk = rows[-1][0]
    return {"checked": checked, "reencrypted": reencrypted}


def _save_household(
    household: Household, *, actor, reason: str = "", **fields: Any
) -> Household:
    try:
        with transaction.atomic():
            # Excluded from full_clean: the unique check would echo nothing
            # useful, and the blind index was checked above.
            for name, value in fields.items():
                setattr(household, name, value)
            household.full_clean(exclude=["id_number_index", "id_number_encrypted"])
            audit_as(household, actor=actor, reason=reason)
            household.save()
    except IntegrityError as error:  # a concurrent registration of the same ID
        raise ValidationError({"id_number": _("该身份证号码已登记。")}) from error
    return household


def household_record_public_name_consent(
    *, household: Household, recorded_by, consented: bool
) -> Household:
    """Record (or withdraw) consent to show the masked name on public pages."""
    _require_register_keeper(recorded_by, household.village)
    for producer_id in household.benefit_links.values_list("producer_id", flat=True):
        producer_story_changed(producer_id)
    if consented:
        return _save_household(
            household,
            actor=recorded_by,
            reason=_("同意公开脱敏姓名"),
            public_name_consent_at=timezone.now(),
            public_name_consent_by=recorded_by,
        )
    return _save_household(
        household,
        actor=recorded_by,
        reason=_("撤回公开脱敏姓名的同意"),
        public_name_consent_at=None,
        public_name_consent_by=None,
    )


# 家庭成员: the people of a household besides its head.


def household_member_add(
    *,
    household: Household,
    id_number: str,
    added_by,
    reason: str = "",
    **fields: Any,
) -> HouseholdMember:
    """Register a person of a household the user keeps; the ID is stored encrypted.

    Raise ValidationError if the ID number is invalid or already registered
    (as a head or a member).
    """
    _require_register_keeper(added_by, household.village)
    member = HouseholdMember(household=household)
    _set_id_number(member, id_number)
    return _save_member(member, actor=added_by, reason=reason, **fields)


def household_member_update(
    *,
    member: HouseholdMember,
    changed_by,
    id_number: str | None = None,
    reason: str = "",
    **fields: Any,
) -> HouseholdMember:
    """Change a member's name, relation, phone or ID number (with a reason)."""
    fields.pop("household", None)  # a person does not move between households
    _require_register_keeper(changed_by, member.household.village)
    if id_number:
        _set_id_number(member, id_number)
    return _save_member(member, actor=changed_by, reason=reason, **fields)


@transaction.atomic
def household_member_remove(
    *, member: HouseholdMember, removed_by, reason: str
) -> None:
    """Take a person off the household (moved out, died); the trail keeps why.

    Raise ValidationError without a reason.
    """
    _require_register_keeper(removed_by, member.household.village)
    if not reason.strip():
        raise ValidationError({"reason": _("请说明移除的原因。")})
    audit_as(member, actor=removed_by, reason=reason)
    member.delete()


def _save_member(
    member: HouseholdMember, *, actor, reason: str = "", **fields: Any
) -> HouseholdMember:
    try:
        with transaction.atomic():
            for name, value in fields.items():
                setattr(member, name, value)
            member.full_clean(exclude=["id_number_index", "id_number_encrypted"])
            audit_as(member, actor=actor, reason=reason)
            member.save()
    except IntegrityError as error:  # a concurrent registration of the same ID
        raise ValidationError({"id_number": _("该身份证号码已登记。")}) from error
    return member


def _link_villages(fields: dict[str, Any], link: BenefitLink | None = None) -> list:
    """Return the villages whose office keeps the link: its household's, old and new.

    The household's county office registers how a producer benefits it.
    """
    villages = [link.household.village] if link is not None else []
    household = fields.get("household")
    if isinstance(household, Household) and (
        link is None or household.pk != link.household_id
    ):
        villages.append(household.village)
    return villages or [None]


def _full_time_jobs_check(link: BenefitLink) -> None:
    """Raise ValidationError if the household holds more full-time jobs than people.

    One person works full-time for one employer: a household of four cannot
    be "带动 1 名以上贫困户务工" (seed 001, line 115) by a fifth producer at
    once. Links that overlap in time are counted; the household row is
    locked so that two links recorded at once are counted in turn.
    """
    if not (link.full_time and link.kind == BenefitKind.EMPLOYMENT):
        return
    household = Household.objects.select_for_update().get(pk=link.household_id)
    overlapping = (
        BenefitLink.objects.filter(
            household=household, kind=BenefitKind.EMPLOYMENT, full_time=True
        )
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=link.since))
        .exclude(pk=link.pk)
    )
    if link.ended_on is not None:
        overlapping = overlapping.filter(since__lt=link.ended_on)
    if overlapping.count() + 1 > household.members:
        raise ValidationError(
            {
                "full_time": _(
                    "该户家庭人口 %(members)s 人，同期已有 %(jobs)s 个全职务工联结，"
                    "不能再登记全职务工。"
                )
                % {"members": household.members, "jobs": overlapping.count()}
            }
        )


@transaction.atomic
def benefit_link_create(*, created_by, reason: str = "", **fields: Any) -> BenefitLink:
    """Register a benefit link and re-check its producer's certification.

    Raise ValidationError if the user does not keep the household's
    register, or the link would make the household employed full-time by
    more producers than it has members (`_full_time_jobs_check`).
    """
    _require_register_keeper(created_by, *_link_villages(fields))
    link = BenefitLink(**fields)
    link.full_clean()
    _full_time_jobs_check(link)
    link = audited_save(link, actor=created_by, reason=reason)
    producer_story_changed(link.producer_id)
    certification_recheck(producer=link.producer, trigger=_("新增利益联结"))
    return link


@transaction.atomic
def benefit_link_update(
    *, benefit_link: BenefitLink, changed_by, reason: str = "", **fields: Any
) -> BenefitLink:
    """Change a benefit link and re-check its producer's certification.

    A certification rests on the links (its policy counts them), so one
    that no longer holds goes to the office's review queue.
    """
    _require_register_keeper(changed_by, *_link_villages(fields, benefit_link))
    previous_producer_id = (
        BenefitLink.objects.filter(pk=benefit_link.pk)
        .values_list("producer_id", flat=True)
        .first()
    )
    for name, value in fields.items():
        setattr(benefit_link, name, value)
    benefit_link.full_clean()
    _full_time_jobs_check(benefit_link)
    link = audited_save(benefit_link, actor=changed_by, reason=reason)
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
    *, benefit_link: BenefitLink, ended_on: datetime.date, changed_by, reason: str = ""
) -> BenefitLink:
    """End a benefit link on a day and re-check its producer's certification.

    Raise ValidationError if the link has already ended.
    """
    if benefit_link.ended_on is not None:
        raise ValidationError({"ended_on": _("该利益联结已结束。")})
    return benefit_link_update(
        benefit_link=benefit_link,
        changed_by=changed_by,
        ended_on=ended_on,
        reason=reason or _("利益联结结束"),
    )
