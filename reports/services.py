"""Writes of the reports package: the few records only reports need."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from labels.choices import LabelStatus
from labels.codes import label_url
from labels.models import Label
from reports import certificates
from reports.certificate_pdf import certificate_pdf
from reports.models import AuthorisedStoreReview, Certificate, SalesEvent
from reports.rules import authorised_store_verdict, local_share, local_share_is_short
from reports.selectors.campaign import authorised_store_figures
from reports.selectors.certificates import (
    certificate_inspection_facts,
)
from reports.selectors.common import ReportFilters
from trace import access
from trace.choices import OutletKind
from trace.models import Batch, Outlet, Region
from trace.public_cache import batch_story_changed
from trace.services.common import (
    audit_as,
    require_register_keeper,
    validated_save,
)
from trace.services.registry import outlet_authorisation_revoke


def sales_event_record(
    *,
    name: str,
    region: Region,
    held_on: datetime.date,
    recorded_by,
    organiser: str = "",
    note: str = "",
) -> SalesEvent:
    """Record a large sales event (大型产销活动); the same name, place and day once.

    Raise ValidationError if the user does not keep the region's registers
    (the county office within its county: trace.access.may_manage_register).
    """
    require_register_keeper(
        recorded_by,
        region,
        field="region",
        message=_("大型产销活动由本县扶贫办（或管理员）登记。"),
    )
    event = SalesEvent.objects.filter(name=name, region=region, held_on=held_on).first()
    if event is not None:
        return event
    event = SalesEvent()
    audit_as(event, actor=recorded_by)
    return validated_save(
        event,
        name=name,
        region=region,
        held_on=held_on,
        organiser=organiser,
        note=note,
    )


# 承诺达标合格证.


def _first_label_url(batch: Batch) -> str | None:
    label = (
        Label.objects.filter(batch=batch, status=LabelStatus.ACTIVE)
        .order_by("id")
        .only("serial")
        .first()
    )
    if label is None:
        return None
    return label_url(
        serial=label.serial, gtin=batch.product_line.gtin, lot=batch.lot_code
    )


def _default_contact(batch: Batch) -> str:
    producer = batch.producer
    return " ".join(
        part for part in (producer.contact_person, producer.contact_phone) if part
    )


@transaction.atomic
def certificate_issue(
    *, batch: Batch, issued_by, basis: list[str] | None = None, contact: str = ""
) -> Certificate:
    """Issue a new 承诺达标合格证 for a batch and render its PDFs.

    Without a basis, claim everything the batch's inspections support.
    Raise ValidationError if the user may not issue for the batch, the batch
    is not released, or a claimed basis is not supported.
    """
    if not access.may_edit_batch(issued_by, batch):
        raise ValidationError({"batch": _("只有本主体操作员或管理员可以开具合格证。")})
    # Lock the batch: the n-th certificate number is counted under the lock.
    batch = (
        # of=self: PostgreSQL cannot lock the nullable side of the brand join.
        Batch.objects.select_for_update(of=("self",))
        .select_related("producer", "product_line__brand", "origin")
        .get(pk=batch.pk)
    )
    if not certificates.status_allows_certificate(batch.status):
        raise ValidationError({"batch": _("只有已放行的批次可以开具承诺达标合格证。")})
    allowed = certificates.allowed_bases(certificate_inspection_facts(batch=batch))
    requested = sorted(allowed) if basis is None else list(basis)
    errors = certificates.basis_errors(requested=requested, allowed=allowed)
    if errors:
        raise ValidationError({"basis": errors})
    contact = (contact or "").strip() or _default_contact(batch)
    if not contact:
        raise ValidationError({"contact": _("请填写联系方式。")})
    issued_at = timezone.now()
    issued_on = timezone.localdate(issued_at)
    sequence = Certificate.objects.filter(batch=batch).count() + 1
    certificate = Certificate(
        batch=batch,
        number=certificates.certificate_number(
            issued_on=issued_on, batch_id=batch.pk, sequence=sequence
        ),
        basis=certificates.basis_normalize(requested),
        # 食用农产品名称 is the product's name; the batch's own name is a lot's.
        product_name=batch.product_line.name,
        quantity=batch.quantity,
        unit=batch.unit,
        origin=batch.origin.full_name,
        issuing_entity=batch.producer.name,
        contact=contact,
        qr_url=certificates.batch_qr_url(
            base_url=settings.SUYUAN_PUBLIC_BASE_URL,
            gtin=batch.product_line.gtin,
            lot=batch.lot_code,
            first_label_url=_first_label_url(batch),
        )
        or "",
        issued_at=issued_at,
        issued_by=issued_by,
        retained_until=certificates.retention_date(
            issued_on=issued_on,
            days=getattr(settings, "SUYUAN_CERTIFICATE_RETENTION_DAYS", 730),
        ),
    )
    certificate.full_clean()
    name = certificate.number
    certificate.pdf.save(
        f"{name}-a6.pdf",
        ContentFile(certificate_pdf(certificate, size="a6")),
        save=False,
    )
    certificate.label_pdf.save(
        f"{name}-label.pdf",
        ContentFile(certificate_pdf(certificate, size="label")),
        save=False,
    )
    try:
        certificate.save()
    except Exception:
        certificate.pdf.delete(save=False)
        certificate.label_pdf.delete(save=False)
        raise
    batch_story_changed(batch.pk)  # the scan page links the certificate
    return certificate


# 授权店 annual review (邵东's 奖惩机制, seeds/001, lines 30-42).


@transaction.atomic
def authorised_store_review(
    *, outlet: Outlet, year: int, decided_by
) -> AuthorisedStoreReview:
    """Review an authorised store's finished year and act on the verdict.

    Record the year's figures and the verdict of reports.rules; a store the
    rule revokes loses its authorisation now (authorised → revoked, with the
    date and the reason kept on the outlet). Raise ValidationError for an
    outlet that is not an 授权店, a year not yet over ("全年" needs the whole
    year), or a year already reviewed; refuse a user who does not keep the
    office's registers (trace.access.may_manage_register).
    """
    access.require(
        access.may_manage_register(decided_by, outlet.region),
        field="outlet",
        message=_("授权店年度考核由本县扶贫办（或管理员）进行。"),
        visible=lambda: access.region_in_scope(decided_by, outlet.region),
    )
    outlet = Outlet.objects.select_for_update().get(pk=outlet.pk)
    if outlet.kind != OutletKind.AUTHORISED_STORE:
        raise ValidationError({"outlet": _("只有授权店参加年度考核。")})
    if year >= timezone.localdate().year:
        raise ValidationError({"year": _("只能考核已结束的年度（“全年”销售）。")})
    if AuthorisedStoreReview.objects.filter(outlet=outlet, year=year).exists():
        raise ValidationError({"year": _("该授权店此年度已考核。")})
    (figures,) = authorised_store_figures(
        user=decided_by, filters=ReportFilters(), year=year, stores=[outlet]
    )
    verdict = authorised_store_verdict(
        annual_sales=figures.annual_sales,
        slow_selling_sales=figures.slow_selling_sales,
    )
    short = local_share_is_short(
        local_share(local_sales=figures.local_sales, annual_sales=figures.annual_sales)
    )
    if verdict.revoke:
        reason = _(
            "%(year)s年度考核：全年销售扶贫产品金额 %(sales)s 元，低于 10 万元，"
            "取消授权资格（邵东市消费扶贫奖惩机制，seeds/001 第 32–34 行）。"
        ) % {"year": year, "sales": figures.annual_sales}
    else:
        reason = _(
            "%(year)s年度考核：全年销售扶贫产品金额 %(sales)s 元，保留授权；"
            "奖补 %(reward)s 元。"
        ) % {"year": year, "sales": figures.annual_sales, "reward": verdict.reward}
    if short:
        reason += _("本地扶贫农畜产品不足 70%，须整改（seeds/001 第 3–5 行）。")
    if verdict.revoke and outlet.is_authorised:
        outlet_authorisation_revoke(
            outlet=outlet,
            revoked_on=timezone.localdate(),
            reason=reason,
            changed_by=decided_by,
        )
    review = AuthorisedStoreReview(
        outlet=outlet,
        year=year,
        annual_sales=figures.annual_sales,
        slow_selling_sales=figures.slow_selling_sales,
        local_sales=figures.local_sales,
        local_share_short=short,
        revoke=verdict.revoke,
        reward=verdict.reward,
        reason=reason,
        decided_by=decided_by,
    )
    review.full_clean()
    review.save()
    return review
