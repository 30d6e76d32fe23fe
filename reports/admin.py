from django.contrib import admin

from reports.models import SalesEvent


@admin.register(SalesEvent)
class SalesEventAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "held_on", "organiser"]
    list_filter = ["held_on"]
    search_fields = ["name", "organiser"]
    raw_id_fields = ["region"]
