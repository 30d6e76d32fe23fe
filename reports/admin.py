from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import (
    AuthorisedStoreReview,
    Certificate,
    ReportPeriod,
    SalesEvent,
    Submission,
    SubmissionTransition,
)
from reports.services import authorised_store_review
from reports.submissions import report_period_create, report_period_update
from trace.admin.common import ServiceAdmin
from trace.admin_base import ReadOnlyAdmin, ReadOnlyInline
from trace.choices import OutletKind
from trace.forms import InputPolicyMixin
from trace.models import Outlet


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
        return report_period_update(period=obj, changed_by=request.user, **fields)


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


class AuthorisedStoreReviewForm(InputPolicyMixin, forms.ModelForm):
    """Choose a store and a finished year; the service does the rest."""

    outlet = forms.ModelChoiceField(
        label=_("授权店"),
        queryset=Outlet.objects.filter(
            kind=OutletKind.AUTHORISED_STORE, authorisation_revoked_on__isnull=True
        ),
    )
    year = forms.IntegerField(
        label=_("考核年度"),
        min_value=2000,
        initial=lambda: timezone.localdate().year - 1,
    )

    class Meta:
        model = AuthorisedStoreReview
        fields = ["outlet", "year"]


@admin.register(AuthorisedStoreReview)
class AuthorisedStoreReviewAdmin(ServiceAdmin):
    """授权店年度考核: adding one reviews the store's year and acts on the verdict."""

    form = AuthorisedStoreReviewForm
    list_display = [
        "year",
        "outlet",
        "annual_sales",
        "slow_selling_sales",
        "local_share_short",
        "revoke",
        "reward",
        "decided_at",
    ]
    list_filter = ["year", "revoke", "local_share_short"]
    search_fields = ["outlet__name", "reason"]
    list_select_related = ["outlet"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["outlet", "year"]
        return [field.name for field in self.model._meta.fields if field.name != "id"]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def service_create(self, request, fields, form):
        return authorised_store_review(
            outlet=fields["outlet"], year=fields["year"], decided_by=request.user
        )

    def has_change_permission(self, request, obj=None):
        return False  # the record is evidence: viewable, never edited

    def has_delete_permission(self, request, obj=None):
        return False
