"""The admin of certification (扶贫产品认定): certifications, county policies, reviews."""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from trace.admin.common import ServiceAdmin, path, reason_action
from trace.audit import ReadOnlyHistoryAdmin
from trace.choices import BenefitKind, ProducerKind
from trace.forms import InputPolicyMixin
from trace.models import (
    Certification,
    CertificationPolicy,
    CertificationReview,
)
from trace.selectors.certification import producer_eligibility
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
            policy.source_title,
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
        return certification_update(
            certification=obj, changed_by=request.user, **fields
        )

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


class CertificationPolicyForm(InputPolicyMixin, forms.ModelForm):
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
            "purchase_price_band_percent",
            "watch_links_per_household",
            "confirmation_deadline_days",
            "review_suspend_after_days",
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
        return certification_policy_set(changed_by=request.user, **fields)

    def service_update(self, request, obj, fields, form):
        fields.pop("region", None)
        return certification_policy_set(
            region=obj.region, changed_by=request.user, **fields
        )


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
