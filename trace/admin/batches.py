"""The admin of batches and their audit trail."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from trace.admin.common import AuditAdmin, ServiceAdmin, path, reason_action
from trace.admin_base import ReadOnlyInline
from trace.audit import ReadOnlyHistoryAdmin
from trace.choices import BatchStatus
from trace.models import (
    Batch,
    BatchContribution,
    BatchStatusChange,
    BenefitLink,
    SlowSellingMark,
)
from trace.services.batches import (
    batch_create,
    batch_hold,
    batch_release,
    batch_set_contributions,
    batch_update,
    slow_selling_mark,
)

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
    fields = ["at", "from_status", "to_status", "reason", "actor"]
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
        return batch_update(batch=obj, changed_by=request.user, **fields)

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


@admin.register(BatchStatusChange)
class BatchStatusChangeAdmin(AuditAdmin):
    list_display = [
        "batch",
        "from_status",
        "to_status",
        "reason",
        "actor",
        "at",
    ]
    list_filter = ["to_status", "from_status"]
    search_fields = ["batch__lot_code", "reason"]
    list_select_related = ["batch__product_line__brand", "actor"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False  # only batch_transition writes these


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
