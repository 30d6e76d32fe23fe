"""Admin for the analyte catalogue and a read-mostly view of inspections.

Inspections are recorded through the API (which computes the verdict and
applies the batch consequences), so the admin cannot add them, and a signed
inspection cannot be changed or deleted here at all.
"""

from django.contrib import admin

from inspections.models import (
    Analyte,
    AnalyteClass,
    AnalyteLimit,
    ControlPoint,
    HoldRelease,
    Inspection,
    InspectionAttachment,
    InspectionResult,
    QualityAlert,
)
from trace.admin_base import ReadOnlyAdmin, ReadOnlyInline
from trace.audit import ReadOnlyHistoryAdmin


class AnalyteLimitInline(admin.TabularInline):
    model = AnalyteLimit
    extra = 0


@admin.register(AnalyteClass)
class AnalyteClassAdmin(admin.ModelAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(Analyte)
class AnalyteAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "method",
        "kind",
        "unit",
        "limit",
        "analyte_class",
        "screens",
        "is_example",
    ]
    list_filter = ["kind", "is_example", "analyte_class", "screens"]
    search_fields = ["name", "method"]
    inlines = [AnalyteLimitInline]


class InspectionResultInline(ReadOnlyInline):
    model = InspectionResult
    fields = [
        "position",
        "item",
        "kind",
        "method",
        "limit",
        "measured_value",
        "unit",
        "outcome",
        "verdict",
    ]
    readonly_fields = fields


class InspectionAttachmentInline(ReadOnlyInline):
    model = InspectionAttachment
    fields = [
        "kind",
        "file",
        "content_type",
        "size",
        "caption",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(ReadOnlyHistoryAdmin, admin.ModelAdmin):
    list_display = [
        "id",
        "batch",
        "kind",
        "verdict",
        "inspector",
        "sampled_at",
        "signed_at",
    ]
    list_filter = ["kind", "verdict", ("signed_at", admin.EmptyFieldListFilter)]
    search_fields = ["batch__lot_code", "batch__name", "inspector__username"]
    date_hierarchy = "sampled_at"
    inlines = [InspectionResultInline, InspectionAttachmentInline]
    # The verdict follows from the results; who, when and what follow from the record.
    readonly_fields = [
        "batch",
        "kind",
        "inspector",
        "verdict",
        "supersedes",
        "confirms",
        "status_change",
        "created_by",
        "created_at",
        "signed_at",
        "signed_by",
    ]
    fields = [
        "batch",
        "kind",
        "verdict",
        "inspector",
        "organisation",
        "sampled_at",
        "region",
        "outlet",
        "sample_size",
        "sample_unit",
        "notes",
        "supersedes",
        "confirms",
        "status_change",
        "created_by",
        "created_at",
        "signed_at",
        "signed_by",
    ]
    actions = None  # no bulk delete of evidence

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("batch__product_line", "inspector", "signed_by")
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_signed:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_signed:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ControlPoint)
class ControlPointAdmin(ReadOnlyAdmin):
    list_display = ["name", "product_line", "producer", "rule", "inspection_kind"]
    list_filter = ["rule", "inspection_kind", "active"]


@admin.register(QualityAlert)
class QualityAlertAdmin(ReadOnlyAdmin):
    list_display = ["batch", "inspection", "status", "owner", "due_date"]
    list_filter = ["status"]
    list_select_related = ["batch__product_line", "inspection__batch", "owner"]


@admin.register(HoldRelease)
class HoldReleaseAdmin(ReadOnlyAdmin):
    """How holds were lifted: evidence, never edited (the API and workbench write)."""

    list_display = ["batch", "basis", "released_by", "released_at", "inspection"]
    list_filter = ["basis"]
    fields = [
        "batch",
        "hold",
        "status_change",
        "basis",
        "inspection",
        "reason",
        "released_by",
        "released_at",
    ]
    readonly_fields = fields
