import io

import pytest
from django.core.exceptions import ValidationError
from PIL import ExifTags, Image

from inspections.choices import AttachmentKind
from inspections.uploads import upload_clean
from tests.factories import make_pdf

GPS_IFD = ExifTags.IFD.GPSInfo


def jpeg_with_gps(size=(640, 480)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6  # rotated: the camera was held upright
    gps = exif.get_ifd(GPS_IFD)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (27.0, 3.0, 36.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (110.0, 34.0, 12.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    data = buffer.getvalue()
    assert (
        Image.open(io.BytesIO(data)).getexif().get_ifd(GPS_IFD)
    )  # the fixture really has GPS
    return data


def test_photo_comes_back_without_exif_and_upright():
    clean = upload_clean(data=jpeg_with_gps(), name="现场.jpg")
    assert clean.kind == AttachmentKind.PHOTO and clean.content_type == "image/jpeg"
    stored = Image.open(io.BytesIO(clean.content))
    assert not stored.getexif()
    assert not stored.getexif().get_ifd(GPS_IFD)
    assert b"Exif" not in clean.content and b"PhoneMaker" not in clean.content
    assert stored.size == (480, 640)  # orientation 6 applied before EXIF was dropped
    thumbnail = Image.open(io.BytesIO(clean.thumbnail))
    assert max(thumbnail.size) <= 320 and not thumbnail.getexif()


def test_png_keeps_its_format():
    buffer = io.BytesIO()
    Image.new("RGBA", (50, 40), (1, 2, 3, 128)).save(buffer, format="PNG")
    clean = upload_clean(data=buffer.getvalue(), name="a.png")
    assert (
        clean.content_type == "image/png"
        and Image.open(io.BytesIO(clean.content)).format == "PNG"
    )


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"this is not an image at all", "photo.jpg"),
        (b"\xff\xd8\xff\xe0 truncated jpeg", "photo.jpg"),
        (b"<html>%PDF-</html>", "report.pdf"),
        (b"GIF89a" + b"\0" * 20, "x.gif"),
    ],
)
def test_fake_files_are_refused(data, name):
    with pytest.raises(ValidationError) as error:
        upload_clean(data=data, name=name)
    assert "file" in error.value.message_dict


def test_pdf_must_start_with_pdf_marker():
    clean = upload_clean(data=make_pdf(), name="report.pdf")
    assert (
        clean.kind == AttachmentKind.LAB_REPORT
        and clean.content_type == "application/pdf"
    )


def test_oversize_is_refused(settings):
    settings.SUYUAN_MAX_UPLOAD_BYTES = 1000
    with pytest.raises(ValidationError) as error:
        upload_clean(data=b"%PDF-" + b"0" * 1000, name="big.pdf")
    assert "MB" in error.value.message_dict["file"][0]


def test_empty_file_is_refused():
    with pytest.raises(ValidationError):
        upload_clean(data=b"", name="x.jpg")
