"""Evidence uploads on a resource: one shape check for every kind.

Sales carry invoices and receipts, catalogue applications their documents;
both are checked and stored by a service, and go out only through
trace.files.evidence_file_response (the API and the workbench alike).
"""

from collections.abc import Callable

from rest_framework import serializers, status
from rest_framework.response import Response


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
