"""The admin of the office's registers: regions, producers, brands, product lines, outlets, roles."""

from django.contrib import admin

from trace.admin.common import URL_FIELDS_ASSUME_HTTPS, ServiceAdmin, path
from trace.audit import ReadOnlyHistoryAdmin
from trace.models import (
    Brand,
    Certification,
    Outlet,
    Producer,
    ProductLine,
    Region,
    UserRole,
)
from trace.services.common import validated_save
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

# The office's registers.


@admin.register(Region)
class RegionAdmin(ServiceAdmin):
    list_display = ["name", "level", "code", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent"]
    list_select_related = [path("parent", 4)]

    def service_create(self, request, fields, form):
        return region_create(created_by=request.user, **fields)

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
        return producer_create(created_by=request.user, **fields)

    def service_update(self, request, obj, fields, form):
        return producer_update(producer=obj, changed_by=request.user, **fields)


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
        return brand_create(created_by=request.user, **fields)

    def service_update(self, request, obj, fields, form):
        return brand_update(brand=obj, changed_by=request.user, **fields)


@admin.register(ProductLine)
class ProductLineAdmin(ServiceAdmin):
    list_display = [
        "name",
        "brand",
        "category",
        "standard",
        "processed",
        "geographical_indication",
        "gtin",
        "unit",
    ]
    list_filter = ["brand", "category", "processed", "geographical_indication"]
    search_fields = ["name", "gtin", "standard", "brand__name"]
    autocomplete_fields = ["brand", "producer", "protected_regions"]
    list_select_related = ["brand"]

    def service_create(self, request, fields, form):
        return product_line_create(
            created_by=request.user,
            protected_regions=form.cleaned_data.get("protected_regions", []),
            **fields,
        )

    def service_update(self, request, obj, fields, form):
        return product_line_update(
            product_line=obj,
            changed_by=request.user,
            protected_regions=form.cleaned_data.get("protected_regions", []),
            **fields,
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
        return outlet_create(created_by=request.user, **fields)

    def service_update(self, request, obj, fields, form):
        return outlet_update(outlet=obj, changed_by=request.user, **fields)


@admin.register(UserRole)
class UserRoleAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "producer", "organisation"]
    list_filter = ["role"]
    search_fields = ["user__username", "producer__name", "organisation"]
    autocomplete_fields = ["user", "producer", "regions"]
    list_select_related = ["user", "producer"]
