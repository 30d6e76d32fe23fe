"""The read-only admin every package uses for rows written only by services."""

from django.contrib import admin


class ReadOnlyAdminMixin:
    """Show rows in the admin; adding, changing and deleting go through services."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A model admin that only shows (print jobs, labels, certificates, alerts)."""


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    """An inline that only shows (status changes, inspection results, evidence)."""

    extra = 0
    can_delete = False
