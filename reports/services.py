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
from reports.models import Certificate, SalesEvent
from reports.selectors.certificates import (
    certificate_inspection_facts,
    certificate_latest,
)
from trace import access
from trace.models import Batch, Region
from trace.public_cache import batch_story_changed


def sales_event_record(
    *,
    name: str,
    region: Region,
    held_on: datetime.date,
    organiser: str = "",
    note: str = "",
) -> SalesEvent:
    """Record a large sales event (大型产销活动); the same name, place and day once."""
    event, _created = SalesEvent.objects.get_or_create(
        name=name,
        region=region,
        held_on=held_on,
        defaults={"organiser": organiser, "note": note},
    )
    return event


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
    is on hold or recalled, or a claimed basis is not supported.
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
        raise ValidationError(
            {"batch": _("批次暂停销售或已召回，不能开具承诺达标合格证。")}
        )
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
        product_name=batch.name or str(batch.product_line),
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


def certificate_latest_or_issue(*, batch: Batch, user) -> Certificate | None:
    """Return the batch's latest certificate, issuing the first one if allowed.

    Inspectors read certificates but do not issue them: with none issued yet
    they get None.
    """
    certificate = certificate_latest(batch=batch)
    if certificate is not None:
        return certificate
    if not access.may_edit_batch(user, batch):
        return None
    return certificate_issue(batch=batch, issued_by=user)
