from django.contrib import admin

from reports.models import Certificate, SalesEvent
from trace.admin_base import ReadOnlyAdmin


@admin.register(SalesEvent)
class SalesEventAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "held_on", "organiser"]
    list_filter = ["held_on"]
    search_fields = ["name", "organiser"]
    raw_id_fields = ["region"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    """Issued certificates are records: issued through the API, never edited."""

    list_display = ["number", "product_name", "issuing_entity", "issued_at"]
    search_fields = ["number", "product_name", "issuing_entity"]
    list_select_related = ["batch"]
