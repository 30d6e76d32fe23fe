"""The admin of the 扶贫产品目录: entries and their trail."""

from django.contrib import admin

from trace.admin.common import URL_FIELDS_ASSUME_HTTPS
from trace.audit import ReadOnlyHistoryAdmin
from trace.models import (
    CatalogueAvailability,
    CatalogueEntry,
    CatalogueEntryStep,
    CatalogueObjection,
)

# The 扶贫产品目录: its procedure runs through the workbench and the API (each
# step a service with its rule); the admin shows entries and their trail.


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CatalogueEntryStepInline(_ReadOnlyInline):
    model = CatalogueEntryStep
    fields = [
        "at",
        "kind",
        "from_status",
        "to_status",
        "actor",
        "reason",
        "policy_source",
        "qualifying_households",
    ]
    readonly_fields = fields


class CatalogueObjectionInline(_ReadOnlyInline):
    model = CatalogueObjection
    fields = ["created_at", "status", "text", "review_note", "reviewed_by"]
    readonly_fields = fields


class CatalogueAvailabilityInline(_ReadOnlyInline):
    model = CatalogueAvailability
    fields = ["month", "available", "quantity", "note", "recorded_by"]
    readonly_fields = fields


@admin.register(CatalogueEntry)
class CatalogueEntryAdmin(ReadOnlyHistoryAdmin):
    """Entries and their 认定 trail, read-only: steps are taken in the workbench."""

    formfield_overrides = URL_FIELDS_ASSUME_HTTPS

    list_display = [
        "name",
        "producer",
        "region",
        "price",
        "unit",
        "delivery_method",
        "status",
        "notice_ends_on",
    ]
    list_filter = ["status", "delivery_method", "season", "category"]
    search_fields = ["name", "producer__name"]
    list_select_related = ["producer", "region"]
    inlines = [
        CatalogueEntryStepInline,
        CatalogueObjectionInline,
        CatalogueAvailabilityInline,
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
