from django.contrib import admin

from reports.models import (
    Certificate,
    ReportPeriod,
    SalesEvent,
    Submission,
    SubmissionTransition,
)
from reports.submissions import report_period_create, report_period_update
from trace.admin import ServiceAdmin
from trace.admin_base import ReadOnlyAdmin, ReadOnlyInline


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


@admin.register(ReportPeriod)
class ReportPeriodAdmin(ServiceAdmin):
    """Administrators set when each form is due, one window per row."""

    list_display = ["name", "form_key", "region", "submitter_level", "due_on"]
    list_filter = ["form_key", "frequency", "submitter_level"]
    search_fields = ["name", "region__name", "recipient"]
    autocomplete_fields = ["region"]
    exclude = ["created_by"]
    list_select_related = ["region"]

    def service_create(self, request, fields, form):
        return report_period_create(created_by=request.user, **fields)

    def service_update(self, request, obj, fields, form):
        return report_period_update(period=obj, **fields)


class SubmissionTransitionInline(ReadOnlyInline):
    model = SubmissionTransition
    fields = ["from_status", "to_status", "reason", "actor", "at"]
    readonly_fields = fields


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    """Submissions move through the API's actions only; here they are read."""

    list_display = ["region", "period", "status", "filler_name", "submitted_at"]
    list_filter = ["status", "period__form_key"]
    search_fields = ["region__name", "period__name", "filler_name"]
    list_select_related = ["region", "period"]
    exclude = ["stamped_scan", "snapshot"]
    inlines = [SubmissionTransitionInline]
