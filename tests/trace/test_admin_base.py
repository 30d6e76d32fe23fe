"""The one read-only admin base: every admin built on it refuses every write."""

import pytest
from django.contrib import admin
from django.test import RequestFactory

from labels.models import Label, PrintJob
from reports.models import Certificate
from trace.admin_base import ReadOnlyAdminMixin


@pytest.mark.django_db
def test_read_only_admins_refuse_add_change_and_delete_even_to_a_superuser(
    django_user_model,
):
    request = RequestFactory().get("/admin/")
    request.user = django_user_model.objects.create_superuser("root", "", "x")
    read_only = {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, ReadOnlyAdminMixin)
    }
    assert {Label, PrintJob, Certificate} <= set(read_only)
    for model_admin in read_only.values():
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        assert model_admin.has_view_permission(request)
        inlines = model_admin.get_inline_instances(request)
        assert all(not inline.has_add_permission(request, None) for inline in inlines)
