"""Evidence files on a resource: one upload and one download for every kind.

Sales carry invoices and receipts, catalogue applications their documents;
both are checked and stored by a service and go out only through
trace.files.private_file_response, to users the selector lets see them.
"""

from collections.abc import Callable
from pathlib import PurePosixPath

from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from rest_framework import serializers, status
from rest_framework.response import Response

from trace.files import private_file_response


class EvidenceInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    caption = serializers.CharField(max_length=255, required=False, allow_blank=True)


def evidence_upload(
    request, *, add: Callable, output_serializer: type, **target
) -> Response:
    """Validate the upload's shape and let the service `add` check and store it."""
    data = EvidenceInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    upload = data.validated_data["file"]
    evidence = add(
        uploaded_by=request.user,
        file=upload,
        name=upload.name or "",
        caption=data.validated_data.get("caption", ""),
        **target,
    )
    return Response(output_serializer(evidence).data, status=status.HTTP_201_CREATED)


def evidence_download(visible: QuerySet, *, label: str, **lookup) -> HttpResponse:
    """Send one evidence file the user may see (404 otherwise), named `label-id`."""
    evidence = get_object_or_404(visible, **lookup)
    suffix = PurePosixPath(evidence.file.name).suffix
    return private_file_response(
        evidence.file,
        filename=f"{label}-{evidence.pk}{suffix}",
        content_type=evidence.content_type,
    )
