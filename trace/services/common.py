"""Helpers the trace services share: validated saves and private evidence files."""

from decimal import Decimal
from typing import IO, Any, TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils.translation import gettext as _

from trace import access
from trace.models import (
    BenefitEvidence,
    CatalogueEvidence,
    Region,
    SaleEvidence,
)
from trace.uploads import max_upload_bytes, upload_clean, upload_too_large


def validated_save(instance: models.Model, **fields: Any) -> models.Model:
    """Set fields, validate the whole row (DRF never calls full_clean) and save it."""
    for name, value in fields.items():
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    return instance


# The audit trail's reason column (django-simple-history) holds 100 characters.
REASON_MAX_LENGTH = 100


def audit_as(instance: models.Model, *, actor, reason: str = "") -> None:
    """Make the instance's next audit row say who (`actor`) changed it and why.

    Raise ValidationError for a reason longer than the trail keeps, rather
    than cut what the clerk wrote.
    """
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            {
                "reason": _("变更原因最多 %(limit)d 个字。")
                % {"limit": REASON_MAX_LENGTH}
            }
        )
    instance._history_user = actor  # django-simple-history reads these two
    instance._change_reason = reason


def audited_save(
    instance: models.Model, *, actor, reason: str = "", **fields: Any
) -> models.Model:
    """Save like validated_save; the audit row says who changed it and why."""
    audit_as(instance, actor=actor, reason=reason)
    return validated_save(instance, **fields)


def require_register_keeper(
    user, *regions: Region | None, message: str, field: str = NON_FIELD_ERRORS
) -> None:
    """Refuse a user who does not keep the registers of every region given.

    No region (or None) means a register of no county: the administrators'
    (trace.access.may_manage_register). A region outside the user's scope
    is refused as "does not exist"; a city office over it, as "may not".
    """
    regions = regions or (None,)
    for region in regions:
        access.require(
            access.may_manage_register(user, region),
            field=field,
            message=message,
            visible=lambda region=region: (
                region is None or access.region_in_scope(user, region)
            ),
        )


EvidenceRow = TypeVar("EvidenceRow", SaleEvidence, CatalogueEvidence, BenefitEvidence)


def _evidence_store(
    evidence: EvidenceRow, *, file: IO[bytes], name: str, refused_message: str
) -> EvidenceRow:
    """Check an uploaded file, store it under a random name and save its row.

    `evidence` is an unsaved row with a `file`, `content_type` and `size`
    (SaleEvidence, CatalogueEvidence, BenefitEvidence). Raise ValidationError, writing
    nothing, if the file is not a real image or PDF within
    SUYUAN_MAX_UPLOAD_BYTES.
    """
    size = getattr(file, "size", None)
    if size is not None and size > max_upload_bytes():
        raise upload_too_large()
    # Never read more than the limit plus one byte, enough to notice the excess.
    upload = upload_clean(
        data=file.read(max_upload_bytes() + 1),
        name=name,
        refused_message=refused_message,
    )
    evidence.content_type = upload.content_type
    evidence.size = len(upload.content)
    evidence.file.save(
        f"evidence{upload.suffix}", ContentFile(upload.content), save=False
    )
    try:
        with transaction.atomic():
            evidence.full_clean()
            evidence.save()
    except Exception:
        evidence.file.delete(save=False)
        raise
    return evidence


def _plain(value: Decimal) -> str:
    """Return a quantity without trailing zeros (30, not 30.000)."""
    return format(Decimal(value).normalize(), "f")
