"""The admin of brand licenses (统一许可授权)."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from trace.admin.common import ServiceAdmin, reason_action
from trace.models import (
    BrandLicense,
)
from trace.services.common import validated_save
from trace.services.licences import brand_license_grant, brand_license_revoke


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
            product_lines=form.cleaned_data["product_lines"],
            created_by=request.user,
            **fields,
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
                license_=license_, reason=reason, changed_by=request.user
            ),
        )
