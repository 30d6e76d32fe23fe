"""Admin views of labels and print jobs: read-only, writes go through services."""

from django.contrib import admin

from labels.models import Label, LabelVoid, PrintJob
from trace.admin_base import ReadOnlyAdmin
from trace.audit import ReadOnlyHistoryAdmin


@admin.register(PrintJob)
class PrintJobAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "batch",
        "template",
        "count",
        "status",
        "progress",
        "requested_by",
        "created_at",
    ]
    list_filter = ["status", "template"]
    list_select_related = ["batch__product_line__brand", "requested_by"]


@admin.register(Label)
class LabelAdmin(ReadOnlyHistoryAdmin, ReadOnlyAdmin):
    list_display = [
        "serial",
        "batch",
        "print_job",
        "status",
        "scan_count",
        "first_scanned_at",
    ]
    list_filter = ["status"]
    search_fields = ["serial"]
    list_select_related = ["batch__product_line__brand", "print_job"]
    # Read-only: serials are never reused, so labels are never deleted.
    show_full_result_count = False  # a count over millions of labels is slow


@admin.register(LabelVoid)
class LabelVoidAdmin(ReadOnlyAdmin):
    list_display = ["id", "batch", "voided_at", "voided_by", "reason"]
    list_select_related = ["batch__product_line__brand", "voided_by"]
    date_hierarchy = "voided_at"
