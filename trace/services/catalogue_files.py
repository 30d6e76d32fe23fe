"""Writes of the 扶贫产品目录's files: a product's photos, an application's documents.

Split from trace.services.catalogue, whose steps decide the statuses these
files follow.
"""

from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from trace import access
from trace.choices import CatalogueStatus
from trace.models import CatalogueEntry, CatalogueEvidence, CataloguePhoto
from trace.public_cache import producer_story_changed
from trace.services.catalogue import _catalogue_locked, _catalogue_may
from trace.services.common import _evidence_store

# At most this many photos per product: a phone page, not a gallery.
CATALOGUE_MAX_PHOTOS = 6


def catalogue_photo_add(
    *,
    entry: CatalogueEntry,
    content: bytes,
    suffix: str,
    uploaded_by,
    caption: str = "",
) -> CataloguePhoto:
    """Store a cleaned photo (no EXIF: the caller cleans uploads) of an entry.

    Raise ValidationError if the user may not edit the entry
    (trace.access.may_edit_catalogue_entry) or it has its photos already.
    """
    _catalogue_may(
        access.may_edit_catalogue_entry(uploaded_by, entry),
        user=uploaded_by,
        entry=entry,
        message=_("您无权修改此目录条目。"),
    )
    count = entry.photos.count()
    if count >= CATALOGUE_MAX_PHOTOS:
        raise ValidationError(
            {
                "file": _("每个产品最多 %(count)s 张照片。")
                % {"count": CATALOGUE_MAX_PHOTOS}
            }
        )
    photo = CataloguePhoto(
        entry=entry, caption=caption, position=count, uploaded_by=uploaded_by
    )
    photo.image.save(f"entry-{entry.pk}{suffix}", ContentFile(content), save=False)
    photo.full_clean()
    photo.save()
    if entry.status in (CatalogueStatus.NOTICE, CatalogueStatus.LISTED):
        producer_story_changed(entry.producer_id)
    return photo


# An application gathers its documents while it waits for 核查 or is put
# right after a refusal; once checked, what the 监督员 read stays as it was.
CATALOGUE_EVIDENCE_STATUSES = (
    CatalogueStatus.DRAFT,
    CatalogueStatus.APPLIED,
    CatalogueStatus.REJECTED,
)


def catalogue_evidence_add(
    *,
    entry: CatalogueEntry,
    uploaded_by,
    file: IO[bytes],
    name: str = "",
    caption: str = "",
) -> CatalogueEvidence:
    """Attach a document (photo or PDF) to an application, stored privately.

    Raise ValidationError if the user may not apply the entry, the entry is
    past 核查 (only a draft, applied or rejected entry gathers evidence), or
    the file is not a real image or PDF within SUYUAN_MAX_UPLOAD_BYTES.
    """
    if not access.may_edit_catalogue_entry(uploaded_by, entry):
        raise ValidationError(
            {"file": _("只有本主体操作员、本村信息员或管理员可以上传申报材料。")}
        )
    with transaction.atomic():
        entry = _catalogue_locked(entry)  # no upload races the step to 审定
        if entry.status not in CATALOGUE_EVIDENCE_STATUSES:
            raise ValidationError(
                {
                    "file": _(
                        "目录条目当前为“%(current)s”，审定前（草稿、申报中或未通过）"
                        "才能上传申报材料。"
                    )
                    % {"current": entry.get_status_display()}
                }
            )
        evidence = CatalogueEvidence(
            entry=entry, caption=caption, uploaded_by=uploaded_by
        )
        return _evidence_store(
            evidence,
            file=file,
            name=name,
            refused_message=_("请上传申报材料的 JPEG、PNG、WebP 照片或 PDF 扫描件。"),
        )
