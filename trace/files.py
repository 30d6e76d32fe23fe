"""Serve stored files privately: through a view that checked access first.

Evidence (inspection photos and lab reports), label sheets and certificates
live under MEDIA_ROOT but are never served as public media. The view that
decides who may see a file returns `private_file_response`: Django streams
the file itself (FileResponse), or, when SUYUAN_MEDIA_ACCEL_REDIRECT names
the URL prefix of an nginx `internal` location aliased to MEDIA_ROOT, nginx
sends it (X-Accel-Redirect), so a web worker is not held for the download.
"""

from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.db.models import QuerySet
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header


def private_file_response(
    file: FieldFile, *, filename: str, content_type: str, as_attachment: bool = True
) -> HttpResponse:
    """Return a response that sends the stored file, to a user already checked."""
    prefix = getattr(settings, "SUYUAN_MEDIA_ACCEL_REDIRECT", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(file.name)
        response["Content-Disposition"] = content_disposition_header(
            as_attachment, filename
        )
    else:
        response = FileResponse(
            file.open("rb"),
            as_attachment=as_attachment,
            filename=filename,
            content_type=content_type,
        )
    # Evidence is personal to the checked user: no shared cache keeps it.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def evidence_file_response(
    visible: QuerySet, *, label: str, as_attachment: bool = True, **lookup
) -> HttpResponse:
    """Send one evidence file the user may see (404 otherwise), named `label-id`."""
    evidence = get_object_or_404(visible, **lookup)
    suffix = PurePosixPath(evidence.file.name).suffix
    return private_file_response(
        evidence.file,
        filename=f"{label}-{evidence.pk}{suffix}",
        content_type=evidence.content_type,
        as_attachment=as_attachment,
    )
