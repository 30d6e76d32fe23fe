"""The admin of trace events and sales: append-only records."""

from django.contrib import admin

from trace.admin.common import AuditAdmin, path
from trace.models import (
    Sale,
    TraceEvent,
)
from trace.services.events import sale_record, trace_event_record


@admin.register(TraceEvent)
class TraceEventAdmin(AuditAdmin):
    list_display = [
        "batch",
        "kind",
        "occurred_at",
        "location",
        "place",
        "actor",
        "quantity",
        "unit",
    ]
    list_filter = ["kind", "reference_document_type"]
    search_fields = ["batch__lot_code", "place", "actor", "reference_document_number"]
    autocomplete_fields = ["batch", "location"]
    list_select_related = ["batch__product_line__brand", path("location")]
    date_hierarchy = "occurred_at"
    readonly_fields = ["recorded_by", "recorded_at"]

    def service_create(self, request, fields, form):
        return trace_event_record(recorded_by=request.user, **fields)


@admin.register(Sale)
class SaleAdmin(AuditAdmin):
    list_display = [
        "sold_at",
        "batch",
        "seller",
        "buyer",
        "channel",
        "outlet",
        "quantity",
        "unit",
        "amount",
    ]
    list_filter = ["channel", "outlet"]
    search_fields = ["buyer", "batch__lot_code", "seller__name", "note"]
    autocomplete_fields = ["batch", "outlet", "buyer_outlet"]
    list_select_related = ["batch__product_line__brand", "seller", "outlet"]
    date_hierarchy = "sold_at"
    exclude = ["seller"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def service_create(self, request, fields, form):
        return sale_record(recorded_by=request.user, **fields)
