"""Admin views of labels and print jobs: read-only, writes go through services."""

from django.contrib import admin

from labels.models import Label, PrintJob
from trace.audit import ReadOnlyHistoryAdmin


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # serials are never reused, so labels are never deleted


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
    show_full_result_count = False  # a count over millions of labels is slow
