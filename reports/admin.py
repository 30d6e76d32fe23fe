from django.contrib import admin

from reports.models import Certificate, SalesEvent


@admin.register(SalesEvent)
class SalesEventAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "held_on", "organiser"]
    list_filter = ["held_on"]
    search_fields = ["name", "organiser"]
    raw_id_fields = ["region"]


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    """Issued certificates are records: issued through the API, never edited."""

    list_display = ["number", "product_name", "issuing_entity", "issued_at"]
    search_fields = ["number", "product_name", "issuing_entity"]
    list_select_related = ["batch"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
