from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports.models import AuthorisedStoreReview, Certificate, SalesEvent
from reports.services import authorised_store_review
from trace.admin import ServiceAdmin
from trace.choices import OutletKind
from trace.models import Outlet


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


class AuthorisedStoreReviewForm(forms.ModelForm):
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
