from django.contrib import admin

from workbench.models import PrinterSettings


@admin.register(PrinterSettings)
class PrinterSettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "offset_x_mm", "offset_y_mm", "updated_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
