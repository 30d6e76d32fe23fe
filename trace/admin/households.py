"""The admin of households and their benefit links; ID numbers are write-only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from trace.admin.common import ServiceAdmin, path
from trace.audit import ReadOnlyHistoryAdmin
from trace.forms import InputPolicyMixin
from trace.models import (
    BenefitLink,
    Household,
)
from trace.personal_data import mask_id_number
from trace.services.households import (
    benefit_link_create,
    benefit_link_update,
    household_create,
    household_record_public_name_consent,
    household_update,
)


class HouseholdForm(InputPolicyMixin, forms.ModelForm):
    # Write-only: never pre-filled, never rendered back (render_value=False).
    id_number = forms.CharField(
        label=_("身份证号码"),
        required=False,
        max_length=18,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("只写不读：保存后仅显示后 4 位；修改时留空表示不变。"),
    )

    class Meta:
        model = Household
        fields = [
            "village",
            "head_name",
            "id_number",
            "phone",
            "members",
            "registered_year",
        ]

    def clean_id_number(self) -> str:
        # Format and duplicates are household_create's to judge (dry run).
        value = (self.cleaned_data.get("id_number") or "").strip()
        if not value and self.instance.pk is None:
            raise ValidationError(_("请填写身份证号码。"), code="required")
        return value


@admin.register(Household)
class HouseholdAdmin(ReadOnlyHistoryAdmin, ServiceAdmin):
    form = HouseholdForm
    list_display = [
        "masked_head_name",
        "village",
        "id_number_masked",
        "members",
        "registered_year",
        "consent",
    ]
    list_filter = [
        "registered_year",
        ("public_name_consent_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["head_name", "village__name", "phone"]
    autocomplete_fields = ["village"]
    list_select_related = [path("village")]
    readonly_fields = [
        "id_number_masked",
        "public_name_consent_at",
        "public_name_consent_by",
        "created_at",
    ]
    actions = ["record_consent", "withdraw_consent"]

    def get_fields(self, request, obj=None):
        fields = [
            "village",
            "head_name",
            "id_number",
            "phone",
            "members",
            "registered_year",
        ]
        if obj is not None:
            fields[2:2] = ["id_number_masked"]
            fields += ["public_name_consent_at", "public_name_consent_by", "created_at"]
        return fields

    @admin.display(description=_("户主（脱敏）"), ordering="head_name")
    def masked_head_name(self, obj: Household) -> str:
        return obj.masked_name

    @admin.display(description=_("身份证号码"))
    def id_number_masked(self, obj: Household) -> str:
        if obj.pk is None:
            return "-"
        return mask_id_number(obj.id_number())

    @admin.display(description=_("同意公开脱敏姓名"), boolean=True)
    def consent(self, obj: Household) -> bool:
        return obj.has_public_name_consent

    def service_create(self, request, fields, form):
        return household_create(
            id_number=form.cleaned_data["id_number"], created_by=request.user, **fields
        )

    def service_update(self, request, obj, fields, form):
        return household_update(
            household=obj,
            changed_by=request.user,
            id_number=form.cleaned_data["id_number"] or None,
            **fields,
        )

    @admin.action(description=_("记录同意公开脱敏姓名"), permissions=["change"])
    def record_consent(self, request, queryset):
        for household in queryset.filter(public_name_consent_at__isnull=True):
            household_record_public_name_consent(
                household=household, recorded_by=request.user, consented=True
            )
        self.message_user(request, _("已记录同意。"), messages.SUCCESS)

    @admin.action(description=_("撤回同意公开脱敏姓名"), permissions=["change"])
    def withdraw_consent(self, request, queryset):
        for household in queryset.filter(public_name_consent_at__isnull=False):
            household_record_public_name_consent(
                household=household, recorded_by=request.user, consented=False
            )
        self.message_user(request, _("已撤回同意。"), messages.SUCCESS)


@admin.register(BenefitLink)
class BenefitLinkAdmin(ReadOnlyHistoryAdmin, ServiceAdmin):
    list_display = [
        "producer",
        "household",
        "kind",
        "since",
        "ended_on",
        "annual_income",
    ]
    list_filter = ["kind", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["producer__name", "household__village__name"]
    autocomplete_fields = ["producer", "household"]
    list_select_related = ["producer", "household__village"]

    def service_create(self, request, fields, form):
        return benefit_link_create(created_by=request.user, **fields)

    def service_update(self, request, obj, fields, form):
        return benefit_link_update(benefit_link=obj, changed_by=request.user, **fields)
