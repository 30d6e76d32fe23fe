"""The poverty-alleviation office's admin for the trace registers.

Every write goes through trace.services, so the admin obeys the same rules
as the API: a form is validated by running its service in a savepoint that
is rolled back (errors land next to their fields), and saved by running the
service for real. Household ID numbers are write-only here: screens show
the masked name and the last four characters only.
"""

import copy
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from trace.admin_base import ReadOnlyInline
from trace.audit import ReadOnlyHistoryAdmin
from trace.choices import BatchStatus, BenefitKind, ProducerKind
from trace.forms import apply_service_errors
from trace.models import (
    Batch,
    BatchContribution,
    BatchStatusChange,
    BenefitLink,
    Brand,
    BrandLicense,
    CatalogueAvailability,
    CatalogueEntry,
    CatalogueEntryStep,
    CatalogueObjection,
    Certification,
    CertificationPolicy,
    CertificationReview,
    Household,
    Outlet,
    Producer,
    ProductLine,
    Region,
    Sale,
    SlowSellingMark,
    TraceEvent,
    UserRole,
)
from trace.personal_data import mask_id_number
from trace.selectors.certification import producer_eligibility
from trace.services.batches import (
    batch_create,
    batch_hold,
    batch_release,
    batch_set_contributions,
    batch_update,
    slow_selling_mark,
)
from trace.services.certification import (
    certification_policy_set,
    certification_reinstate,
    certification_review_dismiss,
    certification_review_revoke,
    certification_review_suspend,
    certification_revoke,
    certification_suspend,
    certification_update,
    producer_certify,
)
from trace.services.common import validated_save
from trace.services.events import sale_record, trace_event_record
from trace.services.households import (
    benefit_link_create,
    benefit_link_update,
    household_create,
    household_record_public_name_consent,
    household_update,
)
from trace.services.licences import brand_license_grant, brand_license_revoke
from trace.services.registry import (
    brand_create,
    brand_update,
    outlet_create,
    outlet_update,
    producer_create,
    producer_update,
    product_line_create,
    product_line_update,
    region_create,
)

# A shop address typed without a scheme is https, as Django 6 will assume
# and the workbench's forms already do.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class _DryRun(Exception):
    """Raised to roll back a service call made only to validate a form."""


def _model_fields(form: forms.ModelForm) -> dict[str, Any]:
    """Return the cleaned values of the form's concrete model fields."""
    names = {field.name for field in form._meta.model._meta.concrete_fields}
    return {name: value for name, value in form.cleaned_data.items() if name in names}


def _adopt(target: models.Model, source: models.Model) -> None:
    """Copy a saved row into the admin's own (unsaved) instance."""
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    target._state.adding = False
    target._state.db = source._state.db


def path(field: str, depth: int = 5) -> str:
    """Return a select_related path through `depth` regions (village to province).

    Region.__str__ walks up to the province; following the parents in one
    join keeps a changelist at a fixed number of queries.
    """
    return "__".join([field] + ["parent"] * (depth - 1))


class ServiceAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves call services instead of Model.save().

    Subclasses implement `service_create` and `service_update`; both receive
    the form's cleaned model fields and the form (for extra fields).
    """

    def service_create(self, request, fields: dict[str, Any], form) -> models.Model:
        raise NotImplementedError

    def service_update(
        self, request, obj, fields: dict[str, Any], form
    ) -> models.Model:
        raise NotImplementedError

    def _call_service(self, request, obj, form, *, change: bool) -> models.Model | None:
        fields = _model_fields(form)
        if change:
            if not form.has_changed():
                return None
            return self.service_update(request, obj, fields, form)
        return self.service_create(request, fields, form)

    def get_form(self, request, obj=None, change=False, **kwargs):
        base = super().get_form(request, obj, change=change, **kwargs)
        model_admin = self

        class ServiceForm(base):
            def clean(self):
                cleaned_data = super().clean()
                if not self.errors:
                    model_admin.validate_with_service(request, self, change=change)
                return cleaned_data

        return ServiceForm

    def validate_with_service(self, request, form, *, change: bool) -> None:
        """Run the service in a rolled-back savepoint and report its errors."""
        # A copy, because update services set attributes on the instance.
        instance = copy.copy(form.instance)
        try:
            with transaction.atomic():
                self._call_service(request, instance, form, change=change)
                raise _DryRun
        except _DryRun:
            pass
        except ValidationError as error:
            apply_service_errors(form, error)

    def save_model(self, request, obj, form, change):
        saved = self._call_service(request, obj, form, change=change)
        if saved is not None and saved is not obj:
            _adopt(obj, saved)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("原因"), widget=forms.Textarea(attrs={"rows": 3, "cols": 60})
    )


def reason_action(
    model_admin: admin.ModelAdmin,
    request,
    queryset,
    *,
    title: str,
    apply: Callable[[Any, str], Any],
):
    """Ask for a reason on an intermediate page, then apply a service to each row."""
    form = ReasonForm(request.POST if "apply" in request.POST else None)
    if "apply" in request.POST and form.is_valid():
        done = 0
        for obj in queryset:
            try:
                apply(obj, form.cleaned_data["reason"])
                done += 1
            except ValidationError as error:
                model_admin.message_user(
                    request, f"{obj}：{'；'.join(error.messages)}", messages.ERROR
                )
        if done:
            model_admin.message_user(
                request,
                _("%(title)s：已处理 %(count)d 条。") % {"title": title, "count": done},
                messages.SUCCESS,
            )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.model._meta,
        "queryset": queryset,
        "form": form,
        "action": request.POST.get("action"),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/trace/reason_action.html", context)


# The office's registers.


@admin.register(Region)
class RegionAdmin(ServiceAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = [path("parent", 4)]

    def service_create(self, request, fields, form):
        return region_create(**fields)

    def service_update(self, request, obj, fields, form):
        # No update service: Region.save() re-roots the lineage of a moved region.
        return validated_save(obj, **fields)


class CertificationInline(admin.TabularInline):
    model = Certification
    fields = ["number", "issuer", "valid_from", "valid_until", "status"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Producer)
class ProducerAdmin(ServiceAdmin):
    list_display = ["name", "kind", "uscc", "region", "contact_person", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "uscc", "contact_person"]
    autocomplete_fields = ["region"]
    list_select_related = [path("region")]
    inlines = [CertificationInline]

    def service_create(self, request, fields, form):
        return producer_create(**fields)

    def service_update(self, request, obj, fields, form):
        return producer_update(producer=obj, **fields)


@admin.register(Certification)
class CertificationAdmin(ReadOnlyHistoryAdmin, ServiceAdmin):
    list_display = [
        "number",
        "producer",
        "issuer",
        "valid_from",
        "valid_until",
        "status",
        "status_changed_at",
    ]
    list_filter = ["status", "issuer"]
    search_fields = ["number", "producer__name", "producer__uscc"]
    autocomplete_fields = ["producer"]
    list_select_related = ["producer"]
    date_hierarchy = "valid_until"
    actions = ["suspend", "reinstate", "revoke"]

    def get_readonly_fields(self, request, obj=None):
        status_fields = [
            "status",
            "status_reason",
            "status_changed_at",
            "status_changed_by",
            "created_at",
        ]
        if obj is None:
            return status_fields
        # The certificate's identity is fixed once issued.
        return ["producer", "number", "policy", *status_fields]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is None:
            return [field for field in fields if field != "policy"]
        return ["policy", *[field for field in fields if field != "policy"]]

    def add_view(self, request, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "subtitle": _(
                "认定条件按主体所在地区的认定政策审核（见“扶贫产品认定政策”）；"
                "不符合时会列出原因和依据文件。"
            ),
        }
        return super().add_view(request, form_url, extra_context)

    @admin.display(description=_("认定依据"))
    def policy(self, obj: Certification) -> str:
        """Cite the policy the decision rests on, and whether it still holds."""
        eligibility = producer_eligibility(producer=obj.producer)
        policy = eligibility.policy
        verdict = (
            _("目前符合：%(count)s 户达到条件。")
            % {"count": eligibility.qualifying_households}
            if eligibility.qualifies
            else _("目前不符合：") + "".join(eligibility.reasons)
        )
        return format_html(
            "{}<br>{}<br>{}",
            policy.source_document,
            f"“{policy.source_clause}”" if policy.source_clause else "",
            verdict,
        )

    def service_create(self, request, fields, form):
        return producer_certify(
            producer=fields["producer"],
            number=fields["number"],
            issuer=fields["issuer"],
            valid_from=fields["valid_from"],
            valid_until=fields["valid_until"],
            certified_by=request.user,
        )

    def service_update(self, request, obj, fields, form):
        # No status change here: those go through the actions below. A new
        # validity re-checks the producer (certification_update).
        return certification_update(certification=obj, **fields)

    @admin.action(description=_("暂停所选认定"), permissions=["change"])
    def suspend(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("暂停认定"),
            apply=lambda certification, reason: certification_suspend(
                certification=certification, reason=reason, changed_by=request.user
            ),
        )

    @admin.action(description=_("恢复所选认定"), permissions=["change"])
    def reinstate(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("恢复认定"),
            apply=lambda certification, reason: certification_reinstate(
                certification=certification, reason=reason, changed_by=request.user
            ),
        )

    @admin.action(description=_("撤销所选认定"), permissions=["change"])
    def revoke(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("撤销认定"),
            apply=lambda certification, reason: certification_revoke(
                certification=certification, reason=reason, changed_by=request.user
            ),
        )


class CertificationPolicyForm(forms.ModelForm):
    # The kinds are JSON lists of choice codes: chosen with checkboxes, never typed.
    eligible_producer_kinds = forms.MultipleChoiceField(
        label=_("可认定的主体类型"),
        choices=ProducerKind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    qualifying_benefit_kinds = forms.MultipleChoiceField(
        label=_("计入的利益联结方式"),
        choices=BenefitKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不同方式的收益不相加：每户须由其中一种方式达到最低年收益。"),
    )

    class Meta:
        model = CertificationPolicy
        fields = [
            "region",
            "eligible_producer_kinds",
            "qualifying_benefit_kinds",
            "min_annual_income",
            "min_households",
            "source_document",
            "source_clause",
            "note",
        ]
        widgets = {
            "source_document": forms.TextInput(attrs={"class": "vLargeTextField"}),
            "source_clause": forms.Textarea(attrs={"rows": 3, "cols": 80}),
            "note": forms.Textarea(attrs={"rows": 3, "cols": 80}),
        }


@admin.register(CertificationPolicy)
class CertificationPolicyAdmin(ReadOnlyHistoryAdmin, ServiceAdmin):
    form = CertificationPolicyForm
    list_display = [
        "region",
        "producer_kinds",
        "benefit_kinds",
        "min_annual_income",
        "min_households",
        "source_document",
    ]
    search_fields = ["region__name", "source_document", "source_clause"]
    autocomplete_fields = ["region"]
    list_select_related = [path("region")]

    fields = CertificationPolicyForm.Meta.fields

    def get_readonly_fields(self, request, obj=None):
        return ["region"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        # A policy is replaced, never removed: certifications rest on it, and
        # its history says which rule a past decision applied.
        return False

    @admin.display(description=_("主体类型"))
    def producer_kinds(self, obj: CertificationPolicy) -> str:
        return "、".join(
            str(ProducerKind(kind).label) for kind in obj.eligible_producer_kinds
        )

    @admin.display(description=_("联结方式"))
    def benefit_kinds(self, obj: CertificationPolicy) -> str:
        return "、".join(
            str(BenefitKind(kind).label) for kind in obj.qualifying_benefit_kinds
        )

    def service_create(self, request, fields, form):
        if CertificationPolicy.objects.filter(region=fields["region"]).exists():
            raise ValidationError({"region": _("该地区已有认定政策，请修改原政策。")})
        return certification_policy_set(**fields)

    def service_update(self, request, obj, fields, form):
        fields.pop("region", None)
        return certification_policy_set(region=obj.region, **fields)


@admin.register(CertificationReview)
class CertificationReviewAdmin(ReadOnlyHistoryAdmin, admin.ModelAdmin):
    """The administrators' queue of certifications that may no longer hold."""

    list_display = [
        "opened_at",
        "producer",
        "certification",
        "trigger",
        "reason",
        "status",
        "resolved_at",
    ]
    list_filter = ["status", "trigger"]
    search_fields = ["producer__name", "certification__number", "reason"]
    list_select_related = ["producer", "certification"]
    date_hierarchy = "opened_at"
    actions = ["dismiss", "suspend", "revoke"]
    # The queue proper is ?status__exact=open; closed reviews stay as the record.
    ordering = ["status", "-opened_at"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False  # only certification_recheck opens reviews

    def has_delete_permission(self, request, obj=None):
        return False

    def _resolve(self, request, queryset, title, service):
        return reason_action(
            self,
            request,
            queryset,
            title=title,
            apply=lambda review, reason: service(
                review=review, note=reason, resolved_by=request.user
            ),
        )

    @admin.action(description=_("维持认定（复核通过）"), permissions=["change"])
    def dismiss(self, request, queryset):
        return self._resolve(
            request, queryset, _("维持认定"), certification_review_dismiss
        )

    @admin.action(description=_("暂停认定"), permissions=["change"])
    def suspend(self, request, queryset):
        return self._resolve(
            request, queryset, _("暂停认定"), certification_review_suspend
        )

    @admin.action(description=_("撤销认定"), permissions=["change"])
    def revoke(self, request, queryset):
        return self._resolve(
            request, queryset, _("撤销认定"), certification_review_revoke
        )


class HouseholdForm(forms.ModelForm):
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
        return household_create(id_number=form.cleaned_data["id_number"], **fields)

    def service_update(self, request, obj, fields, form):
        return household_update(
            household=obj, id_number=form.cleaned_data["id_number"] or None, **fields
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
        return benefit_link_create(**fields)

    def service_update(self, request, obj, fields, form):
        return benefit_link_update(benefit_link=obj, **fields)


class ProductLineInline(admin.TabularInline):
    model = ProductLine
    fields = ["name", "category", "standard", "geographical_indication", "gtin", "unit"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Brand)
class BrandAdmin(ServiceAdmin):
    list_display = ["name", "kind", "owner"]
    list_filter = ["kind"]
    search_fields = ["name", "owner"]
    inlines = [ProductLineInline]

    def service_create(self, request, fields, form):
        return brand_create(**fields)

    def service_update(self, request, obj, fields, form):
        return brand_update(brand=obj, **fields)


@admin.register(ProductLine)
class ProductLineAdmin(ServiceAdmin):
    list_display = [
        "name",
        "brand",
        "category",
        "standard",
        "geographical_indication",
        "gtin",
        "unit",
    ]
    list_filter = ["brand", "category", "geographical_indication"]
    search_fields = ["name", "gtin", "standard", "brand__name"]
    autocomplete_fields = ["brand", "producer", "protected_regions"]
    list_select_related = ["brand"]

    def service_create(self, request, fields, form):
        return product_line_create(
            protected_regions=form.cleaned_data.get("protected_regions", []), **fields
        )

    def service_update(self, request, obj, fields, form):
        return product_line_update(
            product_line=obj,
            protected_regions=form.cleaned_data.get("protected_regions", []),
            **fields,
        )


@admin.register(BrandLicense)
class BrandLicenseAdmin(ServiceAdmin):
    list_display = ["brand", "producer", "valid_from", "valid_until", "revoked_at"]
    list_filter = ["brand", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["brand__name", "producer__name"]
    autocomplete_fields = ["brand", "producer", "product_lines"]
    list_select_related = ["brand", "producer"]
    readonly_fields = ["revoked_at", "revoked_reason"]
    actions = ["revoke"]

    def service_create(self, request, fields, form):
        return brand_license_grant(
            product_lines=form.cleaned_data["product_lines"], **fields
        )

    def service_update(self, request, obj, fields, form):
        if obj.revoked_at is not None:
            raise ValidationError(_("已撤销的授权不能修改。"))
        if any(
            line.brand_id != fields["brand"].pk
            for line in form.cleaned_data["product_lines"]
        ):
            raise ValidationError({"product_lines": _("只能授权该品牌下的产品线。")})
        return validated_save(obj, **fields)

    @admin.action(description=_("撤销所选授权"), permissions=["change"])
    def revoke(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("撤销品牌授权"),
            apply=lambda license_, reason: brand_license_revoke(
                license_=license_, reason=reason
            ),
        )


@admin.register(Outlet)
class OutletAdmin(ReadOnlyHistoryAdmin, ServiceAdmin):
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    list_display = [
        "name",
        "kind",
        "region",
        "operator_name",
        "authorisation_revoked_on",
    ]
    list_filter = ["kind", ("authorisation_revoked_on", admin.EmptyFieldListFilter)]
    search_fields = ["name", "operator_name"]
    autocomplete_fields = ["region"]
    list_select_related = [path("region")]
    # Withdrawn only by the annual review (reports: 授权店年度考核).
    readonly_fields = ["authorisation_revoked_on", "authorisation_revoked_reason"]

    def service_create(self, request, fields, form):
        return outlet_create(**fields)

    def service_update(self, request, obj, fields, form):
        return outlet_update(outlet=obj, **fields)


# Batches and their audit trail.


CONTRIBUTION_FIELDS = ("household", "quantity", "amount_paid")


class BatchContributionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        producer_id = self.instance.producer_id
        households = [
            form.cleaned_data["household"]
            for form in self.forms
            if form.cleaned_data.get("household")
            and not form.cleaned_data.get("DELETE")
        ]
        if len({household.pk for household in households}) != len(households):
            raise ValidationError(_("同一贫困户只能出现一次。"))
        linked = set(
            BenefitLink.objects.filter(
                producer_id=producer_id, household__in=households
            ).values_list("household_id", flat=True)
        )
        if any(household.pk not in linked for household in households):
            raise ValidationError(_("贡献的贫困户必须与该主体有利益联结。"))


class BatchContributionInline(admin.TabularInline):
    model = BatchContribution
    formset = BatchContributionFormSet
    fields = ["household", "quantity", "amount_paid"]
    autocomplete_fields = ["household"]
    extra = 0

    def _draft(self, obj) -> bool:
        return obj is None or obj.status == BatchStatus.DRAFT

    # Released batches are fixed: their labels carry them.
    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


class BatchStatusChangeInline(ReadOnlyInline):
    model = BatchStatusChange
    fields = ["changed_at", "from_status", "to_status", "reason", "changed_by"]
    readonly_fields = fields


@admin.register(Batch)
class BatchAdmin(ReadOnlyHistoryAdmin, ServiceAdmin):
    list_display = [
        "lot_code",
        "name",
        "product_line",
        "producer",
        "origin",
        "harvest_date",
        "quantity",
        "unit",
        "status",
    ]
    list_filter = ["status", "product_line__brand", "producer"]
    search_fields = ["lot_code", "name", "product_line__name", "producer__name"]
    autocomplete_fields = ["producer", "product_line", "origin"]
    list_select_related = ["product_line__brand", "producer", path("origin")]
    date_hierarchy = "harvest_date"
    inlines = [BatchContributionInline, BatchStatusChangeInline]
    actions = ["release", "hold"]
    editable_fields = [
        "producer",
        "product_line",
        "lot_code",
        "name",
        "origin",
        "harvest_date",
        "quantity",
        "unit",
    ]

    def get_readonly_fields(self, request, obj=None):
        audit = ["status", "created_by", "created_at", "updated_at"]
        if obj is not None and obj.status != BatchStatus.DRAFT:
            return [*self.editable_fields, *audit]
        if obj is not None:
            return ["producer", *audit]  # batch_update keeps the producer
        return audit

    def has_delete_permission(self, request, obj=None):
        # Only drafts: a released batch has labels, events and sales.
        return (
            obj is None or obj.status == BatchStatus.DRAFT
        ) and super().has_delete_permission(request, obj)

    def service_create(self, request, fields, form):
        return batch_create(created_by=request.user, **fields)

    def service_update(self, request, obj, fields, form):
        return batch_update(batch=obj, **fields)

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        for formset in formsets:
            if formset.model is not BatchContribution:
                formset.save()  # the read-only status history: saves nothing
                continue
            # The admin's history message reads these; formset.save() is not
            # called because batch_set_contributions writes the rows.
            formset.new_objects, formset.changed_objects = [], []
            formset.deleted_objects = []
            if not formset.has_changed():
                continue
            contributions = [
                {key: item.cleaned_data[key] for key in CONTRIBUTION_FIELDS}
                for item in formset.forms
                if item.cleaned_data.get("household")
                and not item.cleaned_data.get("DELETE")
            ]
            batch_set_contributions(batch=form.instance, contributions=contributions)

    @admin.action(description=_("放行所选批次"), permissions=["change"])
    def release(self, request, queryset):
        released = 0
        for batch in queryset:
            try:
                batch_release(batch=batch, changed_by=request.user)
                released += 1
            except ValidationError as error:
                self.message_user(
                    request, f"{batch}：{'；'.join(error.messages)}", messages.ERROR
                )
        if released:
            self.message_user(
                request,
                _("已放行 %(count)d 个批次。") % {"count": released},
                messages.SUCCESS,
            )

    @admin.action(description=_("暂停销售所选批次"), permissions=["change"])
    def hold(self, request, queryset):
        return reason_action(
            self,
            request,
            queryset,
            title=_("暂停销售批次"),
            apply=lambda batch, reason: batch_hold(
                batch=batch, changed_by=request.user, reason=reason
            ),
        )


class AuditAdmin(ServiceAdmin):
    """Append-only records: added through a service, never changed or deleted."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(BatchStatusChange)
class BatchStatusChangeAdmin(AuditAdmin):
    list_display = [
        "batch",
        "from_status",
        "to_status",
        "reason",
        "changed_by",
        "changed_at",
    ]
    list_filter = ["to_status", "from_status"]
    search_fields = ["batch__lot_code", "reason"]
    list_select_related = ["batch__product_line__brand", "changed_by"]
    date_hierarchy = "changed_at"

    def has_add_permission(self, request):
        return False  # only batch_transition writes these


@admin.register(TraceEvent)
class TraceEventAdmin(AuditAdmin):
    list_display = [
        "batch",
        "kind",
        "occurred_at",
        "location",
        "place",
        "actor",
        "quantity",
        "unit",
    ]
    list_filter = ["kind", "reference_document_type"]
    search_fields = ["batch__lot_code", "place", "actor", "reference_document_number"]
    autocomplete_fields = ["batch", "location"]
    list_select_related = ["batch__product_line__brand", path("location")]
    date_hierarchy = "occurred_at"
    readonly_fields = ["recorded_by", "recorded_at"]

    def service_create(self, request, fields, form):
        return trace_event_record(recorded_by=request.user, **fields)


@admin.register(Sale)
class SaleAdmin(AuditAdmin):
    list_display = [
        "sold_at",
        "batch",
        "seller",
        "buyer",
        "channel",
        "outlet",
        "quantity",
        "unit",
        "amount",
    ]
    list_filter = ["channel", "outlet"]
    search_fields = ["buyer", "batch__lot_code", "seller__name", "note"]
    autocomplete_fields = ["batch", "outlet", "buyer_outlet"]
    list_select_related = ["batch__product_line__brand", "seller", "outlet"]
    date_hierarchy = "sold_at"
    exclude = ["seller"]
    readonly_fields = ["recorded_by", "recorded_at"]

    def service_create(self, request, fields, form):
        return sale_record(recorded_by=request.user, **fields)


@admin.register(SlowSellingMark)
class SlowSellingMarkAdmin(ReadOnlyHistoryAdmin, AuditAdmin):
    """滞销 marks: added by the office, kept as they were (the reward counts them)."""

    list_display = [
        "product_line",
        "batch",
        "region",
        "valid_from",
        "valid_until",
        "marked_by",
    ]
    search_fields = ["product_line__name", "batch__lot_code", "reason"]
    autocomplete_fields = ["product_line", "batch", "region"]
    list_select_related = ["product_line__brand", "batch__product_line", "region"]
    readonly_fields = ["marked_by", "marked_at"]

    def service_create(self, request, fields, form):
        return slow_selling_mark(marked_by=request.user, **fields)


@admin.register(UserRole)
class UserRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "producer", "organisation"]
    list_filter = ["role"]
    search_fields = ["user__username", "producer__name", "organisation"]
    autocomplete_fields = ["user", "producer", "regions"]
    list_select_related = ["user", "producer"]


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
        "occurred_at",
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
