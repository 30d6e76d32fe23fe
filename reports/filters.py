"""The filters of the exports and the dashboard.

?region=ID&from=YYYY-MM-DD&to=YYYY-MM-DD[&year=YYYY]; a region includes its descendants.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reports.selectors.common import ReportFilters
from trace.forms import InputPolicyMixin
from trace.models import Region
from trace.validators import validate_calendar_date


class ReportFilterForm(InputPolicyMixin, forms.Form):
    """Validate the query string; errors are keyed by the parameter's name."""

    region = forms.ModelChoiceField(
        label=_("地区"),
        queryset=Region.objects.all(),
        required=False,
        error_messages={"invalid_choice": _("没有这个地区。")},
    )
    year = forms.IntegerField(
        label=_("年度"), required=False, min_value=2000, max_value=2100
    )

    def __init__(self, *args, regions=None, **kwargs):
        super().__init__(*args, **kwargs)
        if regions is not None:
            # A region the user may not see is "没有这个地区", as if unknown.
            self.fields["region"].queryset = regions
        # "from" is a Python keyword, so the period's fields are added here.
        date_errors = {"invalid": _("日期格式应为 YYYY-MM-DD。")}
        self.fields["from"] = forms.DateField(
            label=_("起始日期"),
            required=False,
            input_formats=["%Y-%m-%d"],
            error_messages=date_errors,
            validators=[validate_calendar_date],
        )
        self.fields["to"] = forms.DateField(
            label=_("截止日期"),
            required=False,
            input_formats=["%Y-%m-%d"],
            error_messages=date_errors,
            validators=[validate_calendar_date],
        )
        self.order_fields(["region", "from", "to", "year"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            raise ValidationError({"to": _("截止日期不能早于起始日期。")})
        return cleaned

    def filters(self) -> ReportFilters:
        return ReportFilters(
            region=self.cleaned_data.get("region"),
            date_from=self.cleaned_data.get("from"),
            date_to=self.cleaned_data.get("to"),
            year=self.cleaned_data.get("year"),
        )
