"""The platform import pages: upload and map, read the dry run, commit."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _

from trace import access
from trace.choices import ImportRowStatus
from trace.forms import apply_service_errors
from trace.selectors.imports import (
    sales_import_list_visible_to,
    sales_import_rows,
    sales_import_summary,
)
from trace.services.imports import (
    IMPORT_FIELDS,
    platform_columns,
    sales_import_commit_request,
    sales_import_create,
)

ROWS_SHOWN = 200


class SalesImportForm(forms.Form):
    """A platform's export and, once per platform, which column holds what."""

    platform = forms.CharField(label=_("平台"), max_length=32, initial="扶贫832")
    file = forms.FileField(label=_("订单导出文件（CSV 或 XLSX）"))

    def __init__(self, *args, platform: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        saved = platform_columns(platform=platform) if platform else {}
        for field, label in IMPORT_FIELDS.items():
            self.fields[f"column_{field}"] = forms.CharField(
                label=_("“%(field)s”所在列") % {"field": label},
                required=False,
                initial=saved.get(field, ""),
            )

    def columns(self) -> dict[str, str]:
        return {
            field: self.cleaned_data[f"column_{field}"].strip()
            for field in IMPORT_FIELDS
            if self.cleaned_data.get(f"column_{field}", "").strip()
        }


def _may_import(user) -> None:
    if not access.may_import_sales(user):
        raise Http404


@login_required
def sales_imports(request):
    """Upload a platform's order export; list the user's imports."""
    _may_import(request.user)
    platform = request.POST.get("platform") or request.GET.get("platform") or "扶贫832"
    form = SalesImportForm(
        request.POST or None, request.FILES or None, platform=platform
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            sales_import = sales_import_create(
                platform=form.cleaned_data["platform"],
                file=upload,
                name=upload.name,
                columns=form.columns(),
                uploaded_by=request.user,
            )
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            return redirect("workbench:sales_import", pk=sales_import.pk)
    return render(
        request,
        "workbench/sales_imports.html",
        {
            "form": form,
            "imports": sales_import_list_visible_to(user=request.user)[:20],
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def sales_import(request, pk: int):
    """The dry run's every row (match or error); commit the matched ones."""
    _may_import(request.user)
    job = get_object_or_404(sales_import_list_visible_to(user=request.user), pk=pk)
    error = ""
    if request.method == "POST":
        try:
            sales_import_commit_request(sales_import=job, committed_by=request.user)
        except ValidationError as refusal:
            error = "；".join(refusal.messages)
        else:
            return redirect("workbench:sales_import", pk=job.pk)
    status = request.GET.get("status", "")
    rows = sales_import_rows(sales_import=job)
    if status in ImportRowStatus.values:
        rows = rows.filter(status=status)
    return render(
        request,
        "workbench/sales_import.html",
        {
            "job": job,
            "summary": [
                (value, label, sales_import_summary(sales_import=job)[value])
                for value, label in ImportRowStatus.choices
            ],
            "rows": rows[:ROWS_SHOWN],
            "status": status,
            "error": error,
            "fields": IMPORT_FIELDS,
        },
        status=400 if error else 200,
    )
