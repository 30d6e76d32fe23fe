"""Writes of households and their benefit links."""

import datetime
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access
from trace.choices import BenefitKind
from trace.models import (
    BenefitLink,
    Household,
    Producer,
)
from trace.personal_data import (
    encrypt_id_number,
    id_number_blind_index,
    id_number_is_current,
    reencrypt_id_number,
)
from trace.public_cache import producer_story_changed
from trace.services.certification import certification_recheck
from trace.services.common import validated_save
from trace.validators import normalize_id_number

# Households and benefit links: the office's registers. Each write raises
# ValidationError (trace.access.Refused) for a user who does not keep them
# (trace.access.may_manage_register; households are personal data, PIPL
# art. 28).


def _require_register_keeper(user) -> None:
    access.require(
        access.may_manage_register(user),
        field=NON_FIELD_ERRORS,
        message=_("贫困户和利益联结由扶贫办（管理员）登记。"),
    )


def household_create(*, id_number: str, created_by, **fields: Any) -> Household:
    """Register a household; the ID number is stored only encrypted.

    Raise ValidationError if the ID number is invalid or already registered.
    """
    _require_register_keeper(created_by)
    household = Household()
    _set_id_number(household, id_number)
    return _save_household(household, **fields)


def household_update(
    *,
    household: Household,
    changed_by,
    id_number: str | None = None,
    **fields: Any,
) -> Household:
    _require_register_keeper(changed_by)
    if id_number:
        _set_id_number(household, id_number)
    return _save_household(household, **fields)


def _set_id_number(household: Household, id_number: str) -> None:
    try:
        number = normalize_id_number(id_number)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from error
    index = id_number_blind_index(number)
    if (
        Household.objects.filter(id_number_index=index)
        .exclude(pk=household.pk)
        .exists()
    ):
        raise ValidationError({"id_number": _("该身份证号码已登记。")})
    household.id_number_encrypted = encrypt_id_number(number)
    household.id_number_index = index


def household_id_numbers_reencrypt(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every household's ID number under the newest key.

    Run after putting a new key first in SUYUAN_ID_NUMBER_KEYS and before
    removing the old one. Idempotent: rows already under the newest key are
    left alone. Works in batches, each in its own transaction with the rows
    locked. The blind index does not change (it has its own key). Return
    counts: checked, reencrypted.
    """
    checked = reencrypted = 0
    last_pk = 0
    while True:
        with transaction.atomic():
            rows = list(
                Household.objects.select_for_update()
                .filter(pk__gt=last_pk)
                .order_by("pk")
                .values_list("pk", "id_number_encrypted")[:batch_size]
            )
            if not rows:
                break
            for pk, token in rows:
                if not id_number_is_current(token):
                    # update(): no audit row, the trail never holds ID numbers.
                    Household.objects.filter(pk=pk).update(
                        id_number_encrypted=reencrypt_id_number(token)
                    )
                    reencrypted += 1
            checked += len(rows)
            last_pk = rows[-1][0]
    return {"checked": checked, "reencrypted": reencrypted}


def _save_household(household: Household, **fields: Any) -> Household:
    try:
        with transaction.atomic():
            # Excluded from full_clean: the unique check would echo nothing
            # useful, and the blind index was checked above.
            for name, value in fields.items():
                setattr(household, name, value)
            household.full_clean(exclude=["id_number_index", "id_number_encrypted"])
            household.save()
    except IntegrityError as error:  # a concurrent registration of the same ID
        raise ValidationError({"id_number": _("该身份证号码已登记。")}) from error
    return household


def household_record_public_name_consent(
    *, household: Household, recorded_by, consented: bool
) -> Household:
    """Record (or withdraw) consent to show the masked name on public pages."""
    _require_register_keeper(recorded_by)
    for producer_id in household.benefit_links.values_list("producer_id", flat=True):
        producer_story_changed(producer_id)
    if consented:
        return _save_household(
            household,
            public_name_consent_at=timezone.now(),
            public_name_consent_by=recorded_by,
        )
    return _save_household(
        household, public_name_consent_at=None, public_name_consent_by=None
    )


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
def benefit_link_create(*, created_by, **fields: Any) -> BenefitLink:
    """Register a benefit link and re-check its producer's certification.

    Raise ValidationError if the user does not keep the registers, or the
    link would make the household employed full-time by more producers
    than it has members (`_full_time_jobs_check`).
    """
    _require_register_keeper(created_by)
    link = BenefitLink(**fields)
    link.full_clean()
    _full_time_jobs_check(link)
    link = validated_save(link)
    producer_story_changed(link.producer_id)
    certification_recheck(producer=link.producer, trigger=_("新增利益联结"))
    return link


@transaction.atomic
def benefit_link_update(
    *, benefit_link: BenefitLink, changed_by, **fields: Any
) -> BenefitLink:
    """Change a benefit link and re-check its producer's certification.

    A certification rests on the links (its policy counts them), so one
    that no longer holds goes to the administrators' review queue.
    """
    _require_register_keeper(changed_by)
    previous_producer_id = (
        BenefitLink.objects.filter(pk=benefit_link.pk)
        .values_list("producer_id", flat=True)
        .first()
    )
    for name, value in fields.items():
        setattr(benefit_link, name, value)
    benefit_link.full_clean()
    _full_time_jobs_check(benefit_link)
    link = validated_save(benefit_link)
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
    *, benefit_link: BenefitLink, ended_on: datetime.date, changed_by
) -> BenefitLink:
    """End a benefit link on a day and re-check its producer's certification.

    Raise ValidationError if the link has already ended.
    """
    if benefit_link.ended_on is not None:
        raise ValidationError({"ended_on": _("该利益联结已结束。")})
    return benefit_link_update(
        benefit_link=benefit_link, changed_by=changed_by, ended_on=ended_on
    )
