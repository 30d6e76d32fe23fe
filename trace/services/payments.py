"""Writes of payments to households (到户收益) and the households' confirmations.

"带贫真实" (seed 002, line 71; 邵东 seed 001, line 14 "带贫成效真实"): every
yuan a household is said to receive carries the date it was paid and the
household's own word on it. Unconfirmed money is shown apart and does not
count toward a 认定 threshold; disputed money goes to the county's review.
"""

import datetime
import hashlib
import hmac
import secrets
from decimal import Decimal
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trace import access
from trace.choices import PaymentConfirmation
from trace.models import (
    Batch,
    BenefitEvidence,
    BenefitLink,
    Household,
    HouseholdPayment,
    Producer,
    WatchClosure,
)
from trace.selectors.watch import benefit_watch_list
from trace.services.common import _evidence_store, validated_save

# Digits only, so it can be read over the phone or typed on a feature phone.
CODE_DIGITS = 8


def _code_hash(payment_id: int, code: str) -> str:
    key = settings.SUYUAN_ID_NUMBER_INDEX_KEY.encode()
    message = f"payment:{payment_id}:{code.strip()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def household_payment_add(
    *,
    household: Household,
    producer: Producer,
    kind: str,
    amount: Decimal,
    paid_on: datetime.date,
    recorded_by,
    benefit_link: BenefitLink | None = None,
    batch: Batch | None = None,
    price_reason: str = "",
) -> tuple[HouseholdPayment, str]:
    """Record money paid to a household; return it and its one-time code.

    The code is printed on the household's slip (到户收益确认单) and stored
    only as a keyed hash. The caller checks who may (the purchase point's
    purchase_record, the office's register).
    """
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("支付日期不能晚于今天。")})
    payment = validated_save(
        HouseholdPayment(),
        household=household,
        producer=producer,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        recorded_by=recorded_by,
        benefit_link=benefit_link,
        batch=batch,
        price_reason=price_reason,
    )
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    HouseholdPayment.objects.filter(pk=payment.pk).update(
        confirmation_code_hash=_code_hash(payment.pk, code)
    )
    return payment, code


@transaction.atomic
def household_payment_record(
    *,
    recorded_by,
    household: Household,
    producer: Producer,
    kind: str,
    amount: Decimal,
    paid_on: datetime.date,
    benefit_link: BenefitLink | None = None,
) -> tuple[HouseholdPayment, str]:
    """Record a wage, share or rent paid to a household; return it and its code.

    Raise ValidationError if the user may not record the producer's payments
    (trace.access.may_record_household_payment), the link is not this
    producer's with this household, or the household has no link with it.
    """
    access.require(
        access.may_record_household_payment(recorded_by, producer),
        field="producer",
        message=_("只有本主体的操作员或扶贫办可以登记到户收益。"),
        visible=lambda: access.producer_visible(recorded_by, producer),
    )
    links = BenefitLink.objects.filter(producer=producer, household=household)
    if benefit_link is not None and not links.filter(pk=benefit_link.pk).exists():
        raise ValidationError({"benefit_link": _("该利益联结不属于此主体和此户。")})
    if benefit_link is None and not links.exists():
        raise ValidationError(
            {"household": _("该贫困户与此主体没有利益联结，请先登记利益联结。")}
        )
    return household_payment_add(
        household=household,
        producer=producer,
        kind=kind,
        amount=amount,
        paid_on=paid_on,
        recorded_by=recorded_by,
        benefit_link=benefit_link,
    )


def _locked_unconfirmed(payment: HouseholdPayment) -> HouseholdPayment:
    payment = HouseholdPayment.objects.select_for_update().get(pk=payment.pk)
    if payment.confirmation != PaymentConfirmation.UNCONFIRMED:
        raise ValidationError(
            {
                "confirmation": _("该笔收益已处理（%(status)s）。")
                % {"status": payment.get_confirmation_display()}
            }
        )
    return payment


@transaction.atomic
def household_payment_confirm_on_visit(
    *,
    payment: HouseholdPayment,
    confirmed_by,
    note: str,
    agreed: bool = True,
    photo: IO[bytes] | None = None,
    photo_name: str = "",
) -> HouseholdPayment:
    """Record the household's answer given on the 信息员's visit.

    `note` names the signed or thumb-printed 到户收益确认单; its `photo`
    is kept as the payment's evidence.
    A household that does not agree disputes the payment: it goes to the
    county's review. Raise ValidationError if the user is not the village's
    信息员 (or the office), the payment was already answered, or no note.
    """
    access.require(
        access.may_record_household_confirmation(confirmed_by, payment.household),
        field="confirmation",
        message=_("只有本村信息员可以记录本户确认。"),
        # Households are seen only by the office and their village's 信息员.
        visible=lambda: access.may_see_households(confirmed_by),
    )
    if not note.strip():
        raise ValidationError({"note": _("请写明确认单（签字或手印）及照片情况。")})
    payment = _locked_unconfirmed(payment)
    if photo is not None:
        benefit_evidence_add(
            uploaded_by=confirmed_by,
            file=photo,
            name=photo_name,
            caption=_("到户收益确认单"),
            payment=payment,
        )
    return validated_save(
        payment,
        confirmation=PaymentConfirmation.CONFIRMED
        if agreed
        else PaymentConfirmation.DISPUTED,
        confirmed_at=timezone.now(),
        confirmed_by=confirmed_by,
        confirmation_note=note.strip(),
    )


@transaction.atomic
def household_payment_confirm_with_code(
    *, payment: HouseholdPayment, code: str
) -> HouseholdPayment:
    """Confirm a payment with the one-time code from the household's slip.

    Raise ValidationError, the same words for any wrong code, if the code
    does not match or the payment was already answered.
    """
    payment = _locked_unconfirmed(payment)
    if not payment.confirmation_code_hash or not hmac.compare_digest(
        payment.confirmation_code_hash, _code_hash(payment.pk, code)
    ):
        raise ValidationError({"code": _("确认码不正确。")})
    payment.confirmation_code_hash = ""  # one-time
    return validated_save(
        payment,
        confirmation=PaymentConfirmation.CONFIRMED,
        confirmed_at=timezone.now(),
        confirmed_by=None,
        confirmation_note=_("本户凭确认码确认"),
    )


def benefit_evidence_add(
    *,
    uploaded_by,
    file: IO[bytes],
    name: str = "",
    caption: str = "",
    benefit_link: BenefitLink | None = None,
    payment: HouseholdPayment | None = None,
) -> BenefitEvidence:
    """Attach a document to a benefit link or a payment, stored privately.

    A link's documents (劳动合同, wage records, the lease, the share
    agreement) are the office's register; a payment's (a receipt, the
    photographed 到户收益确认单) may also come from the household's village
    信息员. Raise ValidationError if the user may not, or the file is not a
    real image or PDF within SUYUAN_MAX_UPLOAD_BYTES.
    """
    if (benefit_link is None) == (payment is None):
        raise ValidationError({"file": _("请指定利益联结或到户收益之一。")})
    if benefit_link is not None:
        allowed = access.may_manage_register(
            uploaded_by, benefit_link.household.village
        )
    else:
        allowed = access.may_record_household_confirmation(
            uploaded_by, payment.household
        )
    access.require(
        allowed,
        field="file",
        message=_("只有扶贫办或本村信息员可以上传带贫凭证。"),
        visible=lambda: access.may_see_households(uploaded_by),
    )
    evidence = BenefitEvidence(
        benefit_link=benefit_link,
        payment=payment,
        caption=caption,
        uploaded_by=uploaded_by,
    )
    return _evidence_store(
        evidence,
        file=file,
        name=name,
        refused_message=_(
            "请上传合同、记录或凭证的 JPEG、PNG、WebP 照片或 PDF 扫描件。"
        ),
    )


def benefit_watch_close(*, reason: str, record_id: int, note: str, closed_by):
    """Close a 虚假带贫 watch-list line with why (checked, explained, corrected).

    Raise ValidationError if the user does not keep the watch list, the line
    is not on the user's list, or no note is given.
    """
    access.require(
        access.may_watch_benefit(closed_by),
        field="reason",
        message=_("虚假带贫关注清单由监督员和扶贫办处理。"),
    )
    if not note.strip():
        raise ValidationError({"note": _("请说明处理结果。")})
    if not any(
        line.reason == reason and line.record_id == record_id
        for line in benefit_watch_list(user=closed_by)
    ):
        raise ValidationError({"record_id": _("对象不存在。")})
    return validated_save(
        WatchClosure(),
        reason=reason,
        record_id=record_id,
        note=note.strip(),
        closed_by=closed_by,
    )
