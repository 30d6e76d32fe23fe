"""Check and clean uploaded evidence files; no database writes here.

The one upload check of the project: inspection photos and lab reports
(inspections.uploads adds their kinds), sale invoices and receipts, the
documents of catalogue applications, the stamped scans of report
submissions. Photos are opened with Pillow (so a renamed non-image is
refused), turned upright, and re-encoded from their pixels only, which drops
EXIF (GPS position, device serials), XMP and comments. PDFs must start with
%PDF.
"""

import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# Well above any phone camera (50 Mpx) and far below a decompression bomb.
MAX_IMAGE_PIXELS = 60_000_000
THUMBNAIL_SIZE = (320, 320)
KIND_IMAGE, KIND_PDF = "image", "pdf"
# Pillow format → (content type, file suffix) of what is stored.
IMAGE_FORMATS = {
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "WEBP": ("image/webp", ".webp"),
}


@dataclass(frozen=True)
class CleanUpload:
    """An accepted file: what it is and the bytes to store."""

    kind: str
    content: bytes
    content_type: str
    suffix: str
    thumbnail: bytes | None = None


def max_upload_bytes() -> int:
    return int(getattr(settings, "SUYUAN_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def upload_too_large() -> ValidationError:
    megabytes = max_upload_bytes() / (1024 * 1024)
    return ValidationError(
        {"file": _("文件过大：不能超过 %(mb).1f MB。") % {"mb": megabytes}}
    )


def upload_clean(
    *, data: bytes, name: str = "", refused_message: str = ""
) -> CleanUpload:
    """Return the cleaned upload, or raise ValidationError if it is refused.

    `refused_message` says what the form accepts (shown for a wrong type).
    """
    if len(data) > max_upload_bytes():
        raise upload_too_large()
    if not data:
        raise ValidationError({"file": _("文件为空。")})
    if data.startswith(b"%PDF-"):
        return CleanUpload(
            kind=KIND_PDF,
            content=data,
            content_type="application/pdf",
            suffix=".pdf",
        )
    if name.lower().endswith(".pdf"):
        raise ValidationError({"file": _("不是有效的 PDF 文件。")})
    return _clean_image(
        data, refused_message or _("请上传 JPEG、PNG 或 WebP 图片或 PDF 文件。")
    )


def _clean_image(data: bytes, refused_message: str) -> CleanUpload:
    refused = ValidationError({"file": refused_message})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()  # checks the structure without decoding all pixels
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                raise refused
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError({"file": _("图片像素过多。")})
            image_format = image.format
            image.load()
    except ValidationError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombWarning,
        Image.DecompressionBombError,
    ) as error:
        raise refused from error
    content_type, suffix = IMAGE_FORMATS[image_format]
    upright = ImageOps.exif_transpose(
        image
    )  # keep what the camera saw before dropping EXIF
    clean = _pixels_only(upright, image_format)
    return CleanUpload(
        kind=KIND_IMAGE,
        content=_encode(clean, image_format),
        content_type=content_type,
        suffix=suffix,
        thumbnail=_thumbnail(clean),
    )


def _pixels_only(image: Image.Image, image_format: str) -> Image.Image:
    """Return a new image with the same pixels and no metadata at all."""
    if image_format == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
        image = image.convert("RGBA")
    if image.mode == "P":
        image = image.convert("RGBA")
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _encode(image: Image.Image, image_format: str) -> bytes:
    buffer = io.BytesIO()
    if image_format == "JPEG":
        image.save(buffer, format="JPEG", quality=90, optimize=True)
    else:
        image.save(buffer, format=image_format)
    return buffer.getvalue()


def _thumbnail(image: Image.Image) -> bytes:
    small = image.copy()
    small.thumbnail(THUMBNAIL_SIZE)
    if small.mode != "RGB":
        small = small.convert("RGB")
    buffer = io.BytesIO()
    small.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()
