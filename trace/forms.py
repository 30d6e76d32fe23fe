"""Form helpers shared by every face that writes through the services."""

from django import forms
from django.core.exceptions import ValidationError


def apply_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names.

    Errors about something the form has no field for (the producer, the
    contributions as a whole) are shown at the top of the form; for a model
    field the form leaves out (read-only in the admin) they say which one.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    model = getattr(getattr(form, "_meta", None), "model", None)
    model_fields = {field.name: field for field in model._meta.fields} if model else {}
    for name, errors in error.error_dict.items():
        if name in form.fields:
            form.add_error(name, errors)
        elif name in model_fields:
            label = model_fields[name].verbose_name
            form.add_error(
                None,
                [f"{label}：{message}" for item in errors for message in item.messages],
            )
        else:
            form.add_error(None, errors)
