"""A batch's trace events, inspections and labels as an EPCIS 2.0 JSON-LD document."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import renderers
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.epcis import batch_epcis_document
from trace.selectors.batches import batch_list_visible_to


class JSONLDRenderer(renderers.JSONRenderer):
    media_type = "application/ld+json"
    format = "jsonld"


class BatchEPCISView(APIView):
    """GS1 EPCIS 2.0 document of one batch (ObjectEvents, CBV business steps)."""

    renderer_classes = [renderers.JSONRenderer, JSONLDRenderer]

    @extend_schema(
        operation_id="batches_epcis",
        summary="批次 EPCIS 2.0 导出",
        responses={
            (200, "application/json"): OpenApiTypes.OBJECT,
            (200, "application/ld+json"): OpenApiTypes.OBJECT,
        },
    )
    def get(self, request, pk: int):
        batch = get_object_or_404(batch_list_visible_to(user=request.user), pk=pk)
        return Response(batch_epcis_document(batch=batch))
