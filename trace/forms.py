"""Form helpers shared by every face that writes through the services."""

from django import forms
from django.core.exceptions import ValidationError

from trace.validators import normalize_number_text, validate_safe_text


class InputPolicyMixin:
    """Hold every field of a form to the project's input policy.

    The same rule as the API's parsers and number fields (trace.validators):
    a control or bidirectional control character in any field, or a digit
    outside 0-9 and its full-width twins in a number field, is an error on
    that field, before the form's own clean() sees the value. Put it first
    in the bases of every form a person fills in.
    """

    def _clean_fields(self):
        super()._clean_fields()
        for name, field in self.fields.items():
            if field.disabled:
                continue
            raw = field.widget.value_from_datadict(
                self.data, self.files, self.add_prefix(name)
            )
            for value in raw if isinstance(raw, list | tuple) else [raw]:
                if not isinstance(value, str):
                    continue
                try:
                    validate_safe_text(value)
                    # DecimalField and FloatField are IntegerFields in Django.
                    if isinstance(field, forms.IntegerField):
                        normalize_number_text(value)
                except ValidationError as error:
                    self.add_error(name, error)
                    break


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


class PolicyModelForm(InputPolicyMixin, forms.ModelForm):
    """The admin's default form: a ModelForm held to the input policy."""
