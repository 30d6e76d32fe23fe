"""What the trace admin classes share: saves through services, reason actions."""

import copy
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from trace.forms import InputPolicyMixin, PolicyModelForm, apply_service_errors

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
    the form's cleaned model fields and the form (for extra fields). Forms
    are held to the input policy (a subclass's own form takes the mixin too).
    """

    form = PolicyModelForm

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


class ReasonForm(InputPolicyMixin, forms.Form):
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


class AuditAdmin(ServiceAdmin):
    """Append-only records: added through a service, never changed or deleted."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
