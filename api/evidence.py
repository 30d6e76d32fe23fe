"""Evidence on a resource: one upload action and one download action.

Sales carry invoices and receipts, catalogue applications their documents;
both are checked and stored by a service, and go out only through
trace.files.evidence_file_response (the API and the workbench alike).
"""

from collections.abc import Callable

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from api.parsers import FormParser, MultiPartParser
from trace.files import evidence_file_response


class EvidenceInputSerializer(serializers.Serializer):
    file = serializers.FileField(allow_empty_file=False)
    caption = serializers.CharField(max_length=255, required=False, allow_blank=True)


def evidence_actions(
    *,
    parent: str,
    add: Callable,
    serializer: type[serializers.Serializer],
    visible: Callable[..., QuerySet],
    label: str,
    upload_summary: str,
    download_summary: str,
) -> tuple[Callable, Callable]:
    """Return the `evidence` and `evidence_file` actions of a ViewSet.

    `POST {id}/evidence/` validates the upload's shape and lets the service
    `add(uploaded_by=, file=, name=, caption=, <parent>=)` check and store it;
    `GET {id}/evidence/{evidence_id}/` sends a file of the row from
    `visible(user=)`, named `label-{id}-{evidence_id}`. Declare both in the
    class body: `evidence, evidence_file = evidence_actions(...)`.
    """

    @extend_schema(
        summary=upload_summary,
        request={"multipart/form-data": EvidenceInputSerializer},
        responses={201: serializer},
    )
    @action(
        detail=True,
        methods=["post"],
        parser_classes=[MultiPartParser, FormParser],
        url_path="evidence",
    )
    def evidence(self, request, pk=None):
        data = EvidenceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        stored = add(
            uploaded_by=request.user,
            file=upload,
            name=upload.name or "",
            caption=data.validated_data.get("caption", ""),
            **{parent: self.get_object()},
        )
        return Response(serializer(stored).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=download_summary,
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
    )
    @action(detail=True, methods=["get"], url_path=r"evidence/(?P<evidence_id>[0-9]+)")
    def evidence_file(self, request, pk=None, evidence_id=None):
        return evidence_file_response(
            visible(user=request.user),
            label=f"{label}-{pk}",
            pk=evidence_id,
            **{f"{parent}_id": pk},
        )

    return evidence, evidence_file
