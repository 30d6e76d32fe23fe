"""Helpers the trace services share: validated saves and private evidence files."""

from decimal import Decimal
from typing import IO, Any, TypeVar

from django.core.files.base import ContentFile
from django.db import models, transaction

from trace.models import (
    BenefitEvidence,
    CatalogueEvidence,
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
