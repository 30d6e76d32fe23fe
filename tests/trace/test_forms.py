"""One way to put a service's errors on a form: the workbench's and the admin's."""

from django import forms
from django.core.exceptions import ValidationError

from trace.forms import apply_service_errors
from trace.models import Batch


class LotForm(forms.Form):
    lot_code = forms.CharField()


class BatchNameForm(forms.ModelForm):
    class Meta:
        model = Batch
        fields = ["name"]


def test_field_errors_land_next_to_their_field_and_others_on_top():
    form = LotForm({"lot_code": "A"})
    form.is_valid()
    apply_service_errors(
        form,
        ValidationError({"lot_code": "重复的批次号。", "producer": "认定已过期。"}),
    )
    assert form.errors["lot_code"] == ["重复的批次号。"]
    assert form.non_field_errors() == ["认定已过期。"]


def test_an_error_without_fields_goes_on_top():
    form = LotForm({"lot_code": "A"})
    form.is_valid()
    apply_service_errors(form, ValidationError("不能修改已放行的批次。"))
    assert form.non_field_errors() == ["不能修改已放行的批次。"]


def test_a_model_field_the_form_leaves_out_is_named():
    form = BatchNameForm({"name": "冬果"})
    form.is_valid()
    apply_service_errors(form, ValidationError({"lot_code": "批次号已存在。"}))
    assert form.non_field_errors() == ["批次号：批次号已存在。"]
