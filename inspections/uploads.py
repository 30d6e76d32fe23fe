"""Inspection evidence through the project's one upload check (trace.uploads).

Only the kinds differ: an inspection records a photo or a PDF lab report.
"""

import dataclasses

from django.utils.translation import gettext as _

from inspections.choices import AttachmentKind
from trace.uploads import (
    KIND_PDF,
    CleanUpload,
    max_upload_bytes,
    upload_too_large,
)
from trace.uploads import upload_clean as _upload_clean

__all__ = ["CleanUpload", "max_upload_bytes", "upload_clean", "upload_too_large"]


def upload_clean(*, data: bytes, name: str = "") -> CleanUpload:
    """Return the cleaned photo or lab report, or raise ValidationError."""
    upload = _upload_clean(
        data=data,
        name=name,
        refused_message=_("请上传 JPEG、PNG 或 WebP 图片，或 PDF 检测报告。"),
    )
    kind = (
        AttachmentKind.LAB_REPORT if upload.kind == KIND_PDF else AttachmentKind.PHOTO
    )
    return dataclasses.replace(upload, kind=kind)
