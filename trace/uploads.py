"""Check and clean uploaded evidence files; no database writes here.

The one upload check of the project: inspection photos and lab reports
(inspections.uploads adds their kinds), sale invoices and receipts, the
documents of catalogue applications, the stamped scans of report
submissions. Photos are opened with Pillow (so a renamed non-image is
refused), sized from their header against a pixel budget before any pixel
is decoded, turned upright, and re-encoded from their pixels only, which
drops EXIF (GPS position, device serials), XMP and comments. PDFs must start
with %PDF and open in qpdf (pikepdf); they are rewritten without what a
reader would run or open (JavaScript, open and page actions, launch and form
actions, embedded files, XFA), and without any bytes outside the PDF's
objects, so an HTML/PDF polyglot keeps only its PDF. Where SUYUAN_CLAMD_URL
names a ClamAV daemon, every upload is scanned for known malware first.
"""

import io
import warnings
from dataclasses import dataclass

import pikepdf
from clamdpy import ClamdNetworkSocket, ClamdUnixSocket
from clamdpy.exceptions import ClamdException
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

DEFAULT_MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# A phone photo is 12 Mpx (48/50-Mpx sensors save 12-Mpx pictures unless told
# otherwise): twice that is room enough; a 56-Mpx PNG took 2.6 s to decode
# per upload (issue 34). SUYUAN_MAX_IMAGE_PIXELS sets the deployment's own.
DEFAULT_MAX_IMAGE_PIXELS = 24_000_000
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


def max_image_pixels() -> int:
    return int(getattr(settings, "SUYUAN_MAX_IMAGE_PIXELS", DEFAULT_MAX_IMAGE_PIXELS))


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
    scan_for_malware(data)
    if data.startswith(b"%PDF-"):
        return CleanUpload(
            kind=KIND_PDF,
            content=_clean_pdf(data),
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
            # Image.open reads the header only: the size is known, and an
            # image over the budget refused, before any pixel is decoded.
            image = Image.open(io.BytesIO(data))
            if image.format not in IMAGE_FORMATS:
                raise refused
            if image.width * image.height > max_image_pixels():
                raise ValidationError(
                    {
                        "file": _(
                            "图片像素过多（%(size)s），不能超过 %(max)s 万像素，请缩小后上传。"
                        )
                        % {
                            "size": f"{image.width}×{image.height}",
                            "max": max_image_pixels() // 10_000,
                        }
                    }
                )
            with Image.open(io.BytesIO(data)) as probe:
                probe.verify()  # checks the structure without decoding all pixels
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


# PDF actions that run or open something (ISO 32000-1, 12.6.4): JavaScript,
# launching an application, submitting or importing form data, going to an
# embedded or remote file, rich media, renditions. Links (/URI) and moves
# within the document (/GoTo) stay.
ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/ResetForm",
        "/GoToE",
        "/GoToR",
        "/RichMediaExecute",
        "/Rendition",
        "/Sound",
        "/Movie",
        "/Hide",
        "/SetOCGState",
        "/Trans",
        "/GoTo3DView",
    }
)
# Keys that hold something a reader runs or opens on its own: document and
# page open actions, additional actions (on open, close, print, focus…),
# JavaScript, embedded file streams, XFA forms (which carry scripts).
ACTIVE_KEYS = ("/OpenAction", "/AA", "/JS", "/JavaScript", "/EF", "/XFA")


def _clean_pdf(data: bytes) -> bytes:
    """Return the PDF rewritten by qpdf without active content, or raise.

    Only objects reachable from the trailer are written, so bytes outside
    them (an HTML page around a polyglot's PDF) are gone, as are embedded
    files once their name tree is removed.
    """
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except (pikepdf.PdfError, pikepdf.PasswordError, ValueError) as error:
        raise ValidationError({"file": _("不是有效的 PDF 文件。")}) from error
    with pdf:
        names = pdf.Root.get("/Names")
        if isinstance(names, pikepdf.Dictionary):
            for key in ("/JavaScript", "/EmbeddedFiles"):
                if key in names:
                    del names[key]
        for page in pdf.pages:
            annotations = page.obj.get("/Annots")
            if isinstance(annotations, pikepdf.Array):
                kept = [
                    annotation
                    for annotation in annotations
                    if not (
                        isinstance(annotation, pikepdf.Dictionary)
                        and annotation.get("/Subtype") == "/FileAttachment"
                    )
                ]
                page.obj.Annots = pikepdf.Array(kept)
        for obj in pdf.objects:
            _strip_active(obj)
        _strip_active(pdf.trailer)
        out = io.BytesIO()
        # Same input, same output: the /ID comes from the content.
        pdf.save(out, fix_metadata_version=False, deterministic_id=True)
    return out.getvalue()


def _strip_active(root) -> None:
    """Remove active keys and actions from a PDF object and its direct children.

    Indirect children are objects of their own, visited by the caller.
    """
    pending = [root]
    while pending:
        obj = pending.pop()
        if isinstance(obj, pikepdf.Dictionary | pikepdf.Stream):
            dictionary = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
            for key in ACTIVE_KEYS:
                if key in dictionary:
                    del dictionary[key]
            if dictionary.get("/S") in ACTIVE_ACTIONS:
                # An action nobody runs: its kind and its target go.
                for key in ("/S", "/F", "/Win", "/Mac", "/Unix", "/Next"):
                    if key in dictionary:
                        del dictionary[key]
            children = [dictionary[key] for key in dictionary.keys()]
        elif isinstance(obj, pikepdf.Array):
            children = list(obj)
        else:
            continue
        pending.extend(
            child
            for child in children
            if isinstance(child, pikepdf.Dictionary | pikepdf.Array)
            and not child.is_indirect
        )


def _clamd_client(url: str):
    """Return a clamdpy client for `unix:///path` or `tcp://host:port`."""
    timeout = float(getattr(settings, "SUYUAN_CLAMD_TIMEOUT", 30))
    if url.startswith("unix://"):
        return ClamdUnixSocket(path=url.removeprefix("unix://"), timeout=timeout)
    host, _sep, port = url.removeprefix("tcp://").rpartition(":")
    return ClamdNetworkSocket(host=host, port=int(port), timeout=timeout)


def scan_for_malware(data: bytes) -> None:
    """Raise ValidationError if ClamAV finds known malware in an upload.

    Only where SUYUAN_CLAMD_URL names a daemon (off by default). When the
    daemon does not answer, the upload is refused rather than stored
    unscanned: the deployment asked for every file to be scanned.
    """
    url = getattr(settings, "SUYUAN_CLAMD_URL", "")
    if not url:
        return
    try:
        result = _clamd_client(url).instream(io.BytesIO(data), max_chunk_size=65536)
    except (OSError, ClamdException) as error:
        raise ValidationError(
            {"file": _("文件安全检查暂时不可用，请稍后再上传。")}
        ) from error
    if result.status == "FOUND":
        raise ValidationError({"file": _("文件含有已知的恶意代码，已拒绝。")})
    if result.status != "OK":
        raise ValidationError({"file": _("文件安全检查未通过，请稍后再上传。")})
